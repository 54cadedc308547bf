"""One e-form definition validates answers on the server: every bad input gets a clear
Vietnamese message keyed by the field's path ("members.0.id_number"), hidden fields are never
required and are dropped, a page can be validated alone, and the cleaned answers are JSON."""

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.eforms import PaperNeed, form_clean, form_paper_need, form_unused_answers
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit

TODAY = datetime.date(2026, 1, 15)
GENDER = [{"value": "nam", "label": "Nam"}, {"value": "nữ", "label": "Nữ"}]
MAN_1990 = "066090123456"
WOMAN_2015 = "066315000123"


def schema() -> dict[str, Any]:
    return {
        "version": 1,
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
                        "max_length": 20,
                        "pattern": r"[^\W\d_]+( [^\W\d_]+)*",
                        "pattern_message": "Họ tên không được có chữ số.",
                    },
                    {"name": "birth_date", "type": "date", "label": "Ngày sinh", "required": True, "date_rule": "past"},
                    {"name": "gender", "type": "choice", "label": "Giới tính", "required": True, "choices": GENDER},
                    {
                        "name": "id_number",
                        "type": "id_number",
                        "label": "Số định danh cá nhân",
                        "required": True,
                        "birth_date_field": "birth_date",
                        "gender_field": "gender",
                    },
                    {"name": "phone", "type": "phone", "label": "Số điện thoại"},
                    {"name": "email", "type": "email", "label": "Thư điện tử"},
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
                        "name": "relationship_note",
                        "type": "textarea",
                        "label": "Ghi chú",
                        "required": True,
                        "visible_if": {"field": "relationship_other", "equals": "bạn"},
                    },
                ],
            },
            {
                "id": "chi-tiet",
                "title": "Chi tiết",
                "fields": [
                    {"name": "residence", "type": "address", "label": "Nơi cư trú", "required": True},
                    {"name": "other_residence", "type": "address", "label": "Nơi ở khác", "allow_outside": True},
                    {"name": "capital", "type": "number", "label": "Vốn", "unit": "đồng", "min": 0, "max": 5000000000},
                    {"name": "area", "type": "number", "label": "Diện tích", "decimals": 1, "min": 1},
                    {"name": "move_year", "type": "year", "label": "Năm chuyển đến", "date_rule": "past"},
                    {"name": "start", "type": "date", "label": "Ngày khởi công", "date_rule": "future"},
                    {"name": "tax_code", "type": "tax_code", "label": "Mã số thuế"},
                    {
                        "name": "members",
                        "type": "group",
                        "label": "Thành viên",
                        "max_items": 2,
                        "min_items": 0,
                        "item_label": "Thành viên",
                        "fields": [
                            {"name": "full_name", "type": "text", "label": "Họ tên", "required": True},
                            {"name": "birth_date", "type": "date", "label": "Ngày sinh", "date_rule": "past"},
                            {"name": "gender", "type": "choice", "label": "Giới tính", "choices": GENDER},
                            {
                                "name": "id_number",
                                "type": "id_number",
                                "label": "Số định danh",
                                "birth_date_field": "birth_date",
                                "gender_field": "gender",
                            },
                            {"name": "student", "type": "checkbox", "label": "Đang đi học"},
                            {
                                "name": "school",
                                "type": "text",
                                "label": "Trường",
                                "required": True,
                                "visible_if": {"field": "student", "equals": True},
                            },
                        ],
                    },
                    {"name": "consent", "type": "checkbox", "label": "Tôi cam đoan", "required": True},
                    {
                        "name": "proof",
                        "type": "file",
                        "label": "Giấy tờ chứng minh",
                        "component": 1,
                        "required": True,
                        "max_size_mb": 1,
                        "visible_if": {"field": "relationship", "equals": "khac"},
                    },
                ],
            },
        ],
    }


def valid() -> dict[str, Any]:
    return {
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-05-17",
        "gender": "nam",
        "id_number": MAN_1990,
        "relationship": "me",
        "residence": {"unit": "24133", "detail": "Số 12 Lê Duẩn"},
        "consent": True,
    }


