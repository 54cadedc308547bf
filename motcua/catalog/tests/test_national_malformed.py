"""A malformed national record is refused with the reason (parked, visible to administrators),
and does not stop the other records of the same import."""

from motcua.catalog.models import ParkedNationalRecord, Procedure
from motcua.catalog.national import national_import


def test_malformed_records_are_refused_with_reasons(national):
    no_time = national("1.000080")
    no_time["code"] = "1.999993"
    no_time["cases"] = []
    for method in no_time["executionMethods"]:
        method["processingTime"] = 0
    long_name = national("1.000080")
    long_name["code"], long_name["name"] = "1.999994", "Thủ tục " * 100
    bad_code = national("1.000080")
    bad_code["code"] = "ABC"
    bad_shape = national("1.000080")
    bad_shape["code"], bad_shape["executionCases"] = "1.999995", ["not a group"]

    report = national_import(
        actor="test", records=[no_time, long_name, bad_code, bad_shape, "not a record", national("1.013222")]
    )

    assert report.created == ["1.013222"]
    reasons = dict(ParkedNationalRecord.objects.values_list("code", "reason"))
    assert reasons["1.999993"] == "Bản ghi không nêu thời hạn giải quyết."
    assert reasons["1.999994"].startswith("Bản ghi không hợp lệ: name: Dài quá 500 ký tự")
    assert "Mã thủ tục phải có dạng 1.001193" in reasons["ABC"]
    assert reasons["1.999995"].startswith("Bản ghi không đúng cấu trúc của CSDL quốc gia")
    assert reasons["?"] == "Bản ghi không phải là một đối tượng JSON."
    assert not Procedure.objects.filter(code__in=["1.999993", "1.999994", "1.999995", "ABC"]).exists()
