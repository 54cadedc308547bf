"""An e-form definition is checked as a whole when it is saved: unknown types or keys,
duplicate names, conditions on unknown fields or values, choice fields without choices, files
pointing at missing dossier components. The same definition describes the API (JSON Schema)
and builds the initial, pre-filled answers."""

import copy
import datetime
from typing import Any

import pytest

from motcua.catalog.eforms import form_initial, form_json_schema, form_schema_errors

GENDER = [{"value": "nam", "label": "Nam"}, {"value": "nữ", "label": "Nữ"}]


def sample() -> dict[str, Any]:
    return {
        "version": 1,
        "title": "Tờ khai thử",
        "pages": [
            {
                "id": "nguoi-khai",
                "title": "Người khai",
                "fields": [
                    {
                        "name": "full_name",
                        "type": "text",
                        "label": "Họ, chữ đệm, tên",
                        "required": True,
                        "max_length": 50,
                        "prefill": "profile.full_name",
                    },
                    {
                        "name": "birth_date",
                        "type": "date",
                        "label": "Ngày sinh",
                        "required": True,
                        "date_rule": "past",
                        "prefill": "population.birth_date",
                    },
                    {
                        "name": "gender",
                        "type": "choice",
                        "label": "Giới tính",
                        "choices": GENDER,
                        "prefill": "population.gender",
                    },
                    {
                        "name": "id_number",
                        "type": "id_number",
                        "label": "Số định danh cá nhân",
                        "required": True,
                        "birth_date_field": "birth_date",
                        "gender_field": "gender",
                    },
                    {
                        "name": "relationship",
                        "type": "choice",
                        "label": "Quan hệ",
                        "required": True,
                        "choices": [{"value": "me", "label": "Mẹ"}, {"value": "khac", "label": "Khác"}],
                    },
                    {
                        "name": "relationship_other",
                        "type": "text",
                        "label": "Quan hệ khác",
                        "required": True,
                        "visible_if": {"field": "relationship", "equals": "khac"},
                    },
                    {
                        "name": "nationality",
                        "type": "text",
                        "label": "Quốc tịch",
                        "default": "Việt Nam",
                        "prefill": "population.nationality",
                    },
                ],
            },
            {
                "id": "gia-dinh",
                "title": "Gia đình",
                "fields": [
                    {
                        "name": "residence",
                        "type": "address",
                        "label": "Nơi cư trú",
                        "required": True,
                        "prefill": "population.permanent_address",
                        "prefill_unit": "population.permanent_unit_code",
                    },
                    {
                        "name": "mother_birth_year",
                        "type": "year",
                        "label": "Năm sinh của mẹ",
                        "prefill": "population.mother.birth_date",
                    },
                    {
                        "name": "members",
                        "type": "group",
                        "label": "Thành viên",
                        "max_items": 3,
                        "item_label": "Thành viên",
                        "prefill": "population.children",
                        "fields": [
                            {"name": "full_name", "type": "text", "label": "Họ tên", "required": True},
                            {"name": "birth_date", "type": "date", "label": "Ngày sinh", "date_rule": "past"},
                        ],
                    },
                    {
                        "name": "proof",
                        "type": "file",
                        "label": "Giấy tờ",
                        "component": 1,
                        "visible_if": {"field": "relationship", "in": ["khac"]},
                    },
                ],
            },
        ],
    }


def _fields(schema: dict[str, Any], page: int = 0) -> list[dict[str, Any]]:
    return schema["pages"][page]["fields"]


def test_a_well_formed_definition_has_no_errors() -> None:
    """The sample definition, which uses every structural feature, is accepted."""
    assert form_schema_errors(sample(), component_count=2) == []


