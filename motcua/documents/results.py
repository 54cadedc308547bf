"""Results of procedures as signed Vietnamese administrative documents.

A result is written in the national layout (Decree 30/2020/NĐ-CP, appendix I): the issuing
agency and the document number on the left, the national motto on the right, the place and
date, a centred title, the body, "Nơi nhận" and the signature block, and a QR code that opens
the public verification page. The frame is `templates/documents/result.html`; what changes
per procedure is a `catalog.ResultTemplate` (title, number symbol, body), a Django template
that administrators edit and that is rendered in a sandbox (see `result_template_check`).

Decree 30/2020/NĐ-CP sets the order for an electronic document: the competent person signs
first, with their personal digital signature; then the clerk (văn thư) gives it its number
and date of issue and adds the organisation's digital signature, whose visible stamp carries
both. So `result_sign` (the leader's approval) renders the result with the number and the
date left blank ("Số:      /TLKS", "…, ngày … tháng … năm …") and signs it in the leader's
name; `result_number_and_seal` (the clerk's issue) takes the number from the clerk's
register (`DocumentNumberSequence`: one sequence per agency, year and symbol, e.g.
"12/TLKS") and appends the agency's signature, stamped "Số: 12/TLKS / Ngày 26/11/2026" in the
box the frame reserves under the number. A copy can then go to the applicant's document
store.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Lexer, Node, NodeList, TokenType, Variable
from django.template.defaulttags import ForNode, WithNode
from django.template.smartif import TokenBase
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from motcua.catalog.models import ResultTemplate
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.text import fold
from motcua.directory.addresses import unit_kind_prefix
from motcua.directory.constants import AgencyKind, UnitKind
from motcua.documents.heading import HeadingField, heading_fields_add
from motcua.documents.models import DocumentNumberSequence, IssuedDocument, StoredDocument
from motcua.documents.services import (
    issued_document_create,
    issued_document_seal,
    new_verification_code,
    render_result_pdf,
)
from motcua.dossiers.constants import Outcome
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record
from motcua.signatures.signing import VisibleStamp

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureVersion
    from motcua.directory.models import AdministrativeUnit, Agency
    from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)

RESULT_FRAME = "documents/result.html"
DEFAULT_TITLE = "Văn bản giải quyết thủ tục hành chính"
DEFAULT_SYMBOL = "KQ"
# A refusal is a reply letter, numbered in its own register so results keep theirs unbroken.
REFUSAL_TITLE = "Văn bản trả lời"
REFUSAL_SYMBOL = "TL"
# The box the frame reserves under "Số:" for the agency's signature stamp, in PDF points,
# found in the rendered PDF through the named destination of the element with this id.
SEAL_ANCHOR = "so-va-ngay-ban-hanh"
SEAL_WIDTH = 150
SEAL_HEIGHT = 36
# The heading's number and place-and-date lines: text fields the clerk fills at release
# (`heading.py`), over boxes of these sizes (points) the frame reserves under these ids.
NUMBER_ANCHOR = "so-ky-hieu"
DATE_ANCHOR = "dia-danh-ngay-ban-hanh"
HEADING_FIELD_HEIGHT = 18
NUMBER_WIDTH = 180
DATE_WIDTH = 280
# The blank left for the number on the signed, unnumbered document ("Số:      /TLKS").
NUMBER_BLANK = "\u2002" * 6

# The names a result template may use; see result_template_check.
CONTEXT_NAMES = frozenset(
    {
        "applicant_name",
        "answers",
        "values",
        "form",
        "dossier_code",
        "procedure_name",
        "agency_name",
        "draft",
        "outcome",
        "outcome_note",
        "received_date",
    }
)
# Always present in a Django Context (BaseContext.builtins).
_CONTEXT_BUILTINS = frozenset({"True", "False", "None"})
# Tags a result template may not use: they reach other templates or tag libraries, or dump
# the whole context into the document.
FORBIDDEN_TAGS = frozenset({"load", "include", "extends", "ssi", "debug", "block", "url"})

DEFAULT_BODY = """\
<p>Xét đề nghị của ông/bà {{ applicant_name }} tại hồ sơ số {{ dossier_code }}\
{% if received_date %} tiếp nhận ngày {{ received_date|date:"d/m/Y" }}{% endif %} \
về việc {{ procedure_name|lower }},</p>
<p>{{ agency_name }} giải quyết như sau:</p>
{% if draft %}<div class="draft">{{ draft|linebreaks }}</div>{% endif %}
{% if answers %}<p><strong>Thông tin theo tờ khai của người yêu cầu:</strong></p>
<table class="answers">{% for answer in answers %}
<tr><td class="label">{{ answer.label }}</td><td>{{ answer.value }}</td></tr>{% endfor %}
</table>{% endif %}
"""

# The sandbox: only Django's default tags and filters (no loader tags, no tag libraries, no
# template loaders), autoescaping on, and a context of plain data only (strings, dicts,
# lists, a date), so a template cannot reach a model, a method or a file.
_SANDBOX = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    builtins=["django.template.defaulttags", "django.template.defaultfilters"],
    autoescape=True,
    debug=False,
    string_if_invalid="",
)


# --------------------------------------------------------------------------- numbering


def document_number_issue(*, agency: Agency, year: int, symbol: str) -> str:
    """The next number of `agency`'s register of outgoing results for `year` and `symbol`.

    Formatted "{n}/{symbol}", e.g. "12/TLKS", numbers below 10 with a leading zero ("05/TLKS",
    Decree 30/2020/NĐ-CP, appendix I); numbering restarts at 1 every year, and each
    agency and symbol has its own sequence. Must run inside the caller's transaction: the
    register row stays locked until it ends, so concurrent issues get distinct, consecutive
    numbers, and a failed issue (rolled back) gives its number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_number_issue must run inside the transaction that issues the document.")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence, _created = DocumentNumberSequence.objects.select_for_update().get_or_create(
                    agency=agency, year=year, symbol=symbol
                )
                sequence.last += 1
                sequence.save(update_fields=["last"])
                break
        except IntegrityError:
            continue  # another transaction created this year's row first: lock that one
    else:
        raise RuntimeError("could not allocate a document number sequence")
    return f"{sequence.last:02d}/{symbol}"


