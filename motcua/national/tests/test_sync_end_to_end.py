"""The national portal end to end, over HTTP against the local simulator: a dossier submitted
there reaches the ward's reception queue, is processed to the end, and the portal holds every
event of it in order; a portal down for a day is caught up in order; a worker killed mid-sync
loses and duplicates nothing; reconciliation finds a planted difference."""

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings

from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.dossiers.constants import Channel, DossierStatus, Outcome, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_approve, step_forward, step_hand_over, step_issue
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.selectors import dossier_reception_queue
from motcua.events.constants import EventKind
from motcua.events.services import domain_events_of
from motcua.national import services, wire
from motcua.national.constants import FindingKind, InboundStatus, SyncStatus
from motcua.national.models import InboundRecord, SyncItem
from motcua.national.tasks import national_reconcile, national_sync_due
from motcua.reports.services import rating_submit

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))


def _active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def _arrive(simulator: Any) -> Dossier:
    portal_id = simulator.state.submit()
    national_sync_due.call()
    record = InboundRecord.objects.get(portal_id=portal_id)
    assert record.status == InboundStatus.ACCEPTED, record.reason
    assert record.dossier is not None
    return record.dossier


def _process_to_the_end(dossier: Dossier, staff: dict[str, Any]) -> Dossier:
    dossier_accept(dossier=dossier, officer=staff["reception"], revision=None)
    step_forward(
        step=_active(dossier, StepKind.PROCESS),
        officer=staff["specialist"],
        note="Đủ điều kiện.",
        draft="",
        revision=None,
    )
    step_approve(
        step=_active(dossier, StepKind.APPROVE),
        leader=staff["leader"],
        decision=Outcome.GRANTED,
        note="",
        revision=None,
    )
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=staff["clerk"], revision=None)
    step_hand_over(
        step=_active(dossier, StepKind.RETURN), officer=staff["reception"], note="Trao tận tay", revision=None
    )
    return Dossier.objects.get(pk=dossier.pk)


def _portal_matches_stream(simulator: Any, dossier: Dossier) -> list[dict[str, Any]]:
    """The portal holds exactly the dossier's event stream, one record per event, in seq order."""
    events = list(domain_events_of(dossier.pk))
    held = simulator.state.stream(dossier.code)
    assert [(r["STT"], r["LoaiSuKien"]) for r in held] == [(e.seq, e.kind) for e in events]
    assert simulator.state.arrival_order(dossier.code) == [e.seq for e in events]
    return held


