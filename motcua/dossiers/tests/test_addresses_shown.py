"""Every address the product shows names its ward and province, in the order Vietnamese
addresses are written, and never the unit codes the e-form stores: the check-your-answers
page, the officer's dossier page, every PDF the product issues (receipt, acknowledgement,
supplement request, refusal, apology, control sheet, stop notice, the hand-over note, the
results of the demo procedures, granted or refused, and the leader's preview of a result) and
the register."""

import datetime
import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from motcua.catalog.models import Procedure
from motcua.core.testing import citizen
from motcua.delivery.constants import IdPaperKind, RecipientKind
from motcua.delivery.models import HandOver
from motcua.delivery.notes import handover_note_pdf
from motcua.directory.constants import Role, UnitKind
from motcua.directory.models import AdministrativeUnit
from motcua.documents.results import (
    result_number_and_seal,
    result_preview_pdf,
    result_sign,
    result_templates_load,
)
from motcua.documents.tests.test_results import real_catalog
from motcua.dossiers import services
from motcua.dossiers.acknowledgement import acknowledgement_pdf
from motcua.dossiers.closing import dossier_stop
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, Outcome, SlipKind
from motcua.dossiers.demo_answers import birth_registration_answers
from motcua.dossiers.models import Dossier
from motcua.dossiers.reception import dossier_accept, dossier_refuse, dossier_request_supplement
from motcua.dossiers.records import control_sheet_pdf, register_xlsx
from motcua.dossiers.slips import slip_issue
from motcua.dossiers.testing import officer, submitted_dossier

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.PACKAGE_DIR) / "documents" / "demo_data" / "result_templates.json"
BIRTH, DEATH, MARRIAGE = "1.001193", "1.000656", "1.000894"
HOME, BIRTH_PLACE, PROVINCE = "24121", "24133", "66"
# The codes of the units in the dossiers' addresses: none may be shown.
CODES = re.compile(rf"\b({HOME}|{BIRTH_PLACE}|{PROVINCE})\b")
# The population registry's one-line address, as the pre-fill puts it in the detail line.
REGISTRY_DETAIL = "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk"
HOME_TEXT = "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk"
OTHER_PARENT_TEXT = "Số 12 Y Ngông, phường Tân Lập, tỉnh Đắk Lắk"
BIRTH_PLACE_TEXT = "184 Trần Quý Cáp, phường Buôn Ma Thuột, tỉnh Đắk Lắk"


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"  # a development CA of this test's own
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture
def place() -> dict[str, Any]:
    """The ward and the demo procedures with results (birth, death, marriage registration), their
    e-forms and result templates, a second ward where the child was born, the applicant and staff."""
    agencies = real_catalog(BIRTH, DEATH, MARRIAGE)
    AdministrativeUnit.objects.create(
        code=BIRTH_PLACE,
        name="Phường Buôn Ma Thuột",
        kind=UnitKind.WARD,
        parent=AdministrativeUnit.objects.get(code=PROVINCE),
        valid_from=datetime.date(2025, 7, 1),
    )
    result_templates_load(document=json.loads(TEMPLATES.read_text()), actor="test")
    applicant = citizen()
    applicant.citizen.address_detail = "Số 12 Y Ngông"
    applicant.citizen.save(update_fields=["address_detail"])
    return {
        "ward": agencies["UBND-24121"],
        "applicant": applicant,
        "reception": officer("xa.tn"),
        "leader": officer("xa.ld", role=Role.LEADER),
        "clerk": officer("xa.vt", role=Role.CLERK),
    }


def _version(code: str) -> Any:
    return Procedure.objects.get(code=code).current_version


def _birth_answers() -> dict[str, Any]:
    answers = birth_registration_answers("Nguyễn Minh An", birth_unit=BIRTH_PLACE, home_unit=HOME)
    answers["applicant_residence"] = {"unit": HOME, "detail": REGISTRY_DETAIL}
    return answers


def _address_answers(code: str) -> dict[str, Any]:
    """Every address of a procedure's e-form at the applicant's home; nothing else answered."""
    schema = _version(code).form.schema
    return {
        field["name"]: {"unit": HOME, "detail": "Số 12 Y Ngông"}
        for page in schema["pages"]
        for field in page["fields"]
        if field["type"] == "address"
    }


def _submitted(place: dict[str, Any], code: str, answers: dict[str, Any]) -> Dossier:
    dossier = submitted_dossier(place["applicant"], _version(code), delivery=DeliveryMethod.POST)
    Dossier.objects.filter(pk=dossier.pk).update(form_data=answers)
    return Dossier.objects.get(pk=dossier.pk)


