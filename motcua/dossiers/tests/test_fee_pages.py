"""The citizen sees what a dossier costs before submitting, each line explained and recomputed
from the answers, and after submitting what is owed and when (docs/fees.md)."""

from typing import Any

import pytest
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.core.testing import citizen
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.demo_answers import birth_registration_answers
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import submitted_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def father(real_birth_registration: None) -> Any:
    return citizen(email="hung@example.vn")


def _draft(father: Any, **answers: Any) -> Dossier:
    version = Procedure.objects.get(code="1.001193").current_version
    assert version is not None
    dossier = services.dossier_start(applicant=father, version=version, unit_code="24121")
    data = {**birth_registration_answers("Nguyễn Gia Bảo", birth_unit="24121"), **answers}
    dossier = services.dossier_save_form(dossier=dossier, actor=father, data=data, revision=None)
    return services.dossier_set_delivery(
        dossier=dossier, actor=father, method=DeliveryMethod.ONLINE, address="", revision=dossier.revision
    )


def test_the_review_page_explains_every_line_and_follows_the_saved_answers(client: Any, father: Any) -> None:
    client.force_login(father)
    dossier = _draft(father, copies=0)
    review = reverse("dossiers:review", args=[dossier.pk])
    page = client.get(review).content.decode()
    assert "Lệ phí đăng ký khai sinh" in page and "Phí cấp bản sao" not in page
    assert "Không phải nộp phí, lệ phí với các thông tin đã khai." in page
    services.dossier_save_form(dossier=dossier, actor=father, data={**dossier.form_data, "copies": 2}, revision=None)
    page = client.get(review).content.decode()
    assert "Phí cấp bản sao Giấy khai sinh (nếu có yêu cầu)" in page
    assert "8.000 đồng × 2" in page and "Cộng phí" in page and "Cộng lệ phí" in page
    assert "<strong>16.000 đồng</strong>" in page
    assert "Nộp ngay sau khi nộp hồ sơ" in page, "birth registration is paid at submission"


def test_the_estimate_quotes_unsaved_answers_and_saves_nothing(client: Any, father: Any) -> None:
    client.force_login(father)
    dossier = _draft(father, copies=0)
    form_page = client.get(reverse("dossiers:form_page", args=[dossier.pk, "cha-me"])).content.decode()
    estimate = reverse("dossiers:fee_estimate", args=[dossier.pk])
    assert f'data-fee-estimate="{estimate}"' in form_page and "fee-estimate.js" in form_page
    response = client.post(estimate, {"_eform_page": "cha-me", "copies": "3"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "8.000 đồng × 3" in fragment and "24.000 đồng" in fragment and "Phí, lệ phí dự kiến" in fragment
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.form_data["copies"] in (0, "0") and after.revision == dossier.revision
    assert client.get(estimate).status_code == 405


def test_after_submission_the_dossier_page_shows_the_frozen_amount_and_when(client: Any, father: Any) -> None:
    version = Procedure.objects.get(code="1.001193").current_version
    dossier = submitted_dossier(father, version, answers={"copies": "1"})
    client.force_login(father)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Phí, lệ phí phải nộp" in page and "8.000 đồng × 1" in page
    assert "hồ sơ chỉ được tiếp nhận khi đã nộp đủ" in page
    tracking = client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Phí, lệ phí phải nộp: 8.000 đồng." in tracking


def test_the_procedure_page_states_the_rules_in_words(client: Any, real_birth_registration: Any) -> None:
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "8.000 đồng mỗi bản" in page
    assert "Thời điểm nộp: Khi nộp hồ sơ (trước khi tiếp nhận)" in page
