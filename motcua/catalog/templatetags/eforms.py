"""Render e-forms (catalog/eforms.py) with the design system; every control works without JS.

    {% load eforms %}
    <form method="post" enctype="multipart/form-data" novalidate>
      {% csrf_token %}
      {% eform_error_summary schema errors %}
      {% eform_page schema page.id values errors %}
      <button class="mc-button" type="submit">Tiếp tục</button>
    </form>
    {% eform_summary schema values %}   {# check your answers #}

Input names are the field paths ("members.0.full_name"; an address posts "<path>.unit" and
"<path>.detail"); ids are "id_" + path, so an error summary links with "#id_<path>".
``parse_posted`` (in catalog/eforms.py) turns the POST back into answers.
"""

import datetime
import json
from collections.abc import Mapping
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from motcua.catalog.eforms import (
    DEFAULT_ACCEPT,
    DEFAULT_MAX_ITEMS,
    DEFAULT_MAX_SIZE_MB,
    OUTSIDE,
    UNIT_KINDS,
    FieldDef,
    Schema,
    Scope,
    display_value,
    is_blank,
    is_visible,
    page_of,
    parse_date,
    settled_hidden,
    top_fields,
)
from motcua.directory.addresses import unit_name_in_text

register = template.Library()

_INPUT_TYPES: dict[str, dict[str, str]] = {
    "text": {"input_type": "text"},
    "number": {"input_type": "text", "inputmode": "decimal"},
    "year": {"input_type": "text", "inputmode": "numeric", "width": "4"},
    "id_number": {"input_type": "text", "inputmode": "numeric", "width": "20", "autocomplete": "off"},
    "phone": {"input_type": "tel", "width": "20", "autocomplete": "tel"},
    "email": {"input_type": "email", "width": "30", "autocomplete": "email", "spellcheck": "false"},
    "tax_code": {"input_type": "text", "inputmode": "numeric", "width": "20", "autocomplete": "off"},
}
_TEMPLATES = {
    "textarea": "eforms/fields/textarea.html",
    "date": "eforms/fields/date.html",
    "checkbox": "eforms/fields/checkbox.html",
    "address": "eforms/fields/address.html",
    "group": "eforms/fields/group.html",
    "file": "eforms/fields/file.html",
}


def field_id(path: str) -> str:
    return "id_" + path


def _as_text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, bool):
        return "1"
    return str(value)


class _UnitOptions:
    """The communes and wards an address may point at, current on `today`, loaded once."""

    def __init__(self, today: datetime.date):
        self.today = today
        self._loaded: tuple[list[dict[str, Any]], dict[str, str], str] | None = None

    def _load(self) -> tuple[list[dict[str, Any]], dict[str, str], str]:
        if self._loaded is None:
            from motcua.directory.models import AdministrativeUnit

            current = AdministrativeUnit.objects.valid_on(self.today)
            units = list(current.filter(kind__in=UNIT_KINDS).select_related("parent").order_by("parent__name", "name"))
            parents = {u.parent_id for u in units}
            province = current.filter(kind="province").order_by("code").first()
            groups: list[dict[str, Any]] = []
            if len(parents) > 1:  # the three-tier shape: group communes under their district
                for unit in units:
                    label = unit.parent.name if unit.parent else ""
                    if not groups or groups[-1]["label"] != label:
                        groups.append({"label": label, "options": []})
                    groups[-1]["options"].append({"value": unit.code, "label": unit.name})
            else:
                ordered = sorted(units, key=lambda u: (u.kind != "ward", u.name))
                groups.append({"label": "", "options": [{"value": u.code, "label": u.name} for u in ordered]})
            self._loaded = (groups, {u.code: u.name for u in units}, province.name if province else "")
        return self._loaded

    def options(self, selected: str) -> list[dict[str, Any]]:
        groups, names, _province = self._load()
        result = [
            {
                "label": group["label"],
                "options": [{**o, "selected": o["value"] == selected} for o in group["options"]],
            }
            for group in groups
        ]
        if selected and selected != OUTSIDE and selected not in names:
            # A prefilled or old code that is no longer current: show it, so the person sees
            # why the field is refused and picks the new commune.
            stale = _("Mã %(code)s (không còn hiệu lực)") % {"code": selected}
            result.insert(0, {"label": "", "options": [{"value": selected, "label": stale, "selected": True}]})
        return result

    @property
    def province_name(self) -> str:
        return self._load()[2]


