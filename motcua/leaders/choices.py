"""The dashboard's scope and procedure, typed rather than picked from a list: a province-wide
person may choose among some six hundred agencies and units and seventeen hundred procedures, and
shipping every one as an <option> made each page a quarter of a megabyte. The form carries a
text field (suggestions come from `leaders:choices` as one types, when scripts run); the server
resolves what was typed to exactly one choice, or says why it cannot."""

from typing import Any

from django.db.models import Case, Q, When
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure
from motcua.core.errors import ApplicationError
from motcua.core.validators import asked_record_id
from motcua.directory.models import Agency, OrgUnit
from motcua.directory.selectors import agencies_overseen
from motcua.leaders.scopes import OVERSEEING_ROLES, PROVINCE, Scope, scope_resolve

SCOPE_TEXT = "pham-vi-tim"
PROCEDURE_TEXT = "thu-tuc-tim"
SUGGESTIONS = 20  # suggestions sent for one search
LABEL_SEPARATOR = " – "  # between a unit's name and its agency's, and a procedure's code and name


def scope_options(*, user: Any, text: str, limit: int = SUGGESTIONS) -> list[tuple[str, str]]:
    """(key, label) of the scopes `user` may see whose name contains `text`: the province (for
    province-wide people), their agencies, then those agencies' units, named with their agency
    (many units share a name)."""
    overseen = agencies_overseen(user=user, roles=OVERSEEING_ROLES)
    agencies = Agency.objects.all() if overseen is None else overseen
    found: list[tuple[str, str]] = []
    province = _("Toàn tỉnh")
    if overseen is None and text.casefold() in province.casefold():
        found.append((PROVINCE, province))
    named = (
        agencies.filter(name__icontains=text)
        .order_by(Case(When(name__iexact=text, then=0), default=1), "name")
        .values_list("pk", "name")[:limit]
    )
    found += [(f"co-quan-{pk}", name) for pk, name in named]
    units = OrgUnit.objects.filter(agency__in=agencies)
    unit_name, _sep, agency_name = text.partition(LABEL_SEPARATOR)
    if agency_name:  # a unit's label, as suggested
        units = units.filter(name__iexact=unit_name.strip(), agency__name__iexact=agency_name.strip())
    else:
        units = units.filter(Q(name__icontains=text) | Q(agency__name__icontains=text))
    rows = units.order_by("agency__name", "name").values_list("pk", "name", "agency__name")[:limit]
    found += [(f"bo-phan-{pk}", f"{name}{LABEL_SEPARATOR}{agency}") for pk, name, agency in rows]
    return found[:limit]


def procedure_label(procedure: Procedure) -> str:
    return f"{procedure.code}{LABEL_SEPARATOR}{procedure.name}"


def procedure_text(procedure_id: int | None) -> str:
    """What the procedure field shows for the filter in force: its label, or nothing (all)."""
    chosen = None if procedure_id is None else Procedure.objects.filter(pk=procedure_id).first()
    return "" if chosen is None else procedure_label(chosen)


def procedure_options(*, text: str, limit: int = SUGGESTIONS) -> list[tuple[int, str]]:
    """(id, "code – name") of the procedures whose code or name contains `text`. Every procedure
    of the catalogue, as on the filter it replaces: it narrows figures the scope already bounds."""
    code, _sep, name = text.partition(LABEL_SEPARATOR)
    exact = Q(code__iexact=code.strip(), name__iexact=name.strip()) if name else Q(code__iexact=text)
    matched = Procedure.objects.filter(exact)
    if not matched.exists():
        matched = Procedure.objects.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return [(procedure.pk, procedure_label(procedure)) for procedure in matched.order_by("code")[:limit]]


def _one(options: list[Any], text: str, kind: str) -> Any:
    """The only option for `text`, the one named exactly so when several contain it."""
    exact = [option for option in options if option[1].casefold() == text.casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(options) == 1:
        return options[0]
    if not options:
        raise ApplicationError(
            _("Không tìm thấy %(kind)s nào có tên “%(text)s”.") % {"kind": kind, "text": text[:80]},
            code="choice_not_found",
        )
    raise ApplicationError(
        _("Có nhiều %(kind)s có tên chứa “%(text)s”: hãy gõ đầy đủ tên hoặc chọn trong danh sách gợi ý.")
        % {"kind": kind, "text": text[:80]},
        code="choice_ambiguous",
    )


def scope_searched(*, user: Any, scope: Scope, text: str | None) -> Scope:
    """The scope typed in the form: the one shown when the text is unchanged or empty."""
    text = (text or "").strip()
    if not text or text == scope.label:
        return scope
    key, _label = _one(scope_options(user=user, text=text, limit=SUGGESTIONS + 1), text, _("phạm vi"))
    return scope_resolve(user=user, key=key)


def procedure_searched(*, query: Any) -> int | None:
    """The procedure filter: the one typed when the form sent its text (empty: every procedure),
    else the id in the link (`thu-tuc`, from a drill-down or a page link)."""
    if PROCEDURE_TEXT not in query:
        procedure_id = asked_record_id(query.get("thu-tuc", ""), _("Thủ tục"))
        if procedure_id is not None and not Procedure.objects.filter(pk=procedure_id).exists():
            raise Http404(_("Không có thủ tục này."))
        return procedure_id
    text = query[PROCEDURE_TEXT].strip()
    if not text:
        return None
    pk, _label = _one(procedure_options(text=text, limit=SUGGESTIONS + 1), text, _("thủ tục"))
    return int(pk)
