"""Decree 30/2020/NĐ-CP in the workflow: the leader's approval signs the result without a
number; the clerk's issue step numbers and dates it from the agency's register and adds the
agency's signature, and only then does the result reach the citizen's store and become
verifiable. A refused issue (fees unpaid) draws no number."""

import pytest
from django.test import Client

from motcua.catalog.constants import StepKind
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.documents.models import DocumentNumberSequence, StoredDocument
from motcua.documents.services import verification_path
from motcua.dossiers.constants import DossierStatus, Outcome, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_approve, step_forward, step_issue
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.signatures.signing import validate_signed_pdf

pytestmark = pytest.mark.django_db


def _active(dossier: Dossier, kind: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, kind=kind, status=StepStatus.ACTIVE)


@pytest.fixture
def approved(hung, birth_version):  # type: ignore[no-untyped-def]
    """A dossier the ward's leader has approved, waiting for the clerk, and the clerk."""
    reception, specialist = officer("xa.tn"), officer("xa.cv", role=Role.SPECIALIST)
    leader, clerk = officer("xa.ld", role=Role.LEADER), officer("xa.vt", role=Role.CLERK)
    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
    step_forward(step=_active(dossier, StepKind.PROCESS), officer=specialist, note="", draft="", revision=None)
    step_approve(
        step=_active(dossier, StepKind.APPROVE), leader=leader, decision=Outcome.GRANTED, note="", revision=None
    )
    return Dossier.objects.get(pk=dossier.pk), leader, clerk


def test_approval_signs_without_a_number_and_issue_numbers_and_seals(approved, client: Client) -> None:  # type: ignore[no-untyped-def]
    dossier, leader, clerk = approved
    document = dossier.result_document
    assert document is not None
    assert (document.number, document.issued_at) == ("", None)
    assert not DocumentNumberSequence.objects.exists()
    assert client.get(verification_path(document.verification_code)).status_code == 404

    step_issue(step=_active(dossier, StepKind.ISSUE), clerk=clerk, revision=None)
    dossier.refresh_from_db()
    document = dossier.result_document
    assert dossier.status in (DossierStatus.PROCESSED, DossierStatus.RETURNED)
    assert document.number.startswith("01/") and document.issued_at is not None
    with document.file.open("rb") as handle:
        report = validate_signed_pdf(handle.read())
    assert report.valid, report.problem
    assert report.signers == (leader.get_full_name(), "Ủy ban nhân dân phường Tân Lập")
    # The citizen gets the sealed file, not the leader-only one.
    stored = StoredDocument.objects.get(owner=dossier.applicant, source_dossier=dossier)
    assert stored.sha256 == document.sha256
    assert client.get(verification_path(document.verification_code)).status_code == 200


def test_a_refused_issue_draws_no_number(approved, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier, _leader, clerk = approved
    Dossier.objects.filter(pk=dossier.pk).update(fees_due=8000)  # what was frozen at submission
    with pytest.raises(ApplicationError) as unpaid:
        step_issue(step=_active(dossier, StepKind.ISSUE), clerk=clerk, revision=None)
    assert unpaid.value.code == "fees_unpaid"
    assert not DocumentNumberSequence.objects.exists()
    dossier.refresh_from_db()
    assert dossier.result_document is not None and dossier.result_document.number == ""


def test_issue_without_a_time_stamp_is_refused_recorded_and_issues_nothing(approved, settings, pki_simulator) -> None:  # type: ignore[no-untyped-def]
    """The TSA is down: the clerk is told so, nothing is numbered, sealed or released, and
    the attempt is in the audit trail."""
    from motcua.core.models import AuditEvent

    dossier, _leader, clerk = approved
    status, leader_file = dossier.status, dossier.result_document.sha256
    settings.MOTCUA_SIGNING_TSA_URL = pki_simulator.tsa_url
    settings.MOTCUA_SIGNING_TIMESTAMP_REQUIRED = True
    pki_simulator.down = True
    try:
        with pytest.raises(ApplicationError) as refused:
            step_issue(step=_active(dossier, StepKind.ISSUE), clerk=clerk, revision=None)
    finally:
        pki_simulator.down = False
    assert refused.value.code == "signing_tsa_unavailable"
    assert "dấu thời gian" in refused.value.message
    dossier.refresh_from_db()
    document = dossier.result_document
    assert dossier.status == status and _active(dossier, StepKind.ISSUE)
    assert (document.number, document.issued_at, document.sha256) == ("", None, leader_file)
    assert not DocumentNumberSequence.objects.exists()
    assert not StoredDocument.objects.filter(source_dossier=dossier).exists()
    event = AuditEvent.objects.get(action="signatures.signing_refused")
    assert event.object_id == str(dossier.pk) and event.summary["code"] == "signing_tsa_unavailable"
