"""Administrators register a system in the admin, in Vietnamese, in one step: its OAuth2
application is made with it (confidential, client credentials) and the secret is shown once,
then kept only as a hash. The binding is refused when the service account could reach beyond
the one agency (a role elsewhere, a password, admin rights)."""

import re
from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import Application

from motcua.accounts.models import User
from motcua.api.models import ApiClient
from motcua.api.testing import token_response
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


def _add(client: Client, account: Any) -> Any:
    data = {
        "name": "Phần mềm một cửa phường",
        "agency": Agency.objects.get(code="UBND-24121").pk,
        "service_account": account.pk,
        "scopes": ["dossiers:read", "dossiers:write"],
        "is_active": "on",
    }
    return client.post(ADD, data)


def test_a_system_is_registered_in_one_step_and_its_secret_shown_once(client: Client, birth_version: Any) -> None:
    client.force_login(User.objects.create_superuser(username="qt", password="x", email="qt@example.vn"))
    form = client.get(ADD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "tên hệ thống" in form.lower() and "Client type" not in form

    two_agencies = _account("he-thong.hai-noi", "UBND-24121", "STP")
    refused = _add(client, two_agencies)
    assert refused.status_code == 200 and "chỉ được có vai trò tại" in refused.content.decode()
    with_password = _account("he-thong.mat-khau", "UBND-24121")
    with_password.set_password("mat-khau-123")
    with_password.save()
    assert "không có mật khẩu" in _add(client, with_password).content.decode()
    assert not ApiClient.objects.exists() and not Application.objects.exists()  # nothing half-made

    page = _add(client, _account("he-thong.mot-cua", "UBND-24121")).content.decode()
    registered = ApiClient.objects.get()
    assert registered.scopes == "dossiers:read dossiers:write"
    application = registered.application
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
    assert application.client_id in page and "chỉ hiển thị một lần" in page
    secret = re.search(r"client_secret\)</dt>\s*<dd><code>([^<]+)</code>", page).group(1)  # type: ignore[union-attr]
    assert secret not in application.client_secret  # only a hash is kept
    assert token_response(Client(), registered, secret=secret).status_code == 200
    assert token_response(Client(), registered, secret=secret + "x").status_code == 401
    # The page is shown once: the system's own page never shows the secret again.
    change = client.get(f"/quan-tri/api/apiclient/{registered.pk}/change/").content.decode()
    assert application.client_id in change and secret not in change
