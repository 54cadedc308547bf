from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database and storage, both empty "
        "(the bucket is created when missing). Every checksum is verified first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="The backup folder (with manifest.json).")
        parser.add_argument("--check", action="store_true", help="Only verify the backup against its manifest.")

    def handle(self, *args: object, folder: Path, check: bool = False, **options: object) -> None:
        try:
            manifest = backup_check(folder=folder) if check else backup_restore(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        objects = manifest["objects"]
        done = "verified" if check else "restored"
        self.stdout.write(
            f"Backup of {manifest['created_at']} {done}: database ({manifest['database']['engine']}), "
            f"{objects['count']} stored files ({objects['bytes']} bytes). "
            + ("" if check else "Next: manage.py migrate, then audit_verify.")
        )