def _text(pdf: bytes) -> str:
    """The PDF's text as one line (lines wrap), NFC-normalised, form fields included (a
    result's number and place-and-date lines are fields: poppler draws them, pypdf not)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(unicodedata.normalize("NFC", text).split())


def _file(stored: Any) -> bytes:
    with stored.file.open("rb") as handle:
        return bytes(handle.read())


def test_check_your_answers_page_names_the_places(client, place) -> None:  # type: ignore[no-untyped-def]
    applicant = place["applicant"]
    dossier = services.dossier_start(applicant=applicant, version=_version(BIRTH), unit_code=HOME)
    services.dossier_save_form(dossier=dossier, actor=applicant, data=_birth_answers(), revision=dossier.revision)
    client.force_login(applicant)
    html = client.get(f"/ho-so/{dossier.pk}/kiem-tra/").content.decode()
    for shown in (HOME_TEXT, OTHER_PARENT_TEXT, BIRTH_PLACE_TEXT):
        assert shown in html, shown
    assert not CODES.search(html.split("<main", 1)[-1].split("</main>", 1)[0])


def test_officer_dossier_page_names_the_places(client, place) -> None:  # type: ignore[no-untyped-def]
    dossier = _submitted(place, BIRTH, _birth_answers())
    client.force_login(place["reception"])
    html = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    for shown in (HOME_TEXT, OTHER_PARENT_TEXT, BIRTH_PLACE_TEXT):
        assert shown in html, shown
    assert not CODES.search(html.split("<main", 1)[-1].split("</main>", 1)[0])


def test_every_issued_pdf_and_the_register_name_places_never_codes(place) -> None:  # type: ignore[no-untyped-def]
    ward, reception, leader = place["ward"], place["reception"], place["leader"]
    pdfs: dict[str, bytes] = {}

    birth = _submitted(place, BIRTH, _birth_answers())
    pdfs["acknowledgement"] = acknowledgement_pdf(dossier=birth)
    pdfs["receipt"] = _file(dossier_accept(dossier=birth, officer=reception, revision=None))
    birth.refresh_from_db()
    pdfs["apology"] = _file(
        slip_issue(
            dossier=birth,
            kind=SlipKind.APOLOGY,
            officer=leader,
            content={
                "reason": "Chờ xác minh nơi cư trú",
                "old_due": birth.due_at,
                "new_due": birth.due_at + datetime.timedelta(days=2),
                "agency_name": ward.name,
            },
        )
    )
    pdfs["control sheet"] = control_sheet_pdf(dossier=birth)
    hand_over = HandOver.objects.create(
        dossier=birth,
        recipient_kind=RecipientKind.APPLICANT,
        recipient_name="Nguyễn Văn Hùng",
        id_paper_kind=IdPaperKind.CITIZEN_ID,
        id_paper_number="066094000103",
        officer=reception,
        handed_at=timezone.now(),
    )
    pdfs["hand-over note"] = handover_note_pdf(hand_over=hand_over)
    pdfs["supplement"] = _file(
        dossier_request_supplement(
            dossier=_submitted(place, BIRTH, _birth_answers()),
            officer=reception,
            reasons="Bổ sung giấy chứng sinh.",
            revision=None,
        )
    )
    pdfs["refusal"] = _file(
        dossier_refuse(
            dossier=_submitted(place, BIRTH, _birth_answers()),
            officer=reception,
            reasons="Không thuộc thẩm quyền.",
            revision=None,
        )
    )
    stopped = _submitted(place, BIRTH, _birth_answers())
    dossier_accept(dossier=stopped, officer=reception, revision=None)
    stopped.refresh_from_db()
    pdfs["stop notice"] = _file(
        dossier_stop(
            dossier=stopped,
            officer=leader,
            reason="Trẻ đã được đăng ký khai sinh.",
            legal_ground="Luật Hộ tịch.",
            revision=None,
        )
    )
    granted = {BIRTH: birth}
    for code in (DEATH, MARRIAGE):
        granted[code] = _submitted(place, code, _address_answers(code))
    pdfs["result preview"] = result_preview_pdf(dossier=birth, agency=ward, approver=leader)
    for code, dossier in granted.items():
        document = result_sign(
            dossier=dossier, agency=ward, approver=leader, outcome=Outcome.GRANTED, note="", actor=leader
        )
        issued = result_number_and_seal(document=document, agency=ward, clerk=place["clerk"], actor=place["clerk"])
        pdfs[f"result {code}"] = _file(issued)
    refused = result_sign(
        dossier=granted[DEATH],
        agency=ward,
        approver=leader,
        outcome=Outcome.REFUSED,
        note="Thiếu giấy báo tử.",
        actor=leader,
    )
    pdfs["refusal letter"] = _file(refused)

    texts = {name: _text(pdf) for name, pdf in pdfs.items()}
    for name, text in texts.items():
        assert not CODES.search(text), (name, CODES.search(text), text)
    for shown in (HOME_TEXT, OTHER_PARENT_TEXT, BIRTH_PLACE_TEXT):
        assert shown in texts[f"result {BIRTH}"], shown
    for code in (DEATH, MARRIAGE):
        assert OTHER_PARENT_TEXT in texts[f"result {code}"], code
    assert "Nhận qua bưu chính (Số 1 Lê Duẩn, phường Tân Lập)" in texts["receipt"]
    assert f"địa chỉ: {OTHER_PARENT_TEXT}" in texts["hand-over note"]

    sheet = load_workbook(io.BytesIO(register_xlsx(dossiers=Dossier.objects.all(), title="t"))).active
    contacts = {str(row[5]) for row in sheet.iter_rows(min_row=8, values_only=True) if row[0]}
    assert contacts == {OTHER_PARENT_TEXT + "; ĐT: 0912345678"}
    assert Dossier.objects.filter(status=DossierStatus.REJECTED).exists()
