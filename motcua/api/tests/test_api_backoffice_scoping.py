"""A system sees and acts only within its agency: another agency's token gets 404 on every
back-office endpoint for the ward's dossier, finds nothing of it in any list, and changes
nothing; inside the agency, the account's roles still decide (a refused action is audited
under the system's name, as for an officer)."""

from typing import Any

import pytest
from django.test import Client

from motcua.api.models import ApiClient
from motcua.api.testing import bearer, registered_client
from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db
API = "/api/v1/backoffice"


@pytest.fixture
def ward_dossiers(hung: Any, birth_version: Any) -> dict[str, Dossier]:
    """One dossier waiting at the ward's counter and one the ward accepted (in progress)."""
    waiting = submitted_dossier(hung, birth_version)
    accepted = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=accepted, officer=officer("xa.tn"), revision=accepted.revision)
    return {"waiting": waiting, "accepted": Dossier.objects.get(pk=accepted.pk)}


def test_another_agencys_system_gets_404_everywhere_and_changes_nothing(
    client: Client, department_system: ApiClient, ward_dossiers: dict[str, Dossier]
) -> None:
    headers = bearer(client, department_system)
    waiting, accepted = ward_dossiers["waiting"], ward_dossiers["accepted"]
    step = DossierStep.objects.filter(dossier=accepted, status="active").get()
    reasons = {"reasons": "Không thuộc thẩm quyền giải quyết."}
    requests = [
        ("get", f"{API}/dossiers/{waiting.pk}/", {}),
        ("get", f"{API}/dossiers/{accepted.pk}/", {}),
        ("get", f"{API}/dossiers/{accepted.pk}/result/", {}),
        ("post", f"{API}/dossiers/{waiting.pk}/accept/", {}),
        ("post", f"{API}/dossiers/{waiting.pk}/request-supplement/", reasons),
        ("post", f"{API}/dossiers/{waiting.pk}/refuse/", reasons),
        ("post", f"{API}/dossiers/{accepted.pk}/steps/{step.pk}/take/", {}),
        ("post", f"{API}/dossiers/{accepted.pk}/steps/{step.pk}/forward/", {}),
        ("post", f"{API}/dossiers/{accepted.pk}/steps/{step.pk}/return/", {"to": "tham-dinh", "reason": "Trả lại."}),
    ]
    audit_before = AuditEvent.objects.count()
    for method, url, body in requests:
        revision = {"revision": Dossier.objects.get(pk=waiting.pk if "waiting" in url else accepted.pk).revision}
        data = {**body, "revision": revision["revision"]} if method == "post" else {}
        response = getattr(client, method)(
            url, data, **({"content_type": "application/json"} if method == "post" else {}), **headers
        )
        assert response.status_code == 404, (url, response.content)
        assert response.json()["code"] == "not_found"
    lists = [
        client.get(f"{API}/reception-queue/", **headers).json()["results"],
        client.get(f"{API}/work-queue/", {"view": "don-vi"}, **headers).json()["results"],
        client.get(f"{API}/dossiers/", {"q": "Nguyễn Văn Hùng"}, **headers).json()["results"],
        client.get(f"{API}/dossiers/", {"q": accepted.code}, **headers).json()["results"],
    ]
    assert lists == [[], [], [], []]
    foreign_filter = client.get(f"{API}/dossiers/", {"agency": "UBND-24121"}, **headers)
    assert foreign_filter.status_code == 400 and "agency" in foreign_filter.json()["errors"]
    assert Dossier.objects.get(pk=waiting.pk).status == DossierStatus.SUBMITTED
    assert DossierStep.objects.get(pk=step.pk).assignee_id != department_system.service_account_id
    assert AuditEvent.objects.count() == audit_before


def test_within_the_agency_the_roles_decide_and_a_refusal_is_audited(
    client: Client, hung: Any, ward_dossiers: dict[str, Dossier]
) -> None:
    """A specialists' system of the ward reads the dossier but may not receive it."""
    specialists = registered_client("chuyen-vien-phuong", roles=(Role.SPECIALIST,))
    headers = bearer(client, specialists)
    waiting = ward_dossiers["waiting"]
    assert client.get(f"{API}/dossiers/{waiting.pk}/", **headers).status_code == 200
    assert client.get(f"{API}/reception-queue/", **headers).json()["count"] == 1
    response = client.post(
        f"{API}/dossiers/{waiting.pk}/accept/",
        {"revision": waiting.revision},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and response.json()["code"] == "reception_forbidden"
    assert "UBND phường Tân Lập" in response.json()["message"]
    event = AuditEvent.objects.get(action="dossier.reception_forbidden")
    assert event.actor_label == "he-thong.chuyen-vien-phuong" and event.object_id == str(waiting.pk)
    assert Dossier.objects.get(pk=waiting.pk).status == DossierStatus.SUBMITTED
