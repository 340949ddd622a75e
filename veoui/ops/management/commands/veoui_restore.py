"""`manage.py veoui_restore PATH.tar.gz`: a backup back into an empty database and media storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from veoui.ops import dataset
from veoui.ops.backup import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a veoui_backup archive into an empty database and an empty media folder (or bucket). "
        "Creates the tables itself; stop veoui first and don't start it on the new database before."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="the archive veoui_backup wrote")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)")

    def handle(self, *args: object, path: Path, database: str, **options: object) -> None:
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        summary = restore_backup(path, using=database)
        self.stdout.write(
            f"Restored {summary.rows} database rows and {summary.files} media files "
            f"({summary.bytes / 1024 / 1024:.1f} MB) into {dataset.describe(database)}. Checksums match."
        )