# --------------------------------------------------------------------------- templates


def result_names(version: ProcedureVersion) -> list[str]:
    """The results the catalogue lists for `version` ("Giấy khai sinh"), in order."""
    names = []
    for item in version.results if isinstance(version.results, list) else []:
        name = item.get("name") or item.get("title") if isinstance(item, Mapping) else item
        if isinstance(name, str) and name.strip():
            names.append(" ".join(name.split())[:255])
    return names


def _first_result_name(version: ProcedureVersion) -> str:
    names = result_names(version)
    return names[0] if names else DEFAULT_TITLE


def result_title_check(*, version: ProcedureVersion, title: str) -> None:
    """Refuse a result template titled otherwise than a result the catalogue lists for its
    procedure: a birth registration issues the "Giấy khai sinh", not a "Trích lục khai sinh".
    A version that lists no result accepts any title."""
    names = result_names(version)
    if names and fold(" ".join(title.split())) not in {fold(name) for name in names}:
        raise ApplicationError(
            _("Tên văn bản phải là kết quả của thủ tục theo danh mục: %(names)s.") % {"names": "; ".join(names)},
            code="result_title_mismatch",
        )


def result_template_for(*, version: ProcedureVersion) -> ResultTemplate:
    """The result template of `version`, or an unsaved default.

    The default takes its title from the version's first listed result (e.g. "Giấy khai
    sinh"), numbers with the symbol "KQ" and lists the specialist's draft and the e-form
    answers.
    """
    template = ResultTemplate.objects.filter(version=version).first()
    if template is not None:
        return template
    return ResultTemplate(version=version, title=_first_result_name(version), symbol=DEFAULT_SYMBOL, body=DEFAULT_BODY)


def _sample_context() -> dict[str, Any]:
    """Data shaped like a real result's, to try a template on before it is saved."""
    return {
        "applicant_name": "Nguyễn Văn An",
        "answers": [
            {"label": "Họ, chữ đệm, tên", "value": "Nguyễn Thị Bình"},
            {"label": "Ngày, tháng, năm sinh", "value": "20/11/2026"},
        ],
        "values": {"child_full_name": "Nguyễn Thị Bình", "child_birth_date": "20/11/2026"},
        "form": {"child_full_name": "Nguyễn Thị Bình", "child_birth_date": "2026-11-20"},
        "dossier_code": "000.01.50.H15-261125-0001",
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "agency_name": "Ủy ban nhân dân phường Tân Lập",
        "draft": "Đồng ý đăng ký khai sinh.\nĐề nghị cấp bản chính Trích lục khai sinh.",
        "outcome": Outcome.GRANTED.value,
        "outcome_note": "Đồng ý.",
        "received_date": datetime.date(2026, 11, 25),
    }


