"""Reconciliation lists the portal's dossiers of the period: one submitted there that we never
took in is taken in through the inbound path, once however often reconciliation runs; one we
took in that the portal no longer lists is reported."""

import datetime

import pytest
from django.utils import timezone

from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.national import services
from motcua.national.constants import FindingKind, InboundStatus
from motcua.national.models import InboundRecord, ReconciliationFinding
from motcua.national.tasks import national_reconcile, national_sync_due

pytestmark = pytest.mark.django_db


def test_a_dossier_only_the_portal_knows_is_taken_in_once_and_one_it_lost_is_reported(
    national_simulator, ward_staff
) -> None:  # type: ignore[no-untyped-def]
    state = national_simulator.state
    lost_there = state.submit()
    national_sync_due.call()
    ours = InboundRecord.objects.get(portal_id=lost_there).dossier
    del state.submissions[lost_there]  # the portal no longer lists it
    never_pulled = state.submit()
    state.hide_submission(never_pulled)  # the waiting list never offered it
    national_sync_due.call()
    assert not InboundRecord.objects.filter(portal_id=never_pulled).exists()

    result = national_reconcile.call()
    assert result["repaired"] == 1 and result["unresolved"] == 1 and not result["error"]
    record = InboundRecord.objects.get(portal_id=never_pulled)
    assert record.status == InboundStatus.ACCEPTED
    taken = record.dossier
    assert taken.channel == Channel.NATIONAL_PORTAL and taken.status == DossierStatus.SUBMITTED
    assert taken.attachments.get().original_name == "to-khai.pdf"
    assert state.acknowledgements[never_pulled]["MaHoSo"] == taken.code
    findings = {finding.kind: finding for finding in ReconciliationFinding.objects.all()}
    assert set(findings) == {FindingKind.ONLY_ON_PORTAL, FindingKind.NOT_LISTED_ON_PORTAL}
    only_there = findings[FindingKind.ONLY_ON_PORTAL]
    assert only_there.repaired and only_there.dossier == taken and only_there.dossier_code == taken.code
    assert never_pulled in only_there.detail
    not_listed = findings[FindingKind.NOT_LISTED_ON_PORTAL]
    assert not not_listed.repaired and not_listed.dossier == ours and lost_there in not_listed.detail

    # The next days' runs and pulls take nothing in twice.
    national_sync_due.call()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    run = services.reconcile(day=tomorrow)
    assert run is not None and not run.findings.filter(kind=FindingKind.ONLY_ON_PORTAL).exists()
    assert Dossier.objects.count() == 2 and InboundRecord.objects.count() == 2


def test_reconciliation_stops_with_the_reason_when_the_listing_fails(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    national_demo.fail("error")
    run = services.reconcile()
    assert run is not None and "500" in run.error
    assert not Dossier.objects.exists()
