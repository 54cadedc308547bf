from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit_anchors import AuditChainBroken, audit_anchor_write


class Command(BaseCommand):
    help = "Sign the audit chain's head with the platform key and store it outside the database (audit-anchors/)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchor = audit_anchor_write()
        except AuditChainBroken as broken:
            raise CommandError(f"Not anchored: {broken}.") from broken
        if anchor is None:
            self.stdout.write("Nothing new to anchor.")
        else:
            self.stdout.write(f"Anchored event {anchor.event_id} ({anchor.count} events) at {anchor.name}.")
