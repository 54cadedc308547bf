"""Through the officer's pages, an agency asked only for its opinion answers that opinion and
nothing more: the dossier page offers it no apology slip, and a forged post that extends the
appointment, records fees or finishes the handling agency's step is refused with a Vietnamese
message and changes nothing. The handling agency's officers still do each."""

import datetime

import pytest
from django.utils import timezone

from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.dossiers.constants import SlipKind, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.testing import consulted_dossier, fees_owed

pytestmark = pytest.mark.django_db
APOLOGY_BUTTON = "Lập phiếu xin lỗi"


@pytest.fixture
def consulted():  # type: ignore[no-untyped-def]
    from motcua.catalog.models import Procedure

    load_catalog(BIRTH)
    return consulted_dossier(applicant=citizen(), version=Procedure.objects.get(code="1.001193").current_version)


def _new_due(dossier: Dossier, days: int) -> str:
    assert dossier.due_at is not None
    return timezone.localtime(dossier.due_at + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("who", ["stp_specialist", "stp_leader"])
def test_a_consulted_agency_cannot_extend_record_fees_or_finish_the_main_step(client, consulted, who) -> None:
    dossier, main = consulted["dossier"], consulted["main"]
    client.force_login(consulted[who])
    page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert APOLOGY_BUTTON not in page
    extend = client.post(
        f"/can-bo/ho-so/{dossier.pk}/",
        {"action": "extend", "reason": "Chờ thêm ba tháng", "new_due": _new_due(dossier, 91)},
        follow=True,
    ).content.decode()
    assert "Chỉ cơ quan đang giải quyết hồ sơ được gia hạn" in extend
    fees = client.post(f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "cash"})
    assert fees.status_code == 403
    forward = client.post(
        f"/can-bo/ho-so/{dossier.pk}/buoc/{main.pk}/", {"action": "forward", "note": "", "draft": ""}, follow=True
    ).content.decode()
    assert "Bạn không có vai trò" in forward
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.due_at, after.fees_paid_at, after.revision) == (dossier.due_at, None, dossier.revision)
    assert not after.slips.filter(kind=SlipKind.APOLOGY).exists()
    assert DossierStep.objects.get(pk=main.pk).status == StepStatus.ACTIVE


def test_the_consulted_agency_answers_and_the_handling_agency_extends(client, consulted) -> None:
    dossier, consultation = consulted["dossier"], consulted["consultation"]
    client.force_login(consulted["stp_specialist"])
    answered = client.post(
        f"/can-bo/ho-so/{dossier.pk}/buoc/{consultation.pk}/",
        {"action": "answer", "answer": "Ghi quê quán theo quê quán của cha."},
        follow=True,
    ).content.decode()
    assert "Đã gửi ý kiến." in answered
    assert DossierStep.objects.get(pk=consultation.pk).status == StepStatus.DONE

    client.force_login(consulted["specialist"])
    assert APOLOGY_BUTTON in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    new_due = _new_due(dossier, 3)
    extended = client.post(
        f"/can-bo/ho-so/{dossier.pk}/",
        {"action": "extend", "reason": "Chờ xác minh nơi sinh", "new_due": new_due},
        follow=True,
    ).content.decode()
    assert "Đã lập" in extended
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.due_at is not None and timezone.localtime(after.due_at).strftime("%Y-%m-%dT%H:%M") == new_due
    assert after.slips.filter(kind=SlipKind.APOLOGY).count() == 1
    client.force_login(consulted["reception"])
    fees_owed(dossier, 8000)
    fees = client.post(f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "cash"}, follow=True).content.decode()
    assert "Đã thu phí, lệ phí và lập biên lai điện tử." in fees
    assert Dossier.objects.get(pk=dossier.pk).fees_paid_at is not None