def test_a_dossier_from_the_portal_is_processed_and_every_step_reaches_the_portal(
    national_simulator, ward_staff
) -> None:  # type: ignore[no-untyped-def]
    dossier = _arrive(national_simulator)
    assert dossier.status == DossierStatus.SUBMITTED and dossier.channel == Channel.NATIONAL_PORTAL
    assert dossier.agency.code == "UBND-24121"
    assert dossier.applicant.citizen.id_number == "066094000103"
    assert list(dossier_reception_queue(user=ward_staff["reception"], channel=Channel.NATIONAL_PORTAL)) == [dossier]
    # The portal got our acknowledgement and code, and offers the dossier no more.
    portal_id = dossier.national_inbound.portal_id
    assert national_simulator.state.acknowledgements[portal_id]["MaHoSo"] == dossier.code
    assert national_simulator.state.handle("GET", "/ho-so/moi", None)[1] == {"DanhSach": []}

    dossier = _process_to_the_end(dossier, ward_staff)
    assert dossier.status == DossierStatus.RETURNED
    rating_submit(
        dossier=dossier,
        actor=dossier.applicant,
        agency_level="very_satisfied",
        officer_level="satisfied",
        result_level="satisfied",
        comment="Nhanh gọn.",
    )
    national_sync_due.call()

    held = _portal_matches_stream(national_simulator, dossier)
    kinds = [record["LoaiSuKien"] for record in held]
    for kind in (EventKind.SUBMITTED, EventKind.RECEIVED, EventKind.RESULT_ISSUED, EventKind.RETURNED):
        assert kind in kinds
    # Every step is a progress record naming who acted, in what capacity, where, and the
    # step's own start and deadline.
    assert all(record["TienDoXuLy"]["ThoiDiemXuLy"] for record in held)
    events = {event.seq: event for event in domain_events_of(dossier.pk)}
    step_records = [record for record in held if "step_id" in events[record["STT"]].payload]
    assert {record["LoaiSuKien"] for record in step_records} >= {
        EventKind.PROCESSING_STARTED,
        EventKind.FORWARDED,
        EventKind.APPROVED,
        EventKind.RESULT_ISSUED,
        EventKind.RETURNED,
    }
    for record in step_records:
        step = DossierStep.objects.get(pk=events[record["STT"]].payload["step_id"])
        progress = record["TienDoXuLy"]
        assert progress["NguoiXuLy"] == step.finished_by.get_full_name()
        assert progress["ChucDanh"] and progress["DonViXuLy"] == step.agency.name == dossier.agency.name
        assert step.name in progress["NoiDungXuLy"]
        assert progress["NgayBatDau"] == wire.format_datetime(step.started_at)
        assert progress["NgayKetThucTheoQuyDinh"] == wire.format_datetime(step.due_at)
    forwarded = held[kinds.index(EventKind.FORWARDED)]["TienDoXuLy"]
    assert forwarded["NguoiXuLy"] == ward_staff["specialist"].get_full_name()
    assert forwarded["ChucDanh"] == Role.SPECIALIST.label and "Đủ điều kiện." in forwarded["NoiDungXuLy"]
    # The counter's reception names the officer and the receiving agency too.
    received = held[kinds.index(EventKind.RECEIVED)]
    assert received["TienDoXuLy"]["NguoiXuLy"] == ward_staff["reception"].get_full_name()
    assert received["TienDoXuLy"]["ChucDanh"] == Role.RECEPTION.label
    assert received["TienDoXuLy"]["DonViXuLy"] == dossier.agency.name
    assert received["HoSo"]["TrangThaiHoSo"] == 2 and received["HoSo"]["MaHoSoQG"] == portal_id
    # The result record carries the result paper: its number, code and public link.
    document = dossier.result_document
    issued = held[kinds.index(EventKind.RESULT_ISSUED)]
    assert issued["DuLieuSuKien"]["verification_code"] == document.verification_code
    assert issued["DuLieuSuKien"]["document_number"] == document.number
    assert issued["HoSo"]["DanhSachGiayToKetQua"] == [
        {
            "TenGiayTo": document.title,
            "MaGiayToKetQua": document.number,
            "DuongDanTepTinKetQua": f"{settings.MOTCUA_PUBLIC_URL}/xac-thuc/{document.verification_code}/",
        }
    ]
    last = held[-1]["HoSo"]
    assert last["TrangThaiHoSo"] == 10 and last["KenhThucHien"] == 2 and last["SoDinhDanh"] == "066094000103"
    assert last["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"].endswith(
        f"/xac-thuc/{dossier.result_document.verification_code}/"
    )
    # The rating reaches the portal with what the applicant chose.
    rated = [record for record in held if record["LoaiSuKien"] == EventKind.RATED]
    assert len(rated) == 1 and kinds[-1] == EventKind.RATED
    assert rated[0]["DuLieuSuKien"] | {"rating_id": None} == {
        "rating_id": None,
        "agency_code": dossier.agency.code,
        "agency_level": "very_satisfied",
        "officer_level": "satisfied",
        "result_level": "satisfied",
    }
    assert rated[0]["TienDoXuLy"]["DonViXuLy"] == dossier.agency.name
    assert not SyncItem.objects.exclude(status=SyncStatus.SENT).exists()


