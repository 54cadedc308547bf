"""Processing over the API: the system takes a step from its unit's queue, forwards it with its
draft, a leaders' system sends the approval back; each through the processing services, which
check the account's role and its part in the step. The work queue and `may_act` tell the
system where it can act."""

from typing import Any

import pytest
from django.test import Client

from motcua.api.models import ApiClient
from motcua.api.testing import bearer, registered_client
from motcua.catalog.constants import StepKind
from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db
API = "/api/v1/backoffice"


def _post(client: Client, url: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def _step(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(step for step in body["steps"] if step["kind"] == kind and step["status"] == StepStatus.ACTIVE)


@pytest.fixture
def accepted(client: Client, hung: Any, birth_version: Any, ward_system: ApiClient) -> dict[str, Any]:
    """A dossier the ward's system accepted; a second specialist means nobody got its step yet."""
    officer("xa.cv", role=Role.SPECIALIST)
    dossier = submitted_dossier(hung, birth_version)
    headers = bearer(client, ward_system)
    body = _post(client, f"{API}/dossiers/{dossier.pk}/accept/", headers, revision=dossier.revision).json()
    return {"dossier": dossier, "headers": headers, "body": body}


def test_take_then_forward_moves_the_dossier_to_the_leader(client: Client, accepted: dict[str, Any]) -> None:
    dossier, headers, body = accepted["dossier"], accepted["headers"], accepted["body"]
    step = _step(body, StepKind.PROCESS)
    assert step["assignee"] is None and step["may_act"] is True
    unit_queue = client.get(f"{API}/work-queue/", {"view": "don-vi"}, **headers).json()
    assert [item["id"] for item in unit_queue["results"]] == [step["id"]]
    assert unit_queue["results"][0]["dossier"]["code"] == dossier.code
    steps = f"{API}/dossiers/{dossier.pk}/steps/{step['id']}"
    taken = _post(client, f"{steps}/take/", headers, revision=body["revision"])
    assert taken.status_code == 200, taken.content
    assert _step(taken.json(), StepKind.PROCESS)["assignee"] == "he-thong.mot-cua-phuong"
    mine = client.get(f"{API}/work-queue/", **headers).json()
    assert [item["id"] for item in mine["results"]] == [step["id"]]
    forwarded = _post(
        client,
        f"{steps}/forward/",
        headers,
        revision=taken.json()["revision"],
        note="Hồ sơ đủ điều kiện.",
        draft="Đăng ký khai sinh cho cháu Nguyễn Văn An.",
    )
    assert forwarded.status_code == 200, forwarded.content
    approval = _step(forwarded.json(), StepKind.APPROVE)
    assert approval["may_act"] is False  # the ward's system is no leader
    assert Dossier.objects.get(pk=dossier.pk).result_draft == "Đăng ký khai sinh cho cháu Nguyễn Văn An."
    done = DossierStep.objects.get(pk=step["id"])
    assert done.status == StepStatus.DONE and done.finished_by.username == "he-thong.mot-cua-phuong"
    assert AuditEvent.objects.filter(actor_label="he-thong.mot-cua-phuong", action="dossier.step_forward").exists()


def test_a_leaders_system_sends_the_approval_back(client: Client, accepted: dict[str, Any]) -> None:
    dossier, headers, body = accepted["dossier"], accepted["headers"], accepted["body"]
    steps = f"{API}/dossiers/{dossier.pk}/steps"
    process = _step(body, StepKind.PROCESS)
    revision = _post(client, f"{steps}/{process['id']}/take/", headers, revision=body["revision"]).json()["revision"]
    forwarded = _post(client, f"{steps}/{process['id']}/forward/", headers, revision=revision).json()
    approval = _step(forwarded, StepKind.APPROVE)
    refused = _post(
        client,
        f"{steps}/{approval['id']}/return/",
        headers,
        revision=forwarded["revision"],
        to="tham-dinh",
        reason="Ghi lại quê quán.",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "step_forbidden"
    leaders = bearer(client, registered_client("lanh-dao-phuong", roles=(Role.LEADER,)))
    as_leader = client.get(f"{API}/dossiers/{dossier.pk}/", **leaders).json()
    assert _step(as_leader, StepKind.APPROVE)["may_act"] is True
    assert _step(as_leader, StepKind.APPROVE)["return_to"] == ["tham-dinh"]
    returned = _post(
        client,
        f"{steps}/{approval['id']}/return/",
        leaders,
        revision=as_leader["revision"],
        to="tham-dinh",
        reason="Ghi lại quê quán theo quê quán của cha.",
    )
    assert returned.status_code == 200, returned.content
    reopened = _step(returned.json(), StepKind.PROCESS)
    # Back to whoever finished it: the ward's system.
    assert reopened["assignee"] == "he-thong.mot-cua-phuong"
    assert returned.json()["status"] == DossierStatus.IN_PROGRESS
    assert DossierStep.objects.get(pk=approval["id"]).status == StepStatus.RETURNED


def test_a_step_held_by_another_officer_cannot_be_taken(client: Client, accepted: dict[str, Any]) -> None:
    dossier, headers, body = accepted["dossier"], accepted["headers"], accepted["body"]
    step = DossierStep.objects.get(pk=_step(body, StepKind.PROCESS)["id"])
    step.assignee = officer("xa.cv", role=Role.SPECIALIST)
    step.save(update_fields=["assignee"])
    url = f"{API}/dossiers/{dossier.pk}/steps/{step.pk}/take/"
    response = _post(client, url, headers, revision=body["revision"])
    assert response.status_code == 400 and response.json()["code"] == "step_taken"
    step.refresh_from_db()
    assert step.assignee.username == "xa.cv"