@pytest.fixture
def units(db: Any) -> None:
    province = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    AdministrativeUnit.objects.create(
        code="24133",
        name="Phường Buôn Ma Thuột",
        kind=UnitKind.WARD,
        parent=province,
        valid_from=datetime.date(2025, 7, 1),
    )
    AdministrativeUnit.objects.create(
        code="24121", name="Phường Tân Lập", kind=UnitKind.WARD, parent=province, valid_to=datetime.date(2025, 6, 30)
    )


def clean(data: dict[str, Any], **kwargs: Any) -> tuple[dict[str, Any], dict[str, str]]:
    return form_clean(schema(), data, today=TODAY, **kwargs)


def test_valid_answers_are_cleaned(units: None) -> None:
    """Correct answers come back normalised, JSON-serialisable, with no errors."""
    cleaned, errors = clean({**valid(), "phone": "+84 912 345 678", "full_name": "  Nguyễn   Văn An "})
    assert errors == {}
    assert cleaned == {
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-05-17",
        "gender": "nam",
        "id_number": MAN_1990,
        "phone": "0912345678",
        "relationship": "me",
        "residence": {
            "unit": "24133",
            "unit_name": "Phường Buôn Ma Thuột",
            "detail": "Số 12 Lê Duẩn",
            "text": "Số 12 Lê Duẩn, phường Buôn Ma Thuột, tỉnh Đắk Lắk",
        },
        "consent": True,
    }
    json.dumps(cleaned)


def test_required_fields_say_what_is_missing(units: None) -> None:
    """An empty form names every missing required answer, by label."""
    _cleaned, errors = clean({})
    assert errors["full_name"] == "Vui lòng nhập “Họ, chữ đệm, tên”."
    assert errors["gender"] == "Vui lòng chọn “Giới tính”."
    assert errors["residence"] == "Vui lòng chọn xã, phường và nhập địa chỉ chi tiết cho “Nơi cư trú”."
    assert errors["consent"] == "Vui lòng đánh dấu “Tôi cam đoan”."
    assert "phone" not in errors and "members" not in errors


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("06609012345", "Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập 11 chữ số)."),
        ("999090123456", "Mã tỉnh nơi đăng ký khai sinh “999” không tồn tại; vui lòng kiểm tra 3 chữ số đầu."),
        ("066091123456", "Năm sinh trong số định danh (1991) không khớp với ngày sinh (năm 1990)."),
        ("066190123456", "Giới tính trong số định danh (Nữ) không khớp với giới tính đã khai (Nam)."),
    ],
)
def test_a_mistyped_id_number_gets_a_precise_message(units: None, typed: str, message: str) -> None:
    """The ID number is checked alone and against the birth date and gender given beside it."""
    cleaned, errors = clean({**valid(), "id_number": typed})
    assert errors == {"id_number": message}
    assert "id_number" not in cleaned


def test_dates_in_the_future_are_refused_where_the_field_says_so(units: None) -> None:
    """A birth date after today is refused; a planned start date before today is refused."""
    _cleaned, errors = clean({**valid(), "birth_date": "2026-01-16", "start": "2026-01-14"})
    assert errors["birth_date"] == "“Ngày sinh” không được sau ngày hôm nay (15/01/2026)."
    assert errors["start"] == "“Ngày khởi công” không được trước ngày hôm nay (15/01/2026)."
    cleaned, errors = clean({**valid(), "birth_date": "2026-01-15", "start": "2026-01-15"})
    assert "birth_date" not in errors and "start" not in errors, "today itself is allowed both ways"
    assert cleaned["start"] == "2026-01-15"


@pytest.mark.parametrize("typed", ["17/05/1990", "17-05-1990", "1990-05-17", "17.5.1990"])
def test_dates_may_be_typed_day_first(units: None, typed: str) -> None:
    """Browsers without a date picker send what people type: dd/mm/yyyy."""
    cleaned, errors = clean({**valid(), "birth_date": typed})
    assert errors == {} and cleaned["birth_date"] == "1990-05-17"


@pytest.mark.parametrize("typed", ["31/02/1990", "hôm qua", "1990-13-01", "01/01/1800"])
def test_impossible_dates_are_refused(units: None, typed: str) -> None:
    """Nonexistent dates and text are refused with the expected format in the message."""
    _cleaned, errors = clean({**valid(), "birth_date": typed})
    assert errors["birth_date"].startswith("“Ngày sinh” không")