@pytest.mark.parametrize(
    ("break_it", "fragment"),
    [
        (lambda s: _fields(s).append({"name": "x", "type": "texts", "label": "X"}), "loại “texts” không tồn tại"),
        (lambda s: _fields(s)[0].update(colour="red"), "khóa “colour” không dùng được cho loại “text”"),
        (lambda s: _fields(s)[0].update(choices=[]), "khóa “choices” không dùng được"),
        (
            lambda s: _fields(s, 1).append({"name": "full_name", "type": "text", "label": "Lặp"}),
            "tên trường “full_name” bị trùng",
        ),
        (lambda s: s["pages"][1].update(id="nguoi-khai"), "mã trang “nguoi-khai” bị trùng"),
        (
            lambda s: _fields(s)[5].update(visible_if={"field": "ghost", "equals": "x"}),
            "trỏ tới trường “ghost” không tồn tại",
        ),
        (
            lambda s: _fields(s)[5].update(visible_if={"field": "relationship", "equals": "bo"}),
            "giá trị không có trong lựa chọn của “relationship”: bo",
        ),
        (lambda s: _fields(s)[5].update(visible_if={"field": "relationship"}), "đúng một trong"),
        (lambda s: _fields(s)[2].pop("choices"), "phải có danh sách “choices”"),
        (
            lambda s: _fields(s)[2].update(choices=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]),
            "giá trị lựa chọn “a” bị trùng",
        ),
        (lambda s: _fields(s)[0].update(label=""), "thiếu nhãn"),
        (lambda s: _fields(s)[0].update(name="Full Name"), "phải bắt đầu bằng chữ thường"),
        (lambda s: _fields(s)[0].update(pattern="(unclosed"), "biểu thức “pattern” không hợp lệ"),
        (lambda s: _fields(s)[0].update(min_length=60), "“min_length” lớn hơn “max_length”"),
        (lambda s: _fields(s)[1].update(date_rule="yesterday"), "“date_rule” phải là past, future hoặc any"),
        (lambda s: _fields(s)[3].update(birth_date_field="full_name"), "phải trỏ tới trường loại date / year"),
        (lambda s: _fields(s)[3].update(gender="male"), "“gender” phải là “nam” hoặc “nữ”"),
        (lambda s: _fields(s, 1)[3].pop("component"), "phải có “component”"),
        (lambda s: _fields(s, 1)[3].update(component=5), "thành phần hồ sơ số 5 không tồn tại"),
        (lambda s: _fields(s, 1)[3].update(accept=["pdf"]), "“accept” phải là danh sách đuôi tệp"),
        (lambda s: _fields(s, 1)[2]["fields"].append(copy.deepcopy(_fields(s, 1)[2])), "không được lồng nhóm lặp"),
        (lambda s: _fields(s, 1)[2]["fields"][0].update(prefill="profile.full_name"), "không dùng được “prefill”"),
        (lambda s: _fields(s, 1)[2].update(min_items=5), "“min_items” lớn hơn “max_items”"),
        (lambda s: _fields(s)[0].update(prefill="profile"), "nguồn điền sẵn “profile” không hợp lệ"),
        (lambda s: _fields(s)[2].update(default="x"), "giá trị mặc định “x” không có trong lựa chọn"),
        (lambda s: s.update(version=2), "“version” phải là 1"),
        (lambda s: s.update(pages=[]), "ít nhất một trang"),
        (lambda s: s.update(layout="grid"), "Khóa “layout” không được hỗ trợ"),
    ],
)
def test_structural_mistakes_are_reported_in_vietnamese(break_it: Any, fragment: str) -> None:
    """Each kind of mistake an administrator can make is named, with where it is."""
    schema = sample()
    break_it(schema)
    errors = form_schema_errors(schema, component_count=2)
    assert any(fragment in error for error in errors), errors


def test_circular_conditions_are_refused() -> None:
    """Two fields that each show only when the other is answered could never be shown."""
    schema = sample()
    _fields(schema)[4]["visible_if"] = {"field": "relationship_other", "equals": "x"}
    assert any("vòng lặp" in error for error in form_schema_errors(schema))


def test_not_an_object_is_refused() -> None:
    """Pasting a list (or anything but an object) gives one clear message."""
    assert form_schema_errors([1, 2]) == ["Định nghĩa biểu mẫu phải là một đối tượng JSON."]


