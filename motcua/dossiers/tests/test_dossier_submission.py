"""Online submission: draft, papers, delivery, SMS-confirmed submission with a national code,
and the bad inputs around it (incomplete dossier, wrong code, double click, stale form)."""

import re
from typing import Any

import pytest

from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.core.testing import small_pdf
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.transitions import StaleDossier
from motcua.notifications.models import DemoSmsMessage

pytestmark = pytest.mark.django_db


def _ready_dossier(hung: Any, version: Any) -> Dossier:
    dossier = services.dossier_start(applicant=hung, version=version, unit_code="24121")
    component = version.components.get()
    services.dossier_attach(
        dossier=dossier, actor=hung, component_id=component.pk, name="to-khai.pdf", data=small_pdf()
    )
    dossier.refresh_from_db()
    return services.dossier_set_delivery(
        dossier=dossier, actor=hung, method=DeliveryMethod.ONLINE, address="", revision=dossier.revision
    )


def _last_code(phone: str) -> str:
    text = DemoSmsMessage.objects.filter(phone=phone).order_by("-id").values_list("text", flat=True).first() or ""
    match = re.search(r"\b(\d{6})\b", text)
    assert match, "a code was sent by SMS"
    return match.group(1)


def test_submission_confirmed_by_sms_code_gets_a_national_code(
    hung, birth_version, sms_demo, smtp_server, django_capture_on_commit_callbacks
) -> None:
    dossier = _ready_dossier(hung, birth_version)
    assert dossier.agency.code == "UBND-24121", "a commune procedure goes to the citizen's commune"
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=hung, declaration=True, revision=dossier.revision)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_CONFIRMATION and dossier.code is None
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_confirm(dossier=dossier, actor=hung, code=_last_code("0912345678"))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert re.fullmatch(r"000\.01\.50\.H15-\d{6}-0001", dossier.code or "")
    assert dossier.expected_due_at and dossier.expected_due_at > dossier.submitted_at  # type: ignore[operator]
    assert [c.to_status for c in dossier.history.all()] == ["awaiting_confirmation", "submitted"]
    assert AuditEvent.objects.filter(action="dossier.submitted", object_id=str(dossier.pk)).count() == 1
    [acknowledgement] = smtp_server.received
    assert dossier.code in acknowledgement.subject
    assert [a.get_content_type() for a in acknowledgement.message.iter_attachments()] == ["application/pdf"]


def test_double_confirmation_changes_nothing(hung, birth_version, sms_demo, django_capture_on_commit_callbacks) -> None:
    dossier = _ready_dossier(hung, birth_version)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=hung, declaration=True, revision=dossier.revision)
    code = _last_code("0912345678")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.dossier_confirm(dossier=dossier, actor=hung, code=code)
        second = services.dossier_confirm(dossier=Dossier.objects.get(pk=dossier.pk), actor=hung, code=code)
    assert first.code == second.code
    assert Dossier.objects.get(pk=dossier.pk).history.count() == 2


def test_wrong_code_keeps_the_dossier_waiting(
    hung, birth_version, sms_demo, django_capture_on_commit_callbacks
) -> None:
    dossier = _ready_dossier(hung, birth_version)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=hung, declaration=True, revision=dossier.revision)
    right = _last_code("0912345678")
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(ApplicationError) as refused:
        services.dossier_confirm(dossier=dossier, actor=hung, code=wrong)
    assert refused.value.code == "otp_wrong"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_CONFIRMATION and dossier.code is None


def test_incomplete_dossier_lists_what_is_missing_and_sends_nothing(hung, birth_version, sms_demo) -> None:
    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    with pytest.raises(ApplicationError) as refused:
        services.dossier_submit(dossier=dossier, actor=hung, declaration=True, revision=dossier.revision)
    assert refused.value.code == "dossier_incomplete"
    assert set(refused.value.extra) == {f"component.{birth_version.components.get().pk}", "delivery"}
    assert not DemoSmsMessage.objects.exists()


def test_declaration_is_required(hung, birth_version, sms_demo) -> None:
    dossier = _ready_dossier(hung, birth_version)
    with pytest.raises(ApplicationError, match="cam đoan"):
        services.dossier_submit(dossier=dossier, actor=hung, declaration=False, revision=dossier.revision)


