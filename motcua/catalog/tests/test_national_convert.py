"""Real national records become catalogue procedures with their papers, fees (verbatim), times,
legal bases, results, level and the agency the mapping table gives, keeping the national code,
id, state and update time."""

import datetime
from decimal import Decimal

from motcua.catalog.constants import CatalogSource, ProcedureLevel, TimeUnit, VersionStatus
from motcua.catalog.models import Procedure, Process
from motcua.catalog.national import national_import


def test_commune_record_is_settled_by_each_ward_with_its_papers_fees_and_cases(national):
    record = national("1.000080")
    report = national_import(actor="test", records=[record])

    assert report.created == ["1.000080"]
    procedure = Procedure.objects.get(code="1.000080")
    version = procedure.current_version
    assert procedure.source == CatalogSource.NATIONAL and version.status == VersionStatus.PUBLISHED
    assert version.level == ProcedureLevel.COMMUNE  # each ward's People's Committee
    assert version.national_id == record["id"] and version.national_state == "UPDATED"
    assert version.national_updated_at == datetime.datetime.fromtimestamp(record["updatedAt"] / 1000, tz=datetime.UTC)
    # The case's 12 working days win over the channels' unlabelled 7; the note names the case.
    assert (version.processing_time, version.processing_time_unit) == (Decimal(12), TimeUnit.WORKING_DAY)
    assert "1.000080.01" in version.processing_time_note
    papers = [c.name for c in version.components.all()]
    assert len(papers) == sum(len(group["profileComponents"]) for group in record["executionCases"])
    fee_texts = {f.description for f in version.fees.all()}
    expected = {f["description"].strip() for m in record["executionMethods"] for f in m["fees"]}
    assert fee_texts == expected  # verbatim, once each
    assert version.results == ["Trích lục đăng ký nhận cha, mẹ, con"]
    assert {"number": "104/2022/NĐ-CP", "title": record["legalBasisesDetails"][0]["name"]} in version.legal_basis
    assert version.field.code == "G15-TP07"


def test_provincial_record_goes_to_the_mapped_department_with_the_default_process(national):
    national_import(actor="test", records=[national("1.013222")])

    version = Procedure.objects.get(code="1.013222").current_version
    assert version.level == ProcedureLevel.PROVINCE
    assert version.managing_agency.code == "SXD"  # "Sở Xây dựng" in the mapping table
    assert version.methods == ["Trực tuyến", "Bưu chính", "Trực tiếp"]
    process = Process.objects.get(version=version, status=VersionStatus.PUBLISHED)
    assert [s.code for s in process.steps.order_by("position")] == [
        "tiep-nhan",
        "tham-dinh",
        "phe-duyet",
        "phat-hanh",
        "tra-ket-qua",
    ]


def test_birth_registration_converts_to_a_same_day_commune_procedure(national):
    record = national("1.001193")
    national_import(actor="test", records=[record])

    version = Procedure.objects.get(code="1.001193").current_version
    assert version.level == ProcedureLevel.COMMUNE
    assert (version.processing_time, version.processing_time_unit) == (Decimal(1), TimeUnit.WORKING_DAY)
    assert version.results == ["Giấy khai sinh"]
    assert any(item["number"] == "60/2014/QH13" for item in version.legal_basis)


def test_records_of_another_province_or_a_ministry_do_not_apply(national):
    report = national_import(actor="test", records=[national("1.115312")])
    assert report.created == ["1.115312"]  # promulgated by the People's Committee of Đắk Lắk
    other = national("1.000080")
    other["type"], other["departmentPromulgateName"] = "SPECIFIC", "UBND tỉnh Lạng Sơn"
    other["code"] = "1.999991"
    ministry = national("1.000080")
    ministry["isWard"], ministry["isMinistry"], ministry["code"] = False, True, "1.999992"

    report = national_import(actor="test", records=[other, ministry])

    assert sorted(report.not_applicable) == ["1.999991", "1.999992"]
    assert not Procedure.objects.filter(code__in=["1.999991", "1.999992"]).exists()
