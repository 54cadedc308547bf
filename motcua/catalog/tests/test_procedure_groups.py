"""Interconnected procedure groups load from a data file: every member must be a procedure of
the catalogue and exactly one is the lead; a bad file is refused whole, a repeated load changes
nothing, and the demo group (birth, residence, health-insurance card) loads on the demo
catalogue, whose health-insurance procedure carries an honest placeholder code."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from motcua.catalog.exchange import validate_catalog
from motcua.catalog.groups import (
    GROUPS_FORMAT_ID,
    ProcedureGroupsRefused,
    procedure_group_get_published,
    procedure_groups_led_by,
    procedure_groups_load,
)
from motcua.catalog.models import Procedure, ProcedureGroup
from motcua.catalog.services import catalog_import
from motcua.core.models import AuditEvent
from motcua.core.testing import BIRTH, DEATH, catalog_document, load_catalog, procedure
from motcua.directory.services import directory_load

pytestmark = pytest.mark.django_db

DEMO = Path(settings.PACKAGE_DIR)
DEMO_GROUPS = json.loads((DEMO / "catalog" / "demo_data" / "procedure_groups.json").read_text())
RESIDENCE = procedure("1.004222", "Đăng ký thường trú")


def _document(*members: dict[str, Any], code: str = "LT-TEST") -> dict[str, Any]:
    return {
        "format": GROUPS_FORMAT_ID,
        "groups": [{"code": code, "name": "Nhóm thử", "members": list(members)}],
    }


@pytest.fixture
def demo_catalogue() -> None:
    directory_load(actor="test", document=json.loads((DEMO / "directory" / "demo_data" / "dak_lak.json").read_text()))
    catalog_import(actor="test", document=json.loads((DEMO / "catalog" / "demo_data" / "procedures.json").read_text()))


def test_the_demo_group_loads_on_the_demo_catalogue_and_again_changes_nothing(demo_catalogue: None) -> None:
    assert procedure_groups_load(document=DEMO_GROUPS, actor="test") == 1
    group = procedure_group_get_published(code="LT-KS-TT-BHYT")
    members = [(m.procedure.code, m.is_lead) for m in group.members.all()]
    assert members == [("1.001193", True), ("1.004222", False), ("LT.BHYT.01", False)]
    assert procedure_groups_led_by(procedure=Procedure.objects.get(code="1.001193")) == [group]
    assert procedure_groups_led_by(procedure=Procedure.objects.get(code="1.004222")) == []

    events = AuditEvent.objects.count()
    member_ids = list(group.members.values_list("pk", flat=True))
    assert procedure_groups_load(document=DEMO_GROUPS, actor="test") == 1
    assert AuditEvent.objects.count() == events, "a repeated load records nothing"
    assert list(group.members.values_list("pk", flat=True)) == member_ids


def test_the_health_insurance_card_procedure_says_its_code_is_a_placeholder(demo_catalogue: None) -> None:
    card = Procedure.objects.select_related("managing_agency", "current_version").get(code="LT.BHYT.01")
    assert card.name == "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
    assert card.level == "province" and card.managing_agency is not None and card.managing_agency.code == "BHXH"
    assert card.current_version is not None
    verification = card.current_version.verification
    assert verification["status"] in {"partial", "unverified"}
    assert "MÃ TẠM" in verification["note"]


def test_local_placeholder_codes_are_accepted_but_not_free_text() -> None:
    for code, ok in [("LT.BHYT.01", True), ("1.001193", True), ("bhyt", False), ("1.BHYT.01", False)]:
        errors = validate_catalog(
            catalog_document(procedure(code, "Thủ tục thử")), known_field_codes=set(), agency_codes={"STP"}
        )
        assert (not errors) is ok, (code, errors)


def test_unknown_procedures_refuse_the_whole_file() -> None:
    load_catalog(BIRTH)
    document = _document({"procedure": "1.001193", "lead": True}, {"procedure": "9.999999"})
    document["groups"].append(copy.deepcopy(DEMO_GROUPS["groups"][0]))
    with pytest.raises(ProcedureGroupsRefused) as refused:
        procedure_groups_load(document=document, actor="test")
    assert refused.value.code == "procedure_groups_invalid"
    assert any("9.999999" in error for error in refused.value.errors)
    assert any("1.004222" in error for error in refused.value.errors), "every error is listed at once"
    assert not ProcedureGroup.objects.exists()


@pytest.mark.parametrize("leads", [(False, False), (True, True)])
def test_a_group_has_exactly_one_lead(leads: tuple[bool, bool]) -> None:
    load_catalog(BIRTH, DEATH)
    document = _document({"procedure": "1.001193", "lead": leads[0]}, {"procedure": "1.000656", "lead": leads[1]})
    with pytest.raises(ProcedureGroupsRefused, match="1 lỗi") as refused:
        procedure_groups_load(document=document, actor="test")
    assert "đúng một thủ tục chính" in refused.value.errors[0]


def test_a_group_needs_two_distinct_procedures() -> None:
    load_catalog(BIRTH)
    alone = _document({"procedure": "1.001193", "lead": True})
    twice = _document({"procedure": "1.001193", "lead": True}, {"procedure": "1.001193"})
    for document in (alone, twice):
        with pytest.raises(ProcedureGroupsRefused):
            procedure_groups_load(document=document, actor="test")


def test_members_follow_the_file_when_it_changes() -> None:
    load_catalog(BIRTH, DEATH, RESIDENCE)
    procedure_groups_load(
        document=_document({"procedure": "1.001193", "lead": True}, {"procedure": "1.000656"}), actor="test"
    )
    procedure_groups_load(
        document=_document({"procedure": "1.004222"}, {"procedure": "1.000656", "lead": True}), actor="test"
    )
    group = ProcedureGroup.objects.get(code="LT-TEST")
    assert [(m.procedure.code, m.position, m.is_lead) for m in group.members.all()] == [
        ("1.004222", 0, False),
        ("1.000656", 1, True),
    ]
    assert AuditEvent.objects.filter(action="procedure_group.update", object_id=str(group.pk)).count() == 1
