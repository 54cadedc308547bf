"""Issue 12, items 3 and 4, on the real birth-registration e-form and catalogue.

Item 3: the parents page shows a father only what applies to him, the registry pre-fills the
other parent's ward, and an answer typed into a field that does not apply is reported before
it is dropped. Item 4: one rule (form_paper_need) gives the papers step's tags, the check before
submission (web and API) and the reception view."""

import re
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from motcua.catalog.models import DossierComponent, Procedure, ProcedureVersion
from motcua.core.errors import ApplicationError
from motcua.core.testing import citizen, small_pdf
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.demo_answers import birth_registration_answers
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import officer
from motcua.dossiers.transitions import dossier_lock, dossier_transition
from motcua.notifications.models import DemoSmsMessage

pytestmark = pytest.mark.django_db

CERTIFICATE, AUTHORISATION, IDENTITY_PAPER = 1, 4, 5  # component positions of procedure 1.001193


@pytest.fixture
def father(real_birth_registration: None, population_demo: Any) -> Any:
    return citizen(email="hung@example.vn")


def _version() -> ProcedureVersion:
    version = Procedure.objects.get(code="1.001193").current_version
    assert version is not None
    return version


def _component(position: int) -> DossierComponent:
    return _version().components.get(position=position)


def _dossier(father: Any, **answers: Any) -> Dossier:
    """Hùng's birth registration with every answer given and online delivery chosen."""
    dossier = services.dossier_start(applicant=father, version=_version(), unit_code="24121")
    data = {**birth_registration_answers("Nguyễn Gia Bảo", birth_unit="24121"), **answers}
    dossier = services.dossier_save_form(dossier=dossier, actor=father, data=data, revision=None)
    return services.dossier_set_delivery(
        dossier=dossier, actor=father, method=DeliveryMethod.ONLINE, address="", revision=dossier.revision
    )


def _attach(dossier: Dossier, position: int, name: str) -> None:
    services.dossier_attach(
        dossier=dossier, actor=dossier.applicant, component_id=_component(position).pk, name=name, data=small_pdf()
    )


def _page_post(dossier: Dossier, page_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """What the browser posts for one page: its fields' answers as input names."""
    schema = dossier.procedure_version.form.schema
    page = next(page for page in schema["pages"] if page["id"] == page_id)
    posted: dict[str, Any] = {"_eform_page": page_id, "continue": ""}
    for field in page["fields"]:
        value = answers.get(field["name"])
        if value is None or field["type"] == "file":
            continue
        if field["type"] == "address":
            posted[f"{field['name']}.unit"] = value["unit"]
            posted[f"{field['name']}.detail"] = value["detail"]
        elif field["type"] == "checkbox":
            if value:
                posted[field["name"]] = "1"
        else:
            posted[field["name"]] = str(value)
    return posted


def _section(html: str, component: DossierComponent) -> str:
    match = re.search(rf'aria-labelledby="component-{component.pk}">(.*?)</section>', html, re.S)
    assert match, component.name
    return match.group(1)


# --- Item 3: the parents page. ---


def test_the_parents_page_shows_a_father_only_what_applies_with_the_other_parents_ward(client, father) -> None:
    client.force_login(father)
    dossier = services.dossier_start(applicant=father, version=_version(), unit_code="24121")
    first = reverse("dossiers:form_page", args=[dossier.pk, "nguoi-yeu-cau"])
    client.get(first)  # the first visit pre-fills the form from the registry
    dossier.refresh_from_db()
    assert dossier.form_data["other_parent_residence"] == {"unit": "24121", "detail": "Số 18, tổ dân phố 5"}
    client.post(first, _page_post(dossier, "nguoi-yeu-cau", {**dossier.form_data, "applicant_relationship": "cha"}))

    html = client.get(reverse("dossiers:form_page", args=[dossier.pk, "cha-me"])).content.decode()
    for absent in ("father_status", "father_full_name", "father_residence", "mother_full_name", "mother_residence"):
        assert f'name="{absent}' not in html, absent
    assert "chỉ điền nếu “Người cha”" not in html
    assert 'name="other_parent_full_name" type="text" value="Trần Thị Mai"' in html
    assert re.search(r'name="other_parent_residence.unit".*?<option value="24121" selected>', html, re.S)


def test_an_answer_typed_into_a_field_that_does_not_apply_is_reported_then_dropped_when_confirmed(
    client, father
) -> None:
    client.force_login(father)
    dossier = _dossier(father)
    url = reverse("dossiers:form_page", args=[dossier.pk, "tre-em"])
    answers = {**dossier.form_data, "birth_place_kind": "ngoai_co_so_y_te", "birth_facility": "Trạm y tế phường"}

    shown = client.post(url, _page_post(dossier, "tre-em", answers))
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Các thông tin sau sẽ không được giữ lại" in html
    assert "Tên cơ sở y tế nơi sinh: “Trạm y tế phường”" in html
    assert '<input type="hidden" name="_eform_unused" value="birth_facility">' in html
    dossier.refresh_from_db()
    assert dossier.form_data["birth_facility"] == "Trạm y tế phường", "kept until the person agrees"

    agreed = client.post(url, {**_page_post(dossier, "tre-em", answers), "_eform_unused": "birth_facility"})
    assert agreed.status_code == 302 and agreed["Location"].endswith("/to-khai/cha-me/")
    dossier.refresh_from_db()
    assert dossier.form_data["birth_facility"] is None


def test_answers_that_stop_applying_because_of_another_page_are_reported(client, father) -> None:
    """A grandmother's answers about the mother, then the applicant says they are the father."""
    client.force_login(father)
    dossier = _dossier(father, applicant_relationship="ong_ba", mother_full_name="Trần Thị Mai")
    url = reverse("dossiers:form_page", args=[dossier.pk, "nguoi-yeu-cau"])
    response = client.post(
        url, _page_post(dossier, "nguoi-yeu-cau", {**dossier.form_data, "applicant_relationship": "cha"})
    )
    assert response.status_code == 200
    assert "Họ, chữ đệm, tên người mẹ: “Trần Thị Mai”" in response.content.decode()
    # Pre-filled answers the person never saw (their own year of birth) are not reported.
    assert "Năm sinh của bạn" not in response.content.decode()


# --- Item 4: required papers, one rule. ---


def test_papers_page_tags_follow_the_answers(client, father) -> None:
    client.force_login(father)
    dossier = _dossier(father, birth_proof_kind="chung_sinh")
    html = client.get(reverse("dossiers:papers", args=[dossier.pk])).content.decode()
    assert "Đã có: tờ khai điện tử" in _section(html, _component(0))
    assert ">Bắt buộc<" in _section(html, _component(CERTIFICATE))
    assert "Không cần trong trường hợp của bạn" in _section(html, _component(AUTHORISATION))
    assert ">Không bắt buộc<" in _section(html, _component(IDENTITY_PAPER))


def test_submitting_without_a_required_paper_is_refused_naming_it_and_nothing_is_lost(father, sms_demo) -> None:
    dossier = _dossier(father, birth_proof_kind="chung_sinh")
    _attach(dossier, IDENTITY_PAPER, "can-cuoc.pdf")
    dossier.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.dossier_submit(dossier=dossier, actor=father, declaration=True, revision=dossier.revision)
    assert refused.value.code == "dossier_incomplete"
    assert set(refused.value.extra) == {f"component.{_component(CERTIFICATE).pk}"}
    assert "Còn thiếu giấy tờ bắt buộc: Giấy chứng sinh" in refused.value.message
    assert "vẫn được giữ nguyên" in refused.value.message
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and dossier.form_data["birth_proof_kind"] == "chung_sinh"
    assert [a.original_name for a in dossier.attachments.all()] == ["can-cuoc.pdf"]
    assert not DemoSmsMessage.objects.exists()

    _attach(dossier, CERTIFICATE, "giay-chung-sinh.pdf")
    dossier.refresh_from_db()
    services.dossier_submit(dossier=dossier, actor=father, declaration=True, revision=dossier.revision)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.AWAITING_CONFIRMATION


def test_an_electronic_birth_certificate_needs_no_paper(father) -> None:
    assert services.dossier_problems(dossier=_dossier(father, birth_proof_kind="chung_sinh_dien_tu")) == {}


def test_the_review_page_refuses_with_the_missing_paper_named(client, father, sms_demo) -> None:
    client.force_login(father)
    dossier = _dossier(father, birth_proof_kind="chung_sinh")
    response = client.post(reverse("dossiers:review", args=[dossier.pk]), {"declaration": "1"}, follow=True)
    html = response.content.decode()
    assert "Còn thiếu giấy tờ bắt buộc: Giấy chứng sinh" in html
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DRAFT


def test_the_api_refuses_a_submission_without_a_required_paper(client, father, sms_demo) -> None:
    client.force_login(father)
    dossier = _dossier(father, birth_proof_kind="chung_sinh")
    response = client.post(
        f"/api/v1/dossiers/{dossier.pk}/submit/", {"declaration": True}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "dossier_incomplete"
    assert f"component.{_component(CERTIFICATE).pk}" in body["errors"]
    assert "Giấy chứng sinh" in body["message"]


def test_reception_shows_which_papers_were_required_and_which_are_missing(client, father) -> None:
    """A dossier handed in without its required paper (before the check existed)."""
    dossier = _dossier(father, birth_proof_kind="chung_sinh")
    _attach(dossier, IDENTITY_PAPER, "can-cuoc.pdf")
    with transaction.atomic():
        locked = dossier_lock(dossier_id=dossier.pk)
        dossier_transition(dossier=locked, to_status=DossierStatus.AWAITING_CONFIRMATION, actor=father)
        services._dossier_hand_in(dossier=locked, actor=father)
    client.force_login(officer("xa.tn"))
    html = client.get(reverse("backoffice:dossier_detail", args=[dossier.pk])).content.decode()
    certificate = re.search(rf'data-paper="{CERTIFICATE}">(.*?)</li>', html, re.S)
    authorisation = re.search(rf'data-paper="{AUTHORISATION}">(.*?)</li>', html, re.S)
    identity = re.search(rf'data-paper="{IDENTITY_PAPER}">(.*?)</ul>', html, re.S)
    assert certificate and "Bắt buộc" in certificate.group(1) and "data-missing" in certificate.group(1)
    assert authorisation and "Không cần trong trường hợp này" in authorisation.group(1)
    assert identity and "can-cuoc.pdf" in identity.group(1) and "data-missing" not in identity.group(1)
