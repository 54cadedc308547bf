"""The whole submission journey through /api/v1/, as a mobile or Zalo mini-app client does it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, citizen, load_catalog, small_pdf
from motcua.notifications.models import DemoSmsMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_client(client, sms_demo):  # type: ignore[no-untyped-def]
    load_catalog(BIRTH)
    client.force_login(citizen())
    return client


def test_create_fill_upload_submit_confirm_and_list(hung_client, django_capture_on_commit_callbacks) -> None:
    created = hung_client.post(
        "/api/v1/dossiers/", {"procedure": "1.001193", "unit": "24121"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    dossier = created.json()
    pk = dossier["id"]
    assert dossier["status"] == "draft" and dossier["agency"] == "UBND-24121"

    component = Procedure.objects.get(code="1.001193").current_version.components.get()  # type: ignore[union-attr]
    upload = hung_client.post(
        f"/api/v1/dossiers/{pk}/attachments/",
        {"component": component.pk, "file": SimpleUploadedFile("tk.pdf", small_pdf())},
    )
    assert upload.status_code == 201 and upload.json()["content_type"] == "application/pdf"

    revision = hung_client.get(f"/api/v1/dossiers/{pk}/").json()["revision"]
    patched = hung_client.patch(
        f"/api/v1/dossiers/{pk}/",
        {"revision": revision, "form_data": {"ghi_chu": "x"}, "delivery_method": "online"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["delivery_method"] == "online"
    stale = hung_client.patch(
        f"/api/v1/dossiers/{pk}/", {"revision": revision, "form_data": {}}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "dossier_stale"
    assert "hãy đọc lại hồ sơ rồi gửi lại" in stale.json()["message"] and "Trang" not in stale.json()["message"]

    with django_capture_on_commit_callbacks(execute=True):
        submitted = hung_client.post(
            f"/api/v1/dossiers/{pk}/submit/", {"declaration": True}, content_type="application/json"
        )
    assert submitted.status_code == 202 and submitted.json()["status"] == "awaiting_confirmation"
    code = re.search(r"\d{6}", DemoSmsMessage.objects.get().text).group(0)  # type: ignore[union-attr]

    wrong = hung_client.post(f"/api/v1/dossiers/{pk}/confirm/", {"code": "12345"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["message"]
    confirmed = hung_client.post(f"/api/v1/dossiers/{pk}/confirm/", {"code": code}, content_type="application/json")
    assert confirmed.status_code == 200
    assert re.fullmatch(r"000\.01\.50\.H15-\d{6}-\d{4}", confirmed.json()["code"])

    mine = hung_client.get("/api/v1/dossiers/").json()
    assert mine["count"] == 1 and mine["results"][0]["code"] == confirmed.json()["code"]


def test_incomplete_submission_lists_problems(hung_client) -> None:
    pk = hung_client.post(
        "/api/v1/dossiers/", {"procedure": "1.001193", "unit": "24121"}, content_type="application/json"
    ).json()["id"]
    response = hung_client.post(
        f"/api/v1/dossiers/{pk}/submit/", {"declaration": True}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "dossier_incomplete" and "delivery" in body["errors"]


def test_anonymous_clients_are_refused(client) -> None:
    """401 with the scheme to use, as HTTP says for missing credentials."""
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 401 and response.json()["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_procedure_is_a_json_404(hung_client) -> None:
    response = hung_client.post("/api/v1/dossiers/", {"procedure": "9.999999"}, content_type="application/json")
    assert response.status_code == 404


def test_mobile_clients_use_a_token(client) -> None:
    """A phone-and-password login gives a token; the token opens the dossier API; wrong
    passwords are refused and, repeated, rate-limited."""
    citizen()
    refused = client.post(
        "/api/v1/auth/token/", {"phone": "0912345678", "password": "sai"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "login_failed"
    response = client.post(
        "/api/v1/auth/token/", {"phone": "0912345678", "password": "demo@2026"}, content_type="application/json"
    )
    token = response.json()["token"]
    mine = client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token}")
    assert mine.status_code == 200 and mine.json()["count"] == 0
    assert client.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    assert client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token}").status_code in {401, 403}
    for _ in range(6):
        last = client.post(
            "/api/v1/auth/token/", {"phone": "0912345678", "password": "sai"}, content_type="application/json"
        )
    assert last.json()["code"] == "login_rate_limited"


def test_a_dossier_describes_its_form_and_what_is_missing(client, sms_demo) -> None:
    """A mobile client can draw the e-form from the API and knows what still blocks submission."""
    from motcua.catalog.eforms import procedure_forms_load

    load_catalog(BIRTH)
    procedure_forms_load(
        document={
            "1.001193": {
                "version": 1,
                "pages": [
                    {
                        "id": "p",
                        "title": "Trẻ",
                        "fields": [{"name": "child_full_name", "type": "text", "label": "Họ tên", "required": True}],
                    }
                ],
            }
        }
    )
    client.force_login(citizen())
    body = client.post(
        "/api/v1/dossiers/", {"procedure": "1.001193", "unit": "24121"}, content_type="application/json"
    ).json()
    assert "child_full_name" in str(body["form"])
    assert "form.child_full_name" in body["problems"] and "delivery" in body["problems"]
