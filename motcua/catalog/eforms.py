"""E-forms as data: one JSON definition per procedure version drives the HTML form, the
server-side validation and the API description.

The definition (stored in ``ProcedureForm.schema``; full reference with examples in
``docs/eforms.md``)::

    {"version": 1,
     "title": "Tờ khai đăng ký khai sinh",              # optional
     "source": "Thông tư 04/2024/TT-BTP",               # optional: the official form it follows
     "pages": [{"id": "tre_em", "title": "Thông tin trẻ em", "help": "…", "fields": [FIELD, …]}]}

    FIELD = {"name": "child_full_name",                 # [a-z][a-z0-9_]*, unique in the form
             "type": "text",                            # see FIELD_TYPES
             "label": "Họ, chữ đệm, tên", "help": "…", "required": true,
             "required_message": "…",                   # optional, replaces the generic one
             "visible_if": {"field": "relationship", "equals": "khac"},   # or "in": [...],
                                                        # or "not_equals": x
             "prefill": "profile.full_name",            # source path, see form_initial()
             "default": "Việt Nam",                     # initial value when nothing is prefilled
             ...type-specific keys (TYPE_KEYS)}

Types and their keys:

* ``text`` (max_length, min_length, pattern, pattern_message, width), ``textarea``
  (max_length, min_length, rows), ``email`` (max_length);
* ``number`` (min, max, decimals, unit, width): "1.000.000" and "120,5" are understood;
* ``year`` (min, max, date_rule) and ``date`` (date_rule: past = not after today, future = not
  before today, any); dates are stored as ISO "YYYY-MM-DD", "dd/mm/yyyy" is accepted;
* ``choice`` (choices: [{"value", "label"}], widget: radio | select), ``checkbox`` (a yes/no
  tick; required means it must be ticked, e.g. a declaration);
* ``id_number`` (birth_date_field, gender_field: names of fields the number must agree with;
  gender: a fixed "nam" or "nữ", e.g. for the mother), ``phone``, ``tax_code``
  (allow_id_number);
* ``address`` (allow_outside, prefill_unit, detail_label): a current commune/ward of the
  province plus a detail line; answers keep ``{"unit": code, "detail": …}`` (cleaning adds
  "unit_name" and "text"); shown with names by ``directory.addresses.address_text``; with
  allow_outside, ``unit`` may be null (address outside the province, written in full in
  ``detail``);
* ``group`` (fields, min_items, max_items, item_label, add_label): a repeating group, stored
  as a list of objects; error paths are ``"members.0.full_name"``;
* ``file`` (component: index of the DossierComponent of the version the upload satisfies,
  accept: [".pdf", …], max_size_mb).

Field names are visible to ``visible_if`` across pages; inside a group, a name is looked up
among the item's fields first, then among the top-level fields. A field whose condition is
false (or whose controlling field is itself hidden) is never required and is dropped from the
cleaned data.
"""

import datetime
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.validators import record_id, validate_id_number, validate_tax_code, validate_vn_phone

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FieldDef = dict[str, Any]
Schema = dict[str, Any]

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "year",
    "date",
    "choice",
    "checkbox",
    "id_number",
    "phone",
    "email",
    "tax_code",
    "address",
    "group",
    "file",
)
COMMON_KEYS = frozenset(
    {"name", "type", "label", "help", "required", "required_message", "visible_if", "prefill", "default"}
)
TYPE_KEYS: dict[str, frozenset[str]] = {
    "text": frozenset({"max_length", "min_length", "pattern", "pattern_message", "width"}),
    "textarea": frozenset({"max_length", "min_length", "rows"}),
    "number": frozenset({"min", "max", "decimals", "unit", "width"}),
    "year": frozenset({"min", "max", "date_rule"}),
    "date": frozenset({"date_rule"}),
    "choice": frozenset({"choices", "widget"}),
    "checkbox": frozenset(),
    "id_number": frozenset({"birth_date_field", "gender_field", "gender"}),
    "phone": frozenset(),
    "email": frozenset({"max_length"}),
    "tax_code": frozenset({"allow_id_number"}),
    "address": frozenset({"allow_outside", "prefill_unit", "detail_label"}),
    "group": frozenset({"fields", "min_items", "max_items", "item_label", "add_label"}),
    "file": frozenset({"component", "accept", "max_size_mb"}),
}
# "fulfils_components": indexes of the dossier components the filled-in e-form itself replaces
# (the paper declaration, tờ khai), so the citizen is not asked to upload it as well.
TOP_KEYS = frozenset({"version", "title", "source", "pages", "fulfils_components"})
PAGE_KEYS = frozenset({"id", "title", "help", "fields"})
DATE_RULES = ("past", "future", "any")
WIDGETS = ("radio", "select")
WIDTHS = (2, 3, 4, 5, 10, 20, 30)
GENDERS = ("nam", "nữ")
UNIT_KINDS = ("commune", "ward", "township")  # what an address points at: xã, phường, thị trấn
OUTSIDE = "_outside"  # posted value of the "outside the province" option of an address
DEFAULT_MAX_ITEMS = 20
DEFAULT_ACCEPT = (".pdf", ".jpg", ".jpeg", ".png")
DEFAULT_MAX_SIZE_MB = 10

_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_PAGE_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PREFILL_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_SPACES = re.compile(r"\s+")
_TRUE = frozenset({"1", "true", "on", "yes", "co", "có"})


# --------------------------------------------------------------------------- helpers


def iter_fields(schema: Schema) -> Iterator[tuple[dict[str, Any], FieldDef]]:
    """(page, field) for every top-level field, page by page."""
    for page in schema.get("pages", []):
        for field in page.get("fields", []):
            yield page, field


def top_fields(schema: Schema) -> dict[str, FieldDef]:
    return {field["name"]: field for _page, field in iter_fields(schema)}


def page_of(schema: Schema, page_id: str) -> dict[str, Any]:
    for page in schema.get("pages", []):
        if page.get("id") == page_id:
            return dict(page)
    raise KeyError(page_id)


def _label(field: FieldDef) -> str:
    return str(field.get("label") or field.get("name", ""))


def _quoted(field: FieldDef) -> str:
    return "“" + _label(field) + "”"