def _assigned_names(nodelist: NodeList) -> set[str]:
    """Names a template sets for the rest of its block ({% cycle … as x %}, {% now … as x %},
    {% regroup … as x %}, {% firstof … as x %}, {% widthratio … as x %})."""
    names: set[str] = set()
    for node in nodelist.get_nodes_by_type(Node):
        for attr in ("asvar", "variable_name", "var_name"):
            value = getattr(node, attr, None)
            if isinstance(value, str) and value:
                names.add(value)
    return names


def _unknown_names(value: Any, allowed: frozenset[str], found: list[str]) -> None:
    """Collect into `found` the first lookup part of every variable in `value` (a nodelist, a
    node or an expression) that is not in `allowed`, following the scopes {% for %} and
    {% with %} open."""
    if isinstance(value, Variable):
        if value.lookups and value.lookups[0] not in allowed and value.lookups[0] not in found:
            found.append(value.lookups[0])
    elif isinstance(value, FilterExpression):
        _unknown_names(value.var, allowed, found)
        for _func, args in value.filters:
            for _is_lookup, arg in args:
                _unknown_names(arg, allowed, found)
    elif isinstance(value, TokenBase):  # {% if %} operators and operands
        for attr in ("first", "second", "value"):
            _unknown_names(getattr(value, attr, None), allowed, found)
    elif isinstance(value, ForNode):
        _unknown_names(value.sequence, allowed, found)
        _unknown_names(value.nodelist_loop, allowed | set(value.loopvars) | {"forloop"}, found)
        _unknown_names(value.nodelist_empty, allowed, found)
    elif isinstance(value, WithNode):
        _unknown_names(list(value.extra_context.values()), allowed, found)
        _unknown_names(value.nodelist, allowed | set(value.extra_context), found)
    elif isinstance(value, Node):
        for attr, child in vars(value).items():
            if attr not in ("token", "origin"):
                _unknown_names(child, allowed, found)
    elif isinstance(value, list | tuple):  # NodeList is a list too
        for item in value:
            _unknown_names(item, allowed, found)
    elif isinstance(value, dict):
        for item in value.values():
            _unknown_names(item, allowed, found)


def _compile(body: str) -> Template:
    """`body` compiled in the sandbox; ApplicationError (Vietnamese) when it is not valid."""
    for token in Lexer(body).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        parts = token.split_contents()
        tag = parts[0] if parts else ""
        if tag in FORBIDDEN_TAGS:
            raise ApplicationError(
                _("Mẫu văn bản không được dùng thẻ {%% %(tag)s %%} (dòng %(line)s).")
                % {"tag": tag, "line": token.lineno},
                code="result_template_forbidden_tag",
            )
    try:
        return Template(body, engine=_SANDBOX)
    except TemplateSyntaxError as error:
        line = getattr(getattr(error, "token", None), "lineno", None)
        if line:
            message = _("Mẫu văn bản có lỗi cú pháp ở dòng %(line)s: %(error)s") % {"line": line, "error": error}
        else:
            message = _("Mẫu văn bản có lỗi cú pháp: %(error)s") % {"error": error}
        raise ApplicationError(message, code="result_template_syntax") from error


def _render_body(body: str, context: Mapping[str, Any]) -> SafeString:
    """The template body rendered in the sandbox with `context` (autoescaped HTML)."""
    template = _compile(body)
    try:
        return mark_safe(template.render(Context(dict(context), autoescape=True)))  # noqa: S308 - autoescaped output
    except Exception as error:
        logger.info("result template failed to render", exc_info=True)
        raise ApplicationError(
            _("Không tạo được nội dung văn bản từ mẫu: %(error)s") % {"error": error},
            code="result_template_render",
        ) from error


