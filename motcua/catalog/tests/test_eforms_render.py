"""The same definition renders the HTML form with the design system: input names are the
field paths, errors sit next to their field, repeating groups add items without JavaScript,
conditional fields say when to fill them, addresses offer the current communes; the posted
names come back as nested answers."""

import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.template import Context, Template
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from motcua.catalog.eforms import form_clean, is_item_action, parse_posted
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit

GENDER = [{"value": "nam", "label": "Nam"}, {"value": "nữ", "label": "Nữ"}]
NOW = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)


def schema() -> dict[str, Any]:
    return {
        "version": 1,
        "pages": [
            {
                "id": "tre-em",
                "title": "Trẻ em",
                "help": "Khai theo giấy chứng sinh.",
                "fields": [
                    {
                        "name": "child_name",
                        "type": "text",
                        "label": "Họ, chữ đệm, tên",
                        "required": True,
                        "help": "Ghi có dấu.",
                    },
                    {"name": "birth_date", "type": "date", "label": "Ngày sinh", "required": True, "date_rule": "past"},
                    {"name": "gender", "type": "choice", "label": "Giới tính", "required": True, "choices": GENDER},
                    {
                        "name": "relationship",
                        "type": "choice",
                        "label": "Quan hệ",
                        "widget": "select",
                        "choices": [{"value": "me", "label": "Mẹ"}, {"value": "khac", "label": "Khác"}],
                    },
                    {
                        "name": "relationship_other",
                        "type": "text",
                        "label": "Quan hệ khác",
                        "required": True,
                        "visible_if": {"field": "relationship", "equals": "khac"},
                    },
                    {"name": "id_number", "type": "id_number", "label": "Số định danh cá nhân"},
                    {
                        "name": "residence",
                        "type": "address",
                        "label": "Nơi cư trú",
                        "required": True,
                        "allow_outside": True,
                    },
                    {"name": "area", "type": "number", "label": "Diện tích", "unit": "m²", "decimals": 1},
                    {"name": "consent", "type": "checkbox", "label": "Tôi cam đoan", "required": True},
                    {"name": "note", "type": "textarea", "label": "Ghi chú", "rows": 3},
                ],
            },
            {
                "id": "gia-dinh",
                "title": "Gia đình",
                "fields": [
                    {
                        "name": "children",
                        "type": "group",
                        "label": "Các con",
                        "max_items": 3,
                        "item_label": "Người con",
                        "fields": [
                            {"name": "full_name", "type": "text", "label": "Họ tên", "required": True},
                            {"name": "student", "type": "checkbox", "label": "Đang đi học"},
                            {
                                "name": "school",
                                "type": "text",
                                "label": "Trường",
                                "visible_if": {"field": "student", "equals": True},
                            },
                        ],
                    },
                    {
                        "name": "mother_note",
                        "type": "text",
                        "label": "Ghi chú về mẹ",
                        "visible_if": {"field": "relationship", "equals": "me"},
                    },
                    {"name": "proof", "type": "file", "label": "Giấy tờ", "component": 0, "accept": [".pdf"]},
                ],
            },
        ],
    }


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def render(page: str, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    template = Template("{% load eforms %}{% eform_page schema page values errors %}")
    return template.render(Context({"schema": schema(), "page": page, "values": values or {}, "errors": errors or {}}))


def elements(html: str, tag: str, **attrs: str) -> list[dict[str, str]]:
    collector = _Collector()
    collector.feed(html)
    return [a for t, a in collector.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


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
        code="24175", name="Xã Hòa Phú", kind=UnitKind.COMMUNE, parent=province, valid_from=datetime.date(2025, 7, 1)
    )
    AdministrativeUnit.objects.create(
        code="24121",
        name="Phường Tân Lập (cũ)",
        kind=UnitKind.WARD,
        parent=province,
        valid_to=datetime.date(2025, 6, 30),
    )


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_fields_render_with_their_path_as_name_and_design_system_classes(units: None, clock: Any) -> None:
    """Each field has a label linked to its control, hints, and the "(không bắt buộc)" marker."""
    html = render("tre-em", {"child_name": "An", "gender": "nữ", "birth_date": "2025-12-01"})
    assert elements(html, "input", type="hidden", name="_eform_page", value="tre-em")
    assert elements(html, "label", **{"class": "mc-label", "for": "id_child_name"})
    text = elements(html, "input", name="child_name")[0]
    assert text == {
        "class": "mc-input",
        "id": "id_child_name",
        "name": "child_name",
        "type": "text",
        "value": "An",
        "aria-describedby": "id_child_name_helptext",
    }
    assert 'id="id_child_name_helptext">Ghi có dấu.</div>' in html
    assert "Khai theo giấy chứng sinh." in html
    date = elements(html, "input", name="birth_date")[0]
    assert date["type"] == "date" and date["value"] == "2025-12-01" and date["max"] == "2026-01-15"
    radios = elements(html, "input", type="radio", name="gender")
    assert [(r["id"], r["value"], "checked" in r) for r in radios] == [
        ("id_gender", "nam", False),
        ("id_gender_1", "nữ", True),
    ]
    assert elements(html, "select", name="relationship", **{"class": "mc-select"})
    assert elements(html, "input", name="id_number", inputmode="numeric")
    assert elements(html, "input", type="checkbox", name="consent", value="1")
    assert elements(html, "textarea", name="note", rows="3")
    assert "Diện tích (m²)" in html
    assert html.count("(không bắt buộc)") == 4  # relationship, id_number, area, note


def test_errors_are_shown_next_to_their_field(units: None, clock: Any) -> None:
    """A field with an error gets the error style, the message and aria-invalid."""
    message = "Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập 11 chữ số)."
    html = render("tre-em", {"id_number": "06609012345"}, {"id_number": message})
    control = elements(html, "input", name="id_number")[0]
    assert control["aria-invalid"] == "true" and control["aria-describedby"] == "id_id_number_error"
    assert control["value"] == "06609012345" and "mc-input--error" in control["class"]
    assert (
        f'<p class="mc-field__error" id="id_id_number_error"><span class="mc-visually-hidden">Lỗi:</span> {message}</p>'
        in html
    )
    assert elements(html, "div", **{"class": "mc-field mc-field--id_number mc-field--error"})


def test_conditional_fields_say_when_to_fill_them(units: None, clock: Any) -> None:
    """A field depending on an answer on the same page carries data-visible-if and a hint."""
    html = render("tre-em")
    wrapper = [a for a in elements(html, "div") if "data-visible-if" in a]
    assert wrapper == [
        {"class": "mc-field mc-field--text", "data-visible-if": '{"field":"relationship","equals":"khac"}'}
    ]
    assert "(chỉ điền nếu “Quan hệ” là “Khác”)" in html


def test_a_condition_on_another_page_is_settled_on_the_server(units: None, clock: Any) -> None:
    """A field whose controlling answer is on an earlier page is shown or left out outright."""
    assert "mother_note" not in render("gia-dinh", {"relationship": "khac"})
    shown = render("gia-dinh", {"relationship": "me"})
    assert elements(shown, "input", name="mother_note")
    assert "Ghi chú về mẹ" in shown and "“Quan hệ”" not in shown
    assert not [a for a in elements(shown, "div") if a.get("data-visible-if", "").startswith('{"field":"relationship"')]


def test_a_field_ruled_out_through_a_field_of_this_page_is_left_out_too(units: None, clock: Any) -> None:
    """Issue 12: "Người cha" depends on an earlier page's answer and the father's particulars on
    "Người cha"; when the earlier answer rules "Người cha" out, its dependants go with it instead
    of showing, unanswerable, with a "(chỉ điền nếu “Người cha” là …)" hint."""
    form = schema()
    form["pages"][1]["fields"] += [
        {
            "name": "father_status",
            "type": "choice",
            "label": "Người cha",
            "choices": [{"value": "khai", "label": "Khai"}, {"value": "chua_xac_dinh", "label": "Chưa xác định"}],
            "visible_if": {"field": "relationship", "equals": "khac"},
        },
        {
            "name": "father_name",
            "type": "text",
            "label": "Họ tên cha",
            "visible_if": {"field": "father_status", "equals": "khai"},
        },
    ]
    template = Template("{% load eforms %}{% eform_page schema 'gia-dinh' values %}")
    ruled_out = template.render(Context({"schema": form, "values": {"relationship": "me"}}))
    assert "father_status" not in ruled_out and "father_name" not in ruled_out and "Người cha" not in ruled_out
    applies = template.render(Context({"schema": form, "values": {"relationship": "khac"}}))
    assert elements(applies, "input", name="father_status")
    assert [
        a["data-visible-if"]
        for a in elements(applies, "div")
        if "data-visible-if" in a and "father" in a["data-visible-if"]
    ] == ['{"field":"father_status","equals":"khai"}']


def test_address_offers_current_communes_and_a_detail_line(units: None, clock: Any) -> None:
    """Only communes and wards in force today are offered; the selected one stays selected."""
    html = render("tre-em", {"residence": {"unit": "24175", "detail": "Thôn 3"}})
    options = elements(html, "option")
    values = [o["value"] for o in options]
    assert "24133" in values and "24175" in values and "24121" not in values and "66" not in values
    assert [o["value"] for o in options if "selected" in o] == ["24175"]
    assert "_outside" in values and "Ngoài tỉnh Đắk Lắk (ghi đầy đủ địa chỉ bên dưới)" in html
    assert elements(html, "select", name="residence.unit", id="id_residence")
    assert elements(html, "input", name="residence.detail", value="Thôn 3")


def test_an_abolished_commune_is_shown_as_no_longer_valid(units: None, clock: Any) -> None:
    """A prefilled code from before the 2025 reform is visible, so the person picks the new one."""
    html = render("tre-em", {"residence": {"unit": "24121", "detail": ""}})
    assert "Mã 24121 (không còn hiệu lực)" in html


def test_repeating_group_shows_items_plus_one_empty_and_an_add_button(units: None, clock: Any) -> None:
    """Existing items are rendered with indexed names, one empty item follows, and "Thêm người"
    submits the form (no JavaScript needed)."""
    html = render("gia-dinh", {"children": [{"full_name": "An", "student": True, "school": "Tiểu học"}]})
    assert elements(html, "input", name="children.0.full_name", value="An", id="id_children.0.full_name")
    assert "checked" in elements(html, "input", name="children.0.student")[0]
    assert elements(html, "input", name="children.1.full_name", value="")
    assert not elements(html, "input", name="children.2.full_name")
    assert elements(html, "button", name="add_item", value="children", type="submit")
    assert elements(html, "button", name="remove_item", value="children.0")
    assert not elements(html, "button", name="remove_item", value="children.1")
    assert "Người con thứ 1" in html and "Người con thứ 2" in html
    assert "Thêm người" in html
    sibling = [a for a in elements(html, "div") if a.get("data-visible-if")]
    assert sibling[0]["data-visible-if"] == '{"field":"children.0.student","equals":true}'
    # Enter in a text box must not press "Thêm người": an invisible default button comes first.
    assert html.index('class="mc-visually-hidden" tabindex="-1"') < html.index('name="remove_item"')


def test_repeating_group_stops_at_max_items(units: None, clock: Any) -> None:
    """At max_items no empty item and no add button are rendered."""
    full = [{"full_name": name} for name in ("An", "Bình", "Chi")]
    html = render("gia-dinh", {"children": full})
    assert elements(html, "input", name="children.2.full_name", value="Chi")
    assert not elements(html, "input", name="children.3.full_name")
    assert not elements(html, "button", name="add_item")


def test_file_field_renders_an_upload_with_its_rules(units: None, clock: Any) -> None:
    """File inputs say which formats and size are accepted."""
    html = render("gia-dinh")
    assert elements(html, "input", type="file", name="proof", accept=".pdf")
    assert "Định dạng .pdf; tối đa 10 MB." in html
    without = Template("{% load eforms %}{% eform_page schema 'gia-dinh' files=False %}").render(
        Context({"schema": schema()})
    )
    assert not elements(without, "input", type="file")


def test_posted_names_become_nested_answers() -> None:
    """Group items become a list (blank ones dropped), addresses an object, the page's unticked
    boxes false; a removed item disappears."""
    posted = QueryDict(mutable=True)
    posted.update({"_eform_page": "gia-dinh"})
    posted.update({"children.0.full_name": "An", "children.0.student": "1", "children.0.school": "Tiểu học"})
    posted.update({"children.1.full_name": "", "children.1.school": ""})
    posted.update({"children.2.full_name": "Chi"})
    data = parse_posted(schema(), posted)
    assert data == {
        "children": [
            {"full_name": "An", "student": True, "school": "Tiểu học"},
            {"full_name": "Chi", "student": False, "school": ""},
        ],
        "mother_note": "",
    }
    posted["remove_item"] = "children.0"
    assert parse_posted(schema(), posted)["children"] == [{"full_name": "Chi", "student": False, "school": ""}]
    assert is_item_action(posted)


def test_posted_page_marker_blanks_only_that_page() -> None:
    """Without the marker only posted inputs are returned, so other pages' answers are kept."""
    posted = QueryDict("child_name=An&residence.unit=24133&residence.detail=Th%C3%B4n+3")
    assert parse_posted(schema(), posted) == {
        "child_name": "An",
        "residence": {"unit": "24133", "detail": "Thôn 3"},
    }
    marked = QueryDict("_eform_page=tre-em&child_name=An")
    data = parse_posted(schema(), marked)
    assert data["consent"] is False and data["gender"] == "" and "children" not in data


def test_uploads_are_picked_up_from_files() -> None:
    """With request.FILES the upload of a file field is part of the answers; without one it is left out."""
    upload = SimpleUploadedFile("giay.pdf", b"%PDF")
    data = parse_posted(schema(), QueryDict("_eform_page=gia-dinh"), MultiValueDict({"proof": [upload]}))
    assert data["proof"] is upload
    assert "proof" not in parse_posted(schema(), QueryDict("_eform_page=gia-dinh"), MultiValueDict())


def test_render_post_and_clean_round_trip(units: None, clock: Any) -> None:
    """What the rendered page posts cleans without errors when correctly filled in."""
    posted = QueryDict(mutable=True)
    posted.update(
        {
            "_eform_page": "tre-em",
            "child_name": "Trần Minh An",
            "birth_date": "2025-12-01",
            "gender": "nam",
            "relationship": "me",
            "id_number": "",
            "residence.unit": "24133",
            "residence.detail": "Số 12 Lê Duẩn",
            "area": "12,5",
            "consent": "1",
            "note": "",
        }
    )
    data = parse_posted(schema(), posted)
    cleaned, errors = form_clean(schema(), data, page_id="tre-em", today=timezone.localdate())
    assert errors == {}
    assert cleaned["area"] == 12.5 and cleaned["residence"]["unit_name"] == "Phường Buôn Ma Thuột"


def test_error_summary_links_each_error_to_its_field(units: None) -> None:
    """The summary lists errors with links to #id_<path>, naming the group item when needed."""
    errors = {"child_name": "Vui lòng nhập “Họ, chữ đệm, tên”.", "children.1.full_name": "Vui lòng nhập “Họ tên”."}
    html = Template("{% load eforms %}{% eform_error_summary schema errors %}").render(
        Context({"schema": schema(), "errors": errors})
    )
    assert '<a href="#id_child_name">Vui lòng nhập “Họ, chữ đệm, tên”.</a>' in html
    assert '<a href="#id_children.1.full_name">Các con, người con thứ 2: Vui lòng nhập “Họ tên”.</a>' in html
    assert (
        Template("{% load eforms %}{% eform_error_summary schema errors %}").render(
            Context({"schema": schema(), "errors": {}})
        )
        == ""
    )


def test_summary_shows_answers_as_people_read_them(units: None) -> None:
    """Check-your-answers: choice labels, dd/mm/yyyy dates, addresses, group items; hidden fields left out."""
    values = {
        "child_name": "Trần Minh An",
        "birth_date": "2025-12-01",
        "gender": "nữ",
        "relationship": "me",
        "relationship_other": "bỏ qua",
        "area": 1234.5,
        "consent": True,
        "residence": {
            "unit": "24133",
            "unit_name": "Phường Buôn Ma Thuột",
            "detail": "Số 12",
            "text": "Số 12, Phường Buôn Ma Thuột",
        },
        "children": [{"full_name": "An", "student": True, "school": "Tiểu học"}],
    }
    html = Template("{% load eforms %}{% eform_summary schema values urls %}").render(
        Context({"schema": schema(), "values": values, "urls": {"tre-em": "/ho-so/1/tre-em/"}})
    )
    for shown in (
        "01/12/2025",
        "Nữ",
        "Số 12, phường Buôn Ma Thuột, tỉnh Đắk Lắk",
        "1.234,5 m²",
        "Người con 1",
        "Trường: Tiểu học",
        'href="/ho-so/1/tre-em/"',
    ):
        assert shown in html, shown
    assert "24133" not in html, "the ward is named, not coded"
    assert "bỏ qua" not in html and "Quan hệ khác" not in html
