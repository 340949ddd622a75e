"""`manage.py veoui_backup PATH.tar.gz`: the database and all media, in one archive (see veoui.ops.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from veoui.ops import dataset
from veoui.ops.backup import create_backup


class Command(BaseCommand):
    help = "Back up veoui's database and media into one .tar.gz. Safe to run while veoui is running."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="where to write the archive, e.g. veoui-2026-11-24.tar.gz")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)")

    def handle(self, *args: object, path: Path, database: str, **options: object) -> None:
        if not path.name.endswith((".tar.gz", ".tgz")):
            raise CommandError("Name the backup something.tar.gz.")
        if path.exists():
            raise CommandError(f"{path} already exists; veoui does not overwrite a backup.")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        pending = dataset.unapplied_migrations(database)
        if pending:
            raise CommandError(f"The database is not up to date ({pending[0]} is missing): run migrate first.")
        summary = create_backup(path, using=database)
        self.stdout.write(
            f"Backed up {summary.rows} database rows and {summary.files} media files "
            f"({summary.bytes / 1024 / 1024:.1f} MB) from {dataset.describe(database)} to {path}."
        )
