"""Remote signing through the CSC API v2 (the simulator over the test hierarchy): the leader
asks for a code, the service sends it, the leader types it, and the result is signed by the
service with the leader's key; the clerk does the same for the agency's. A wrong or expired
code, a refusal, an expired authorisation and a service that is down each refuse with their
message, leave the dossier as it was and are recorded."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.constants import StepKind
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent
from motcua.dossiers.processing import step_issue, step_signing_code_send
from motcua.notifications.simulator import SmsSimulator
from motcua.signatures.csc_simulator import CscSimulator
from motcua.signatures.pki_simulator import PkiSimulator
from motcua.signatures.signing import SigningFailed
from motcua.signatures.tests.conftest import LEADER_NAME, Ward, ward_result_verifies

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote(settings: Any, csc_simulator: CscSimulator, test_trust_roots: Path) -> Iterator[CscSimulator]:
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "signing": "csc"}
    settings.MOTCUA_CSC = {"url": csc_simulator.url, "token": "test-token"}
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(test_trust_roots)]
    yield csc_simulator
    csc_simulator.down = csc_simulator.refusing = False
    csc_simulator.sms_url, csc_simulator.phones = "", {}
    csc_simulator.code_seconds = csc_simulator.sad_seconds = 300.0


def test_a_result_approved_and_issued_with_codes_is_signed_by_the_service(
    ward: Ward, remote: CscSimulator, time_stamped: PkiSimulator, nss: Path, tmp_path: Path, client: Client
) -> None:
    step_signing_code_send(step=ward.step(StepKind.APPROVE), officer=ward.leader)
    ward.approve(remote.last_code("/leader"))
    step_signing_code_send(step=ward.step(StepKind.ISSUE), officer=ward.clerk)
    step_issue(
        step=ward.step(StepKind.ISSUE), clerk=ward.clerk, revision=None, confirmation=remote.last_code("/agency")
    )

    ward_result_verifies(ward, time_stamped, nss, tmp_path, client)
    # The CSC v2 calls, the confirmation between the credential lookup and the signature.
    calls = [
        call
        for call in remote.requests
        if call in {"credentials/sendOTP", "credentials/authorize", "signatures/signHash"}
    ]
    assert calls[-3:] == ["credentials/sendOTP", "credentials/authorize", "signatures/signHash"]
    assert AuditEvent.objects.filter(action="dossier.signing_code_sent", object_id=str(ward.dossier.pk)).count() == 2


def _wrong_code(simulator: CscSimulator) -> str:
    return "000000" if simulator.last_code("/leader") != "000000" else "111111"


def _refused(simulator: CscSimulator) -> str:
    simulator.refusing = True
    return simulator.last_code("/leader")


def _expired_authorisation(simulator: CscSimulator) -> str:
    simulator.sad_seconds = -1
    return simulator.last_code("/leader")


def _down(simulator: CscSimulator) -> str:
    simulator.down = True
    return simulator.last_code("/leader")


@pytest.mark.parametrize(
    ("situation", "code", "message"),
    [
        (_wrong_code, "signing_code_incorrect", "Mã xác nhận không đúng hoặc đã hết hạn"),
        (_refused, "signing_refused", "đã từ chối cho phép ký"),
        (_expired_authorisation, "signing_authorisation_expired", "Phiên cho phép ký đã hết hạn"),
        (_down, "signing_service_down", "không liên lạc được"),
    ],
)
def test_a_failed_remote_signing_explains_itself_and_changes_nothing(
    ward: Ward, remote: CscSimulator, situation: Any, code: str, message: str
) -> None:
    step_signing_code_send(step=ward.step(StepKind.APPROVE), officer=ward.leader)
    refused = ward.approval_refused(situation(remote))
    assert (refused.code, message in refused.message) == (code, True), refused.message


def test_an_expired_code_is_refused(ward: Ward, remote: CscSimulator) -> None:
    remote.code_seconds = -1  # the code sent expires at once
    step_signing_code_send(step=ward.step(StepKind.APPROVE), officer=ward.leader)
    with pytest.raises(SigningFailed) as refused:
        ward.approve(remote.last_code("/leader"))
    assert refused.value.code == "signing_code_incorrect"
    assert ward.dossier.result_document is None
    assert ward.failures()[-1]["code"] == "signing_code_incorrect"


def test_asking_for_a_code_while_the_service_is_down_is_refused_and_recorded(ward: Ward, remote: CscSimulator) -> None:
    remote.down = True
    with pytest.raises(SigningFailed) as refused:
        step_signing_code_send(step=ward.step(StepKind.APPROVE), officer=ward.leader)
    assert refused.value.code == "signing_service_down"
    assert ward.failures()[-1]["attempted"] == "signing_code"


def test_only_the_step_officer_may_ask_for_a_code(ward: Ward, remote: CscSimulator) -> None:
    sent = len(remote.sent)
    with pytest.raises(ApplicationError):
        step_signing_code_send(step=ward.step(StepKind.APPROVE), officer=ward.clerk)
    assert len(remote.sent) == sent


def test_the_approval_screen_asks_for_the_code_and_signs_with_it(
    ward: Ward, remote: CscSimulator, client: Client
) -> None:
    client.force_login(ward.leader)
    page = reverse("backoffice:dossier_detail", args=[ward.dossier.pk])
    step = ward.step(StepKind.APPROVE)
    action = reverse("backoffice:step_action", args=[ward.dossier.pk, step.pk])
    html = client.get(page).content.decode()
    assert 'value="signing_code"' in html and 'name="signing_confirmation"' in html
    assert 'autocomplete="one-time-code"' in html

    client.post(action, {"action": "signing_code"})
    html = client.get(page).content.decode()
    assert "Đã gửi mã xác nhận ký số đến điện thoại của bạn" in html

    client.post(
        action,
        {"action": "approve", "signing_confirmation": "000000" if remote.last_code("/leader") != "000000" else "1"},
    )
    html = client.get(page).content.decode()
    assert "Mã xác nhận không đúng hoặc đã hết hạn" in html
    ward.dossier.refresh_from_db()
    assert ward.dossier.result_document is None

    client.post(action, {"action": "approve", "signing_confirmation": remote.last_code("/leader")})
    ward.dossier.refresh_from_db()
    assert ward.dossier.result_document is not None
    assert ward.dossier.result_document.signed_by_name == LEADER_NAME


def test_the_service_texts_the_code_to_the_officers_phone(
    ward: Ward, remote: CscSimulator, sms_simulator: SmsSimulator
) -> None:
    # The signing service texts the code to the phone the officer enrolled with it (the platform
    # keeps no officer's phone), through its SMS provider: here the SMS simulator our "http" SMS
    # plugin talks to.
    phone = "0912345678"
    remote.sms_url, remote.sms_token = sms_simulator.url, sms_simulator.token
    remote.phones = {"leader": phone}
    step_signing_code_send(step=ward.step(StepKind.APPROVE), officer=ward.leader)
    code = sms_simulator.last_code_for(phone)
    assert code is not None and code == remote.last_code("/leader")
    ward.approve(code)
    ward.dossier.refresh_from_db()
    assert ward.dossier.result_document is not None

    # The SMS provider refusing: no code reaches the officer, who is told the service failed.
    sms_simulator.token = "rotated"
    before = len(sms_simulator.messages)
    remote.phones["agency"] = "0987654321"
    with pytest.raises(SigningFailed) as refused:
        step_signing_code_send(step=ward.step(StepKind.ISSUE), officer=ward.clerk)
    assert refused.value.code == "signing_service_down"
    assert len(sms_simulator.messages) == before
