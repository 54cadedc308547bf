from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.national import DEMO_INDEX, DEMO_RECORDS, national_files_read, national_import


class Command(BaseCommand):
    help = (
        "Import the province's part of the national procedure catalogue: full records (a JSON list, "
        "optionally .gz) and the catalogue index (JSON lines, optionally .gz). Idempotent; changed "
        "records get a new version; records whose agency cannot be mapped are parked with the reason "
        "(admin: Bản ghi quốc gia chưa nhập). See docs/national-catalog.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--records", type=Path, default=DEMO_RECORDS, help="Full records file.")
        parser.add_argument("--index", type=Path, default=DEMO_INDEX, help="Catalogue index file.")
        parser.add_argument("--no-index", action="store_true", help="Import the full records only.")
        parser.add_argument(
            "--province", default=None, help="Province whose own (SPECIFIC) procedures apply; default: the directory's."
        )

    def handle(
        self, *args: object, records: Path, index: Path, no_index: bool, province: str | None, **options: object
    ) -> None:
        full, entries = national_files_read(records_path=records, index_path=None if no_index else index)
        report = national_import(actor="catalog_import_national", records=full, index=entries, province=province)
        self.stdout.write(f"National catalogue: {report.as_dict()}")
        for code, reason in sorted(report.parked.items()):
            self.stdout.write(f"  parked {code}: {reason}")