def test_text_length_and_pattern(units: None) -> None:
    """max_length and pattern apply to text, with the definition's own message."""
    _cleaned, errors = clean({**valid(), "full_name": "Nguyễn Văn An Khang Thịnh Vượng"})
    assert errors["full_name"] == "“Họ, chữ đệm, tên” không được dài quá 20 ký tự (hiện có 31)."
    _cleaned, errors = clean({**valid(), "full_name": "Nguyễn Văn 3"})
    assert errors["full_name"] == "Họ tên không được có chữ số."


def test_vietnamese_text_is_stored_in_composed_form(units: None) -> None:
    """Keyboards may send decomposed diacritics; stored text is NFC so searches and comparisons match."""
    decomposed = "Nguye\u0302\u0303n Va\u0306n An"
    cleaned, errors = clean({**valid(), "full_name": decomposed})
    assert errors == {} and cleaned["full_name"] == "Nguyễn Văn An"


def test_numbers_accept_vietnamese_separators(units: None) -> None:
    """Amounts are written 1.000.000 and decimals with a comma."""
    cleaned, errors = clean({**valid(), "capital": "1.500.000", "area": "120,5", "move_year": "2010"})
    assert errors == {}
    assert (cleaned["capital"], cleaned["area"], cleaned["move_year"]) == (1500000, 120.5, 2010)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"capital": "-5"}, "capital", "“Vốn” không được nhỏ hơn 0."),
        ({"capital": "6.000.000.000"}, "capital", "“Vốn” không được lớn hơn 5.000.000.000."),
        ({"capital": "một triệu"}, "capital", "“Vốn” phải là một số nguyên, ví dụ 120."),
        ({"capital": "12,5"}, "capital", "“Vốn” phải là một số nguyên, ví dụ 120."),
        ({"area": "0,5"}, "area", "“Diện tích” không được nhỏ hơn 1."),
        ({"move_year": "2027"}, "move_year", "“Năm chuyển đến” không được là năm trong tương lai."),
        ({"move_year": "90"}, "move_year", "“Năm chuyển đến” phải gồm 4 chữ số, ví dụ 1990."),
        ({"gender": "khac"}, "gender", "Lựa chọn cho “Giới tính” không hợp lệ."),
        ({"phone": "0212345678"}, "phone", "Số điện thoại di động phải bắt đầu bằng 03, 05, 07, 08 hoặc 09."),
        ({"email": "an@"}, "email", "Địa chỉ thư điện tử không hợp lệ, ví dụ đúng: ten@example.com."),
        (
            {"tax_code": "0100233480"},
            "tax_code",
            "Mã số thuế “0100233480” sai chữ số kiểm tra (chữ số cuối); vui lòng kiểm tra lại.",
        ),
    ],
)
def test_bad_values_get_messages_next_to_their_field(
    units: None, answers: dict[str, Any], field: str, message: str
) -> None:
    """Each type checks its own values and explains what is expected."""
    _cleaned, errors = clean({**valid(), **answers})
    assert errors == {field: message}


def test_hidden_fields_are_not_required_and_are_dropped(units: None) -> None:
    """A field whose condition is false is never required, and an answer left in it is discarded."""
    cleaned, errors = clean({**valid(), "relationship": "me", "relationship_other": "bạn"})
    assert errors == {}
    assert "relationship_other" not in cleaned and "relationship_note" not in cleaned


def test_shown_conditional_fields_are_required(units: None) -> None:
    """When the condition holds, the field is required like any other; conditions chain."""
    _cleaned, errors = clean({**valid(), "relationship": "khac"})
    assert errors["relationship_other"] == "Vui lòng nhập “Quan hệ khác”."
    assert "relationship_note" not in errors
    _cleaned, errors = clean({**valid(), "relationship": "khac", "relationship_other": "bạn"})
    assert errors["relationship_note"] == "Vui lòng nhập “Ghi chú”."