def result_template_check(*, body: str) -> None:
    """Refuse a result template body that would fail when a result is issued.

    Raises ApplicationError (Vietnamese message) when the body does not compile as a Django
    template, uses a forbidden tag (load, include, extends, ssi, debug, block, url), refers
    to a variable that is not in the context below, or fails to render with sample data.
    So a template with a missing variable is refused when it is saved, not when a leader
    signs a result with it.

    The context a body is rendered with (plain data only):

    - ``applicant_name``: the applicant's full name;
    - ``answers``: the e-form answers as a list of ``{label, value}`` (the labelled
      "check your answers" summary, displayed values, unanswered and file fields left out);
    - ``values``: the displayed answer of each e-form field by field name
      (``{{ values.child_birth_date }}`` → "20/11/2026"), hidden fields blank;
    - ``form``: the raw ``form_data`` dict as stored (ISO dates, choice codes, addresses as
      ``{unit, detail}``: show ``values`` for the address with names);
    - ``dossier_code``, ``procedure_name``, ``agency_name`` (the issuing agency, "UBND"
      spelled out: "Ủy ban nhân dân phường Tân Lập");
    - ``draft``: the specialist's draft of the result's wording (plain text; use
      ``{{ draft|linebreaks }}``);
    - ``outcome`` ("granted" or "refused") and ``outcome_note`` (the leader's note);
    - ``received_date``: the date the dossier was received (a date, or None).

    Names set by the template itself ({% for %}, {% with %}, "as" clauses) are allowed too.
    """
    template = _compile(body)
    unknown: list[str] = []
    _unknown_names(template.nodelist, CONTEXT_NAMES | _CONTEXT_BUILTINS | _assigned_names(template.nodelist), unknown)
    if unknown:
        raise ApplicationError(
            _("Mẫu văn bản dùng biến không có trong dữ liệu của văn bản: %(names)s. Các biến được dùng: %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(CONTEXT_NAMES))},
            code="result_template_unknown_variable",
            extra={"names": unknown},
        )
    _render_body(body, _sample_context())


# --------------------------------------------------------------------------- context


def _form_schema(version: ProcedureVersion) -> dict[str, Any] | None:
    from motcua.catalog.models import ProcedureForm

    form = ProcedureForm.objects.filter(version=version).first()
    return form.schema if form is not None and isinstance(form.schema, dict) else None


def _flatten(rows: Iterable[Mapping[str, Any]], prefix: str = "") -> list[dict[str, str]]:
    """Summary rows (groups nested) as flat {label, value} pairs, blank answers left out."""
    out: list[dict[str, str]] = []
    for row in rows:
        label = f"{prefix}{row['label']}"
        if row.get("is_group"):
            for index, item_rows in enumerate(row["group_items"], start=1):
                out.extend(_flatten(item_rows, prefix=f"{label} – {row['item_label']} {index}: "))
        elif str(row.get("value", "")).strip():
            out.append({"label": label, "value": str(row["value"])})
    return out


def result_answers(*, schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The labelled answers of a dossier's e-form, as the "check your answers" page shows
    them (visible fields only, displayed values), without uploads and blank answers."""
    from motcua.catalog.eforms import Scope, top_fields
    from motcua.catalog.templatetags.eforms import _summary_rows

    if not schema:
        return [{"label": str(k), "value": str(v)} for k, v in data.items() if str(v or "").strip()]
    scope = Scope(top=top_fields(dict(schema)), top_data=data)
    rows: list[dict[str, str]] = []
    for page in schema.get("pages", []):
        fields = [field for field in page.get("fields", []) if field.get("type") != "file"]
        rows.extend(_flatten(_summary_rows(fields, scope)))
    return rows


def result_values(*, schema: Mapping[str, Any] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Each top-level e-form field's displayed answer by field name; hidden ones blank."""
    from motcua.catalog.eforms import Scope, display_value, is_visible, iter_fields, top_fields

    if not schema:
        return {str(k): v for k, v in data.items()}
    top = top_fields(dict(schema))
    scope = Scope(top=top, top_data=data)
    values: dict[str, Any] = {}
    for _page, field in iter_fields(dict(schema)):
        name = field["name"]
        value = data.get(name)
        if not is_visible(field, scope):
            values[name] = ""
        elif field["type"] == "group":
            children = {child["name"]: child for child in field.get("fields", [])}
            values[name] = [
                {key: display_value(children[key], v) for key, v in item.items() if key in children}
                for item in (value or [])
                if isinstance(item, dict)
            ]
        else:
            values[name] = display_value(field, value)
    return values


def _applicant_name(dossier: Dossier) -> str:
    applicant = dossier.applicant
    citizen = getattr(applicant, "citizen", None)
    if citizen is not None and citizen.full_name:
        return str(citizen.full_name)
    return str(applicant.get_full_name() or applicant.get_username())


# E-form fields naming the person a result is about, when it is not the applicant: the child
# of a birth registration, the deceased of a death registration, the person a certificate
# is asked for. The first one answered wins.
SUBJECT_NAME_FIELDS = ("child_full_name", "deceased_full_name", "subject_full_name", "person_full_name")


def result_subject_name(dossier: Dossier) -> str:
    """The person the result of `dossier` is about: from the e-form (`SUBJECT_NAME_FIELDS`),
    else the applicant."""
    data = dossier.form_data if isinstance(dossier.form_data, dict) else {}
    for field in SUBJECT_NAME_FIELDS:
        value = data.get(field)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return _applicant_name(dossier)


def result_context(*, dossier: Dossier, agency: Agency) -> dict[str, Any]:
    """The data a result template body is rendered with (see result_template_check)."""
    schema = _form_schema(dossier.procedure_version)
    data = dossier.form_data if isinstance(dossier.form_data, dict) else {}
    return {
        "applicant_name": _applicant_name(dossier),
        "answers": result_answers(schema=schema, data=data),
        "values": result_values(schema=schema, data=data),
        "form": data,
        "dossier_code": dossier.code or "",
        "procedure_name": dossier.procedure_version.name,
        "agency_name": _expanded(agency.name),
        "draft": dossier.result_draft,
        "outcome": dossier.outcome,
        "outcome_note": dossier.outcome_note,
        "received_date": timezone.localdate(dossier.received_at) if dossier.received_at else None,
    }


# --------------------------------------------------------------------------- the frame


def place_name(unit: AdministrativeUnit) -> str:
    """The place in "<place>, ngày … tháng … năm …": the unit's name without its kind
    ("Phường Tân Lập" → "Tân Lập"), except numbered units ("Phường 5")."""
    name = " ".join(unit.name.split())
    prefix = unit_kind_prefix(name)
    if prefix and not name[len(prefix) :][:1].isdigit():
        return name[len(prefix) :]
    return name


def date_line(*, place: str, day: datetime.date | None = None) -> str:
    """ "Tân Lập, ngày 26 tháng 11 năm 2026", or blank "Tân Lập, ngày … tháng … năm …" without
    `day` (when the leader signs: the date of issue is the clerk's, `result_number_and_seal`).

    Decree 30/2020/NĐ-CP, appendix I: a day below 10 and the months 1 and 2 take a leading
    zero ("ngày 05 tháng 02", but "tháng 3").
    """
    if day is None:
        return f"{place}, ngày … tháng … năm …"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(*, symbol: str, number: str = "") -> str:
    """ "Số: 12/TLKS", or "Số:      /TLKS" with the number left blank (when the leader signs)."""
    return f"Số: {number}" if number else f"Số:{NUMBER_BLANK}/{symbol}"


def _heading_fields(*, symbol: str, place: str) -> list[HeadingField]:
    """The number and the place-and-date lines of the heading, blank, as text fields the clerk
    fills at release (see `heading.py`)."""
    return [
        HeadingField(
            anchor=NUMBER_ANCHOR, width=NUMBER_WIDTH, height=HEADING_FIELD_HEIGHT, value=number_line(symbol=symbol)
        ),
        HeadingField(
            anchor=DATE_ANCHOR,
            width=DATE_WIDTH,
            height=HEADING_FIELD_HEIGHT,
            value=date_line(place=place),
            font="NotoSerif-Italic.ttf",
        ),
    ]


def _expanded(name: str) -> str:
    """ "UBND phường Tân Lập" → "Ủy ban nhân dân phường Tân Lập" (documents spell it out)."""
    for short in ("UBND ", "Ubnd "):
        if name.startswith(short):
            return "Ủy ban nhân dân " + name[len(short) :]
    return name


def issuer_lines(agency: Agency) -> tuple[str, str]:
    """(governing body, issuing agency), upper-case, for the top-left of the document.

    A People's Committee issues in its own name; a department or centre of the province
    writes the provincial People's Committee above its name.
    """
    name = _expanded(agency.name).upper()
    if agency.kind in (AgencyKind.COMMUNE_COMMITTEE, AgencyKind.DISTRICT_COMMITTEE):
        return "", name
    unit = agency.unit
    if unit.kind == UnitKind.PROVINCE:
        return f"Ủy ban nhân dân {unit.name}".upper(), name
    return "", name


def signature_titles(agency: Agency) -> tuple[str, str]:
    """(authority line, position) of the signature block, upper-case.

    A People's Committee decides collectively: its chair signs "TM. ỦY BAN NHÂN DÂN / CHỦ
    TỊCH". A department or centre is headed by its director. (Staff accounts carry no
    position yet, so a deputy signing "KT." is not distinguished.)
    """
    if agency.kind in (AgencyKind.COMMUNE_COMMITTEE, AgencyKind.DISTRICT_COMMITTEE):
        return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    if agency.kind in (AgencyKind.DEPARTMENT, AgencyKind.SERVICE_CENTRE):
        return "", "GIÁM ĐỐC"
    return "", "THỦ TRƯỞNG CƠ QUAN"


def result_signer_name(*, agency: Agency, approver: Any = None) -> str:
    """Whose name a result is signed in: the approving leader's, or (at issue, without
    `approver`) the agency's, spelt out."""
    if approver is None:
        return _expanded(agency.name)
    return _signer_name(approver)


def _signer_name(approver: Any) -> str:
    return str(approver.get_full_name() or approver.get_username())


# --------------------------------------------------------------------------- issuing


def _result_pdf(
    *, dossier: Dossier, agency: Agency, approver: Any, outcome: str, note: str, verification_code: str, draft: bool
) -> tuple[bytes, str, str, ResultTemplate]:
    """The result of `dossier` rendered as the leader signs it: (PDF, title, symbol, template).

    `result_sign` signs what this returns; the leader's preview (`result_preview_pdf`) shows
    it unsigned, with `draft` marking it as a draft, so the leader sees what they sign.
    """
    if outcome not in Outcome.values:
        raise ApplicationError(_("Kết quả giải quyết không hợp lệ."), code="result_outcome_invalid")
    refused = outcome == Outcome.REFUSED
    if refused and not note:
        raise ApplicationError(_("Hãy ghi rõ lý do không giải quyết hồ sơ."), code="result_reason_missing")
    template = result_template_for(version=dossier.procedure_version)
    data = result_context(dossier=dossier, agency=agency)
    data.update(outcome=outcome, outcome_note=note)
    body: SafeString | str = ""
    if not refused:
        result_template_check(body=template.body)
        body = _render_body(template.body, data)
    title = REFUSAL_TITLE if refused else template.title
    symbol = REFUSAL_SYMBOL if refused else template.symbol
    governing, issuer = issuer_lines(agency)
    authority, position = signature_titles(agency)
    pdf = render_result_pdf(
        template=RESULT_FRAME,
        context={
            "governing_body": governing,
            "issuer": issuer,
            "title": title,
            "body": body,
            "refused": refused,
            "reason": note,
            "applicant_name": data["applicant_name"],
            "dossier_code": data["dossier_code"],
            "procedure_name": data["procedure_name"],
            "agency_name": data["agency_name"],
            "signature_authority": authority,
            "signature_position": position,
            "signer_name": _signer_name(approver),
            "draft_preview": draft,
            "number_anchor": NUMBER_ANCHOR,
            "date_anchor": DATE_ANCHOR,
            "heading_field_height": HEADING_FIELD_HEIGHT,
            "number_width": NUMBER_WIDTH,
            "date_width": DATE_WIDTH,
            "seal_anchor": SEAL_ANCHOR,
            "seal_width": SEAL_WIDTH,
            "seal_height": SEAL_HEIGHT,
        },
        verification_code=verification_code,
    )
    pdf = heading_fields_add(pdf, _heading_fields(symbol=symbol, place=place_name(agency.unit)))
    return pdf, title, symbol, template


def result_preview_pdf(*, dossier: Dossier, agency: Agency, approver: Any) -> bytes:
    """The granted result of `dossier` exactly as `result_sign` would render it for
    `approver` to sign, unsigned and marked as a draft ("Dự thảo"), for the leader to read
    before approving. Nothing is recorded; its QR code points at a code no result has."""
    pdf, _title, _symbol, _template = _result_pdf(
        dossier=dossier,
        agency=agency,
        approver=approver,
        outcome=Outcome.GRANTED,
        note="",
        verification_code=new_verification_code(),
        draft=True,
    )
    return pdf


def result_sign(
    *, dossier: Dossier, agency: Agency, approver: Any, outcome: str, note: str, actor: Any, confirmation: str = ""
) -> IssuedDocument:
    """Render the result of `dossier` in the national layout, with its QR code and with the
    number and date left blank, and sign it in `approver`'s name (their personal signature).

    A granted dossier gets its procedure's result template (`result_template_for`); a
    refused one gets a reply letter ("Văn bản trả lời") stating `note` as the reason. The
    `IssuedDocument` is recorded with `number=""`, `issued_at` empty and the register's
    `symbol` to number it under: it is not issued until the clerk numbers and seals it
    (`result_number_and_seal`). The caller (the leader's approval step) updates the
    dossier; this function does not. `confirmation` is what the leader typed for the signing
    plugin (a PIN, a code).
    """
    note = (note or "").strip()
    signer_name = _signer_name(approver)
    with transaction.atomic():
        code = new_verification_code()
        pdf, title, symbol, template = _result_pdf(
            dossier=dossier,
            agency=agency,
            approver=approver,
            outcome=outcome,
            note=note,
            verification_code=code,
            draft=False,
        )
        document = issued_document_create(
            pdf_unsigned=pdf,
            title=title,
            number="",
            symbol=symbol,
            agency=agency,
            signer_name=signer_name,
            dossier=dossier,
            actor=actor,
            verification_code=code,
            confirmation=confirmation,
        )
        audit_record(
            actor=actor,
            action="documents.result_signed",
            obj=document,
            summary={
                "dossier": dossier.code or dossier.pk,
                "outcome": outcome,
                "symbol": symbol,
                "template": template.pk or "default",
            },
        )
        domain_event_record(
            dossier=dossier,
            kind=EventKind.RESULT_SIGNED,
            actor=actor,
            payload={
                "document_id": document.pk,
                "verification_code": code,
                "symbol": symbol,
                "outcome": outcome,
                "signer_name": signer_name,
                "agency_code": agency.code,
                "agency_name": agency.name,
            },
        )
    return document


def _seal_stamp(pdf: bytes, *, number: str, day: datetime.date) -> VisibleStamp:
    """The agency's signature stamp: "Số: 12/TLKS", "Ngày 26/11/2026", in the box the frame
    reserved under the number (the named destination `SEAL_ANCHOR` is its top-left corner)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    destination = reader.named_destinations.get(SEAL_ANCHOR)
    page = reader.get_destination_page_number(destination) if destination is not None else None
    if destination is None or page is None or destination.left is None or destination.top is None:
        raise RuntimeError(f"the result has no {SEAL_ANCHOR!r} box for the agency's signature")
    left, top = float(destination.left), float(destination.top)
    return VisibleStamp(
        text=_("Số: %(number)s\nNgày %(date)s") % {"number": number, "date": day.strftime("%d/%m/%Y")},
        page=page,
        box=(left, top - SEAL_HEIGHT, left + SEAL_WIDTH, top),
    )


def result_number_and_seal(
    *, document: IssuedDocument, agency: Agency, clerk: Any, actor: Any, confirmation: str = ""
) -> IssuedDocument:
    """The clerk issues a result the leader signed (`result_sign`): number it from `agency`'s
    register for this year and the document's symbol, date it today, and add `agency`'s
    signature (signer: its name, "Ủy ban nhân dân phường Tân Lập") whose stamp shows the
    number and date, in the box the frame keeps free under the blank number on page 1.

    The agency's signature is an incremental update in a second signature field, so the
    leader's stays valid. Runs in the caller's transaction: the register stays locked until
    it ends (numbers are consecutive in the order of issue, and a failed issue gives its
    number back). `document` is updated in place (number, issued_at, file, sha256, size) and
    returned; one already issued (numbered at signing before this flow existed) is returned
    as it is. `confirmation` is what the clerk typed for the signing plugin. Audit
    `documents.result_sealed`.
    """
    if document.issuer_agency_id != agency.pk:
        raise ApplicationError(
            _("Văn bản do %(issuer)s ký, không thể cấp số và ban hành bằng chữ ký số của %(agency)s.")
            % {"issuer": document.issuer_agency.name, "agency": agency.name},
            code="result_other_agency",
        )
    with transaction.atomic():
        # Serialises two clerks issuing the same result.
        IssuedDocument.objects.select_for_update().filter(pk=document.pk).first()
        document.refresh_from_db()
        if document.issued_at is not None:
            return document
        now = timezone.now()
        today = timezone.localdate(now)
        symbol = document.symbol or DEFAULT_SYMBOL
        number = document_number_issue(agency=agency, year=today.year, symbol=symbol)
        with document.file.open("rb") as fh:
            stamp = _seal_stamp(bytes(fh.read()), number=number, day=today)
        issued_document_seal(
            document=document,
            number=number,
            issued_at=now,
            signer_name=result_signer_name(agency=agency),
            stamp=stamp,
            actor=actor,
            heading_fields=_heading_fields(symbol=symbol, place=place_name(agency.unit)),
            heading_values={
                NUMBER_ANCHOR: number_line(symbol=symbol, number=number),
                DATE_ANCHOR: date_line(place=place_name(agency.unit), day=today),
            },
            confirmation=confirmation,
        )
        audit_record(
            actor=actor,
            action="documents.result_sealed",
            obj=document,
            summary={
                "dossier": document.dossier.code if document.dossier else "",
                "number": number,
                "clerk": _signer_name(clerk),
                "sha256": document.sha256,
            },
        )
    return document


def result_store_for_citizen(*, dossier: Dossier, document: IssuedDocument) -> StoredDocument:
    """Copy the signed result into the applicant's document store, once per dossier and file,
    titled with the person it is about ("Giấy khai sinh – Nguyễn Minh An").

    Calling it again with the same signed file returns the copy made the first time.
    """
    from motcua.dossiers.models import Dossier

    with transaction.atomic():
        # Serialises concurrent copies of the same dossier's result.
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        existing = StoredDocument.objects.filter(
            owner_id=dossier.applicant_id, source_dossier=dossier, sha256=document.sha256
        ).first()
        if existing is not None:
            return existing
        with document.file.open("rb") as fh:
            content = fh.read()
        if hashlib.sha256(content).hexdigest() != document.sha256:
            raise ApplicationError(
                _("Tệp văn bản kết quả không khớp với bản đã ký, không thể lưu vào kho dữ liệu."),
                code="result_file_mismatch",
            )
        stored = StoredDocument(
            owner_id=dossier.applicant_id,
            # The person it is about, so two children's birth certificates are told apart;
            # the folded title, matched against papers asked for, keeps the kind only.
            title=f"{document.title} – {result_subject_name(dossier)}"[:255],
            title_folded=fold(document.title)[:255],
            content_type="application/pdf",
            size=len(content),
            sha256=document.sha256,
            source_dossier=dossier,
        )
        stored.file.save(f"{document.verification_code}.pdf", ContentFile(content), save=False)
        stored.save()
        audit_record(
            actor="system",
            action="documents.result_stored",
            obj=stored,
            object_repr=document.title,  # not the stored title: it names the person
            summary={"dossier": dossier.code or dossier.pk, "number": document.number, "sha256": document.sha256},
        )
    return stored


# --------------------------------------------------------------------------- demo data


def result_templates_load(*, document: Mapping[str, Any], actor: Any) -> int:
    """Create or update the result templates of `document` ({procedure code: {title, symbol,
    body}}) on each procedure's current version; return how many procedures now have theirs.

    `body` may be a string or a list of lines. Every body is checked with
    `result_template_check` first; any problem raises ValueError listing them all and
    nothing is written. Codes without a procedure (or a current version) are skipped.
    """
    from motcua.catalog.models import Procedure

    if not isinstance(document, Mapping):
        raise ValueError("result templates document must be an object {procedure code: template}")
    procedures = {
        p.code: p for p in Procedure.objects.filter(code__in=list(document)).select_related("current_version")
    }
    problems: list[str] = []
    targets: list[tuple[ProcedureVersion, dict[str, str]]] = []
    for code, item in document.items():
        if not isinstance(item, Mapping):
            problems.append(f"{code}: mỗi mẫu phải là một đối tượng {{title, symbol, body}}")
            continue
        body = item.get("body", "")
        body = "\n".join(body) if isinstance(body, list) else str(body)
        fields = {"title": str(item.get("title", "")).strip(), "symbol": str(item.get("symbol", "")).strip()}
        if not fields["title"] or not fields["symbol"]:
            problems.append(f"{code}: thiếu tên văn bản hoặc ký hiệu")
        try:
            result_template_check(body=body)
        except ApplicationError as error:
            problems.append(f"{code}: {error.message}")
        procedure = procedures.get(code)
        if procedure is None or procedure.current_version is None:
            logger.warning("No current version for procedure %s; its result template is not loaded.", code)
            continue
        try:
            result_title_check(version=procedure.current_version, title=fields["title"])
        except ApplicationError as error:
            problems.append(f"{code}: {error.message}")
        targets.append((procedure.current_version, {**fields, "body": body}))
    if problems:
        raise ValueError("\n".join(problems))
    with transaction.atomic():
        for version, fields in targets:
            template, created = ResultTemplate.objects.get_or_create(version=version, defaults=fields)
            if not created:
                if all(getattr(template, key) == value for key, value in fields.items()):
                    continue  # unchanged: nothing to write or audit
                for key, value in fields.items():
                    setattr(template, key, value)
                template.save()
            audit_record(
                actor=actor,
                action="catalog.result_template_created" if created else "catalog.result_template_updated",
                obj=template,
                summary={"procedure": version.procedure.code, "symbol": fields["symbol"]},
            )
    return len(targets)