class _Binder:
    """Builds, for each field, the dict its template renders ("bf")."""

    def __init__(
        self,
        schema: Schema,
        values: Mapping[str, Any],
        errors: Mapping[str, str],
        *,
        page_field_names: set[str],
        files: bool,
        today: datetime.date,
    ):
        self.schema = schema
        self.values = values
        self.errors = errors
        self.top = top_fields(schema)
        self.page_field_names = page_field_names
        self.files = files
        self.today = today
        self.units = _UnitOptions(today)

    def bind_all(
        self, fields: list[FieldDef], scope: Scope, *, prefix: str, local_names: set[str]
    ) -> list[dict[str, Any]]:
        bound = []
        for field in fields:
            if field["type"] == "file" and not self.files:
                continue
            condition = field.get("visible_if")
            page_names = local_names | self.page_field_names
            on_page = condition and condition["field"] in page_names
            # A condition on another page's answer is settled here, also through a field of this
            # page that it rules out; one on this page is left to the browser (and to the
            # server when the page is posted).
            if condition and settled_hidden(field, scope, page_names=page_names):
                continue
            bound.append(self.bind(field, scope, prefix=prefix, local_names=local_names, on_page=bool(on_page)))
        return bound

    def bind(
        self, field: FieldDef, scope: Scope, *, prefix: str, local_names: set[str], on_page: bool
    ) -> dict[str, Any]:
        kind = field["type"]
        path = prefix + field["name"]
        value = scope.raw(field["name"])
        bf: dict[str, Any] = {
            "field": field,
            "type": kind,
            "name": path,
            "id": field_id(path),
            "label": field["label"],
            "help": field.get("help", ""),
            "required": bool(field.get("required")),
            "error": self.errors.get(path, ""),
            "template": _TEMPLATES.get(kind, "eforms/fields/input.html"),
        }
        if kind in _INPUT_TYPES:
            bf.update(_INPUT_TYPES[kind])
        if field.get("width"):
            bf["width"] = str(field["width"])
        if kind == "textarea":
            bf["rows"] = field.get("rows", 5)
        if field.get("unit"):
            bf["label"] = f"{field['label']} ({field['unit']})"
        condition = field.get("visible_if") if on_page else None
        if condition:
            controller_path = (prefix if condition["field"] in local_names else "") + condition["field"]
            bf["visible_if"] = json.dumps(
                {**condition, "field": controller_path}, ensure_ascii=False, separators=(",", ":")
            )
            bf["condition_text"] = self._condition_text(condition, scope)
        described = [bf["id"] + "_helptext"] if (bf["help"] or condition or kind == "file") else []
        if bf["error"]:
            described.append(bf["id"] + "_error")
        bf["describedby"] = " ".join(described)

        if kind == "choice":
            selected = _as_text(value)
            widget = field.get("widget") or ("radio" if len(field["choices"]) <= 5 else "select")
            bf["template"] = "eforms/fields/radios.html" if widget == "radio" else "eforms/fields/select.html"
            bf["choices"] = [
                {
                    "value": c["value"],
                    "label": c["label"],
                    "checked": c["value"] == selected,
                    "id": bf["id"] if i == 0 else f"{bf['id']}_{i}",
                }
                for i, c in enumerate(field["choices"])
            ]
            bf["inline"] = len(field["choices"]) <= 3 and all(len(c["label"]) <= 12 for c in field["choices"])
        elif kind == "checkbox":
            bf["checked"] = value is True or _as_text(value).lower() in ("1", "true", "on")
        elif kind == "date":
            day = parse_date(value)
            bf["value"] = day.isoformat() if day else _as_text(value)
            rule = field.get("date_rule", "any")
            if rule == "past":
                bf["max"] = self.today.isoformat()
            elif rule == "future":
                bf["min"] = self.today.isoformat()
        elif kind == "address":
            address = value if isinstance(value, dict) else {"unit": "", "detail": _as_text(value)}
            unit = _as_text(address.get("unit"))
            if address.get("unit") is None and "unit" in address and field.get("allow_outside"):
                unit = OUTSIDE
            bf["unit_groups"] = self.units.options(unit)
            bf["allow_outside"] = bool(field.get("allow_outside"))
            bf["outside_selected"] = unit == OUTSIDE
            bf["outside_value"] = OUTSIDE
            bf["outside_label"] = _("Ngoài %(province)s (ghi đầy đủ địa chỉ bên dưới)") % {
                "province": unit_name_in_text(self.units.province_name) or _("tỉnh")
            }
            bf["detail"] = _as_text(address.get("detail"))
            bf["detail_label"] = field.get("detail_label") or _("Số nhà, đường, thôn hoặc tổ dân phố")
        elif kind == "group":
            self._bind_group(bf, field, value, scope, path=path)
        elif kind == "file":
            accept = field.get("accept", list(DEFAULT_ACCEPT))
            bf["accept"] = ",".join(accept)
            bf["file_rules"] = _("Định dạng %(exts)s; tối đa %(mb)s MB.") % {
                "exts": ", ".join(accept),
                "mb": field.get("max_size_mb", DEFAULT_MAX_SIZE_MB),
            }
            bf["current"] = display_value(field, value) if not is_blank(value) else ""
        else:
            bf["value"] = _as_text(value)
        return bf

    def _bind_group(self, bf: dict[str, Any], field: FieldDef, value: Any, scope: Scope, *, path: str) -> None:
        items = [item for item in (value if isinstance(value, list) else []) if isinstance(item, dict)]
        maximum = field.get("max_items", DEFAULT_MAX_ITEMS)
        minimum = field.get("min_items", 1 if field.get("required") else 0)
        filled = [item for item in items if not is_blank(item)]
        count = min(max(len(filled) + 1, minimum, 1), maximum)
        children = field["fields"]
        local_names = {child["name"] for child in children}
        noun = field.get("item_label") or _("Mục")
        bf["group_items"] = []
        for index in range(count):
            item = filled[index] if index < len(filled) else {}
            item_scope = Scope(
                top=scope.top, top_data=scope.top_data, local={c["name"]: c for c in children}, local_data=item
            )
            bf["group_items"].append(
                {
                    "title": _("%(noun)s thứ %(n)d") % {"noun": noun, "n": index + 1},
                    "fields": self.bind_all(children, item_scope, prefix=f"{path}.{index}.", local_names=local_names),
                    "remove": f"{path}.{index}" if index < len(filled) else "",
                }
            )
        bf["can_add"] = len(filled) + 1 < maximum and count == len(filled) + 1
        bf["add_label"] = field.get("add_label") or _("Thêm người")
        bf["max_items"] = maximum

    def _condition_text(self, condition: Mapping[str, Any], scope: Scope) -> str:
        target = scope.field(condition["field"]) or {}
        label = "“" + str(target.get("label", condition["field"])) + "”"
        if target.get("type") == "checkbox":
            ticked = condition.get("equals", True) if "equals" in condition else not condition.get("not_equals", False)
            if ticked:
                return _("(chỉ điền nếu chọn %(label)s)") % {"label": label}
            return _("(chỉ điền nếu không chọn %(label)s)") % {"label": label}
        labels = {c["value"]: c["label"] for c in target.get("choices", [])}

        def named(v: Any) -> str:
            return "“" + str(labels.get(v, v)) + "”"

        if "in" in condition:
            options = [named(v) for v in condition["in"]]
            joined = options[0] if len(options) == 1 else ", ".join(options[:-1]) + _(" hoặc ") + options[-1]
            return _("(chỉ điền nếu %(label)s là %(values)s)") % {"label": label, "values": joined}
        if "not_equals" in condition:
            return _("(chỉ điền nếu %(label)s khác %(value)s)") % {
                "label": label,
                "value": named(condition["not_equals"]),
            }
        return _("(chỉ điền nếu %(label)s là %(value)s)") % {"label": label, "value": named(condition["equals"])}


