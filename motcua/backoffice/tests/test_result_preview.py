"""The leader reads the result before signing it: the approval step links to, and embeds, the
result rendered by the signing path itself, unsigned and marked as a draft; only officers who
may read the dossier see it, and only while an approval step is open."""

import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.documents.results import result_templates_load
from motcua.documents.tests.test_results import (
    ISSUE_DAY,
    TEMPLATES,
    birth_dossier,
    pdf_text,
    real_catalog,
    sign,
    stored_bytes,
)
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"  # a development CA of this test's own
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture
def birth() -> dict[str, Agency]:
    agencies = real_catalog("1.001193")
    result_templates_load(document=json.loads(TEMPLATES.read_text()), actor="test")
    return agencies


def _at_approval(birth: dict[str, Agency]) -> tuple[Dossier, DossierStep, Any]:
    """A birth registration in progress whose ward leader holds the open approval step."""
    leader = officer("xa.ld", role=Role.LEADER)
    leader.first_name, leader.last_name = "Hương", "Nguyễn Thị"
    leader.save(update_fields=["first_name", "last_name"])
    dossier = birth_dossier()
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.IN_PROGRESS, submitted_at=timezone.now())
    step = DossierStep.objects.create(
        dossier=dossier,
        kind=StepKind.APPROVE,
        name="Phê duyệt",
        agency=birth["UBND-24121"],
        role=Role.LEADER,
        assignee=leader,
        started_at=timezone.now(),
        due_at=timezone.now(),
    )
    return Dossier.objects.get(pk=dossier.pk), step, leader


@time_machine.travel(ISSUE_DAY, tick=False)
def test_leader_reads_the_result_as_it_will_be_signed(client, birth) -> None:  # type: ignore[no-untyped-def]
    """The preview is the signing path's PDF, unsigned and marked as a draft: the same title,
    heading (number and date blank), body and signature block as the PDF the leader then
    signs, and the dossier page links to it and embeds it beside "Phê duyệt và ký số"."""
    dossier, step, leader = _at_approval(birth)
    client.force_login(leader)
    url = f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/du-thao-ket-qua/"

    page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert page.count(url) == 2  # the link and the embedded view
    assert page.index(url) < page.index("Phê duyệt và ký số")

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    # The dossier page may frame it; no other site may.
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    preview = pdf_text(response.content)
    assert preview.startswith("DỰ THẢO – BẢN XEM TRƯỚC KHI KÝ SỐ")
    assert b"/ByteRange" not in response.content  # not signed

    signed = pdf_text(stored_bytes(sign(dossier, birth["UBND-24121"], leader)))
    draft_mark = "DỰ THẢO – BẢN XEM TRƯỚC KHI KÝ SỐ, CHƯA CÓ GIÁ TRỊ PHÁP LÝ "
    body, signed_body = preview.removeprefix(draft_mark), signed.split("Quét mã")[0]
    assert body.split("Quét mã")[0] == signed_body
    for shown in (
        "Số: /GKS",
        "Tân Lập, ngày … tháng … năm …",
        "GIẤY KHAI SINH",
        "Nguyễn Minh Khôi",
        "Nguyễn Thị Hương",
    ):
        assert shown in body, shown


def test_only_readers_of_the_dossier_and_only_an_open_approval(client, birth) -> None:  # type: ignore[no-untyped-def]
    """An officer of an agency with no part in the dossier gets 404, and so does a step that is
    not an approval or an approval already done."""
    dossier, step, leader = _at_approval(birth)
    url = f"/can-bo/ho-so/{dossier.pk}/buoc/{step.pk}/du-thao-ket-qua/"
    client.force_login(officer("tt.ld", agency="TTPVHCC", role=Role.LEADER))
    assert client.get(url).status_code == 404

    client.force_login(leader)
    DossierStep.objects.filter(pk=step.pk).update(status=StepStatus.DONE)
    assert client.get(url).status_code == 404
    DossierStep.objects.filter(pk=step.pk).update(status=StepStatus.ACTIVE, kind=StepKind.PROCESS)
    assert client.get(url).status_code == 404
