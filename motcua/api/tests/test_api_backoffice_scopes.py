"""Scopes: a read-only client reads but every write is refused (403) and changes nothing; a
client with both scopes that asked for reading only holds a read-only token."""

from typing import Any

import pytest
from django.test import Client

from motcua.api.testing import bearer, registered_client
from motcua.directory.constants import Role
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db
API = "/api/v1/backoffice"


def test_a_read_only_token_cannot_write(client: Client, hung: Any, birth_version: Any) -> None:
    waiting = submitted_dossier(hung, birth_version)
    accepted = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=accepted, officer=officer("xa.tn"), revision=accepted.revision)
    accepted.refresh_from_db()
    step = DossierStep.objects.get(dossier=accepted, status="active")
    reader = registered_client("bao-cao", roles=(Role.RECEPTION, Role.SPECIALIST), scopes="dossiers:read")
    both = registered_client("mot-cua", roles=(Role.RECEPTION, Role.SPECIALIST))
    for headers in (bearer(client, reader), bearer(client, both, scope="dossiers:read")):
        assert client.get(f"{API}/dossiers/{waiting.pk}/", **headers).status_code == 200
        writes = [
            (f"{API}/dossiers/{waiting.pk}/accept/", waiting, {}),
            (f"{API}/dossiers/{waiting.pk}/request-supplement/", waiting, {"reasons": "Thiếu giấy chứng sinh."}),
            (f"{API}/dossiers/{waiting.pk}/refuse/", waiting, {"reasons": "Không thuộc thẩm quyền."}),
            (f"{API}/dossiers/{accepted.pk}/steps/{step.pk}/take/", accepted, {}),
            (f"{API}/dossiers/{accepted.pk}/steps/{step.pk}/forward/", accepted, {}),
        ]
        for url, dossier, body in writes:
            response = client.post(
                url, {"revision": dossier.revision, **body}, content_type="application/json", **headers
            )
            assert response.status_code == 403, url
            assert response.json()["code"] == "permission_denied" and "phạm vi" in response.json()["message"]
    assert Dossier.objects.get(pk=waiting.pk).status == DossierStatus.SUBMITTED
    assert Dossier.objects.get(pk=accepted.pk).revision == accepted.revision
