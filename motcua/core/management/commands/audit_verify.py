from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core.audit_anchors import ANCHOR_DIR, audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain on one snapshot, against the latest signed anchors in "
        "the object store, and name the first broken link."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--anchors", type=int, default=100, help="How many of the latest anchors to check against (default 100)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(anchor_limit=options["anchors"])
        problems = [f"Anchor {name} is not signed with the platform key: rejected." for name in report.rejected_anchors]
        if report.reason:
            problems.insert(
                0,
                f"Audit chain broken at event {report.broken_event_id} after {report.checked} good events: "
                f"{report.reason}.",
            )
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(f"Audit chain intact: {report.checked} events checked.")
        anchor = report.latest_anchor
        if anchor is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No signed anchor under {ANCHOR_DIR}/ matches an event yet (run audit_anchor, or a worker): "
                    "removing the newest events would not be detected."
                )
            )
            return
        newer = report.checked - anchor.count
        self.stdout.write(
            f"{report.anchors_matched} anchors match; the latest signs event {anchor.event_id} "
            f"(event {anchor.count} of the chain) at {anchor.anchored_at}; {newer} newer events are not anchored yet."
        )
