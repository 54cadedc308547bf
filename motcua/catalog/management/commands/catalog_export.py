import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.exchange import write_excel
from motcua.catalog.services import catalog_export


class Command(BaseCommand):
    help = "Export the published catalogue to a .json or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        document = catalog_export()
        if path.suffix.lower() == ".xlsx":
            path.write_bytes(write_excel(document))
        else:
            path.write_text(json.dumps(document, ensure_ascii=False, indent=1))
        self.stdout.write(f"Exported {len(document['procedures'])} procedures to {path}")
