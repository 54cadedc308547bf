"""Reception at the one-stop unit: accept with the receipt and a working-day appointment, ask
for papers, or refuse, each with its legal slip; only the receiving agency's reception officers
may act; two officers acting at once get one success and one conflict."""

import datetime
import io
import threading

import pytest
import time_machine
from django.db import connection, transaction
from pypdf import PdfReader

from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, SlipKind
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept, dossier_refuse, dossier_request_supplement
from motcua.dossiers.transitions import StaleDossier, dossier_lock, dossier_transition

pytestmark = pytest.mark.django_db


def _submitted(hung, version) -> Dossier:  # type: ignore[no-untyped-def]
    from motcua.dossiers.services import _dossier_hand_in

    dossier = services.dossier_start(applicant=hung, version=version, unit_code="24121")
    services.dossier_attach(
        dossier=dossier, actor=hung, component_id=version.components.get().pk, name="a.pdf", data=small_pdf()
    )
    dossier.refresh_from_db()
    services.dossier_set_delivery(
        dossier=dossier, actor=hung, method=DeliveryMethod.COUNTER, address="", revision=dossier.revision
    )
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status="awaiting_confirmation", actor=hung)
        _dossier_hand_in(dossier=locked, actor=hung)
    return Dossier.objects.get(pk=dossier.pk)


def _officer(username: str = "xa", agency: str = "UBND-24121", role: str = Role.RECEPTION):  # type: ignore[no-untyped-def]
    return staff_ensure(
        actor="t", username=username, full_name="Lê Thị Tiếp", password="x", roles=[(role, agency, None)]
    )


def _pdf_text(slip) -> str:  # type: ignore[no-untyped-def]
    with slip.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@time_machine.travel(
    datetime.datetime(2026, 11, 27, 15, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))), tick=False
)
def test_accept_issues_the_receipt_with_a_working_day_appointment(hung, birth_version) -> None:
    """Received Friday 27/11/2026 15:00, one working day: due Monday 30/11/2026 15:00."""
    dossier = _submitted(hung, birth_version)
    slip = dossier_accept(dossier=dossier, officer=_officer(), revision=dossier.revision)
    dossier.refresh_from_db()
    # Received, then straight on to the first processing step of its process.
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert list(dossier.history.values_list("to_status", flat=True))[-2:] == ["received", "in_progress"]
    local_due = dossier.due_at.astimezone(datetime.timezone(datetime.timedelta(hours=7)))  # type: ignore[union-attr]
    assert (local_due.date(), local_due.hour) == (datetime.date(2026, 11, 30), 15)
    assert slip.kind == SlipKind.RECEIPT and slip.form_set.startswith("Thông tư số 03/2025")
    text = _pdf_text(slip)
    assert dossier.code in text and "30/11/2026" in text and "Mẫu số 01" in text


@time_machine.travel(
    datetime.datetime(2025, 6, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))), tick=False
)
def test_a_dossier_received_before_july_2025_gets_the_2018_forms(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    slip = dossier_accept(dossier=dossier, officer=_officer(), revision=dossier.revision)
    assert slip.form_set.startswith("Thông tư số 01/2018/TT-VPCP")
    assert "01/2018/TT-VPCP" in _pdf_text(slip)


def test_supplement_request_lists_what_is_missing_and_starts_no_clock(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    slip = dossier_request_supplement(
        dossier=dossier,
        officer=_officer(),
        reasons="Giấy chứng sinh bản rõ nét\nVăn bản ủy quyền",
        revision=dossier.revision,
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED and dossier.due_at is None
    text = _pdf_text(slip)
    assert "Giấy chứng sinh bản rõ nét" in text and "Văn bản ủy quyền" in text


def test_refusal_needs_a_reason_and_states_it(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    with pytest.raises(ApplicationError, match="lý do"):
        dossier_refuse(dossier=dossier, officer=_officer(), reasons="  ", revision=dossier.revision)
    slip = dossier_refuse(
        dossier=dossier, officer=_officer(), reasons="Không thuộc thẩm quyền của UBND phường", revision=dossier.revision
    )
    assert "Không thuộc thẩm quyền" in _pdf_text(slip)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REJECTED


def test_only_reception_officers_of_the_receiving_agency_may_act(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    for officer in (_officer("stp", "STP"), _officer("cv", "UBND-24121", Role.SPECIALIST)):
        with pytest.raises(ApplicationError) as refused:
            dossier_accept(dossier=dossier, officer=officer, revision=dossier.revision)
        assert refused.value.code == "reception_forbidden"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="dossier.reception_forbidden", object_id=str(dossier.pk)).count() == 2


def test_wrong_state_and_stale_page_are_refused(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    officer = _officer()
    stale = dossier.revision
    dossier_accept(dossier=dossier, officer=officer, revision=stale)
    with pytest.raises(StaleDossier):
        dossier_refuse(dossier=dossier, officer=officer, reasons="Hồ sơ không hợp lệ", revision=stale)
    with pytest.raises(ApplicationError) as refused:
        dossier_accept(dossier=dossier, officer=officer, revision=None)
    assert refused.value.code == "dossier_wrong_state"


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_get_one_success_and_one_conflict(hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    officers = [_officer("a"), _officer("b")]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(officer) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            dossier_accept(dossier=dossier, officer=officer, revision=dossier.revision)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["dossier_stale", "ok"]
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.slips.count() == 1 and fresh.history.filter(to_status=DossierStatus.RECEIVED).count() == 1


def test_officer_pages_show_actions_and_slips(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    client.force_login(_officer())
    page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert "Tiếp nhận và lập giấy hẹn" in page
    client.post(f"/can-bo/ho-so/{dossier.pk}/", {"action": "accept", "revision": dossier.revision})
    slip = Dossier.objects.get(pk=dossier.pk).slips.get()
    assert client.get(f"/can-bo/ho-so/{dossier.pk}/phieu/{slip.pk}/").status_code == 200
    client.force_login(hung)
    assert client.get(f"/ho-so/{dossier.pk}/phieu/{slip.pk}/")["Content-Type"] == "application/pdf"


def test_reception_queue_search_and_filters(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    client.force_login(_officer())
    for query, found in (("", True), (dossier.code[-4:], True), ("Nguyễn Văn Hùng", True), ("không có ai", False)):
        page = client.get("/can-bo/tiep-nhan/", {"q": query}).content.decode()
        assert (dossier.code in page) is found, query
    assert dossier.code not in client.get("/can-bo/tiep-nhan/", {"channel": "post_office"}).content.decode()
