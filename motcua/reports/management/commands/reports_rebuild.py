from django.core.management.base import BaseCommand

from motcua.reports.aggregates import daily_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the daily counts of dossiers per agency and field from the dossiers (after an "
        "upgrade, or to repair them); one transaction replaces the table. A dossier changed between "
        "its reading and the replacement may be missed: run it in a quiet hour (or once more)."
    )

    def handle(self, *args: object, **options: object) -> None:
        rows = daily_counts_rebuild()
        self.stdout.write(f"Daily dossier counts rebuilt: {rows} rows")
