import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.exchange import catalog_file_kind
from motcua.catalog.services import CatalogImportRefused, catalog_import_file


class Command(BaseCommand):
    help = "Import a procedure catalogue file (.json or .xlsx), all-or-nothing, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        kind = catalog_file_kind(path.name)
        if kind is None:
            raise CommandError("The file name must end in .json or .xlsx.")

        def progress(done: int, total: int) -> None:
            width = 40
            filled = width * done // total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")

        try:
            report = catalog_import_file(
                actor="catalog_import", content=path.read_bytes(), file_kind=kind, progress=progress
            )
        except CatalogImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(refused.message) from refused
        self.stdout.write(self.style.SUCCESS(f"Imported: {report.as_dict()}"))
