from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core.maintenance import maintenance_get, maintenance_start, maintenance_stop


class Command(BaseCommand):
    help = (
        "Switch maintenance mode on or off for every web process (pages answer 503 with a Vietnamese "
        "notice, the API a problem+json 503; /healthz, the admin and staff accounts still get through)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("state", choices=["on", "off", "status"])
        parser.add_argument("--message", default="", help="Vietnamese text shown to visitors (optional).")
        parser.add_argument(
            "--minutes", type=int, default=None, help="Expected duration: shown as the end time, sent as Retry-After."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["state"] == "on":
            minutes = options["minutes"]
            if minutes is not None and minutes <= 0:
                raise CommandError("--minutes must be positive.")
            duration = timedelta(minutes=minutes) if minutes else None
            maintenance, failures = maintenance_start(message=options["message"], duration=duration)
            self._report(failures)
            until = timezone.localtime(maintenance.until).strftime("%H:%M %d/%m/%Y") if maintenance.until else "-"
            self.stdout.write(f"Maintenance ON (expected end: {until}).")
        elif options["state"] == "off":
            self._report(maintenance_stop())
            self.stdout.write("Maintenance OFF.")
        else:
            current = maintenance_get()
            if current is None:
                self.stdout.write("Maintenance OFF.")
            else:
                self.stdout.write(
                    f"Maintenance ON since {timezone.localtime(current.started_at):%H:%M %d/%m/%Y}: "
                    f"{current.message or '(no message)'}"
                )

    def _report(self, failures: list[str]) -> None:
        if len(failures) == 2:
            raise CommandError(f"Nothing written: {'; '.join(failures)}")
        for failure in failures:
            # Without the cache only the processes of this host that cannot reach it either will see
            # the change (they read the file); tell the operator rather than pretend.
            self.stderr.write(f"Warning: could not write {failure}.")
