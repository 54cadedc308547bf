"""The demo province ships real e-forms for its most used procedures, modelled on the
official declaration forms: each one is well formed, its uploads point at the procedure's
own dossier components, it loads onto the current version, renders, and accepts a correctly
filled-in declaration while catching typos."""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template

from motcua.catalog.eforms import (
    PaperNeed,
    form_clean,
    form_initial,
    form_paper_need,
    form_schema_errors,
    iter_fields,
    procedure_forms_load,
)
from motcua.catalog.models import Procedure, ProcedureForm
from motcua.catalog.services import catalog_import
from motcua.directory.services import directory_load

DEMO = Path(settings.PACKAGE_DIR)
FORMS: dict[str, Any] = json.loads((DEMO / "catalog" / "demo_data" / "forms.json").read_text())
PROCEDURES = {
    p["code"]: p for p in json.loads((DEMO / "catalog" / "demo_data" / "procedures.json").read_text())["procedures"]
}

# The prefill sources the demo forms use: what the main developer's prefill callable answers.
PREFILL_SOURCES = {
    "profile.full_name",
    "profile.id_number",
    "profile.phone",
    "profile.email",
    "population.birth_date",
    "population.gender",
    "population.ethnicity",
    "population.nationality",
    "population.permanent_address",
    "population.permanent_unit_code",
    "population.father.full_name",
    "population.father.birth_date",
    "population.mother.full_name",
    "population.mother.birth_date",
    "population.spouse.full_name",
    "population.spouse.id_number",
    "population.spouse.birth_date",
    "population.spouse.ethnicity",
    "population.spouse.nationality",
    "population.spouse.permanent_address",
    "population.spouse.permanent_unit_code",
}


def test_the_most_used_procedures_have_forms() -> None:
    """At least ten demo procedures have a form, including the ones citizens use most."""
    assert len(FORMS) >= 10
    assert set(FORMS) <= set(PROCEDURES)
    assert {"1.001193", "1.000894", "1.000656", "2.000815", "3.000333", "1.001612", "1.013225", "1.004222"} <= set(
        FORMS
    )


@pytest.mark.parametrize("code", sorted(FORMS))
def test_each_demo_form_is_well_formed_and_uses_its_components(code: str) -> None:
    """No structural error, and every file field points at an existing component of that procedure."""
    components = PROCEDURES[code]["components"]
    assert form_schema_errors(FORMS[code], component_count=len(components)) == []
    files = [f for _p, f in iter_fields(FORMS[code]) if f["type"] == "file"]
    assert files, "each form lets the applicant attach at least one paper"
    for field in files:
        assert 0 <= field["component"] < len(components)


@pytest.mark.parametrize("code", sorted(FORMS))
def test_each_demo_form_names_the_official_template_it_follows(code: str) -> None:
    """When the catalogue names a template (a circular), the form says it follows that circular."""
    template = PROCEDURES[code]["components"][0].get("template", "")
    circular = re.search(r"\d+/\d{4}/[A-ZĐ-]+", template)
    if circular:
        assert circular.group(0) in FORMS[code]["source"]


def test_prefill_sources_are_the_documented_ones() -> None:
    """Forms only ask the prefill callable for sources it knows."""
    used = set()
    for schema in FORMS.values():
        for _page, field in iter_fields(schema):
            used.update(field[key] for key in ("prefill", "prefill_unit") if key in field)
    assert used <= PREFILL_SOURCES, used - PREFILL_SOURCES


@pytest.fixture
def demo_catalogue(db: Any) -> None:
    directory_load(actor="test", document=json.loads((DEMO / "directory" / "demo_data" / "dak_lak.json").read_text()))
    catalog_import(actor="test", document=json.loads((DEMO / "catalog" / "demo_data" / "procedures.json").read_text()))


def test_loading_attaches_each_form_to_the_current_version(demo_catalogue: None) -> None:
    """Each schema lands on the current version of its procedure; loading again changes nothing."""
    assert procedure_forms_load(document=FORMS) == len(FORMS)
    for code, schema in FORMS.items():
        version = Procedure.objects.get(code=code).current_version
        assert version is not None and version.form.schema == schema
    stamps = dict(ProcedureForm.objects.values_list("pk", "updated_at"))
    assert procedure_forms_load(document=FORMS) == len(FORMS)
    assert dict(ProcedureForm.objects.values_list("pk", "updated_at")) == stamps


def test_a_changed_form_updates_the_stored_one(demo_catalogue: None) -> None:
    """Loading an edited document replaces the definition of that procedure."""
    procedure_forms_load(document=FORMS)
    edited = copy.deepcopy(FORMS["1.001193"])
    edited["title"] = "Tờ khai đăng ký khai sinh (sửa)"
    procedure_forms_load(document={"1.001193": edited})
    assert ProcedureForm.objects.get(version__procedure__code="1.001193").schema["title"].endswith("(sửa)")


def test_a_broken_form_is_refused_and_nothing_is_written(demo_catalogue: None) -> None:
    """One bad definition stops the whole load with every problem listed."""
    broken = copy.deepcopy(FORMS["1.000656"])
    broken["pages"][0]["fields"][-1]["component"] = 42
    with pytest.raises(ValueError, match=r"1\.000656: .*thành phần hồ sơ số 42 không tồn tại"):
        procedure_forms_load(document={"1.001193": FORMS["1.001193"], "1.000656": broken})
    assert not ProcedureForm.objects.exists()


def test_unknown_procedures_are_skipped(demo_catalogue: None) -> None:
    """A form for a procedure the catalogue does not have is not attached anywhere."""
    assert procedure_forms_load(document={"9.999999": FORMS["1.001193"], "1.001193": FORMS["1.001193"]}) == 1


def test_every_page_renders_with_prefilled_answers(demo_catalogue: None) -> None:
    """Each page of each form renders every unconditional field, with the prefilled values in place."""
    template = Template("{% load eforms %}{% eform_page schema page values %}")
    for code, schema in FORMS.items():
        initial = form_initial(schema, lambda path: {"profile.full_name": "Nguyễn Thị Hoa"}.get(path))
        for page in schema["pages"]:
            html = template.render(Context({"schema": schema, "page": page["id"], "values": initial}))
            for field in page["fields"]:
                if "visible_if" not in field:
                    assert f'name="{field["name"]}' in html, (code, field["name"])
            if any(f.get("prefill") == "profile.full_name" for f in page["fields"]):
                assert 'value="Nguyễn Thị Hoa"' in html, code


def _birth_answers() -> dict[str, Any]:
    return {
        "applicant_full_name": "Nguyễn Thị Hoa",
        "applicant_id_number": "066190123456",
        "applicant_residence": {"unit": "24133", "detail": "Số 12 Lê Duẩn, tổ dân phố 3"},
        "applicant_relationship": "me",
        "child_full_name": "Trần Minh An",
        "child_birth_date": "2025-12-01",
        "child_gender": "nam",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "birth_place_kind": "co_so_y_te",
        "birth_facility": "Bệnh viện Đa khoa vùng Tây Nguyên",
        "birth_place": {"unit": "24133", "detail": "184 Trần Quý Cáp"},
        "birth_proof_kind": "chung_sinh_dien_tu",
        "self_birth_year": "1990",
        "self_ethnicity": "Kinh",
        "self_nationality": "Việt Nam",
        "other_parent_status": "khai",
        "other_parent_full_name": "Trần Văn Bình",
        "other_parent_birth_year": "1988",
        "other_parent_ethnicity": "Kinh",
        "other_parent_nationality": "Việt Nam",
        "other_parent_id_number": "066088000321",
        "other_parent_residence": {"unit": "24133", "detail": "Số 12 Lê Duẩn, tổ dân phố 3"},
    }


def test_a_filled_in_birth_registration_is_accepted(demo_catalogue: None) -> None:
    """A mother registering her child online gets no error, and the answers the grandparent
    path would need are not asked of her."""
    cleaned, errors = form_clean(FORMS["1.001193"], _birth_answers())
    assert errors == {}
    assert cleaned["child_full_name"] == "Trần Minh An"
    assert "mother_full_name" not in cleaned and "father_status" not in cleaned


def test_birth_registration_catches_typos(demo_catalogue: None) -> None:
    """A father's number typed with the wrong year, a birth date in the future and a missing
    hospital name are each reported on their own field."""
    answers = {**_birth_answers(), "other_parent_id_number": "066089000321", "child_birth_date": "2099-01-01"}
    del answers["birth_facility"]
    _cleaned, errors = form_clean(FORMS["1.001193"], answers)
    assert errors["other_parent_id_number"] == "Năm sinh trong số định danh (1989) không khớp với ngày sinh (năm 1988)."
    assert errors["child_birth_date"].startswith("“Ngày, tháng, năm sinh” không được sau ngày hôm nay")
    assert errors["birth_facility"] == "Vui lòng nhập “Tên cơ sở y tế nơi sinh”."


def test_grandparent_must_declare_both_parents(demo_catalogue: None) -> None:
    """When a grandparent registers, the mother's particulars are required and her ID must be a woman's."""
    answers = {**_birth_answers(), "applicant_relationship": "ong_ba", "mother_id_number": "066090123456"}
    _cleaned, errors = form_clean(FORMS["1.001193"], answers)
    assert errors["mother_full_name"] == "Vui lòng nhập “Họ, chữ đệm, tên người mẹ”."
    assert errors["mother_id_number"].startswith("Giới tính trong số định danh (Nam)")
    assert errors["father_status"] == "Vui lòng chọn “Người cha”."


def test_household_business_authorisation_letter_is_required_only_when_an_authorised_person_submits() -> None:
    """Issue 12: the letter was tagged "Bắt buộc" for every applicant. It applies, and is then
    required, only when someone submits for the head of the household business."""
    form = FORMS["1.001612"]
    components = PROCEDURES["1.001612"]["components"]
    letter = next(f["component"] for _p, f in iter_fields(form) if f["name"] == "procedure_authorization")
    assert "ủy quyền thực hiện thủ tục" in components[letter]["name"]
    required = components[letter]["required"]
    assert not required, "the catalogue does not require it for everyone"
    owner = form_initial(form, lambda _path: None)
    assert owner["submitter"] == "chu_ho"
    assert form_paper_need(form, owner, position=letter, required=required) == PaperNeed.NOT_NEEDED
    authorised = {**owner, "submitter": "nguoi_duoc_uy_quyen"}
    assert form_paper_need(form, authorised, position=letter, required=required) == PaperNeed.REQUIRED