@register.simple_tag
def eform_page(
    schema: Schema,
    page_id: str,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    files: bool = True,
) -> SafeString:
    """The fields of one page, in the order of the definition.

    `values`: answers so far (form_initial or parse_posted output); `errors`: form_clean's.
    `files=False` leaves file fields out (when papers are uploaded in a separate step). The
    enclosing <form> needs enctype="multipart/form-data" when file fields are rendered.
    """
    values = values or {}
    page = page_of(schema, page_id)
    binder = _Binder(
        schema,
        values,
        errors or {},
        page_field_names={f["name"] for f in page["fields"]},
        files=files,
        today=timezone.localdate(),
    )
    scope = Scope(top=binder.top, top_data=values)
    fields = binder.bind_all(page["fields"], scope, prefix="", local_names=set())
    has_groups = any(bf["type"] == "group" for bf in fields)
    return render_to_string("eforms/page.html", {"page": page, "fields": fields, "has_groups": has_groups})


def error_label(schema: Schema, path: str) -> str:
    """ "Thành viên thứ 2 – Họ, chữ đệm, tên" for "members.1.full_name"."""
    parts = path.split(".")
    top = top_fields(schema)
    field = top.get(parts[0])
    if field is None:
        return path
    if len(parts) >= 3 and field["type"] == "group" and parts[1].isdigit():
        child = next((c for c in field["fields"] if c["name"] == parts[2]), None)
        noun = field.get("item_label") or _("Mục")
        item = _("%(noun)s thứ %(n)d") % {"noun": noun, "n": int(parts[1]) + 1}
        return f"{field['label']}, {item.lower()}: {child['label'] if child else parts[2]}"
    return str(field["label"])