def is_blank(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(is_blank(v) for v in value)
    if isinstance(value, dict):
        # An address ({"unit", "detail"}) or a group item: blank when every part is blank.
        return all(is_blank(v) for k, v in value.items() if k not in ("unit_name", "text"))
    return False


def _scope_lookup(name: str, local: Mapping[str, FieldDef], top: Mapping[str, FieldDef]) -> FieldDef | None:
    return local.get(name) or top.get(name)


def _comparable(field: FieldDef | None, raw: Any) -> Any:
    """The value a visible_if condition compares: booleans for checkboxes, stripped text else."""
    if field is not None and field.get("type") == "checkbox":
        return _truthy(raw)
    if isinstance(raw, str):
        return raw.strip()
    return raw


def _truthy(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().casefold() in _TRUE


def condition_holds(condition: Mapping[str, Any], value: Any) -> bool:
    if "equals" in condition:
        return bool(value == condition["equals"])
    if "in" in condition:
        return value in condition["in"]
    if "not_equals" in condition:
        return bool(value != condition["not_equals"])
    return True


class Scope:
    """Field definitions and raw values a name resolves against: an item's, then the form's."""

    def __init__(
        self,
        *,
        top: Mapping[str, FieldDef],
        top_data: Mapping[str, Any],
        local: Mapping[str, FieldDef] | None = None,
        local_data: Mapping[str, Any] | None = None,
    ):
        self.top = top
        self.top_data = top_data
        self.local = local or {}
        self.local_data = local_data or {}

    def field(self, name: str) -> FieldDef | None:
        return _scope_lookup(name, self.local, self.top)

    def raw(self, name: str) -> Any:
        if name in self.local:
            return self.local_data.get(name)
        return self.top_data.get(name)

    def for_top(self) -> "Scope":
        return Scope(top=self.top, top_data=self.top_data)


def is_visible(field: FieldDef, scope: Scope, _seen: frozenset[str] = frozenset()) -> bool:
    """Whether `field` applies: its condition holds and its controlling field applies too."""
    condition = field.get("visible_if")
    if not condition:
        return True
    target_name = condition.get("field", "")
    if target_name in _seen:  # a cycle; form_schema_errors refuses these, stay safe anyway
        return False
    target = scope.field(target_name)
    if target is None:
        return False
    target_scope = scope if target_name in scope.local else scope.for_top()
    if not is_visible(target, target_scope, _seen | {field.get("name", "")}):
        return False
    return condition_holds(condition, _comparable(target, scope.raw(target_name)))


def field_visible(schema: Schema, data: Mapping[str, Any], name: str) -> bool:
    """Whether the top-level field `name` applies given the answers in `data`."""
    top = top_fields(schema)
    return name in top and is_visible(top[name], Scope(top=top, top_data=data))


# --------------------------------------------------------------------------- schema check


def _err(where: str, message: str) -> str:
    return f"{where}: {message}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def form_schema_errors(schema: Any, *, component_count: int | None = None) -> list[str]:
    """Everything structurally wrong with a form definition, as Vietnamese sentences.

    Used when an administrator saves a form and when demo forms load. `component_count` (the
    number of dossier components of the version) lets file fields' `component` be checked.
    """
    errors: list[str] = []
    if not isinstance(schema, dict):
        return [_("Định nghĩa biểu mẫu phải là một đối tượng JSON.")]
    for key in sorted(set(schema) - TOP_KEYS):
        errors.append(_("Khóa “%(key)s” không được hỗ trợ ở cấp biểu mẫu.") % {"key": key})
    if schema.get("version") != SCHEMA_VERSION:
        errors.append(_("“version” phải là %(v)d.") % {"v": SCHEMA_VERSION})
    for key in ("title", "source"):
        if key in schema and not isinstance(schema[key], str):
            errors.append(_("“%(key)s” phải là chuỗi ký tự.") % {"key": key})
    fulfils = schema.get("fulfils_components", [])
    if not isinstance(fulfils, list) or not all(_is_int(i) and i >= 0 for i in fulfils):
        errors.append(_("“fulfils_components” phải là danh sách số thứ tự thành phần hồ sơ."))
    elif component_count is not None and any(i >= component_count for i in fulfils):
        errors.append(_("“fulfils_components” trỏ tới thành phần hồ sơ không tồn tại."))
    pages = schema.get("pages")
    if not isinstance(pages, list) or not pages:
        errors.append(_("Biểu mẫu phải có ít nhất một trang (“pages”)."))
        return errors

    page_ids: set[str] = set()
    top: dict[str, FieldDef] = {}
    where_of: dict[int, str] = {}
    for p_index, page in enumerate(pages):
        where = _("Trang %(n)d") % {"n": p_index + 1}
        if not isinstance(page, dict):
            errors.append(_err(where, _("mỗi trang phải là một đối tượng JSON.")))
            continue
        page_id = page.get("id")
        if not isinstance(page_id, str) or not _PAGE_ID_RE.fullmatch(page_id):
            errors.append(_err(where, _("“id” phải gồm chữ thường không dấu, chữ số, “_” hoặc “-”.")))
        elif page_id in page_ids:
            errors.append(_err(where, _("mã trang “%(id)s” bị trùng.") % {"id": page_id}))
        else:
            page_ids.add(page_id)
            where = _("Trang “%(id)s”") % {"id": page_id}
        for key in sorted(set(page) - PAGE_KEYS):
            errors.append(_err(where, _("khóa “%(key)s” không được hỗ trợ.") % {"key": key}))
        if not isinstance(page.get("title"), str) or not page.get("title", "").strip():
            errors.append(_err(where, _("thiếu tiêu đề trang (“title”).")))
        if "help" in page and not isinstance(page["help"], str):
            errors.append(_err(where, _("“help” phải là chuỗi ký tự.")))
        fields = page.get("fields")
        if not isinstance(fields, list) or not fields:
            errors.append(_err(where, _("trang phải có ít nhất một trường (“fields”).")))
            continue
        for f_index, field in enumerate(fields):
            if not isinstance(field, dict):
                errors.append(_err(where, _("trường thứ %(n)d phải là một đối tượng JSON.") % {"n": f_index + 1}))
                continue
            name = field.get("name")
            if isinstance(name, str) and name in top:
                errors.append(_err(where, _("tên trường “%(name)s” bị trùng.") % {"name": name}))
            elif isinstance(name, str):
                top[name] = field
            where_of[id(field)] = where

    for _page, field in iter_fields(schema):
        if isinstance(field, dict):
            errors.extend(
                _field_errors(
                    field,
                    where=where_of.get(id(field), ""),
                    local={},
                    top=top,
                    component_count=component_count,
                    in_group=False,
                )
            )
    errors.extend(_cycle_errors(top))
    return errors


def _field_errors(
    field: FieldDef,
    *,
    where: str,
    local: Mapping[str, FieldDef],
    top: Mapping[str, FieldDef],
    component_count: int | None,
    in_group: bool,
) -> list[str]:
    errors: list[str] = []
    name = field.get("name")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        errors.append(
            _err(
                where,
                _("tên trường “%(name)s” phải bắt đầu bằng chữ thường, chỉ gồm a–z, 0–9 và “_”.") % {"name": name},
            )
        )
        name = str(name)
    at = _("%(where)s, trường “%(name)s”") % {"where": where, "name": name}
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        errors.append(_err(at, _("loại “%(type)s” không tồn tại.") % {"type": kind}))
        return errors
    allowed = COMMON_KEYS | TYPE_KEYS[kind]
    for key in sorted(set(field) - allowed):
        errors.append(_err(at, _("khóa “%(key)s” không dùng được cho loại “%(type)s”.") % {"key": key, "type": kind}))
    if not isinstance(field.get("label"), str) or not field.get("label", "").strip():
        errors.append(_err(at, _("thiếu nhãn (“label”).")))
    for key in ("help", "required_message", "pattern_message", "unit", "item_label", "add_label", "detail_label"):
        if key in field and not isinstance(field[key], str):
            errors.append(_err(at, _("“%(key)s” phải là chuỗi ký tự.") % {"key": key}))
    for key in ("required", "allow_outside", "allow_id_number"):
        if key in field and not isinstance(field[key], bool):
            errors.append(_err(at, _("“%(key)s” phải là true hoặc false.") % {"key": key}))
    for key in ("prefill", "prefill_unit"):
        if key in field:
            if in_group:
                errors.append(_err(at, _("trường trong nhóm lặp không dùng được “%(key)s”.") % {"key": key}))
            elif not isinstance(field[key], str) or not _PREFILL_RE.fullmatch(field[key]):
                errors.append(_err(at, _("nguồn điền sẵn “%(path)s” không hợp lệ.") % {"path": field[key]}))

    errors.extend(_visible_if_errors(field, at=at, local=local, top=top))

    for key in ("max_length", "min_length", "rows", "decimals", "min_items", "max_items"):
        if key in field and (not _is_int(field[key]) or field[key] < 0):
            errors.append(_err(at, _("“%(key)s” phải là số nguyên không âm.") % {"key": key}))
    if (
        _is_int(field.get("min_length"))
        and _is_int(field.get("max_length"))
        and field["min_length"] > field["max_length"]
    ):
        errors.append(_err(at, _("“min_length” lớn hơn “max_length”.")))
    for key in ("min", "max"):
        if key in field and not _is_number(field[key]):
            errors.append(_err(at, _("“%(key)s” phải là một số.") % {"key": key}))
    if _is_number(field.get("min")) and _is_number(field.get("max")) and field["min"] > field["max"]:
        errors.append(_err(at, _("“min” lớn hơn “max”.")))
    if "width" in field and field["width"] not in WIDTHS:
        errors.append(_err(at, _("“width” phải là một trong %(v)s.") % {"v": ", ".join(map(str, WIDTHS))}))
    if "date_rule" in field and field["date_rule"] not in DATE_RULES:
        errors.append(_err(at, _("“date_rule” phải là past, future hoặc any.")))
    if "pattern" in field:
        try:
            re.compile(field["pattern"])
        except (re.error, TypeError):
            errors.append(_err(at, _("biểu thức “pattern” không hợp lệ.")))

    if kind == "choice":
        errors.extend(_choice_errors(field, at=at))
    elif kind == "id_number":
        errors.extend(_id_number_errors(field, at=at, local=local, top=top))
    elif kind == "group":
        errors.extend(_group_errors(field, at=at, top=top, component_count=component_count, in_group=in_group))
    elif kind == "file":
        component = field.get("component")
        if not isinstance(component, int) or isinstance(component, bool) or component < 0:
            errors.append(_err(at, _("trường tệp phải có “component” là số thứ tự (từ 0) của thành phần hồ sơ.")))
        elif component_count is not None and component >= component_count:
            errors.append(
                _err(
                    at,
                    _("thành phần hồ sơ số %(i)d không tồn tại (phiên bản có %(n)d thành phần).")
                    % {"i": component, "n": component_count},
                )
            )
        accept = field.get("accept", list(DEFAULT_ACCEPT))
        if not isinstance(accept, list) or not all(isinstance(a, str) and a.startswith(".") for a in accept):
            errors.append(_err(at, _('“accept” phải là danh sách đuôi tệp, ví dụ [".pdf", ".jpg"].')))
        if "max_size_mb" in field and (not _is_number(field["max_size_mb"]) or field["max_size_mb"] <= 0):
            errors.append(_err(at, _("“max_size_mb” phải là số dương.")))
    if "default" in field:
        errors.extend(_default_errors(field, at=at))
    return errors


def _choice_errors(field: FieldDef, *, at: str) -> list[str]:
    errors: list[str] = []
    choices = field.get("choices")
    if not isinstance(choices, list) or not choices:
        return [_err(at, _("trường lựa chọn phải có danh sách “choices”."))]
    values: set[str] = set()
    for choice in choices:
        if not isinstance(choice, dict) or set(choice) != {"value", "label"}:
            errors.append(_err(at, _("mỗi lựa chọn phải có đúng hai khóa “value” và “label”.")))
            continue
        if not isinstance(choice["value"], str) or not choice["value"]:
            errors.append(_err(at, _("giá trị lựa chọn phải là chuỗi ký tự khác rỗng.")))
        elif choice["value"] in values:
            errors.append(_err(at, _("giá trị lựa chọn “%(v)s” bị trùng.") % {"v": choice["value"]}))
        else:
            values.add(choice["value"])
        if not isinstance(choice["label"], str) or not choice["label"].strip():
            errors.append(_err(at, _("lựa chọn “%(v)s” thiếu nhãn.") % {"v": choice.get("value")}))
    if "widget" in field and field["widget"] not in WIDGETS:
        errors.append(_err(at, _("“widget” phải là radio hoặc select.")))
    return errors


def _id_number_errors(
    field: FieldDef, *, at: str, local: Mapping[str, FieldDef], top: Mapping[str, FieldDef]
) -> list[str]:
    errors: list[str] = []
    for key, kinds in (("birth_date_field", ("date", "year")), ("gender_field", ("choice",))):
        if key not in field:
            continue
        target = _scope_lookup(str(field[key]), local, top)
        if target is None:
            errors.append(
                _err(at, _("“%(key)s” trỏ tới trường “%(name)s” không tồn tại.") % {"key": key, "name": field[key]})
            )
        elif target.get("type") not in kinds:
            errors.append(
                _err(at, _("“%(key)s” phải trỏ tới trường loại %(kinds)s.") % {"key": key, "kinds": " / ".join(kinds)})
            )
    if "gender" in field and field["gender"] not in GENDERS:
        errors.append(_err(at, _("“gender” phải là “nam” hoặc “nữ”.")))
    return errors


def _group_errors(
    field: FieldDef, *, at: str, top: Mapping[str, FieldDef], component_count: int | None, in_group: bool
) -> list[str]:
    if in_group:
        return [_err(at, _("không được lồng nhóm lặp trong nhóm lặp."))]
    children = field.get("fields")
    if not isinstance(children, list) or not children:
        return [_err(at, _("nhóm lặp phải có danh sách trường con (“fields”)."))]
    errors: list[str] = []
    local: dict[str, FieldDef] = {}
    for child in children:
        if not isinstance(child, dict):
            errors.append(_err(at, _("mỗi trường con phải là một đối tượng JSON.")))
            continue
        child_name = child.get("name")
        if isinstance(child_name, str) and child_name in local:
            errors.append(_err(at, _("tên trường con “%(name)s” bị trùng.") % {"name": child_name}))
        elif isinstance(child_name, str):
            local[child_name] = child
    for child in local.values():
        errors.extend(
            _field_errors(child, where=at, local=local, top=top, component_count=component_count, in_group=True)
        )
    errors.extend(_cycle_errors(local, top=top))
    max_items = field.get("max_items", DEFAULT_MAX_ITEMS)
    if _is_int(max_items) and max_items < 1:
        errors.append(_err(at, _("“max_items” phải từ 1 trở lên.")))
    if _is_int(field.get("min_items")) and _is_int(max_items) and field["min_items"] > max_items:
        errors.append(_err(at, _("“min_items” lớn hơn “max_items”.")))
    return errors


def _visible_if_errors(
    field: FieldDef, *, at: str, local: Mapping[str, FieldDef], top: Mapping[str, FieldDef]
) -> list[str]:
    if "visible_if" not in field:
        return []
    if isinstance(field["visible_if"], dict) and field["visible_if"].get("field") == field.get("name"):
        return [_err(at, _("“visible_if” không được trỏ tới chính trường này."))]
    return [
        _err(at, problem)
        for problem in condition_errors(
            field["visible_if"], lookup=lambda name: _scope_lookup(name, local, top), key="visible_if"
        )
    ]


def condition_errors(
    condition: Any, *, lookup: Callable[[str], FieldDef | None] | None, key: str = "visible_if"
) -> list[str]:
    """What is wrong with a condition on an answer (`visible_if`, a fee's condition). With
    `lookup` (a field by name) the field and the values it is compared with are checked too."""
    operators = {"equals", "in", "not_equals"}
    if not isinstance(condition, dict) or "field" not in condition or len(set(condition) & operators) != 1:
        return [_("“%(key)s” phải có “field” và đúng một trong “equals”, “in”, “not_equals”.") % {"key": key}]
    extra = set(condition) - operators - {"field"}
    if extra:
        return [_("“%(key)s” có khóa không hỗ trợ: %(keys)s.") % {"key": key, "keys": ", ".join(sorted(extra))}]
    if "in" in condition and not isinstance(condition["in"], list):
        return [_("“in” của “%(key)s” phải là một danh sách.") % {"key": key}]
    if lookup is None:
        return []
    target_name = condition["field"]
    target = lookup(str(target_name))
    if target is None:
        return [_("“%(key)s” trỏ tới trường “%(name)s” không tồn tại.") % {"key": key, "name": target_name}]
    if target.get("type") == "group":
        return [_("“%(key)s” không được trỏ tới một nhóm lặp.") % {"key": key}]
    wanted = condition["in"] if "in" in condition else [condition.get("equals", condition.get("not_equals"))]
    if target.get("type") == "choice" and isinstance(target.get("choices"), list):
        known = {c.get("value") for c in target["choices"] if isinstance(c, dict)}
        unknown = [str(v) for v in wanted if v not in known]
        if unknown:
            return [
                _("“%(key)s” dùng giá trị không có trong lựa chọn của “%(name)s”: %(v)s.")
                % {"key": key, "name": target_name, "v": ", ".join(unknown)}
            ]
    if target.get("type") == "checkbox" and not all(isinstance(v, bool) for v in wanted):
        return [_("điều kiện theo ô đánh dấu “%(name)s” phải so với true hoặc false.") % {"name": target_name}]
    return []


def _cycle_errors(fields: Mapping[str, FieldDef], *, top: Mapping[str, FieldDef] | None = None) -> list[str]:
    """visible_if chains that loop back (a depends on b, b on a) can never be shown."""
    errors: list[str] = []
    for name, field in fields.items():
        seen = {name}
        current: FieldDef | None = field
        while current is not None and isinstance(current.get("visible_if"), dict):
            target = str(current["visible_if"].get("field", ""))
            if target in seen:
                errors.append(_("Trường “%(name)s”: điều kiện hiển thị tạo thành vòng lặp.") % {"name": name})
                break
            seen.add(target)
            current = fields.get(target) or (top or {}).get(target)
    return errors


def _default_errors(field: FieldDef, *, at: str) -> list[str]:
    default = field["default"]
    kind = field["type"]
    if kind == "choice":
        values = {c.get("value") for c in field.get("choices", []) if isinstance(c, dict)}
        if default not in values:
            return [_err(at, _("giá trị mặc định “%(v)s” không có trong lựa chọn.") % {"v": default})]
    elif kind == "checkbox":
        if not isinstance(default, bool):
            return [_err(at, _("giá trị mặc định của ô đánh dấu phải là true hoặc false."))]
    elif kind in ("group", "file", "address"):
        return [_err(at, _("loại “%(type)s” không dùng được “default”.") % {"type": kind})]
    elif not isinstance(default, str | int | float):
        return [_err(at, _("giá trị mặc định không hợp lệ."))]
    return []


# --------------------------------------------------------------------------- cleaning


def _required_message(field: FieldDef) -> str:
    if field.get("required_message"):
        return str(field["required_message"])
    kind = field.get("type")
    if kind in ("choice",):
        return _("Vui lòng chọn %(label)s.") % {"label": _quoted(field)}
    if kind == "address":
        return _("Vui lòng chọn xã, phường và nhập địa chỉ chi tiết cho %(label)s.") % {"label": _quoted(field)}
    if kind == "checkbox":
        return _("Vui lòng đánh dấu %(label)s.") % {"label": _quoted(field)}
    if kind == "file":
        return _("Vui lòng tải lên %(label)s.") % {"label": _quoted(field)}
    if kind == "group":
        return _("Vui lòng khai ít nhất một %(item)s.") % {"item": _item_noun(field)}
    return _("Vui lòng nhập %(label)s.") % {"label": _quoted(field)}


def _item_noun(field: FieldDef) -> str:
    return str(field.get("item_label") or _("mục")).lower()


def _text(raw: Any, *, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", str(raw if raw is not None else "")).strip()
    if multiline:
        return text.replace("\r\n", "\n")
    return _SPACES.sub(" ", text)


def parse_date(raw: Any) -> datetime.date | None:
    """A date from "YYYY-MM-DD" (what <input type=date> posts) or "dd/mm/yyyy"; None if neither."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _parse_number(raw: Any, *, decimals: int) -> Decimal | None:
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = re.sub(r"\s+", "", str(raw or ""))
    if decimals == 0:
        # "1.000.000" and "1,000,000" are how amounts of money are written.
        if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
            text = re.sub(r"[.,]", "", text)
    elif "," in text:
        # Vietnamese decimal comma; dots before it group thousands.
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _format_number(value: Any) -> str:
    """1234567.5 → "1.234.567,5": dots group thousands, a comma marks decimals (Vietnamese usage)."""
    number = Decimal(str(value))
    whole = f"{int(number):,}".replace(",", ".")
    if number == number.to_integral_value():
        return whole
    fraction = format(abs(number) % 1, "f").rstrip("0")[2:]
    return f"{whole},{fraction}" if whole != "0" or number > 0 else f"-0,{fraction}"


class _Units:
    """Current communes and wards, loaded once per cleaning or rendering."""

    def __init__(self, today: datetime.date):
        self.today = today
        self._names: dict[str, str] | None = None
        self._units: dict[str, Any] = {}

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            from motcua.directory.models import AdministrativeUnit

            current = AdministrativeUnit.objects.valid_on(self.today).filter(kind__in=UNIT_KINDS)
            self._units = {unit.code: unit for unit in current.select_related("parent__parent")}
            self._names = {code: unit.name for code, unit in self._units.items()}
        return self._names

    def text(self, unit: str, detail: str) -> str:
        """The address as people read it (names in Vietnamese order), from the loaded units."""
        from motcua.directory.addresses import address_text

        return address_text({"unit": unit, "detail": detail}, units=self._units, today=self.today)


class _Cleaner:
    def __init__(
        self,
        schema: Schema,
        data: Mapping[str, Any],
        *,
        today: datetime.date,
        attached_components: Collection[int] | None,
    ):
        self.schema = schema
        self.data = data
        self.top = top_fields(schema)
        self.today = today
        self.units = _Units(today)
        self.attached = set(attached_components or ())
        self.errors: dict[str, str] = {}

    def clean_fields(self, fields: list[FieldDef], scope: Scope, *, prefix: str) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for field in fields:
            name = field["name"]
            if not is_visible(field, scope):
                continue
            path = prefix + name
            value, error = self.clean_value(field, scope.raw(name), path=path, scope=scope)
            if error:
                self.errors[path] = error
            elif value is not None:
                cleaned[name] = value
        # Cross-field checks run once every field of the scope is clean.
        for field in fields:
            path = prefix + field["name"]
            if field["type"] == "id_number" and field["name"] in cleaned and path not in self.errors:
                error = self._id_number_agrees(field, cleaned[field["name"]], cleaned, scope)
                if error:
                    self.errors[path] = error
                    del cleaned[field["name"]]
        return cleaned

    def clean_value(self, field: FieldDef, raw: Any, *, path: str, scope: Scope) -> tuple[Any, str | None]:
        kind = field["type"]
        if kind == "group":
            return self._clean_group(field, raw, path=path, scope=scope)
        if kind == "file":
            return self._clean_file(field, raw)
        if is_blank(raw):
            return None, _required_message(field) if field.get("required") else None
        try:
            return getattr(self, f"_clean_{kind}")(field, raw), None
        except ValidationError as error:
            return None, str(error.messages[0])

    # --- one method per type; each raises ValidationError with a Vietnamese message

    def _clean_text(self, field: FieldDef, raw: Any, *, multiline: bool = False) -> str:
        value = _text(raw, multiline=multiline)
        if "max_length" in field and len(value) > field["max_length"]:
            raise ValidationError(
                _("%(label)s không được dài quá %(n)d ký tự (hiện có %(len)d).")
                % {"label": _quoted(field), "n": field["max_length"], "len": len(value)}
            )
        if "min_length" in field and len(value) < field["min_length"]:
            raise ValidationError(
                _("%(label)s phải có ít nhất %(n)d ký tự.") % {"label": _quoted(field), "n": field["min_length"]}
            )
        if "pattern" in field and not re.fullmatch(field["pattern"], value):
            raise ValidationError(
                field.get("pattern_message") or _("%(label)s không đúng định dạng.") % {"label": _quoted(field)}
            )
        return value

    def _clean_textarea(self, field: FieldDef, raw: Any) -> str:
        return self._clean_text(field, raw, multiline=True)

    def _clean_email(self, field: FieldDef, raw: Any) -> str:
        value = _text(raw)
        if len(value) > field.get("max_length", 254):
            raise ValidationError(_("Địa chỉ thư điện tử quá dài."))
        try:
            EmailValidator()(value)
        except ValidationError:
            raise ValidationError(_("Địa chỉ thư điện tử không hợp lệ, ví dụ đúng: ten@example.com.")) from None
        return value

    def _clean_number(self, field: FieldDef, raw: Any) -> int | float:
        decimals = int(field.get("decimals", 0))
        number = _parse_number(raw, decimals=decimals)
        if number is None:
            if decimals:
                raise ValidationError(_("%(label)s phải là một số, ví dụ 120,5.") % {"label": _quoted(field)})
            raise ValidationError(_("%(label)s phải là một số nguyên, ví dụ 120.") % {"label": _quoted(field)})
        if decimals == 0 and number != number.to_integral_value():
            raise ValidationError(_("%(label)s phải là một số nguyên.") % {"label": _quoted(field)})
        if "min" in field and number < Decimal(str(field["min"])):
            raise ValidationError(
                _("%(label)s không được nhỏ hơn %(min)s.")
                % {"label": _quoted(field), "min": _format_number(field["min"])}
            )
        if "max" in field and number > Decimal(str(field["max"])):
            raise ValidationError(
                _("%(label)s không được lớn hơn %(max)s.")
                % {"label": _quoted(field), "max": _format_number(field["max"])}
            )
        if decimals == 0:
            return int(number)
        return float(round(number, decimals))

    def _clean_year(self, field: FieldDef, raw: Any) -> int:
        if isinstance(raw, datetime.date):
            raw = raw.year
        text = str(raw).strip()
        if not re.fullmatch(r"\d{4}", text):
            raise ValidationError(_("%(label)s phải gồm 4 chữ số, ví dụ 1990.") % {"label": _quoted(field)})
        year = int(text)
        if year < field.get("min", 1900):
            raise ValidationError(
                _("%(label)s không được trước năm %(min)d.") % {"label": _quoted(field), "min": field.get("min", 1900)}
            )
        if "max" in field and year > field["max"]:
            raise ValidationError(
                _("%(label)s không được sau năm %(max)d.") % {"label": _quoted(field), "max": field["max"]}
            )
        rule = field.get("date_rule", "any")
        if rule == "past" and year > self.today.year:
            raise ValidationError(_("%(label)s không được là năm trong tương lai.") % {"label": _quoted(field)})
        if rule == "future" and year < self.today.year:
            raise ValidationError(_("%(label)s không được là năm đã qua.") % {"label": _quoted(field)})
        return year

    def _clean_date(self, field: FieldDef, raw: Any) -> str:
        day = parse_date(raw)
        if day is None:
            raise ValidationError(
                _("%(label)s không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 25/12/2024.")
                % {"label": _quoted(field)}
            )
        if day.year < 1900:
            raise ValidationError(_("%(label)s không được trước năm 1900.") % {"label": _quoted(field)})
        rule = field.get("date_rule", "any")
        today = self.today.strftime("%d/%m/%Y")
        if rule == "past" and day > self.today:
            raise ValidationError(
                _("%(label)s không được sau ngày hôm nay (%(today)s).") % {"label": _quoted(field), "today": today}
            )
        if rule == "future" and day < self.today:
            raise ValidationError(
                _("%(label)s không được trước ngày hôm nay (%(today)s).") % {"label": _quoted(field), "today": today}
            )
        return day.isoformat()

    def _clean_choice(self, field: FieldDef, raw: Any) -> str:
        value = str(raw).strip()
        if value not in {c["value"] for c in field["choices"]}:
            raise ValidationError(_("Lựa chọn cho %(label)s không hợp lệ.") % {"label": _quoted(field)})
        return value

    def _clean_checkbox(self, field: FieldDef, raw: Any) -> bool:
        return _truthy(raw)

    def _clean_id_number(self, field: FieldDef, raw: Any) -> str:
        return validate_id_number(str(raw), gender=field.get("gender"))

    def _clean_phone(self, field: FieldDef, raw: Any) -> str:
        return validate_vn_phone(str(raw))

    def _clean_tax_code(self, field: FieldDef, raw: Any) -> str:
        return validate_tax_code(str(raw), allow_id_number=bool(field.get("allow_id_number")))

    def _clean_address(self, field: FieldDef, raw: Any) -> dict[str, Any]:
        if isinstance(raw, str):
            raw = {"unit": "", "detail": raw}
        if not isinstance(raw, dict):
            raise ValidationError(_("Địa chỉ không hợp lệ."))
        unit = str(raw.get("unit") or "").strip()
        detail = _text(raw.get("detail"))
        outside = unit == OUTSIDE or (raw.get("unit") is None and bool(field.get("allow_outside")) and "unit" in raw)
        if outside and not field.get("allow_outside"):
            raise ValidationError(_("Địa chỉ phải thuộc một xã, phường của tỉnh."))
        if outside:
            if len(detail) < 10:
                raise ValidationError(
                    _("Địa chỉ ngoài tỉnh: vui lòng ghi đầy đủ số nhà, đường, xã/phường, tỉnh/thành phố.")
                )
            return {"unit": None, "unit_name": None, "detail": detail, "text": detail}
        if not unit:
            raise ValidationError(_("Vui lòng chọn xã, phường cho %(label)s.") % {"label": _quoted(field)})
        name = self.units.names.get(unit)
        if name is None:
            raise ValidationError(
                _("Xã, phường mã “%(code)s” không tồn tại hoặc đã hết hiệu lực; vui lòng chọn lại.") % {"code": unit}
            )
        if not detail and field.get("required"):
            raise ValidationError(
                _("Vui lòng nhập số nhà, đường, thôn hoặc tổ dân phố cho %(label)s.") % {"label": _quoted(field)}
            )
        if len(detail) > 255:
            raise ValidationError(_("Địa chỉ chi tiết không được dài quá 255 ký tự."))
        return {"unit": unit, "unit_name": name, "detail": detail, "text": self.units.text(unit, detail)}

    def _clean_group(
        self, field: FieldDef, raw: Any, *, path: str, scope: Scope
    ) -> tuple[list[dict[str, Any]] | None, str | None]:
        if isinstance(raw, dict):  # {"0": {...}, "1": {...}} from a loosely built client
            # Ordered by the keys read as numbers; a key that is none ("²", 30 digits) goes first.
            raw = [raw[k] for k in sorted(raw, key=lambda k: record_id(str(k)) or 0)]
        items = [item for item in (raw or []) if isinstance(item, dict) and not is_blank(item)]
        children = field["fields"]
        local = {child["name"]: child for child in children}
        cleaned_items = []
        for index, item in enumerate(items):
            item_scope = Scope(top=scope.top, top_data=scope.top_data, local=local, local_data=item)
            cleaned_items.append(self.clean_fields(children, item_scope, prefix=f"{path}.{index}."))
        minimum = field.get("min_items", 1 if field.get("required") else 0)
        maximum = field.get("max_items", DEFAULT_MAX_ITEMS)
        if not items and field.get("required"):
            return None, _required_message(field)
        if len(items) < minimum:
            return None, _("Cần khai ít nhất %(n)d %(item)s.") % {"n": minimum, "item": _item_noun(field)}
        if len(items) > maximum:
            return None, _("Chỉ được khai tối đa %(n)d %(item)s.") % {"n": maximum, "item": _item_noun(field)}
        return (cleaned_items or None), None

    def _clean_file(self, field: FieldDef, raw: Any) -> tuple[Any, str | None]:
        uploads = raw if isinstance(raw, list) else [raw]
        uploads = [u for u in uploads if u is not None and u != "" and u != {}]
        if not uploads:
            if field.get("required") and field.get("component") not in self.attached:
                return None, _required_message(field)
            return None, None
        accept = [a.lower() for a in field.get("accept", DEFAULT_ACCEPT)]
        limit = float(field.get("max_size_mb", DEFAULT_MAX_SIZE_MB))
        for upload in uploads:
            name = getattr(upload, "name", None)
            size = getattr(upload, "size", None)
            if name is None:
                continue  # a reference to a stored attachment: checked when it was stored
            if not any(str(name).lower().endswith(ext) for ext in accept):
                return None, _("Tệp “%(name)s” không đúng định dạng; chỉ nhận %(exts)s.") % {
                    "name": name,
                    "exts": ", ".join(accept),
                }
            if size is not None and size > limit * 1024 * 1024:
                return None, _("Tệp “%(name)s” quá lớn (tối đa %(mb)s MB).") % {
                    "name": name,
                    "mb": _format_number(limit),
                }
        return (uploads if isinstance(raw, list) else uploads[0]), None

    def _id_number_agrees(self, field: FieldDef, value: str, cleaned: Mapping[str, Any], scope: Scope) -> str | None:
        """Compare the ID number with the birth date/year and gender fields it names."""
        birth_date: datetime.date | None = None
        birth_year: int | None = None
        gender: str | None = None
        if field.get("birth_date_field"):
            known = self._related_value(field["birth_date_field"], cleaned, scope)
            if isinstance(known, int):
                birth_year = known
            elif isinstance(known, str):
                birth_date = parse_date(known)
        if field.get("gender_field"):
            known = self._related_value(field["gender_field"], cleaned, scope)
            gender = known if isinstance(known, str) else None
        if birth_date is None and birth_year is None and gender is None:
            return None
        try:
            validate_id_number(value, birth_date=birth_date, birth_year=birth_year, gender=gender)
        except ValidationError as error:
            return str(error.messages[0])
        return None

    def _related_value(self, name: str, cleaned: Mapping[str, Any], scope: Scope) -> Any:
        if name in cleaned:
            return cleaned[name]
        target = scope.field(name)
        if target is None or name in scope.local:
            return None  # a sibling that failed its own check: its error is already shown
        # A field on another page (validated there): clean it quietly to compare.
        top_scope = scope.for_top()
        if not is_visible(target, top_scope):
            return None
        value, error = self.clean_value(target, top_scope.raw(name), path=name, scope=top_scope)
        return None if error else value


def form_clean(
    schema: Schema,
    data: Mapping[str, Any],
    *,
    page_id: str | None = None,
    today: datetime.date | None = None,
    attached_components: Collection[int] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate answers against the form; return (cleaned values, errors by field path).

    `data` holds every answer so far (the nested shape parse_posted returns, or an API
    payload). With `page_id` only that page's fields are checked and returned; conditions may
    still look at answers from other pages. Hidden fields are dropped and never required.
    Required file fields also count as present when their component index is in
    `attached_components` (papers uploaded in a separate step).
    """
    cleaner = _Cleaner(schema, data, today=today or timezone.localdate(), attached_components=attached_components)
    if page_id is None:
        fields = [field for _page, field in iter_fields(schema)]
    else:
        fields = list(page_of(schema, page_id)["fields"])
    cleaned = cleaner.clean_fields(fields, Scope(top=cleaner.top, top_data=data), prefix="")
    return cleaned, cleaner.errors


class PaperNeed(StrEnum):
    """What a dossier component asks of the applicant, given their answers."""

    FORM = "form"  # the filled-in e-form itself is this paper (the declaration)
    REQUIRED = "required"
    OPTIONAL = "optional"
    NOT_NEEDED = "not_needed"  # the answers rule it out (a condition that does not hold)


def form_paper_need(schema: Schema | None, data: Mapping[str, Any], *, position: int, required: bool) -> PaperNeed:
    """The one rule for whether the paper at component index `position` is needed.

    `required` is the catalogue's word (DossierComponent.required); the e-form says when a paper
    applies: a paper asked for by file fields applies only while one of them is visible, and is
    then required when the catalogue or a visible field says so. The papers step's tag, the
    check before submission and the reception view all ask this.
    """
    if schema is None:
        return PaperNeed.REQUIRED if required else PaperNeed.OPTIONAL
    if position in schema.get("fulfils_components", []):
        return PaperNeed.FORM
    top = top_fields(schema)
    asking = [field for field in top.values() if field["type"] == "file" and field["component"] == position]
    if not asking:
        return PaperNeed.REQUIRED if required else PaperNeed.OPTIONAL
    scope = Scope(top=top, top_data=data)
    shown = [field for field in asking if is_visible(field, scope)]
    if not shown:
        return PaperNeed.NOT_NEEDED
    return PaperNeed.REQUIRED if required or any(f.get("required") for f in shown) else PaperNeed.OPTIONAL


def settled_hidden(field: FieldDef, scope: Scope, *, page_names: Collection[str]) -> bool:
    """Whether answers outside this page already rule `field` out.

    Follows the chain of conditions through fields of this page (`page_names`); the first one
    that looks at another page's answer settles it. A page leaves such a field out entirely,
    and the browser shows or hides the others as the person answers.
    """
    current: FieldDef | None = field
    seen: set[str] = set()
    while current is not None and current.get("visible_if"):
        target = str(current["visible_if"].get("field", ""))
        if target not in page_names:
            return not is_visible(current, scope)
        if target in seen:
            return True
        seen.add(target)
        current = scope.field(target)
    return False


def form_unused_answers(
    schema: Schema, stored: Mapping[str, Any], posted: Mapping[str, Any], *, page_id: str
) -> list[tuple[FieldDef, Any]]:
    """(field, value) of answers that would be dropped once page `page_id` is posted: the field
    does not apply to the answers, yet holds something the person typed.

    Blank and default values do not count; nor does a pre-filled field the person was not
    shown on this page (the registry put its value there, not them). A field the page left out
    posts as blank: its stored value still counts, so answers that stopped applying (another
    page's choice changed) are reported too.
    """
    top = top_fields(schema)
    page_names = {field["name"] for field in page_of(schema, page_id)["fields"]}
    shown_scope = Scope(top=top, top_data=stored)

    def shown(name: str) -> bool:
        return name in page_names and not settled_hidden(top[name], shown_scope, page_names=page_names)

    merged = dict(stored)
    for name, value in posted.items():
        if name not in top or shown(name) or not is_blank(value):
            merged[name] = value
    scope = Scope(top=top, top_data=merged)
    unused = []
    for name, field in top.items():
        value = merged.get(name)
        if field["type"] == "file" or is_blank(value) or value == field.get("default"):
            continue
        if (field.get("prefill") or field.get("prefill_unit")) and not shown(name):
            continue
        if not is_visible(field, scope):
            unused.append((field, value))
    return unused


# --------------------------------------------------------------------------- initial values


def _initial_value(field: FieldDef, value: Any) -> Any:
    """A prefilled value in the form's stored shape, or None when it does not fit."""
    kind = field["type"]
    if value is None or value == "":
        return None
    if kind == "date":
        day = parse_date(value)
        return day.isoformat() if day else None
    if kind == "year":
        if isinstance(value, datetime.date):
            return value.year
        day = parse_date(value)
        if day:
            return day.year
        text = str(value)
        return int(text) if text.isascii() and text.isdigit() else None
    if kind == "choice":
        text = str(value).strip().casefold()
        for choice in field["choices"]:
            if text in (choice["value"].casefold(), choice["label"].casefold()):
                return choice["value"]
        return None
    if kind == "checkbox":
        return _truthy(value)
    if kind == "address":
        if isinstance(value, dict):
            return {"unit": str(value.get("unit") or ""), "detail": str(value.get("detail") or "")}
        return {"unit": "", "detail": str(value)}
    if kind == "group":
        if not isinstance(value, list):
            return None
        children = {child["name"]: child for child in field["fields"]}
        items = []
        for item in value:
            if isinstance(item, dict):
                converted = {k: _initial_value(children[k], v) for k, v in item.items() if k in children}
                items.append({k: v for k, v in converted.items() if v is not None})
        return items or None
    if kind == "file":
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def form_initial(schema: Schema, prefill: Callable[[str], Any]) -> dict[str, Any]:
    """Initial answers: each top-level field's "prefill" source, else its "default".

    `prefill(path)` returns the value for a source path ("profile.full_name",
    "population.mother.id_number", …) or None when unknown. Values come back in the stored
    shape: dates as ISO strings, years as ints, addresses as {"unit", "detail"}, groups as
    lists of objects.
    """
    initial: dict[str, Any] = {}
    for _page, field in iter_fields(schema):
        value = None
        if field.get("prefill"):
            value = _initial_value(field, prefill(field["prefill"]))
        if field["type"] == "address" and field.get("prefill_unit"):
            unit = prefill(field["prefill_unit"])
            if unit:
                from motcua.directory.addresses import detail_below_unit

                # The registry's whole address line would repeat the ward chosen beside it.
                detail = detail_below_unit((value or {}).get("detail", ""), str(unit))
                value = {"unit": str(unit), "detail": detail}
        if value is None and "default" in field:
            value = field["default"]
        if value is not None:
            initial[field["name"]] = value
    return initial


# --------------------------------------------------------------------------- posted data


def _posted_field(field: FieldDef, posted: Any, files: Any, prefix: str, *, page_marked: bool) -> tuple[bool, Any]:
    """(present, value) of one field in a POST; `page_marked` means absent inputs were blank."""
    name = prefix + field["name"]
    kind = field["type"]
    if kind == "address":
        keys = (f"{name}.unit", f"{name}.detail")
        if page_marked or any(k in posted for k in keys):
            return True, {"unit": posted.get(keys[0], ""), "detail": posted.get(keys[1], "")}
        return False, None
    if kind == "checkbox":
        if page_marked or name in posted:
            return True, _truthy(posted.get(name, ""))
        return False, None
    if kind == "file":
        upload = files.get(name) if files is not None else None
        return (upload is not None), upload  # no new upload: keep what was stored before
    if name in posted:
        return True, posted.get(name)
    return page_marked, ("" if page_marked else None)


def parse_posted(schema: Schema, querydict: Any, files: Any = None) -> dict[str, Any]:
    """Turn posted input names (field paths) back into nested answers.

    Group items become lists (blank items dropped, indexes compacted, the item named by
    "remove_item" removed); addresses become {"unit", "detail"}. The rendered page carries a
    hidden "_eform_page" input: fields of that page that were not posted (an unticked box, an
    unanswered radio) come back blank, so saving a page over earlier answers clears them.
    Other fields absent from the POST are left out. Pass request.FILES as `files` to pick up
    uploads of file fields.
    """
    marked = set(querydict.getlist("_eform_page")) if hasattr(querydict, "getlist") else set()
    remove = str(querydict.get("remove_item", "") or "")
    data: dict[str, Any] = {}
    for page in schema.get("pages", []):
        page_marked = page.get("id") in marked
        for field in page.get("fields", []):
            name = field["name"]
            if field["type"] != "group":
                present, value = _posted_field(field, querydict, files, "", page_marked=page_marked)
                if present:
                    data[name] = value
                continue
            # At most 9 ASCII digits: int() refuses a number of over 4,300 digits (a forged field name).
            pattern = re.compile(re.escape(name) + r"\.([0-9]{1,9})\.")
            indexes = sorted({int(m.group(1)) for key in querydict if (m := pattern.match(key))})
            if files is not None:
                indexes = sorted(set(indexes) | {int(m.group(1)) for key in files if (m := pattern.match(key))})
            if not indexes and not page_marked:
                continue
            items = []
            for index in indexes:
                if remove == f"{name}.{index}":
                    continue
                item: dict[str, Any] = {}
                for child in field["fields"]:
                    present, value = _posted_field(child, querydict, files, f"{name}.{index}.", page_marked=True)
                    if present:
                        item[child["name"]] = value
                if not is_blank(item):
                    items.append(item)
            data[name] = items
    return data


def is_item_action(querydict: Any) -> bool:
    """True when the POST came from an "add item"/"remove item" button of a repeating group:
    save the answers and show the page again, without validating or moving on."""
    return "add_item" in querydict or "remove_item" in querydict


# --------------------------------------------------------------------------- API description


def _field_json_schema(field: FieldDef) -> dict[str, Any]:
    kind = field["type"]
    out: dict[str, Any] = {"title": _label(field)}
    if field.get("help"):
        out["description"] = field["help"]
    if kind in ("text", "textarea"):
        out["type"] = "string"
        for key, target in (("max_length", "maxLength"), ("min_length", "minLength")):
            if key in field:
                out[target] = field[key]
        if "pattern" in field:
            out["pattern"] = "^(?:" + field["pattern"] + ")$"
    elif kind == "email":
        out.update(type="string", format="email")
    elif kind == "number":
        out["type"] = "number" if field.get("decimals") else "integer"
        for key, target in (("min", "minimum"), ("max", "maximum")):
            if key in field:
                out[target] = field[key]
        if field.get("unit"):
            out["x-unit"] = field["unit"]
    elif kind == "year":
        out.update(type="integer", minimum=field.get("min", 1900))
        if "max" in field:
            out["maximum"] = field["max"]
    elif kind == "date":
        out.update(type="string", format="date")
    elif kind == "choice":
        out["type"] = "string"
        out["oneOf"] = [{"const": c["value"], "title": c["label"]} for c in field["choices"]]
    elif kind == "checkbox":
        out["type"] = "boolean"
        if field.get("required"):
            out["const"] = True
    elif kind == "id_number":
        out.update(type="string", pattern=r"^\d{12}$")
    elif kind == "phone":
        out.update(type="string", pattern=r"^0[35789]\d{8}$")
    elif kind == "tax_code":
        pattern = r"^\d{10}(-\d{3})?$" if not field.get("allow_id_number") else r"^(\d{10}(-\d{3})?|\d{12})$"
        out.update(type="string", pattern=pattern)
    elif kind == "address":
        out.update(
            type="object",
            properties={
                "unit": {
                    "type": ["string", "null"] if field.get("allow_outside") else "string",
                    "description": _("Mã đơn vị hành chính cấp xã đang có hiệu lực"),
                },
                "detail": {"type": "string", "maxLength": 255},
            },
            required=["unit", "detail"],
        )
    elif kind == "group":
        children = field["fields"]
        out.update(
            type="array",
            items={
                "type": "object",
                "properties": {child["name"]: _field_json_schema(child) for child in children},
                "required": [c["name"] for c in children if c.get("required") and not c.get("visible_if")],
            },
            maxItems=field.get("max_items", DEFAULT_MAX_ITEMS),
        )
        if field.get("min_items", 1 if field.get("required") else 0):
            out["minItems"] = field.get("min_items", 1)
    elif kind == "file":
        out.update(type="string", format="binary", **{"x-component": field["component"]})
        out["x-accept"] = field.get("accept", list(DEFAULT_ACCEPT))
    if field.get("visible_if"):
        out["x-visible-if"] = field["visible_if"]
        if field.get("required"):
            out["x-required-when-visible"] = True
    if field.get("prefill"):
        out["x-prefill"] = field["prefill"]
    if "default" in field:
        out["default"] = field["default"]
    return out


def form_json_schema(schema: Schema) -> dict[str, Any]:
    """A JSON Schema (2020-12) of the answers, for the API and its OpenAPI document.

    Conditional fields are described by "x-visible-if" and are not listed in "required"
    (they are required only when shown); "x-pages" keeps the page order for clients.
    """
    properties: dict[str, Any] = {}
    required: list[str] = []
    for _page, field in iter_fields(schema):
        properties[field["name"]] = _field_json_schema(field)
        if field.get("required") and not field.get("visible_if") and field["type"] != "file":
            required.append(field["name"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": schema.get("title", ""),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "x-pages": [
            {"id": page["id"], "title": page["title"], "fields": [f["name"] for f in page["fields"]]}
            for page in schema.get("pages", [])
        ],
    }


# --------------------------------------------------------------------------- display


def display_value(field: FieldDef, value: Any) -> str:
    """One answer as the text a person reads (check-your-answers pages, slips, the back office)."""
    kind = field["type"]
    if is_blank(value) and kind != "checkbox":
        return ""
    if kind == "choice":
        labels = {c["value"]: c["label"] for c in field["choices"]}
        return labels.get(str(value), str(value))
    if kind == "checkbox":
        return _("Có") if _truthy(value) else _("Không")
    if kind == "date":
        day = parse_date(value)
        return day.strftime("%d/%m/%Y") if day else str(value)
    if kind == "number":
        text = _format_number(value) if _parse_number(value, decimals=2) is not None else str(value)
        return f"{text} {field['unit']}" if field.get("unit") else text
    if kind == "address":
        from motcua.directory.addresses import address_text

        return address_text(value)
    if kind == "file":
        uploads = value if isinstance(value, list) else [value]
        names = [getattr(u, "name", None) or (u.get("name") if isinstance(u, dict) else str(u)) for u in uploads]
        return ", ".join(str(n) for n in names if n)
    return str(value)


# --------------------------------------------------------------------------- demo loading


def procedure_forms_load(*, document: dict[str, Any]) -> int:
    """Attach each form of `document` ({procedure code: schema}) to that procedure's current
    version, creating or updating its ProcedureForm; return how many were attached.

    Every schema is checked first (structure, and file fields against the version's
    components); any problem raises ValueError listing them all and nothing is written.
    Codes without a procedure (or without a current version) are skipped with a warning, so
    a smaller catalogue still loads.
    """
    from motcua.catalog.models import Procedure, ProcedureForm

    if not isinstance(document, dict):
        raise ValueError("forms document must be an object {procedure code: schema}")
    procedures = {
        p.code: p for p in Procedure.objects.filter(code__in=list(document)).select_related("current_version")
    }
    problems: list[str] = []
    targets = []
    for code, schema in document.items():
        procedure = procedures.get(code)
        version = procedure.current_version if procedure is not None else None
        if version is None:
            logger.warning("No current version for procedure %s; its form is not loaded.", code)
            problems.extend(f"{code}: {e}" for e in form_schema_errors(schema))
            continue
        errors = form_schema_errors(schema, component_count=version.components.count())
        problems.extend(f"{code}: {e}" for e in errors)
        targets.append((version, schema))
    if problems:
        raise ValueError("\n".join(problems))
    attached = 0
    with transaction.atomic():
        for version, schema in targets:
            existing = ProcedureForm.objects.filter(version=version).first()
            if existing is None:
                ProcedureForm.objects.create(version=version, schema=schema)
            elif json.dumps(existing.schema, sort_keys=True) != json.dumps(schema, sort_keys=True):
                existing.schema = schema
                existing.save(update_fields=["schema", "updated_at"])
            attached += 1
    return attached
