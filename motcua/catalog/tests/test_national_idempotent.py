"""Importing the same national records again changes nothing: no new version, no new process."""

from motcua.catalog.models import Procedure, ProcedureVersion, Process
from motcua.catalog.national import national_import


def test_second_import_of_the_same_records_is_a_no_op(national):
    records = [national("1.000080"), national("1.013222")]
    index = [
        {
            "id": "x",
            "code": "1.014203",
            "name": "Thẩm định điều kiện cơ sở phân phối thuốc",
            "categories": ["Dược phẩm"],
            "categoryIds": ["019d2bbb-69ee-7079-a6b5-285402d4d733"],
            "departments": ["Sở Y tế"],
            "departmentPromulgate": "Bộ Y tế",
            "formalityTargetType": ["Doanh nghiệp"],
            "state": "ACTIVE",
            "type": "STANDARD",
        }
    ]
    first = national_import(actor="test", records=records, index=index)
    assert sorted(first.created) == ["1.000080", "1.013222", "1.014203"]
    counts = (ProcedureVersion.objects.count(), Process.objects.count())

    second = national_import(actor="test", records=records, index=index)

    assert second.created == [] and second.updated == []
    assert sorted(second.unchanged) == ["1.000080", "1.013222", "1.014203"]
    assert (ProcedureVersion.objects.count(), Process.objects.count()) == counts
    assert Procedure.objects.get(code="1.000080").current_version.number == 1
