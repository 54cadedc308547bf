"""A national record whose agency no mapping covers is parked whole with the reason, shown to
administrators, and taken in once an administrator adds the mapping."""

from motcua.catalog.constants import MappingTarget
from motcua.catalog.models import NationalAgencyMapping, ParkedNationalRecord, Procedure
from motcua.catalog.national import national_import
from motcua.directory.models import Agency


def test_unmappable_agency_is_parked_with_its_reason_then_imported_after_mapping(national, client, admin_user):
    record = national("1.013216")  # "Cơ quan chuyên môn được Bộ, cơ quan ngang Bộ giao"
    report = national_import(actor="test", records=[record])

    assert report.created == [] and "1.013216" in report.parked
    assert not Procedure.objects.filter(code="1.013216").exists()  # nothing half-written
    parked = ParkedNationalRecord.objects.get(code="1.013216")
    assert "Chưa ánh xạ được cơ quan thực hiện" in parked.reason
    assert "Cơ quan chuyên môn được Bộ, cơ quan ngang Bộ giao" in parked.reason
    assert parked.record["id"] == record["id"]  # kept whole

    client.force_login(admin_user)
    html = client.get("/quan-tri/catalog/parkednationalrecord/").content.decode()
    assert "1.013216" in html and "Chưa ánh xạ được cơ quan thực hiện" in html

    NationalAgencyMapping.objects.create(
        pattern="co quan chuyen mon duoc bo", target=MappingTarget.AGENCY, agency=Agency.objects.get(code="SXD")
    )
    report = national_import(actor="test", records=[record])

    assert report.created == ["1.013216"]
    assert Procedure.objects.get(code="1.013216").managing_agency.code == "SXD"
    assert not ParkedNationalRecord.objects.filter(code="1.013216").exists()
