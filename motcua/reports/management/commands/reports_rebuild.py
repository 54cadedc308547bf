from django.core.management.base import BaseCommand

from motcua.reports.aggregates import daily_counts_rebuild
from motcua.reports.statutory_counts import statutory_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the daily counts of dossiers per agency and field (the board's and the statutory "
        "report's) from the dossiers (after an upgrade, or to repair them); one transaction replaces "
        "each table. A dossier changed between its reading and the replacement may be missed: run it "
        "in a quiet hour (or once more)."
    )

    def handle(self, *args: object, **options: object) -> None:
        rows = daily_counts_rebuild()
        self.stdout.write(f"Daily dossier counts rebuilt: {rows} rows")
        rows = statutory_counts_rebuild()
        self.stdout.write(f"Statutory report's daily counts rebuilt: {rows} rows")
