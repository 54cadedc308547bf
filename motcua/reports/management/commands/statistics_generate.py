from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ApplicationError
from motcua.reports.datagen import statistics_generate


class Command(BaseCommand):
    help = (
        "Fill a test or benchmark database with a province's realistic dossier history (bulk, "
        "deterministic for a seed), then rebuild the daily counts. Refuses a database with real dossiers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=730, help="history length, ending today")
        parser.add_argument("--force", action="store_true", help="even where dossiers not generated exist")

    def handle(self, *args: object, dossiers: int, seed: int, days: int, force: bool, **options: object) -> None:
        try:
            stats = statistics_generate(
                dossiers=dossiers, seed=seed, days=days, force=force, progress=lambda m: self.stderr.write(m)
            )
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{stats.dossiers} dossiers, {stats.ratings} ratings, {stats.payments} payments, "
            f"{stats.daily_rows} daily count rows in {stats.seconds:.0f} s"
        )
