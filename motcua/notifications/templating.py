"""Notification templates: checked when saved, rendered in a sandbox when an event is recorded.

A template is Django template text over the plain strings named in
constants.TEMPLATE_VARIABLES. Every message is rendered with all of those names (blank when
the event has nothing for one), so a template that passed `notification_template_errors`
cannot fail at sending time: a missing or misspelt variable is refused when an administrator
saves it, with a Vietnamese message, never discovered by a citizen who got no message.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Lexer, Node, TokenType, Variable
from django.template.defaulttags import ForNode, WithNode
from django.template.smartif import TokenBase
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.money import format_amount
from motcua.notifications.constants import TEMPLATE_VARIABLES, NotificationChannel

# Tags that would reach other templates, tag libraries or the whole context.
FORBIDDEN_TAGS = frozenset({"load", "include", "extends", "ssi", "debug", "block", "url", "csrf_token"})
_LITERAL_NAMES = frozenset({"True", "False", "None"})

# Default tags and filters only, no loaders, no libraries: the context holds strings only, so a
# template cannot reach a model, a method or a file. Plain text: SMS, Zalo parameters and the
# e-mail body are not HTML, so nothing is escaped.
_SANDBOX = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    builtins=["django.template.defaulttags", "django.template.defaultfilters"],
    autoescape=False,
    debug=False,
    string_if_invalid="",
)

SAMPLE_CONTEXT: dict[str, str] = {
    "code": "000.01.50.H15-261127-0001",
    "procedure_name": "Thủ tục đăng ký khai sinh",
    "agency_name": "UBND phường Tân Lập",
    "status_label": "Đã tiếp nhận",
    "due_date": "30/11/2026",
    "next_step": "Hồ sơ đang được giải quyết; chờ kết quả theo ngày hẹn.",
    "tracking_url": "https://dichvucong.example.vn/tra-cuu/000.01.50.H15-261127-0001/",
    "reason": "Bản sao giấy chứng sinh chưa rõ nét.",
    "amount": "100.000 đồng",
    "refund": "Phí, lệ phí đã nộp (100.000 đồng) được hoàn tự động trong ngày qua cổng thanh toán.",
    "site_name": "Cổng Dịch vụ công",
    "linked_dossiers": "- 000.01.50.H15-261127-0002 – Đăng ký thường trú – Công an phường Tân Lập",
}


class TemplateProblem(Exception):
    """A template that cannot be used; `message` is Vietnamese, for the administrator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _compile(text: str) -> Template:
    for token in Lexer(text).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        parts = token.split_contents()
        if parts and parts[0] in FORBIDDEN_TAGS:
            raise TemplateProblem(
                _("Mẫu không được dùng thẻ {%% %(tag)s %%} (dòng %(line)s).") % {"tag": parts[0], "line": token.lineno}
            )
    try:
        return Template(text, engine=_SANDBOX)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_("Mẫu có lỗi cú pháp: %(error)s") % {"error": error}) from error


def _referenced(value: Any, bound: frozenset[str]) -> Iterator[str]:
    """The first part of every variable `value` reads that is not bound by {% for %} or
    {% with %} around it (`value`: a node list, a node, an expression)."""
    if isinstance(value, Variable):
        if value.lookups and value.lookups[0] not in bound:
            yield value.lookups[0]
    elif isinstance(value, FilterExpression):
        yield from _referenced(value.var, bound)
        for _filter, args in value.filters:
            for _is_lookup, arg in args:
                yield from _referenced(arg, bound)
    elif isinstance(value, TokenBase):  # operators and operands of {% if %}
        for attr in ("first", "second", "value"):
            yield from _referenced(getattr(value, attr, None), bound)
    elif isinstance(value, ForNode):
        yield from _referenced(value.sequence, bound)
        yield from _referenced(value.nodelist_loop, bound | set(value.loopvars) | {"forloop"})
        yield from _referenced(value.nodelist_empty, bound)
    elif isinstance(value, WithNode):
        yield from _referenced(list(value.extra_context.values()), bound)
        yield from _referenced(value.nodelist, bound | set(value.extra_context))
    elif isinstance(value, Node):
        for attr, child in vars(value).items():
            if attr not in ("token", "origin"):
                yield from _referenced(child, bound)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _referenced(item, bound)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _referenced(item, bound)


