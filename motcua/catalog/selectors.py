"""Reads of the procedure catalogue: ranked, accent-insensitive search and lookups."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.catalog.constants import ProcedureLevel
from motcua.catalog.generation import catalog_kept
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.core.text import search_terms
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.models import Agency, StaffRole

# An agency of these kinds settles every procedure of the matching level in its area.
_LEVEL_OF_AGENCY_KIND = {
    AgencyKind.COMMUNE_COMMITTEE: ProcedureLevel.COMMUNE,
    AgencyKind.DISTRICT_COMMITTEE: ProcedureLevel.DISTRICT,
    AgencyKind.SERVICE_CENTRE: ProcedureLevel.PROVINCE,
}


@dataclass(frozen=True)
class ProcedureFilters:
    query: str = ""
    field: str = ""
    agency: str = ""
    level: str = ""
    online_level: str = ""


def _filtered(filters: ProcedureFilters) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(is_active=True)
    for term in search_terms(filters.query):
        qs = qs.filter(search_folded__contains=term)
    if filters.field:
        qs = qs.filter(field__code=filters.field)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.online_level:
        qs = qs.filter(online_level=filters.online_level)
    if filters.agency:
        agency = Agency.objects.filter(code=filters.agency).first()
        if agency is None:
            return qs.none()
        level = _LEVEL_OF_AGENCY_KIND.get(AgencyKind(agency.kind))
        qs = qs.filter(Q(managing_agency=agency) | Q(level=level)) if level else qs.filter(managing_agency=agency)
    return qs


def _rank_key(*, terms: list[str], code: str, name_folded: str) -> tuple[int, int, int, str]:
    """Sort key, smaller is better: exact code or name, then the phrase in the name (earlier
    and shorter names first), then all words in the name, then matches elsewhere."""
    phrase = " ".join(terms)
    if phrase in (code, name_folded):
        return (0, 0, len(name_folded), code)
    position = name_folded.find(phrase)
    if position >= 0:
        return (1, position, len(name_folded), code)
    name_words = set(name_folded.split())
    if all(term in name_words for term in terms):
        return (2, 0, len(name_folded), code)
    return (3, 0, len(name_folded), code)


class RankedProcedures(Sequence[Procedure]):
    """Search results in rank order; a slice loads only the procedures of that page."""

    def __init__(self, ordered_ids: list[int]):
        self._ids = ordered_ids

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Procedure: ...
    @overload
    def __getitem__(self, index: slice) -> list[Procedure]: ...
    def __getitem__(self, index: int | slice) -> Procedure | list[Procedure]:
        if isinstance(index, int):
            return self._load([self._ids[index]])[0]
        return self._load(self._ids[index])

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self[:])

    @staticmethod
    def _load(ids: list[int]) -> list[Procedure]:
        by_id = Procedure.objects.select_related("field", "managing_agency", "current_version").in_bulk(ids)
        return [by_id[pk] for pk in ids]


def procedure_search(*, filters: ProcedureFilters) -> RankedProcedures:
    """Procedures matching every word of the query (accents, case and đ/d ignored), ranked.

    Matching runs in the database on the folded column; ranking runs here so SQLite and
    PostgreSQL return the same order. The ranked ids are kept for the catalogue's generation.
    """
    terms = search_terms(filters.query)

    def ranked_ids() -> list[int]:
        if not terms:
            return list(_filtered(filters).order_by("code").values_list("id", flat=True))
        rows = _filtered(filters).values_list("id", "code", "name_folded")
        ordered = sorted(rows, key=lambda row: _rank_key(terms=terms, code=row[1], name_folded=row[2]))
        return [row[0] for row in ordered]

    # Kept per folded query: "ĐĂNG KÝ" and "dang ky" share one entry.
    variant = (terms, filters.field, filters.agency, filters.level, filters.online_level)
    return RankedProcedures(catalog_kept("search", variant, ranked_ids))


def procedure_get_published(*, code: str) -> Procedure:
    """The active procedure with this national code and its published version, or 404."""
    procedure = (
        Procedure.objects.select_related("field", "managing_agency", "current_version", "current_version__field")
        .filter(code=code, is_active=True, current_version__isnull=False)
        .first()
    )
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code})
    return procedure


def procedure_version_detail(*, version: ProcedureVersion) -> ProcedureVersion:
    """The version with its papers and fees loaded, for a full procedure page."""
    return (
        ProcedureVersion.objects.prefetch_related("components", "fees")
        .select_related("field", "managing_agency")
        .get(pk=version.pk)
    )


def field_list_with_counts() -> list[Field]:
    """Every field with its number of active procedures, kept for the catalogue's generation."""
    return catalog_kept(
        "fields-with-counts",
        None,
        lambda: list(
            Field.objects.annotate(procedure_count=Count("procedures", filter=Q(procedures__is_active=True))).order_by(
                "name"
            )
        ),
    )


def procedure_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The search form's field and agency choices (code, name): every field, the active agencies
    but district committees; kept for the catalogue's generation."""

    def choices() -> dict[str, list[tuple[str, str]]]:
        agencies = Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.DISTRICT_COMMITTEE)
        return {
            "field": list(Field.objects.values_list("code", "name")),
            "agency": list(agencies.values_list("code", "name")),
        }

    return catalog_kept("filter-choices", None, choices)


def catalog_agency_scope(*, actor: Any) -> frozenset[int] | None:
    """The agencies whose procedures `actor` may see and change; None means the whole catalogue.

    One scope for the admin's lists and for every write (forms, actions, imports): an agency
    administrator keeps to the agencies they administer; superusers and province-level system
    administrators, and the operator's own runs (an actor named by a string, no user), see all.
    """
    if isinstance(actor, str):
        return None
    if actor.is_superuser or StaffRole.objects.filter(user_id=actor.pk, role=Role.SYSTEM_ADMIN).exists():
        return None
    return frozenset(
        StaffRole.objects.filter(user_id=actor.pk, role=Role.AGENCY_ADMIN, agency__isnull=False).values_list(
            "agency_id", flat=True
        )
    )
