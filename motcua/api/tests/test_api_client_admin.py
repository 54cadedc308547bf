"""Administrators register a system in the admin: the binding is refused when the service account
could reach beyond the one agency (a role elsewhere, a password, admin rights) or the OAuth2
application is not a confidential client-credentials one; a sound one is saved with its scopes."""

from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import Application

from motcua.accounts.models import User
from motcua.api.models import ApiClient
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure

pytestmark = pytest.mark.django_db
ADD = "/quan-tri/api/apiclient/add/"


def _account(username: str, *agencies: str) -> Any:
    roles = [(Role.RECEPTION, agency, None) for agency in agencies]
    return staff_ensure(
        actor="test", username=username, full_name="Hệ thống", password=None, roles=roles, is_staff=False
    )


def _application(grant: str = Application.GRANT_CLIENT_CREDENTIALS) -> Application:
    return Application.objects.create(
        name="Phần mềm một cửa",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=grant,
        client_secret="bi-mat-0123456789",
    )


def _add(client: Client, application: Application, account: Any) -> Any:
    data = {
        "application": application.pk,
        "agency": Agency.objects.get(code="UBND-24121").pk,
        "service_account": account.pk,
        "scopes": ["dossiers:read", "dossiers:write"],
        "is_active": "on",
    }
    return client.post(ADD, data)


def test_a_sound_binding_is_saved_and_unsound_ones_are_refused(client: Client, birth_version: Any) -> None:
    client.force_login(User.objects.create_superuser(username="qt", password="x", email="qt@example.vn"))
    two_agencies = _account("he-thong.hai-noi", "UBND-24121", "STP")
    refused = _add(client, _application(), two_agencies)
    assert refused.status_code == 200 and "chỉ được có vai trò tại" in refused.content.decode()
    with_password = _account("he-thong.mat-khau", "UBND-24121")
    with_password.set_password("mat-khau-123")
    with_password.save()
    assert "không có mật khẩu" in _add(client, _application(), with_password).content.decode()
    sound = _account("he-thong.mot-cua", "UBND-24121")
    assert "Client credentials" in _add(client, _application(Application.GRANT_PASSWORD), sound).content.decode()
    assert not ApiClient.objects.exists()
    saved = _add(client, _application(), sound)
    assert saved.status_code == 302, saved.content.decode()
    assert ApiClient.objects.get().scopes == "dossiers:read dossiers:write"
