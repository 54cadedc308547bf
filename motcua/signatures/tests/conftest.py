"""A ward dossier waiting for its leader's approval, with the leader and the clerk, named as
the test hierarchy's certificates are: the leader "Trần Văn Lãnh", the agency "Sở Tư pháp tỉnh
(thử nghiệm)"."""

import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

from motcua.catalog.constants import StepKind
from motcua.core.models import AuditEvent
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure
from motcua.dossiers.constants import StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.processing import step_forward
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier

LEADER_NAME = "Trần Văn Lãnh"
AGENCY_NAME = "Sở Tư pháp tỉnh (thử nghiệm)"


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


def pdfsig(pdf: bytes, tmp_path: Any) -> str:
    """What poppler's independent validator says about `pdf`'s signatures."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