def test_address_unit_must_exist_and_be_current(units: None) -> None:
    """A commune abolished in the 2025 reform, or an unknown code, is refused."""
    for code in ("24121", "99999"):
        _cleaned, errors = clean({**valid(), "residence": {"unit": code, "detail": "Số 1"}})
        assert errors["residence"] == f"Xã, phường mã “{code}” không tồn tại hoặc đã hết hiệu lực; vui lòng chọn lại."
    _cleaned, errors = clean({**valid(), "residence": {"unit": "24133", "detail": ""}})
    assert errors["residence"] == "Vui lòng nhập số nhà, đường, thôn hoặc tổ dân phố cho “Nơi cư trú”."


def test_address_outside_the_province_only_where_allowed(units: None) -> None:
    """allow_outside lets a full address outside the province through; otherwise it is refused."""
    outside = {"unit": "_outside", "detail": "Số 5 Nguyễn Huệ, phường Sài Gòn, TP Hồ Chí Minh"}
    cleaned, errors = clean({**valid(), "other_residence": outside})
    assert errors == {}
    assert cleaned["other_residence"] == {
        "unit": None,
        "unit_name": None,
        "detail": outside["detail"],
        "text": outside["detail"],
    }
    _cleaned, errors = clean({**valid(), "other_residence": {"unit": "_outside", "detail": "TP HCM"}})
    assert "ghi đầy đủ" in errors["other_residence"]
    _cleaned, errors = clean({**valid(), "residence": outside})
    assert errors["residence"] == "Địa chỉ phải thuộc một xã, phường của tỉnh."


def test_repeating_group_errors_are_keyed_by_item(units: None) -> None:
    """Blank items are ignored; each item's fields are checked and reported as members.<i>.<name>."""
    members = [
        {"full_name": "Trần Thị Bình", "birth_date": "2015-03-01", "gender": "nữ", "id_number": WOMAN_2015},
        {"full_name": "", "birth_date": "", "gender": "", "id_number": "", "student": False},
        {"full_name": "", "birth_date": "2030-01-01", "gender": "nam", "id_number": WOMAN_2015, "student": True},
    ]
    cleaned, errors = clean({**valid(), "members": members})
    assert errors == {
        "members.1.full_name": "Vui lòng nhập “Họ tên”.",
        "members.1.birth_date": "“Ngày sinh” không được sau ngày hôm nay (15/01/2026).",
        "members.1.id_number": "Giới tính trong số định danh (Nữ) không khớp với giới tính đã khai (Nam).",
        "members.1.school": "Vui lòng nhập “Trường”.",
    }
    assert cleaned["members"][0] == members[0]


def test_repeating_group_size_limits(units: None) -> None:
    """max_items and min_items are enforced on the non-blank items."""
    item = {"full_name": "Trần Thị Bình"}
    _cleaned, errors = clean({**valid(), "members": [item, item, item]})
    assert errors["members"] == "Chỉ được khai tối đa 2 thành viên."
    strict = schema()
    strict["pages"][1]["fields"][7].update(min_items=1, required=True)
    _cleaned, errors = form_clean(strict, {**valid(), "members": []}, today=TODAY)
    assert errors["members"] == "Vui lòng khai ít nhất một thành viên."


def test_one_page_is_validated_alone(units: None) -> None:
    """Page-by-page journeys validate the current page; its conditions may use earlier answers."""
    cleaned, errors = clean({"relationship": "khac", "consent": False}, page_id="chi-tiet")
    assert set(errors) == {"residence", "consent", "proof"}
    assert "full_name" not in errors
    cleaned, errors = clean(valid(), page_id="nguoi-khai")
    assert errors == {} and "residence" not in cleaned


def test_id_number_is_compared_with_a_birth_date_on_another_page() -> None:
    """The cross-check works when the date was answered on an earlier page."""
    form = schema()
    birth = form["pages"][0]["fields"].pop(1)
    form["pages"][1]["fields"].insert(0, birth)
    _cleaned, errors = form_clean(form, {**valid(), "birth_date": "1991-01-01"}, page_id="nguoi-khai", today=TODAY)
    assert errors == {"id_number": "Năm sinh trong số định danh (1990) không khớp với ngày sinh (năm 1991)."}


