"""A reception officer or postal staff submits for a citizen who came in person; the citizen
confirms with the SMS code, and the dossier records the channel and the scanned papers."""

import re

import pytest

from motcua.core.errors import ApplicationError
from motcua.core.testing import small_pdf
from motcua.directory.constants import Role
from motcua.directory.services import staff_ensure
from motcua.dossiers import services
from motcua.dossiers.constants import AttachmentSource, Channel, DeliveryMethod, DossierStatus
from motcua.notifications.models import DemoSmsMessage

pytestmark = pytest.mark.django_db


def _staff(username: str, role: str, agency: str | None):  # type: ignore[no-untyped-def]
    return staff_ensure(actor="t", username=username, full_name="Cán Bộ", password="x", roles=[(role, agency, None)])


def test_counter_submission_for_a_new_citizen(birth_version, sms_demo, django_capture_on_commit_callbacks) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    dossier = services.dossier_start_assisted(
        officer=officer,
        version=birth_version,
        id_number="066196000104",
        full_name="Trần Thị Mai",
        phone="0905 111 222",
        unit_code="24121",
    )
    assert dossier.channel == Channel.COUNTER and dossier.submitted_by == officer
    assert dossier.applicant.citizen.id_number == "066196000104"
    attachment = services.dossier_attach(
        dossier=dossier,
        actor=officer,
        component_id=birth_version.components.get().pk,
        name="scan.pdf",
        data=small_pdf(),
    )
    assert attachment.source == AttachmentSource.SCAN
    dossier.refresh_from_db()
    dossier = services.dossier_set_delivery(
        dossier=dossier, actor=officer, method=DeliveryMethod.COUNTER, address="", revision=dossier.revision
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=officer, declaration=True, revision=dossier.revision)
    code = re.search(r"\d{6}", DemoSmsMessage.objects.get(phone="0905111222").text).group(0)  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_confirm(dossier=dossier, actor=officer, code=code)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.code
    assert dossier.applicant.citizen.phone_verified_at is not None, "the code the citizen read out verifies the phone"


def test_postal_staff_submissions_are_marked_post_office(birth_version, hung) -> None:
    postal = _staff("bd", Role.POSTAL, None)
    dossier = services.dossier_start_assisted(
        officer=postal,
        version=birth_version,
        id_number="066094000103",
        full_name="Nguyễn Văn Hùng",
        phone="0912345678",
        unit_code="24121",
    )
    assert dossier.channel == Channel.POST_OFFICE and dossier.applicant == hung, (
        "an existing citizen is found by ID number"
    )


def test_only_reception_or_postal_staff_may_assist(birth_version) -> None:
    specialist = _staff("cv", Role.SPECIALIST, "STP")
    with pytest.raises(ApplicationError):
        services.dossier_start_assisted(
            officer=specialist,
            version=birth_version,
            id_number="066196000104",
            full_name="Trần Thị Mai",
            phone="0905111222",
            unit_code="24121",
        )


def test_a_mistyped_id_number_is_refused_clearly(birth_version) -> None:
    officer = _staff("tn", Role.RECEPTION, "UBND-24121")
    with pytest.raises(ApplicationError) as refused:
        services.dossier_start_assisted(
            officer=officer,
            version=birth_version,
            id_number="06619600010",
            full_name="Trần Thị Mai",
            phone="0905111222",
            unit_code="24121",
        )
    assert "12" in refused.value.message