def test_components_are_only_checked_when_their_number_is_known() -> None:
    """Without the version at hand the component index is only checked for shape."""
    schema = sample()
    _fields(schema, 1)[3]["component"] = 9
    assert form_schema_errors(schema) == []
    assert form_schema_errors(schema, component_count=2)


def test_json_schema_describes_the_answers_for_the_api() -> None:
    """The API description lists properties with types; conditional fields are not required."""
    described = form_json_schema(sample())
    props = described["properties"]
    assert described["required"] == ["full_name", "birth_date", "id_number", "relationship", "residence"]
    assert props["full_name"] == {
        "title": "Họ, chữ đệm, tên",
        "type": "string",
        "maxLength": 50,
        "x-prefill": "profile.full_name",
    }
    assert props["birth_date"]["format"] == "date"
    assert props["gender"]["oneOf"] == [{"const": "nam", "title": "Nam"}, {"const": "nữ", "title": "Nữ"}]
    assert props["id_number"]["pattern"] == r"^\d{12}$"
    assert props["relationship_other"]["x-visible-if"] == {"field": "relationship", "equals": "khac"}
    assert props["residence"]["type"] == "object" and props["residence"]["required"] == ["unit", "detail"]
    assert props["members"]["type"] == "array" and props["members"]["maxItems"] == 3
    assert props["members"]["items"]["required"] == ["full_name"]
    assert props["proof"]["x-component"] == 1
    assert [p["id"] for p in described["x-pages"]] == ["nguoi-khai", "gia-dinh"]


@pytest.mark.django_db  # the address's unit is looked up
def test_initial_values_come_from_prefill_sources_in_the_stored_shape() -> None:
    """Dates become ISO strings, years come from dates, choices match their label, addresses
    get the unit code, defaults fill what no source knows."""
    known = {
        "profile.full_name": "Nguyễn Thị Hoa",
        "population.birth_date": datetime.date(1990, 5, 17),
        "population.gender": "Nữ",
        "population.nationality": None,
        "population.permanent_address": "Số 12 Lê Duẩn, tổ dân phố 3",
        "population.permanent_unit_code": "24133",
        "population.mother.birth_date": datetime.date(1965, 2, 1),
        "population.children": [{"full_name": "Trần Minh An", "birth_date": datetime.date(2020, 3, 4), "x": 1}],
    }
    asked: list[str] = []

    def prefill(path: str) -> Any:
        asked.append(path)
        return known.get(path)

    initial = form_initial(sample(), prefill)
    assert initial == {
        "full_name": "Nguyễn Thị Hoa",
        "birth_date": "1990-05-17",
        "gender": "nữ",
        "nationality": "Việt Nam",
        "residence": {"unit": "24133", "detail": "Số 12 Lê Duẩn, tổ dân phố 3"},
        "mother_birth_year": 1965,
        "members": [{"full_name": "Trần Minh An", "birth_date": "2020-03-04"}],
    }
    assert "population.permanent_unit_code" in asked


@pytest.mark.django_db
def test_a_prefilled_address_line_does_not_repeat_the_prefilled_ward() -> None:
    """The population registry's address is one line ending with the ward and province; next
    to the ward it pre-selects, the detail keeps only what is below the ward."""
    from motcua.directory.constants import UnitKind
    from motcua.directory.models import AdministrativeUnit

    province = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    AdministrativeUnit.objects.create(code="24121", name="Phường Tân Lập", kind=UnitKind.WARD, parent=province)
    known = {
        "population.permanent_address": "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk",
        "population.permanent_unit_code": "24121",
    }
    initial = form_initial(sample(), known.get)
    assert initial["residence"] == {"unit": "24121", "detail": "Số 18, tổ dân phố 5"}


def test_a_prefilled_value_that_is_not_a_choice_is_left_out() -> None:
    """A source answering something the form does not offer must not pre-select nonsense."""
    initial = form_initial(sample(), lambda path: "không rõ" if path == "population.gender" else None)
    assert "gender" not in initial