def test_file_fields_check_type_size_and_separate_uploads(units: None) -> None:
    """Uploads are checked for extension and size; a paper already attached in another step counts."""
    base = {**valid(), "relationship": "khac", "relationship_other": "Cô"}
    _cleaned, errors = clean(base)
    assert errors == {"proof": "Vui lòng tải lên “Giấy tờ chứng minh”."}
    cleaned, errors = clean(base, attached_components=[1])
    assert errors == {} and "proof" not in cleaned
    exe = SimpleUploadedFile("giay-to.exe", b"MZ")
    _cleaned, errors = clean({**base, "proof": exe})
    assert errors["proof"] == "Tệp “giay-to.exe” không đúng định dạng; chỉ nhận .pdf, .jpg, .jpeg, .png."
    big = SimpleUploadedFile("giay-to.pdf", b"0" * (1024 * 1024 + 1))
    _cleaned, errors = clean({**base, "proof": big})
    assert errors["proof"] == "Tệp “giay-to.pdf” quá lớn (tối đa 1 MB)."
    pdf = SimpleUploadedFile("giay-to.PDF", b"%PDF-1.4")
    cleaned, errors = clean({**base, "proof": pdf})
    assert errors == {} and cleaned["proof"] is pdf


def test_paper_need_follows_the_catalogue_and_the_answers() -> None:
    """The catalogue says whether a paper is required; the form says when it applies."""
    form = {**schema(), "fulfils_components": [0]}
    assert form_paper_need(form, {}, position=0, required=True) == PaperNeed.FORM
    # Asked for by a conditional file field: needed only while that field is shown.
    assert form_paper_need(form, {"relationship": "me"}, position=1, required=False) == PaperNeed.NOT_NEEDED
    assert form_paper_need(form, {"relationship": "khac"}, position=1, required=False) == PaperNeed.REQUIRED
    optional_field = {**form, "pages": [*form["pages"]]}
    optional_field["pages"][1] = {
        **form["pages"][1],
        "fields": [{**f, "required": False} if f["name"] == "proof" else f for f in form["pages"][1]["fields"]],
    }
    assert form_paper_need(optional_field, {"relationship": "khac"}, position=1, required=False) == PaperNeed.OPTIONAL
    assert form_paper_need(optional_field, {"relationship": "khac"}, position=1, required=True) == PaperNeed.REQUIRED
    # Not mentioned by the form, or no form at all: the catalogue decides.
    assert form_paper_need(form, {}, position=2, required=True) == PaperNeed.REQUIRED
    assert form_paper_need(form, {}, position=2, required=False) == PaperNeed.OPTIONAL
    assert form_paper_need(None, {}, position=0, required=False) == PaperNeed.OPTIONAL


def test_unused_answers_are_reported_before_they_are_dropped() -> None:
    """Something typed into a field that does not apply is reported, on this page or another;
    blanks, defaults and pre-filled values the person was not shown are not."""
    form = schema()
    posted = {"relationship": "me", "relationship_other": "Cô", "relationship_note": ""}
    unused = form_unused_answers(form, {}, posted, page_id="nguoi-khai")
    assert [(f["name"], v) for f, v in unused] == [("relationship_other", "Cô")]
    assert form_unused_answers(form, {}, {**posted, "relationship": "khac"}, page_id="nguoi-khai") == []
    # An answer on the other page that stops applying (the page left it out: posts blank).
    stored = {"relationship": "khac", "proof": None}
    form["pages"][1]["fields"].append(
        {
            "name": "guardian",
            "type": "text",
            "label": "Người giám hộ",
            "visible_if": {"field": "relationship", "equals": "khac"},
        }
    )
    stored["guardian"] = "Nguyễn Văn Bình"
    unused = form_unused_answers(form, stored, {"relationship": "me"}, page_id="nguoi-khai")
    assert [(f["name"], v) for f, v in unused] == [("guardian", "Nguyễn Văn Bình")]
    # A pre-filled answer of another page is the registry's, not the person's.
    form["pages"][1]["fields"][-1]["prefill"] = "population.spouse.full_name"
    assert form_unused_answers(form, stored, {"relationship": "me"}, page_id="nguoi-khai") == []