@register.simple_tag
def eform_error_summary(schema: Schema, errors: Mapping[str, str] | None) -> SafeString:
    """The error summary for a page: put it above the <h1>; it takes focus on load."""
    if not errors:
        return SafeString("")
    items = []
    for path, message in errors.items():
        label = error_label(schema, path)
        context, _sep, leaf = label.rpartition(": ")
        # Most messages already name their field; add the label only when they do not, and
        # always say which group item is meant.
        text = message if leaf in message else f"{leaf}: {message}"
        items.append({"href": "#" + field_id(path), "text": f"{context}: {text}" if context else text})
    return render_to_string("eforms/error_summary.html", {"items": items})


def _summary_rows(fields: list[FieldDef], scope: Scope) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for field in fields:
        if not is_visible(field, scope):
            continue
        value = scope.raw(field["name"])
        if field["type"] == "group":
            items = [item for item in (value or []) if isinstance(item, dict) and not is_blank(item)]
            local = {c["name"]: c for c in field["fields"]}
            rows.append(
                {
                    "label": field["label"],
                    "is_group": True,
                    "group_items": [
                        _summary_rows(
                            field["fields"],
                            Scope(top=scope.top, top_data=scope.top_data, local=local, local_data=item),
                        )
                        for item in items
                    ],
                    "item_label": field.get("item_label") or _("Mục"),
                }
            )
        else:
            rows.append({"label": field["label"], "value": display_value(field, value)})
    return rows


@register.simple_tag
def eform_summary(
    schema: Schema, values: Mapping[str, Any] | None, page_urls: Mapping[str, str] | None = None
) -> SafeString:
    """Answers page by page, as summary cards (check your answers, the back office, preview).

    `page_urls` ({page id: url}) adds a "Thay đổi" link to each card.
    """
    values = values or {}
    scope = Scope(top=top_fields(schema), top_data=values)
    pages = [
        {
            "title": page["title"],
            "rows": _summary_rows(page["fields"], scope),
            "url": (page_urls or {}).get(page["id"], ""),
        }
        for page in schema.get("pages", [])
    ]
    return render_to_string("eforms/summary.html", {"pages": pages})