def test_a_portal_down_for_a_day_is_caught_up_in_order(national_simulator, ward_staff) -> None:  # type: ignore[no-untyped-def]
    start = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN)
    with time_machine.travel(start, tick=False) as clock:
        first = _arrive(national_simulator)
        second = _arrive(national_simulator)
        sent_before = set(SyncItem.objects.filter(status=SyncStatus.SENT).values_list("event_id", flat=True))
        # The first dossier's records went out when the second one was pulled.
        assert sent_before == set(domain_events_of(first.pk).values_list("pk", flat=True))
        national_simulator.state.fail("error")
        first = _process_to_the_end(first, ward_staff)
        dossier_accept(dossier=second, officer=ward_staff["reception"], revision=None)
        for _hour in range(24):  # a worker tries every hour of the day; the portal answers 500
            clock.shift(datetime.timedelta(hours=1))
            report = services.sync_dispatch()
            assert report.sent == 0 and report.failed == 1
        backlog = SyncItem.objects.exclude(status=SyncStatus.SENT)
        # Every event recorded since the outage began waits, and nothing else.
        everything = {e.pk for dossier in (first, second) for e in domain_events_of(dossier.pk)}
        assert set(backlog.values_list("event_id", flat=True)) == everything - sent_before
        assert "500" in backlog.filter(status=SyncStatus.FAILED).get().last_error
        national_simulator.state.recover()
        clock.shift(datetime.timedelta(hours=1))  # the longest backoff
        services.sync_dispatch()
    assert not SyncItem.objects.exclude(status=SyncStatus.SENT).exists()
    for dossier in (first, second):
        _portal_matches_stream(national_simulator, dossier)
    assert all(count == 1 for count in national_simulator.state.deliveries.values())


class WorkerKilled(BaseException):
    """The worker process dies: nothing after this line runs."""


def test_a_worker_killed_after_the_portal_took_a_record_loses_and_duplicates_nothing(
    national_simulator, ward_staff, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    start = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN)
    with time_machine.travel(start, tick=False) as clock:
        dossier = _arrive(national_simulator)
        dossier_accept(dossier=dossier, officer=ward_staff["reception"], revision=None)

        def die(item: SyncItem) -> None:
            raise WorkerKilled

        monkeypatch.setattr(services, "sync_item_mark_sent", die)
        with pytest.raises(WorkerKilled):
            services.sync_dispatch()
        monkeypatch.undo()
        taken = SyncItem.objects.get(status=SyncStatus.SENDING)
        assert national_simulator.state.deliveries[taken.idempotency_key] == 1
        # Another worker comes along: nothing to do while the dead one's lease lasts …
        assert services.sync_dispatch().sent == 0
        clock.shift(services.LEASE + datetime.timedelta(seconds=1))
        # … then it sends the record again under the same key, and the rest in order.
        assert services.sync_dispatch().sent == SyncItem.objects.filter(dossier=dossier).count()
    assert national_simulator.state.deliveries[taken.idempotency_key] == 2
    _portal_matches_stream(national_simulator, dossier)


def test_reconciliation_repairs_a_lost_record_and_reports_a_state_it_cannot_explain(
    national_simulator, ward_staff
) -> None:  # type: ignore[no-untyped-def]
    lost_in = _arrive(national_simulator)
    dossier_accept(dossier=lost_in, officer=ward_staff["reception"], revision=None)
    differs = _arrive(national_simulator)
    national_sync_due.call()
    state = national_simulator.state
    lost_key = SyncItem.objects.get(dossier=lost_in, seq=2).idempotency_key
    state.forget(lost_key)
    last_key = SyncItem.objects.filter(dossier=differs).order_by("-seq").first().idempotency_key
    state.records[last_key] = {
        **state.records[last_key],
        "HoSo": {**state.records[last_key]["HoSo"], "TrangThaiHoSo": 4},
    }

    result = national_reconcile.call()
    assert result["checked"] == 2 and result["repaired"] == 1 and result["unresolved"] == 1
    assert national_reconcile.call() == {"reconciliation": "done today"}
    findings = {f.dossier_code: f for f in services.ReconciliationFinding.objects.all()}
    assert findings[lost_in.code].kind == FindingKind.MISSING_RECORDS and findings[lost_in.code].repaired
    assert findings[differs.code].kind == FindingKind.STATE_DIFFERS and not findings[differs.code].repaired
    assert "trạng thái 1" in findings[differs.code].ours and "trạng thái 4" in findings[differs.code].theirs
    # The repair goes out with the next pass; the portal has the lost record back, once.
    national_sync_due.call()
    assert [record["STT"] for record in state.stream(lost_in.code)] == [e.seq for e in domain_events_of(lost_in.pk)]
