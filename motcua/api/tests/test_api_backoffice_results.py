"""Results and search over the API: once the leader has signed and the clerk issued the result,
the system reads its details and downloads the signed PDF; the search finds the agency's
dossiers by code, name and filters."""

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.api.models import ApiClient
from motcua.api.testing import bearer
from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.dossiers.constants import DossierStatus, Outcome, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_approve, step_forward, step_issue
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db
API = "/api/v1/backoffice"


def _active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


def _rev(dossier: Dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).revision


def test_the_signed_result_is_described_and_downloaded(
    client: Client, hung: Any, birth_version: Any, ward_system: ApiClient
) -> None:
    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=dossier.revision)
    headers = bearer(client, ward_system)
    assert client.get(f"{API}/dossiers/{dossier.pk}/", **headers).json()["result"] is None
    missing = client.get(f"{API}/dossiers/{dossier.pk}/result/", **headers)
    assert missing.status_code == 404 and missing.json()["message"] == "Hồ sơ chưa có kết quả."
    # The ward's system is its only specialist: the step went to it on acceptance.
    step_forward(
        step=_active(dossier, StepKind.PROCESS),
        officer=ward_system.service_account,
        note="",
        draft="Đăng ký khai sinh cho cháu Nguyễn Văn An.",
        revision=_rev(dossier),
    )
    leader = officer("xa.ld", role=Role.LEADER)
    step_approve(
        step=_active(dossier, StepKind.APPROVE),
        leader=leader,
        decision=Outcome.GRANTED,
        note="",
        revision=_rev(dossier),
    )
    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=officer("xa.vt", role=Role.CLERK), revision=_rev(dossier))
    body = client.get(f"{API}/dossiers/{dossier.pk}/", **headers).json()
    assert body["status"] == DossierStatus.PROCESSED and body["outcome"] == Outcome.GRANTED
    assert body["result"]["signed_by_name"] == leader.get_full_name() and body["result"]["verification_code"]
    download = client.get(f"{API}/dossiers/{dossier.pk}/result/", **headers)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert "Nguyễn Văn An" in "".join(page.extract_text() for page in pdf.pages)


def test_search_by_code_name_and_filters(client: Client, hung: Any, birth_version: Any, ward_system: ApiClient) -> None:
    waiting = submitted_dossier(hung, birth_version)
    accepted = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=accepted, officer=officer("xa.tn"), revision=accepted.revision)
    headers = bearer(client, ward_system)

    def codes(**query: Any) -> list[str]:
        response = client.get(f"{API}/dossiers/", query, **headers)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes(q=waiting.code) == [waiting.code]
    assert sorted(codes(q="nguyen van hung")) == sorted([waiting.code, accepted.code])
    assert codes(status=DossierStatus.IN_PROGRESS) == [accepted.code]
    assert sorted(codes(procedure="1.001193", agency="UBND-24121")) == sorted([waiting.code, accepted.code])
    page = client.get(f"{API}/dossiers/", {"q": "hung"}, **headers).json()
    assert page["page"] == 1 and page["has_next"] is False
    unknown = client.get(f"{API}/dossiers/", {"procedure": "9.999999"}, **headers)
    assert unknown.status_code == 400 and "procedure" in unknown.json()["errors"]
    backwards = client.get(
        f"{API}/dossiers/", {"submitted_from": "2026-03-02", "submitted_to": "2026-03-01"}, **headers
    )
    assert backwards.status_code == 400 and "submitted_to" in backwards.json()["errors"]
