"""Signing results on a hardware token through PKCS#11 (a SoftHSM2 token holding the test
hierarchy's keys): the leader's approval and the clerk's issue sign with the token's keys
after the PIN; a wrong PIN, an absent token, a missing key or an expired certificate refuse
with their message, leave the dossier as it was and are recorded."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.constants import StepKind
from motcua.core.models import AuditEvent
from motcua.dossiers.processing import step_issue
from motcua.signatures.pkcs11_signer import Pkcs11Signer
from motcua.signatures.pki_simulator import PkiSimulator
from motcua.signatures.signing import SigningFailed, signers
from motcua.signatures.testing import SoftHsmToken
from motcua.signatures.tests.conftest import Ward, ward_result_verifies

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_plugin(settings: Any, softhsm_token: SoftHsmToken, test_trust_roots: Path) -> SoftHsmToken:
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "signing": "pkcs11"}
    settings.MOTCUA_PKCS11 = {
        "library": softhsm_token.library,
        "token": softhsm_token.LABEL,
        "key": "leader",
        "seal_token": "",
        "seal_key": "agency",
    }
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(test_trust_roots)]
    return softhsm_token


def test_a_result_approved_and_issued_with_the_token_verifies(
    ward: Ward,
    token_plugin: SoftHsmToken,
    time_stamped: PkiSimulator,
    nss: Path,
    tmp_path: Path,
    client: Client,
) -> None:
    assert isinstance(signers.get(), Pkcs11Signer)
    ward.approve(token_plugin.PIN)
    step_issue(step=ward.step(StepKind.ISSUE), clerk=ward.clerk, revision=None, confirmation=token_plugin.PIN)

    ward_result_verifies(ward, time_stamped, nss, tmp_path, client)


@pytest.mark.parametrize(
    ("change", "pin", "code", "message"),
    [
        ({}, "000000", "signing_pin_incorrect", "Mã PIN của thiết bị ký số không đúng"),
        ({}, "", "signing_pin_missing", "Hãy nhập mã PIN"),
        ({"token": "token-not-plugged-in"}, SoftHsmToken.PIN, "signing_token_absent", "hãy cắm thiết bị"),
        ({"library": "/nonexistent/libpkcs11.so"}, SoftHsmToken.PIN, "signing_token_absent", "hãy cắm thiết bị"),
        ({"key": "nobody"}, SoftHsmToken.PIN, "signing_key_missing", "không có khóa và chứng thư số"),
        ({"key": "expired"}, SoftHsmToken.PIN, "signing_certificate_expired", "đã hết hạn ngày 01/01/2024"),
    ],
)
def test_a_failed_token_signing_explains_itself_and_changes_nothing(
    ward: Ward, token_plugin: SoftHsmToken, settings: Any, change: dict[str, str], pin: str, code: str, message: str
) -> None:
    settings.MOTCUA_PKCS11 = {**settings.MOTCUA_PKCS11, **change}
    refused = ward.approval_refused(pin)
    assert refused.code == code
    assert message in refused.message


def test_the_agency_seal_needs_the_organisation_token_pin_too(ward: Ward, token_plugin: SoftHsmToken) -> None:
    ward.approve(token_plugin.PIN)
    before = ward.snapshot()
    with pytest.raises(SigningFailed) as refused:
        step_issue(step=ward.step(StepKind.ISSUE), clerk=ward.clerk, revision=None, confirmation="999999")
    assert refused.value.code == "signing_pin_incorrect"
    # No number was drawn from the register, the leader-signed file is untouched.
    assert ward.snapshot() == before
    assert ward.failures()[-1]["attempted"] == "issue"


def test_the_approval_screen_asks_for_the_pin_only_with_a_token(
    ward: Ward, token_plugin: SoftHsmToken, settings: Any, client: Client
) -> None:
    client.force_login(ward.leader)
    page = reverse("backoffice:dossier_detail", args=[ward.dossier.pk])
    action = reverse("backoffice:step_action", args=[ward.dossier.pk, ward.step(StepKind.APPROVE).pk])
    html = client.get(page).content.decode()
    assert 'type="password"' in html and 'name="signing_confirmation"' in html
    assert 'value="signing_code"' not in html  # a token sends no code

    client.post(action, {"action": "approve", "signing_confirmation": token_plugin.PIN})
    ward.dossier.refresh_from_db()
    assert ward.dossier.result_document is not None
    assert token_plugin.PIN not in str(list(AuditEvent.objects.values_list("summary", flat=True)))

    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "signing": "dev-ca"}
    client.force_login(ward.clerk)
    assert 'name="signing_confirmation"' not in client.get(page).content.decode()


class _LockedToken:
    """The SoftHSM2 token found for real, whose login answers CKR_PIN_LOCKED.

    A fake, and the only one here: SoftHSM2 never locks a PIN (no retry counter), so the answer
    a real USB token gives after too many wrong PINs cannot be produced; python-pkcs11 turns
    CKR_PIN_LOCKED into `PinLocked` at `Token.open`, which this reproduces."""

    def __init__(self, token: Any):
        self.token = token

    def open(self, **kwargs: Any) -> Any:
        from pkcs11.exceptions import PinLocked

        raise PinLocked


def test_a_locked_token_says_so_and_changes_nothing(
    ward: Ward, token_plugin: SoftHsmToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyhanko.sign import pkcs11 as pyhanko_pkcs11

    find_token = pyhanko_pkcs11.find_token
    found: list[Any] = []

    def find_locked_token(*args: Any, **kwargs: Any) -> _LockedToken:
        found.append(find_token(*args, **kwargs))
        return _LockedToken(found[-1])

    monkeypatch.setattr(pyhanko_pkcs11, "find_token", find_locked_token)
    refused = ward.approval_refused(token_plugin.PIN)
    assert found and found[0].label == token_plugin.LABEL  # the real token was found
    assert refused.code == "signing_pin_locked"
    assert "đã bị khóa do nhập sai mã PIN" in refused.message
    assert "liên hệ nơi cấp chứng thư số" in refused.message


def test_without_key_labels_the_token_key_is_the_one_named_like_the_signer(
    ward: Ward,
    token_plugin: SoftHsmToken,
    time_stamped: PkiSimulator,
    settings: Any,
    nss: Path,
    tmp_path: Path,
    client: Client,
) -> None:
    """An HSM holding every leader's key: no label configured, the leader's certificate is found
    by its common name (the leader's full name), the seal's by the agency's name."""
    settings.MOTCUA_PKCS11 = {**settings.MOTCUA_PKCS11, "key": "", "seal_key": ""}
    ward.approve(token_plugin.PIN)
    step_issue(step=ward.step(StepKind.ISSUE), clerk=ward.clerk, revision=None, confirmation=token_plugin.PIN)
    ward_result_verifies(ward, time_stamped, nss, tmp_path, client)


def test_a_leader_without_a_certificate_on_the_token_is_refused(
    ward: Ward, token_plugin: SoftHsmToken, settings: Any
) -> None:
    settings.MOTCUA_PKCS11 = {**settings.MOTCUA_PKCS11, "key": ""}
    ward.leader.last_name, ward.leader.first_name = "Nguyễn Văn Không", "Có"
    ward.leader.save(update_fields=["last_name", "first_name"])
    refused = ward.approval_refused(token_plugin.PIN)
    assert refused.code == "signing_key_missing"
    assert "không có chứng thư số mang tên “Nguyễn Văn Không Có”" in refused.message