def template_check(text: str) -> None:
    """Raise TemplateProblem when `text` does not compile, uses a forbidden tag, reads a name
    outside TEMPLATE_VARIABLES or fails to render with sample values."""
    template = _compile(text)
    # Names set with "as" ({% firstof a b as x %}, {% now "Y" as x %}) are the template's own.
    assigned = {
        value
        for node in template.nodelist.get_nodes_by_type(Node)
        for value in (getattr(node, attr, None) for attr in ("asvar", "variable_name", "var_name"))
        if isinstance(value, str) and value
    }
    bound = frozenset(TEMPLATE_VARIABLES) | _LITERAL_NAMES | assigned
    unknown = list(dict.fromkeys(_referenced(template.nodelist, bound)))
    if unknown:
        raise TemplateProblem(
            _("Mẫu dùng biến không có trong dữ liệu thông báo: %(names)s. Các biến được dùng: %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(TEMPLATE_VARIABLES)}
        )
    try:
        template.render(Context(dict(SAMPLE_CONTEXT), autoescape=False))
    except Exception as error:
        raise TemplateProblem(_("Mẫu không tạo được nội dung: %(error)s") % {"error": error}) from error


def notification_template_errors(
    *, channel: str, subject: str, body: str, zns_template_id: str, zns_params: Any
) -> dict[str, list[str]]:
    """Problems of a template's fields, by field name (empty when it can be saved)."""
    errors: dict[str, list[str]] = {}

    def check(field: str, text: str, *, required: bool) -> None:
        if not text.strip():
            if required:
                errors.setdefault(field, []).append(_("Không được để trống."))
            return
        try:
            template_check(text)
        except TemplateProblem as problem:
            errors.setdefault(field, []).append(problem.message)

    check("subject", subject or "", required=channel == NotificationChannel.EMAIL)
    check("body", body or "", required=channel != NotificationChannel.ZALO)
    if channel == NotificationChannel.ZALO:
        if not (zns_template_id or "").strip():
            errors.setdefault("zns_template_id", []).append(_("Tin Zalo (ZNS) cần mã mẫu đã được Zalo duyệt."))
        if not isinstance(zns_params, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in zns_params.items()
        ):
            errors.setdefault("zns_params", []).append(
                _('Tham số mẫu ZNS phải là một đối tượng JSON {"tên tham số": "nội dung mẫu"}.')
            )
        else:
            for name, text in zns_params.items():
                try:
                    template_check(text)
                except TemplateProblem as problem:
                    errors.setdefault("zns_params", []).append(f"{name}: {problem.message}")
    return errors


def template_render(text: str, context: Mapping[str, str]) -> str:
    """`text` rendered with `context` (a template that passed template_check)."""
    return _compile(text).render(Context(dict(context), autoescape=False)).strip()


def format_date(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def context_complete(values: Mapping[str, Any]) -> dict[str, str]:
    """Every template name, as a string: dates formatted, amounts in đồng, the rest blank."""
    unknown = set(values) - set(TEMPLATE_VARIABLES)
    if unknown:
        raise ValueError(f"Not notification template variables: {', '.join(sorted(unknown))}")
    context = dict.fromkeys(TEMPLATE_VARIABLES, "")
    context["site_name"] = settings.MOTCUA_SITE_NAME
    for name, value in values.items():
        if value is None:
            continue
        if name == "due_date" and isinstance(value, datetime.date):
            context[name] = format_date(value)
        elif name == "amount" and isinstance(value, int):
            context[name] = format_amount(value)
        else:
            context[name] = str(value)
    return context