def test_a_form_from_a_stale_page_is_refused_and_nothing_is_lost(hung, birth_version) -> None:
    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    stale_revision = dossier.revision
    services.dossier_save_form(
        dossier=dossier, actor=hung, data={"child_name": "Nguyễn Gia Bảo"}, revision=stale_revision
    )
    with pytest.raises(StaleDossier):
        services.dossier_save_form(dossier=dossier, actor=hung, data={"child_name": "khác"}, revision=stale_revision)
    assert Dossier.objects.get(pk=dossier.pk).form_data == {"child_name": "Nguyễn Gia Bảo"}


def test_a_bad_file_is_refused_and_nothing_is_attached(hung, birth_version) -> None:
    dossier = services.dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    component = birth_version.components.get()
    with pytest.raises(ApplicationError) as refused:
        services.dossier_attach(
            dossier=dossier, actor=hung, component_id=component.pk, name="to-khai.pdf", data=b"MZ\x90\x00 not a pdf"
        )
    assert refused.value.code in {"upload_type_not_allowed", "upload_type_mismatch"}
    assert not dossier.attachments.exists()


def test_withdraw_before_reception(hung, birth_version, sms_demo, django_capture_on_commit_callbacks) -> None:
    dossier = _ready_dossier(hung, birth_version)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=hung, declaration=True, revision=dossier.revision)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_confirm(dossier=dossier, actor=hung, code=_last_code("0912345678"))
    withdrawn = services.dossier_withdraw(dossier=dossier, actor=hung, reason="Nộp nhầm")
    assert withdrawn.status == DossierStatus.WITHDRAWN
    with pytest.raises(ApplicationError):
        services.dossier_withdraw(dossier=dossier, actor=hung, reason="lần nữa")


def test_commune_procedure_needs_a_commune(hung, birth_version) -> None:
    with pytest.raises(ApplicationError, match="xã, phường"):
        services.dossier_start(applicant=hung, version=birth_version, unit_code="99999")


def test_answering_a_supplement_request_online(
    hung, birth_version, sms_demo, django_capture_on_commit_callbacks
) -> None:
    """The agency asks for a paper; the citizen adds it and sends the dossier back, same code."""
    from django.db import transaction

    from motcua.dossiers.transitions import dossier_lock, dossier_transition

    dossier = _ready_dossier(hung, birth_version)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=hung, declaration=True, revision=dossier.revision)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_confirm(dossier=dossier, actor=hung, code=_last_code("0912345678"))
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(
            dossier=locked, to_status=DossierStatus.SUPPLEMENT_REQUESTED, actor="officer", note="Thiếu bản rõ nét"
        )
    dossier.refresh_from_db()
    code = dossier.code
    services.dossier_attach(
        dossier=dossier, actor=hung, component_id=birth_version.components.get().pk, name="ban-ro.pdf", data=small_pdf()
    )
    sent = services.dossier_supplement_send(dossier=dossier, actor=hung, note="Đã bổ sung")
    assert sent.status == DossierStatus.SUBMITTED and sent.code == code
    assert sent.attachments.count() == 2
    with pytest.raises(ApplicationError):
        services.dossier_supplement_send(dossier=sent, actor=hung, note="")


def test_acting_for_an_organisation_needs_a_real_representation(hung, birth_version) -> None:
    from motcua.accounts.models import Representation

    mine = Representation.objects.create(user=hung, tax_code="0100233488", organisation_name="Công ty A")
    dossier = services.dossier_start(
        applicant=hung, version=birth_version, unit_code="24121", representation_id=mine.pk
    )
    assert dossier.representation == mine
    other = Representation.objects.create(user=citizen_other(), tax_code="0100233488", organisation_name="Công ty A")
    with pytest.raises(ApplicationError):
        services.dossier_start(applicant=hung, version=birth_version, unit_code="24121", representation_id=other.pk)


def citizen_other():  # type: ignore[no-untyped-def]
    from motcua.core.testing import citizen

    return citizen(phone="0987654321", id_number="066181000202")
