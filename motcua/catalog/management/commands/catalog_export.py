from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.exchange import catalog_file_kind, render_catalog_file
from motcua.catalog.services import catalog_export


class Command(BaseCommand):
    help = "Export the published catalogue to a .json or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        file_kind = catalog_file_kind(path.name)
        if file_kind is None:
            raise CommandError("The file name must end in .json or .xlsx.")
        document = catalog_export()
        path.write_bytes(render_catalog_file(document, file_kind=file_kind))
        self.stdout.write(f"Exported {len(document['procedures'])} procedures to {path}")
