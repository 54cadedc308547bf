import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.exchange import catalog_file_kind
from motcua.catalog.services import CatalogImportRefused, catalog_import_file


class Command(BaseCommand):
    help = "Import a procedure catalogue file (.json or .xlsx), all-or-nothing, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="Import on behalf of this staff account: recorded as theirs and kept to their agency scope.",
        )

    def handle(self, *args: object, path: Path, as_user: str | None = None, **options: object) -> None:
        kind = catalog_file_kind(path.name)
        if kind is None:
            raise CommandError("The file name must end in .json or .xlsx.")
        actor: Any = "catalog_import"
        if as_user:
            actor = get_user_model().objects.filter(username=as_user, is_active=True, is_staff=True).first()
            if actor is None:
                raise CommandError(f"No active staff account named {as_user!r}.")

        def progress(done: int, total: int) -> None:
            width = 40
            filled = width * done // total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")

        try:
            report = catalog_import_file(actor=actor, content=path.read_bytes(), file_kind=kind, progress=progress)
        except CatalogImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(refused.message) from refused
        self.stdout.write(self.style.SUCCESS(f"Imported: {report.as_dict()}"))
