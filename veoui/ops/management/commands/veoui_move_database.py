"""`manage.py veoui_move_database --to postgres://...`: copy this installation's data into a new database."""

from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from veoui.ops import dataset

TARGET_ALIAS = "veoui_move_target"


class Command(BaseCommand):
    help = (
        "Copy every row of veoui's current database (usually SQLite) into a new, empty database, e.g. "
        "PostgreSQL. Stop veoui's web and worker first; the current database is left as it is."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", required=True, metavar="DATABASE_URL", help="e.g. postgres://user:pw@host/veoui")

    def handle(self, *args: object, to: str, **options: object) -> None:
        target = dataset.database_config(to)
        source = connections[DEFAULT_DB_ALIAS].settings_dict
        if all(str(target.get(key) or "") == str(source.get(key) or "") for key in ("ENGINE", "NAME", "HOST", "PORT")):
            raise CommandError("That is the database veoui uses now. Give the address of the new one.")
        pending = dataset.unapplied_migrations(DEFAULT_DB_ALIAS)
        if pending:
            raise CommandError(f"The current database is not up to date ({pending[0]} is missing): run migrate first.")
        dataset.add_database(TARGET_ALIAS, target)
        try:
            with TemporaryDirectory(prefix="veoui-move-") as folder:
                rows = Path(folder) / "database.jsonl"
                migrations = dataset.dump(rows, DEFAULT_DB_ALIAS)
                dataset.load(rows, migrations, TARGET_ALIAS)
                dumped = dataset.dumped_counts(rows)
            copied = dataset.row_counts(TARGET_ALIAS, list(dumped))
            if copied != dumped:
                differ = sorted(label for label in dumped if copied[label] != dumped[label])
                raise CommandError(f"The copy is incomplete for {', '.join(differ)}; leave DATABASE_URL as it was.")
            where = dataset.describe(TARGET_ALIAS)
        finally:
            dataset.remove_database(TARGET_ALIAS)
        self.stdout.write(
            f"Copied {sum(dumped.values())} rows of {len(dumped)} kinds from {dataset.describe(DEFAULT_DB_ALIAS)} "
            f"to {where}; every count matches.\n"
            "Next: set DATABASE_URL to the new database's address for the web and the worker, and start veoui."
        )
