from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite) and every stored file (the S3 bucket, "
        "or the media folder) into a new folder, with manifest.json listing sizes and SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="A new or empty folder for this backup.")

    def handle(self, *args: object, folder: Path, **options: object) -> None:
        try:
            manifest = backup_create(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        objects = manifest["objects"]
        self.stdout.write(
            f"Backup written to {folder}: database {manifest['database']['bytes']} bytes, "
            f"{objects['count']} stored files ({objects['bytes']} bytes)."
        )
