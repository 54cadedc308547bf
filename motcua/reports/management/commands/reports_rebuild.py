from django.core.management.base import BaseCommand

from motcua.reports.aggregates import daily_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the daily counts of dossiers per agency and field from the dossiers (after an "
        "upgrade, or to repair them). Safe to run any time: one transaction replaces the table."
    )

    def handle(self, *args: object, **options: object) -> None:
        rows = daily_counts_rebuild()
        self.stdout.write(f"Daily dossier counts rebuilt: {rows} rows")
