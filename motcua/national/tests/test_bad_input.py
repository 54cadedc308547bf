"""Bad input from the national portal: each record refused or parked with a clear Vietnamese
reason an administrator sees, never dropped, never a duplicate dossier; the portal failing or
contradicting us parks or delays, never loses."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept
from motcua.events.services import domain_events_of
from motcua.national import services, wire
from motcua.national.constants import InboundStatus, SyncStatus
from motcua.national.models import InboundRecord, SyncItem
from motcua.national.portal import PortalUnavailable

pytestmark = pytest.mark.django_db


def _sample(**changes: Any) -> dict[str, Any]:
    record = wire.submission_sample(portal_id="G22.99-BAD001")
    record.update(changes)
    return {key: value for key, value in record.items() if value is not None}


@pytest.mark.parametrize(
    ("record", "code", "reason"),
    [
        ("not a record", "not_a_record", "không phải một hồ sơ"),
        (_sample(SoDinhDanh=None, MaXa=None), "missing_fields", "Thiếu trường bắt buộc: SoDinhDanh, MaXa"),
        (_sample(MaTTHC="9.999999"), "unknown_procedure", "Mã thủ tục hành chính “9.999999” không có"),
        (
            _sample(MaTruongHop="1.000656.01"),
            "unknown_case",
            "Mã trường hợp “1.000656.01” không thuộc thủ tục 1.001193",
        ),
        (_sample(SoDinhDanh="999094000103"), "id_number", "Mã tỉnh nơi đăng ký khai sinh “999” không tồn tại"),
        (_sample(SoDinhDanh="066094"), "id_number", "phải gồm đúng 12 chữ số"),
        (_sample(LoaiDinhDanh=2, SoDinhDanh="241234567"), "id_type", "LoaiDinhDanh = 1"),
        (_sample(NgayNopHoSo="2026-12-07T08:00:00"), "bad_date", "dd/MM/yyyy HH:mm:ss"),
        (_sample(HinhThucTra=7), "return_method", "HinhThucTra “7” không hợp lệ"),
        (_sample(HinhThucTra=1), "delivery_address", "thiếu DiaChiNhanKetQua"),
        (_sample(MaXa="99999"), "unknown_unit", "Mã xã, phường “99999” không có"),
        (_sample(DanhSachTaiLieuNop=[{"TenTepDinhKem": "a.pdf", "DuocSoHoa": 3}]), "bad_flag", "DuocSoHoa"),
    ],
)
def test_a_record_that_cannot_be_accepted_is_parked_with_its_reason(
    national_demo, birth_version, record, code, reason
) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit(record)
    report = services.inbound_pull()
    assert report.parked == 1 and report.accepted == 0
    parked = InboundRecord.objects.get()
    assert parked.status == InboundStatus.PARKED and parked.reason_code == code
    assert reason in parked.reason
    assert parked.dossier is None and not Dossier.objects.exists()
    # Not acknowledged: the portal keeps offering it, and it stays one parked row.
    services.inbound_pull()
    assert InboundRecord.objects.get().deliveries == 2


def test_the_same_dossier_delivered_twice_is_one_dossier_and_acknowledged_again(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    record = wire.submission_sample(portal_id="G22.99-TWICE")
    national_demo.submit(record)
    assert services.inbound_pull().accepted == 1
    dossier = Dossier.objects.get()
    # Our acknowledgement got lost on the way: the portal delivers the dossier again.
    national_demo.acknowledgements.clear()
    assert services.inbound_pull().repeated == 1
    assert Dossier.objects.get() == dossier and dossier.channel == Channel.NATIONAL_PORTAL
    assert national_demo.acknowledgements["G22.99-TWICE"]["MaHoSo"] == dossier.code
    assert InboundRecord.objects.get().deliveries == 2


def test_a_parked_record_is_accepted_once_the_administrator_fixed_the_cause(
    national_demo, birth_version, admin_user
) -> None:  # type: ignore[no-untyped-def]
    from motcua.directory.models import AdministrativeUnit

    national_demo.submit(_sample(MaXa="24199"))
    services.inbound_pull()
    parked = InboundRecord.objects.get()
    assert parked.reason_code == "unknown_unit"
    still = services.inbound_retry(record=parked, actor=admin_user)
    assert still.status == InboundStatus.PARKED
    province = AdministrativeUnit.objects.get(code="66")
    AdministrativeUnit.objects.create(code="24199", name="Phường Mới", kind="ward", parent=province)
    # The ward has no People's Committee agency yet: still parked, with that reason.
    assert "xã, phường nơi nộp" in services.inbound_retry(record=parked, actor=admin_user).reason
    parked.refresh_from_db()
    parked.body["MaXa"] = "24121"  # the administrator corrects the record
    parked.save()
    accepted = services.inbound_retry(record=parked, actor=admin_user)
    assert accepted.status == InboundStatus.ACCEPTED and accepted.dossier.code
    assert national_demo.acknowledgements["G22.99-BAD001"]["MaHoSo"] == accepted.dossier.code


def test_a_portal_answering_500_on_the_pull_records_nothing(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    national_demo.fail("error")
    with pytest.raises(PortalUnavailable, match="500"):
        services.inbound_pull()
    assert not InboundRecord.objects.exists()


def test_an_answer_that_contradicts_us_parks_the_record_and_holds_the_dossier_back(
    national_demo, birth_version, admin_user, client
) -> None:  # type: ignore[no-untyped-def]
    from motcua.dossiers.testing import officer

    national_demo.submit()
    services.inbound_pull()
    dossier = Dossier.objects.get()
    dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=None)
    national_demo.fail("contradict")
    report = services.sync_dispatch()
    assert report.parked == 1 and report.sent == 0
    first = SyncItem.objects.get(dossier=dossier, seq=1)
    assert first.status == SyncStatus.PARKED and "bản ghi khác" in first.last_error
    # Later events of the dossier wait behind the parked one, whatever the portal says now.
    national_demo.recover()
    services.sync_dispatch()
    assert not SyncItem.objects.filter(status=SyncStatus.SENT).exists()
    # The administrator sees it and sends it again from the admin.
    client.force_login(admin_user)
    changelist = reverse("admin:national_syncitem_changelist")
    assert "bản ghi khác" in client.get(changelist + "?status=parked").content.decode()
    client.post(changelist, {"action": "retry", "_selected_action": [first.pk]})
    services.sync_dispatch()
    assert SyncItem.objects.filter(dossier=dossier).exclude(status=SyncStatus.SENT).count() == 0
    assert [r["STT"] for r in national_demo.stream(dossier.code)] == [e.seq for e in domain_events_of(dossier.pk)]


def test_backoff_doubles_up_to_the_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS = 3600
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 7, 30)] == [60, 120, 240, 3600, 3600]
    assert services.backoff(100) == datetime.timedelta(hours=1)


def test_a_record_that_trips_a_bug_is_parked_and_the_next_one_still_arrives(
    national_demo, birth_version, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit(_sample(MaHoSoQG="G22.99-BUG"))
    national_demo.submit(_sample(MaHoSoQG="G22.99-FINE"))
    real = services._dossier_from

    def buggy(submission):  # type: ignore[no-untyped-def]
        if submission.portal_id == "G22.99-BUG":
            raise KeyError("boom")
        return real(submission)

    monkeypatch.setattr(services, "_dossier_from", buggy)
    report = services.inbound_pull()
    assert report.parked == 1 and report.accepted == 1
    bug = InboundRecord.objects.get(portal_id="G22.99-BUG")
    assert bug.reason_code == "internal_error" and "KeyError" in bug.reason
    assert Dossier.objects.get().national_inbound.portal_id == "G22.99-FINE"


def test_an_acknowledgement_the_portal_contradicts_is_shown_on_the_accepted_record(
    national_demo, birth_version, admin_user, client
) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    national_demo.fail("contradict")
    services.inbound_pull()
    record = InboundRecord.objects.get()
    assert record.status == InboundStatus.ACCEPTED and record.acknowledged_at is None
    assert record.reason_code == "ack_refused" and "với mã khác" in record.reason
    client.force_login(admin_user)
    listing = client.get(reverse("admin:national_inboundrecord_changelist")).content.decode()
    assert "với mã khác" in listing
    # The portal still offers it; once it answers properly the acknowledgement goes through.
    national_demo.recover()
    services.inbound_pull()
    record.refresh_from_db()
    assert record.acknowledged_at is not None and record.reason == "" and Dossier.objects.count() == 1


def test_a_reconciliation_the_portal_cannot_answer_says_so(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    services.inbound_pull()
    services.sync_dispatch()
    national_demo.fail("down")
    run = services.reconcile()
    assert run is not None and run.finished_at is not None
    assert "503" in run.error and not run.findings.exists()
    # Nothing was marked for sending again on a failed comparison.
    assert not SyncItem.objects.exclude(status=SyncStatus.SENT).exists()


def test_reconciliation_rebuilds_an_outbox_row_lost_on_our_side(national_demo, birth_version) -> None:  # type: ignore[no-untyped-def]
    national_demo.submit()
    services.inbound_pull()
    services.sync_dispatch()
    dossier = Dossier.objects.get()
    stream = [(event.seq, event.kind) for event in domain_events_of(dossier.pk)]
    assert len(stream) > 1 and len(national_demo.stream(dossier.code)) == len(stream)
    item = SyncItem.objects.get(dossier=dossier, seq=1)
    national_demo.forget(item.idempotency_key)
    item.delete()  # lost on both sides: only the domain event remains
    run = services.reconcile()
    assert run is not None and run.repaired == 1
    services.sync_dispatch()
    assert SyncItem.objects.filter(dossier=dossier).count() == len(stream)
    assert [(r["STT"], r["LoaiSuKien"]) for r in national_demo.stream(dossier.code)] == stream


def test_a_record_that_cannot_be_built_parks_without_undoing_the_officers_action(
    national_demo, birth_version, admin_user, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from motcua.dossiers.constants import DossierStatus
    from motcua.dossiers.testing import officer
    from motcua.events.constants import EventKind

    national_demo.submit()
    services.inbound_pull()
    dossier = Dossier.objects.get()
    real = services.sync_record_build

    def broken(event, dossier):  # type: ignore[no-untyped-def]
        if event.kind == EventKind.RECEIVED:
            with connection.cursor() as cursor:  # a failed query, as a bug in a lookup would make
                cursor.execute("SELECT no_such_column FROM no_such_table")
        return real(event, dossier)

    monkeypatch.setattr(services, "sync_record_build", broken)
    dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=None)
    monkeypatch.undo()
    # The acceptance stands, with every event of it; the record is parked with the reason.
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS and dossier.slips.exists()
    stream = [(event.seq, event.kind) for event in domain_events_of(dossier.pk)]
    assert (3, EventKind.RECEIVED) in stream and len(stream) > 3
    assert SyncItem.objects.filter(dossier=dossier).count() == len(stream)
    parked = SyncItem.objects.get(dossier=dossier, kind=EventKind.RECEIVED)
    assert parked.status == SyncStatus.PARKED and parked.body == {}
    assert "Lỗi hệ thống khi lập bản ghi" in parked.last_error and "no_such_table" in parked.last_error
    # The dossier's later records wait behind it; the earlier ones go.
    services.sync_dispatch()
    assert [r["STT"] for r in national_demo.stream(dossier.code)] == [1, 2]
    client.force_login(admin_user)
    changelist = reverse("admin:national_syncitem_changelist")
    assert "Lỗi hệ thống khi lập bản ghi" in client.get(changelist + "?status=parked").content.decode()
    # Sent again by the administrator, the record is built then and the rest follow in order.
    client.post(changelist, {"action": "retry", "_selected_action": [parked.pk]})
    services.sync_dispatch()
    assert [(r["STT"], r["LoaiSuKien"]) for r in national_demo.stream(dossier.code)] == stream
    received = national_demo.stream(dossier.code)[2]
    assert (
        received["TienDoXuLy"]["DonViXuLy"] == dossier.agency.name and received["KhoaDongBo"] == parked.idempotency_key
    )
    assert not SyncItem.objects.exclude(status=SyncStatus.SENT).exists()
