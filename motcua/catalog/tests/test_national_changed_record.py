"""A national record that changed gets a new version (the old one is retired, kept), and the
administrator sees what changed between the two: time, papers, fees."""

from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import Procedure
from motcua.catalog.national import national_import, version_changes


def test_changed_record_makes_a_new_version_and_the_admin_shows_the_changes(national, client, admin_user):
    record = national("1.013222")
    national_import(actor="test", records=[record])
    first = Procedure.objects.get(code="1.013222").current_version

    for case in record["cases"]:
        case["processingDay"] = {"qty": 30, "type": "WORKING_DAY"}
    for method in record["executionMethods"]:
        method["processingTime"] = 30
        for fee in method["fees"]:
            fee["description"] = "Lệ phí mới theo Nghị quyết HĐND tỉnh"
    removed = record["executionCases"][0]["profileComponents"].pop(0)
    record["updatedAt"] += 86_400_000
    report = national_import(actor="test", records=[record])

    assert report.updated == ["1.013222"]
    procedure = Procedure.objects.get(code="1.013222")
    second = procedure.current_version
    assert second.number == 2 and second.pk != first.pk
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert first.components.filter(name=removed["name"].strip()).exists()  # the old version is intact
    changes = {c.label: c for c in version_changes(before=first, after=second)}
    assert "Thời hạn giải quyết" in changes and changes["Thời hạn giải quyết"].after == ["30 ngày làm việc"]
    assert changes["Thành phần hồ sơ"].before[0].startswith(removed["name"].strip())
    assert any("Lệ phí mới theo Nghị quyết HĐND tỉnh" in text for text in changes["Phí, lệ phí"].after)

    client.force_login(admin_user)
    html = client.get(f"/quan-tri/catalog/procedureversion/{second.pk}/change/").content.decode()
    assert "Thay đổi so với phiên bản trước" in html
    assert "30 ngày làm việc" in html and "Lệ phí mới theo Nghị quyết HĐND tỉnh" in html
