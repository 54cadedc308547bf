"""A ward dossier waiting for its leader's approval, with the leader and the clerk, named as
the test hierarchy's certificates are: the leader "Trần Văn Lãnh", the agency "Sở Tư pháp tỉnh
(thử nghiệm)"."""

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.constants import StepKind
from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure
from motcua.documents.services import verification_path
from motcua.dossiers.constants import DossierStatus, Outcome, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_approve, step_forward
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.signatures.pki_simulator import PkiSimulator
from motcua.signatures.signing import SigningFailed, validate_signed_pdf
from motcua.signatures.tests.pdfsig import nss_database, pdfsig
from motcua.signatures.validation import Verdict

LEADER_NAME = "Trần Văn Lãnh"
AGENCY_NAME = "Sở Tư pháp tỉnh (thử nghiệm)"
TSA_NAME = "motcua Test Time-Stamping Authority"


@dataclass
class Ward:
    dossier: Dossier
    leader: Any
    clerk: Any

    def step(self, kind: str) -> DossierStep:
        return DossierStep.objects.get(dossier=self.dossier, kind=kind, status=StepStatus.ACTIVE)

    def snapshot(self) -> tuple[Any, ...]:
        """What a failed signing must leave as it was."""
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        steps = tuple(DossierStep.objects.filter(dossier=dossier).order_by("pk").values_list("kind", "status"))
        document = dossier.result_document
        return (
            dossier.status,
            dossier.revision,
            dossier.result_document_id,
            document.sha256 if document else "",
            document.number if document else "",
            steps,
        )

    def failures(self) -> list[dict[str, Any]]:
        return [
            {key: event.summary[key] for key in ("step", "attempted", "code")}
            for event in AuditEvent.objects.filter(action="signatures.signing_refused", object_id=str(self.dossier.pk))
        ]

    def approve(self, confirmation: str) -> None:
        """The leader grants the dossier, signing with `confirmation` (a PIN, a code)."""
        step_approve(
            step=self.step(StepKind.APPROVE),
            leader=self.leader,
            decision=Outcome.GRANTED,
            note="",
            revision=None,
            confirmation=confirmation,
        )

    def approval_refused(self, confirmation: str) -> SigningFailed:
        """The leader's approval with `confirmation` refused: the dossier is left as it was and
        the refusal alone is recorded. Returns the refusal, for its code and message."""
        before = self.snapshot()
        with pytest.raises(SigningFailed) as refused:
            self.approve(confirmation)
        assert self.snapshot() == before
        step = self.step(StepKind.APPROVE).pk
        assert self.failures() == [{"step": step, "attempted": "approve", "code": refused.value.code}]
        return refused.value


@pytest.fixture
def ward(hung: Any, birth_version: Any) -> Ward:
    Agency.objects.filter(code="UBND-24121").update(name=AGENCY_NAME)
    leader = staff_ensure(
        actor="test",
        username="xa.lanh",
        full_name=LEADER_NAME,
        password="x",
        roles=[(Role.LEADER, "UBND-24121", None)],
    )
    clerk = officer("xa.vt", role=Role.CLERK)
    dossier = submitted_dossier(hung, birth_version)
    dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=dossier.revision)
    process = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS, status=StepStatus.ACTIVE)
    step_forward(step=process, officer=officer("xa.cv", role=Role.SPECIALIST), note="", draft="", revision=None)
    return Ward(dossier=Dossier.objects.get(pk=dossier.pk), leader=leader, clerk=clerk)


@pytest.fixture(scope="session")
def nss(tmp_path_factory: pytest.TempPathFactory, pki_simulator: PkiSimulator) -> Path:
    """pdfsig's NSS database trusting the test hierarchy."""
    return nss_database(tmp_path_factory.mktemp("nss"), pki_simulator)


@pytest.fixture
def time_stamped(settings: Any, pki_simulator: PkiSimulator) -> PkiSimulator:
    settings.MOTCUA_SIGNING_TSA_URL = pki_simulator.tsa_url
    settings.MOTCUA_SIGNING_TIMESTAMP_REQUIRED = True
    return pki_simulator


