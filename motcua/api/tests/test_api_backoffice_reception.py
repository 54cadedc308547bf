"""The reception check over the API: a system lists its agency's queue, then accepts, asks for
papers or refuses through the reception services, which issue the legal slip, audit the change
under the system's own account and refuse a write based on an old revision or sent twice."""

from typing import Any

import pytest
from django.test import Client

from motcua.api.models import ApiClient
from motcua.api.testing import bearer
from motcua.core.models import AuditEvent
from motcua.dossiers.constants import DossierStatus, SlipKind
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.testing import submitted_dossier

pytestmark = pytest.mark.django_db
API = "/api/v1/backoffice"


@pytest.fixture
def dossier(hung: Any, birth_version: Any) -> Dossier:
    return submitted_dossier(hung, birth_version)


def test_the_queue_lists_the_agencys_dossiers_waiting_for_reception(
    client: Client, ward_system: ApiClient, dossier: Dossier
) -> None:
    headers = bearer(client, ward_system)
    rows = client.get(f"{API}/reception-queue/", **headers).json()
    assert rows["count"] == 1
    row = rows["results"][0]
    assert row["code"] == dossier.code and row["status"] == DossierStatus.SUBMITTED
    assert row["applicant_name"] == "Nguyễn Văn Hùng" and row["revision"] == dossier.revision
    by_name = client.get(f"{API}/reception-queue/", {"q": "Hùng"}, **headers).json()
    assert by_name["count"] == 1
    assert client.get(f"{API}/reception-queue/", {"q": "Không có ai"}, **headers).json()["count"] == 0
    assert client.get(f"{API}/reception-queue/", {"channel": "nope"}, **headers).status_code == 400


def test_accept_issues_the_receipt_and_starts_processing(
    client: Client, ward_system: ApiClient, dossier: Dossier
) -> None:
    headers = bearer(client, ward_system)
    response = client.post(
        f"{API}/dossiers/{dossier.pk}/accept/",
        {"revision": dossier.revision},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == DossierStatus.IN_PROGRESS and body["due_at"] is not None
    assert [slip["kind"] for slip in body["slips"]] == [SlipKind.RECEIPT]
    accepted = Dossier.objects.get(pk=dossier.pk)
    assert accepted.received_by == ward_system.service_account
    event = AuditEvent.objects.filter(object_id=str(dossier.pk), summary__to=DossierStatus.RECEIVED).get()
    assert event.actor_label == "he-thong.mot-cua-phuong"


def test_a_double_send_or_an_old_revision_is_a_conflict_and_changes_nothing(
    client: Client, ward_system: ApiClient, dossier: Dossier
) -> None:
    headers = bearer(client, ward_system)
    url, body = f"{API}/dossiers/{dossier.pk}/accept/", {"revision": dossier.revision}
    assert client.post(url, body, content_type="application/json", **headers).status_code == 200
    again = client.post(url, body, content_type="application/json", **headers)
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "dossier_stale"
    assert "thay đổi" in again.json()["message"]
    assert DossierSlip.objects.filter(dossier=dossier).count() == 1


def test_request_supplement_issues_the_request_with_the_reasons(
    client: Client, ward_system: ApiClient, dossier: Dossier
) -> None:
    headers = bearer(client, ward_system)
    reasons = "Thiếu bản sao giấy chứng sinh.\nGiấy tờ tùy thân mờ, chụp lại."
    response = client.post(
        f"{API}/dossiers/{dossier.pk}/request-supplement/",
        {"revision": dossier.revision, "reasons": reasons},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == DossierStatus.SUPPLEMENT_REQUESTED
    slip = DossierSlip.objects.get(dossier=dossier)
    assert slip.kind == SlipKind.SUPPLEMENT and slip.content["reasons"] == reasons


def test_refuse_needs_a_reason_and_issues_the_refusal(client: Client, ward_system: ApiClient, dossier: Dossier) -> None:
    headers = bearer(client, ward_system)
    url = f"{API}/dossiers/{dossier.pk}/refuse/"
    short = client.post(
        url, {"revision": dossier.revision, "reasons": "Sai"}, content_type="application/json", **headers
    )
    assert short.status_code == 400 and short.json()["code"] == "reason_required"
    reasons = "Thủ tục không thuộc thẩm quyền của phường."
    refused = client.post(
        url, {"revision": dossier.revision, "reasons": reasons}, content_type="application/json", **headers
    )
    assert refused.status_code == 200 and refused.json()["status"] == DossierStatus.REJECTED
    assert DossierSlip.objects.get(dossier=dossier).kind == SlipKind.REFUSAL


def test_a_write_without_revision_is_refused(client: Client, ward_system: ApiClient, dossier: Dossier) -> None:
    headers = bearer(client, ward_system)
    response = client.post(f"{API}/dossiers/{dossier.pk}/accept/", {}, content_type="application/json", **headers)
    assert response.status_code == 400 and "revision" in response.json()["errors"]
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED
