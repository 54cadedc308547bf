"""What the sync-health page shows: backlog, errors, oldest unsynced event, sync rate per agency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.selectors import agencies_overseen
from motcua.dossiers.models import Dossier
from motcua.national.constants import UNSENT, InboundStatus, SyncStatus
from motcua.national.models import InboundRecord, ReconciliationFinding, ReconciliationRun, SyncItem


def sync_health_agencies(*, user: Any) -> QuerySet[Agency] | None:
    """The agencies whose sync health `user` may see: None for all (province-wide roles and
    administrators), their own for leaders and agency administrators; empty for anyone else."""
    return agencies_overseen(user=user, roles=[Role.LEADER, Role.AGENCY_ADMIN])


@dataclass(frozen=True)
class AgencySync:
    agency: str
    dossiers: int
    synced: int
    backlog: int
    errors: int
    oldest_unsynced: datetime.datetime | None

    @property
    def rate(self) -> float:
        return round(100 * self.synced / self.dossiers, 2) if self.dossiers else 0.0


@dataclass(frozen=True)
class SyncHealth:
    backlog: int
    errors: int
    oldest_unsynced: datetime.datetime | None
    last_sent_at: datetime.datetime | None
    agencies: list[AgencySync]
    inbound_parked: int
    last_run: ReconciliationRun | None
    findings: list[ReconciliationFinding]
    # The run's own counts are the province's: shown only to those who see every agency.
    province_wide: bool

    @property
    def oldest_waiting_minutes(self) -> int | None:
        """How long the oldest unsynced event has waited, in whole minutes."""
        if self.oldest_unsynced is None:
            return None
        return int((timezone.now() - self.oldest_unsynced).total_seconds() // 60)


def sync_health(*, agencies: QuerySet[Agency] | None, since: datetime.date) -> SyncHealth:
    """Sync figures for `agencies` (None: all). A dossier counts as synced (indicator 1.4) when
    it was submitted since `since` and every one of its events reached the portal."""
    items = SyncItem.objects.all()
    dossiers = Dossier.objects.filter(code__isnull=False, submitted_at__date__gte=since)
    if agencies is not None:
        items = items.filter(dossier__agency__in=agencies)
        dossiers = dossiers.filter(agency__in=agencies)
    unsent = items.filter(status__in=UNSENT)
    failing = [SyncStatus.FAILED, SyncStatus.PARKED]
    totals = unsent.aggregate(
        backlog=Count("id"), errors=Count("id", filter=Q(status__in=failing)), oldest=Min("created_at")
    )
    pending_of = SyncItem.objects.filter(dossier_id=OuterRef("pk"), status__in=UNSENT)
    sent_of = SyncItem.objects.filter(dossier_id=OuterRef("pk"), status=SyncStatus.SENT)
    per_agency = {
        row["agency__name"]: row
        for row in dossiers.values("agency__name").annotate(
            total=Count("id"), synced=Count("id", filter=Exists(sent_of) & ~Exists(pending_of))
        )
    }
    backlog_by_agency = {
        row["dossier__agency__name"]: row
        for row in unsent.values("dossier__agency__name").annotate(
            backlog=Count("id"), errors=Count("id", filter=Q(status__in=failing)), oldest=Min("created_at")
        )
    }
    rows = [
        AgencySync(
            agency=name,
            dossiers=per_agency.get(name, {}).get("total", 0),
            synced=per_agency.get(name, {}).get("synced", 0),
            backlog=backlog_by_agency.get(name, {}).get("backlog", 0),
            errors=backlog_by_agency.get(name, {}).get("errors", 0),
            oldest_unsynced=backlog_by_agency.get(name, {}).get("oldest"),
        )
        for name in sorted(set(per_agency) | set(backlog_by_agency))
    ]
    last_run = ReconciliationRun.objects.filter(finished_at__isnull=False).first()
    findings = ReconciliationFinding.objects.none()
    if last_run is not None:
        findings = last_run.findings.filter(repaired=False)
        if agencies is not None:
            findings = findings.filter(dossier__agency__in=agencies)
    return SyncHealth(
        backlog=totals["backlog"],
        errors=totals["errors"],
        oldest_unsynced=totals["oldest"],
        last_sent_at=items.filter(status=SyncStatus.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first(),
        agencies=rows,
        inbound_parked=_parked(agencies).count(),
        last_run=last_run,
        findings=list(findings[:100]),
        province_wide=agencies is None,
    )


def _parked(agencies: QuerySet[Agency] | None) -> QuerySet[InboundRecord]:
    """Held submissions; for an agency, those filed in its commune or ward (MaXa): a record that
    could not become a dossier has no receiving agency, only the place it was addressed to."""
    parked = InboundRecord.objects.filter(status=InboundStatus.PARKED)
    if agencies is None:
        return parked
    return parked.filter(body__MaXa__in=list(agencies.values_list("unit__code", flat=True)))


def default_since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=30)