def ward_result_verifies(ward: Ward, pki: PkiSimulator, nss: Path, tmp_path: Path, client: Client) -> None:
    """The ward's result is issued, signed with the hierarchy's leader and agency keys, and
    verifies (issued_result_verifies, against MOTCUA_SIGNING_TRUST_ROOTS: the test root)."""
    ward.dossier.refresh_from_db()
    assert ward.dossier.status in (DossierStatus.PROCESSED, DossierStatus.RETURNED)
    document = ward.dossier.result_document
    assert document is not None
    with document.file.open("rb") as handle:
        content = handle.read()
    issued_result_verifies(content, document.verification_code, nss, tmp_path, client)
    from pyhanko.pdf_utils.reader import PdfFileReader

    embedded = PdfFileReader(io.BytesIO(content)).embedded_signatures
    assert [sig.signer_cert.dump() for sig in embedded[:2]] == [
        pki.arch.get_cert("leader").dump(),
        pki.arch.get_cert("agency").dump(),
    ]


def issued_result_verifies(content: bytes, verification_code: str, nss: Path, tmp_path: Path, client: Client) -> None:
    """An issued result signed by the leader and the agency, each time-stamped, then sealed with
    a document time stamp (B-LTA): our verification, its page and API, and poppler's pdfsig
    agree that every signature is valid and trusted."""
    report = validate_signed_pdf(content)
    assert report.valid, report.problem
    assert report.signers == (LEADER_NAME, AGENCY_NAME)
    leader, seal, archive = report.checks
    assert (leader.signer_name, leader.organisation) == (LEADER_NAME, "Sở Tư pháp, motcua (thử nghiệm)")
    assert all(check.timestamped and check.tsa_name == TSA_NAME for check in report.checks)
    assert all(check.verdict == Verdict.TRUSTED and not check.changed_after for check in report.checks)
    assert archive.document_timestamp and archive.covers_whole_file
    assert leader.signed_at is not None and leader.signed_at <= seal.signed_at <= archive.signed_at  # type: ignore[operator]

    path = tmp_path / "result.pdf"
    path.write_bytes(content)
    blocks = pdfsig(path, nss)
    assert len(blocks) == 3
    for block in blocks[:2]:
        assert "Signature Validation: Signature is Valid." in block, block
    # Poppler 22's pdfsig reads NSS's last error even after a successful verification: in one run
    # only the first certificate verdict is reliable when it is good, any later one says "Unknown
    # issue" whatever the certificate (the agency's alone or first is trusted; the leader's twice
    # fails the same way). Revision prefixes do not help: pdfsig checks every signature in them.
    # Refusals (a revoked signer) are reported for every signature.
    assert "Certificate Validation: Certificate is Trusted." in blocks[0], blocks[0]
    assert not any(word in blocks[1] for word in ("Revoked", "isn't Trusted", "Expired")), blocks[1]
    assert f"Common Name: {LEADER_NAME}" in blocks[0] and f"Common Name: {AGENCY_NAME}" in blocks[1]
    # The archive time stamp is last and covers every byte (poppler 22 cannot check its token).
    assert f"Common Name: {TSA_NAME}" in blocks[2] and "Total document signed" in blocks[2]

    html = client.get(verification_path(verification_code)).content.decode()
    assert "Chữ ký số hợp lệ" in html and "không hợp lệ" not in html
    for text in (
        LEADER_NAME,
        AGENCY_NAME,
        "Sở Tư pháp, motcua (thử nghiệm)",
        f"theo dấu thời gian của {TSA_NAME}",
        "không bị thay đổi",
    ):
        assert text in html, text
    assert html.count("Hợp lệ: chứng thư số do tổ chức được tin cậy cấp") == 3
    api = client.get(reverse("api:verification", args=[verification_code])).json()
    assert api["valid"] and api["problem"] == ""
    assert [(s["signer_name"], s["verdict"], s["tsa_name"], s["changed"]) for s in api["signatures"]] == [
        (LEADER_NAME, "trusted", TSA_NAME, False),
        (AGENCY_NAME, "trusted", TSA_NAME, False),
        (TSA_NAME, "trusted", TSA_NAME, False),
    ]
    assert api["signatures"][0]["organisation"] == "Sở Tư pháp, motcua (thử nghiệm)"
