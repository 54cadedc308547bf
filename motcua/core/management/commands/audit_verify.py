from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name the first broken link."

    def handle(self, *args: object, **options: object) -> None:
        report = audit_verify_chain()
        if report.intact:
            self.stdout.write(f"Audit chain intact: {report.checked} events checked.")
            return
        raise CommandError(
            f"Audit chain broken at event {report.broken_event_id or '(end)'} "
            f"after {report.checked} good events: {report.reason}."
        )
