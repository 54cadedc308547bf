"""The Decision 766 index for a scope and period, the ranking of agencies and communes, and the
dossiers behind each count (docs/service-index.md)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.shortcuts import get_object_or_404

from motcua.core.periods import Period
from motcua.core.validators import record_id
from motcua.directory.constants import Role, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.directory.selectors import agencies_overseen
from motcua.dossiers.models import Dossier
from motcua.reports.aggregates import RECEIVED_COLUMNS
from motcua.reports.models import AgencyDailyCount, CountedDossier, ProcedureDailyCount
from motcua.reports.statutory import statutory_cells, statutory_dossiers
from motcua.service_index.constants import GROUP_MAXIMA, IndicatorGroup, PointsSource, ScopeKind
from motcua.service_index.indicators import INDICATORS, Indicator, Measure, handled, handled_in, received_in
from motcua.service_index.models import IndicatorPoints

# Who sees the index of their own agencies (province-wide roles see every agency).
INDEX_ROLES = (Role.LEADER, Role.AGENCY_ADMIN)
COMMUNE_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tally:
    numerator: int
    denominator: int

    @property
    def rate(self) -> Decimal | None:
        """The rate in %, None (shown "N/A") when nothing was there to count."""
        if not self.denominator:
            return None
        return (HUNDRED * self.numerator / self.denominator).quantize(CENT, ROUND_HALF_UP)


NOTHING = Tally(0, 0)


@dataclass(frozen=True)
class Rule:
    points: Decimal
    threshold: Decimal
    source: str = PointsSource.CONFIGURED

    @property
    def configured(self) -> bool:
        """Points chosen here, not published: the page marks them "cấu hình"."""
        return self.source == PointsSource.CONFIGURED


def points_rules() -> dict[str, Rule]:
    return {row.code: Rule(row.points, row.threshold, row.source) for row in IndicatorPoints.objects.all()}


def score(rate: Decimal | None, rule: Rule | None) -> Decimal | None:
    """points × min(rate / threshold, 1): "≥ X % → full points; below: rate × points / X %"."""
    if rate is None or rule is None:
        return None
    share = min(rate / rule.threshold, Decimal(1)) if rule.threshold else Decimal(1)
    return (rule.points * share).quantize(CENT, ROUND_HALF_UP)


# --- Scopes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str
    agency: Agency | None = None
    unit: AdministrativeUnit | None = None

    @property
    def label(self) -> str:
        if self.agency is not None:
            return self.agency.name
        if self.unit is not None:
            return self.unit.name
        return str(ScopeKind.PROVINCE.label)

    def agencies(self) -> QuerySet[Agency] | None:
        """The agencies counted; None for the whole province."""
        if self.agency is not None:
            return Agency.objects.filter(pk=self.agency.pk)
        if self.unit is not None:
            return Agency.objects.filter(unit=self.unit)
        return None

    def query(self) -> dict[str, str]:
        params = {"pham_vi": self.kind}
        if self.agency is not None:
            params["co_quan"] = str(self.agency.pk)
        if self.unit is not None:
            params["xa"] = str(self.unit.pk)
        return params


def index_agencies(*, user: Any) -> QuerySet[Agency] | None:
    """The agencies whose index the user may see: None for all; PermissionDenied for nobody."""
    agencies = agencies_overseen(user=user, roles=INDEX_ROLES)
    if agencies is not None and not agencies.exists():
        raise PermissionDenied
    return agencies


def communes() -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(kind__in=COMMUNE_KINDS, agencies__isnull=False).distinct()


def scope_resolve(*, user: Any, kind: str, agency_id: str, unit_id: str) -> Scope:
    """The scope asked for if the user oversees all of it; refused (never narrowed or widened)
    otherwise. Without a scope: the province for province-wide roles, else their first agency."""
    allowed = index_agencies(user=user)
    if not kind:
        if allowed is None:
            return Scope(ScopeKind.PROVINCE)
        return Scope(ScopeKind.AGENCY, agency=allowed.order_by("name").first())
    if kind == ScopeKind.PROVINCE:
        if allowed is not None:
            raise PermissionDenied
        return Scope(ScopeKind.PROVINCE)
    if kind == ScopeKind.AGENCY and record_id(agency_id) is not None:
        agency = get_object_or_404(Agency, pk=record_id(agency_id))
        if allowed is not None and not allowed.filter(pk=agency.pk).exists():
            raise PermissionDenied
        return Scope(ScopeKind.AGENCY, agency=agency)
    if kind == ScopeKind.COMMUNE and record_id(unit_id) is not None:
        unit = get_object_or_404(communes(), pk=record_id(unit_id))
        if allowed is not None and Agency.objects.filter(unit=unit).exclude(pk__in=allowed).exists():
            raise PermissionDenied
        return Scope(ScopeKind.COMMUNE, unit=unit)
    raise PermissionDenied


# --- Counting ----------------------------------------------------------------------------------

# The statutory report's columns that make the handled dossiers' facts (indicators.handled_in).
HANDLED_FACTS = {
    "handled": ("da-giai-quyet", "dang-giai-quyet"),
    "on_time": ("truoc-han", "dung-han", "dang-trong-han"),
    "late": ("qua-han", "dang-qua-han"),
}
MEASURES = {indicator.code: indicator.measure for indicator in INDICATORS if indicator.measure is not None}


def tallies(
    measures: dict[str, Measure], period: Period, *, agencies: QuerySet[Agency] | None, group_by: str | None = None
) -> dict[str, dict[Any, Tally]]:
    """Every measure's counts, {code: {None: tally}} for the agencies together or {code: {value
    of `group_by`: tally}} per a path from the agency ("id", "unit_id"). The measures sharing a
    row set are counted together, so the cost grows with the row sets, not the indicators:
    the received dossiers' from the kept daily counts, the handled dossiers' as the statutory
    report counts them, the other rows (catalogue, feedback) in one grouped query each. A
    catalogue measure is the same for every scope and comes back as {None: tally}."""
    by_rows: dict[Any, dict[str, Measure]] = {}
    for code, measure in measures.items():
        by_rows.setdefault(measure.rows, {})[code] = measure
    counters = {received_in: _kept_tallies, handled_in: _handled_tallies}
    found: dict[str, dict[Any, Tally]] = {}
    for rows, same_rows in by_rows.items():
        count = counters.get(rows, row_set_tallies)
        found.update(count(same_rows, period, agencies=agencies, group_by=group_by))
    return found


def row_set_tallies(
    measures: dict[str, Measure], period: Period, *, agencies: QuerySet[Agency] | None, group_by: str | None
) -> dict[str, dict[Any, Tally]]:
    first = next(iter(measures.values()))
    rows = first.rows(period)
    path = first.agency_path
    if path is not None and agencies is not None:
        rows = rows.filter(**{f"{path}__in": agencies})
    aggregates: dict[str, Count] = {}
    parts: dict[str, tuple[str, ...]] = {}
    for i, (code, measure) in enumerate(measures.items()):
        among = measure.among(period) if measure.among is not None else Q()
        conditions = {"den": among}
        if measure.numerator is not None:
            conditions["num"] = among & measure.numerator(period)
        elif measure.penalties is not None:
            conditions.update({f"p{j}": among & q for j, q in enumerate(measure.penalties(period))})
        distinct = measure.counted != "pk"
        for part, condition in conditions.items():
            aggregates[f"m{i}_{part}"] = Count(measure.counted, filter=condition or None, distinct=distinct)
        parts[code] = tuple(f"m{i}_{part}" for part in conditions)
    key = _index_key(group_by if path is not None else None, path or "")
    grouped = list(rows.values(index_key=key).annotate(**aggregates).order_by())
    return {code: {row["index_key"]: _tally(row, names) for row in grouped} for code, names in parts.items()}


def _tally(row: dict[str, Any], names: tuple[str, ...]) -> Tally:
    """`names`: the denominator, then the numerator or the penalties it is reduced by."""
    den = row[names[0]] or 0
    if names[1].endswith("_num"):
        return Tally(row[names[1]] or 0, den)
    return Tally(max(den - sum(row[name] or 0 for name in names[1:]), 0), den)


def _index_key(group_by: str | None, path: str = "agency") -> F | Value:
    """What rows are grouped by: the agency's `group_by`, or one group for them all."""
    return F(f"{path}__{group_by}") if group_by is not None else Value(None, output_field=IntegerField())


def _kept_tallies(
    measures: dict[str, Measure], period: Period, *, agencies: QuerySet[Agency] | None, group_by: str | None
) -> dict[str, dict[Any, Tally]]:
    """The received dossiers' measures summed over the period's days of the kept counts: per
    agency for the dossiers, per agency and procedure for the procedures (3.5)."""
    found: dict[str, dict[Any, Tally]] = {}
    days = {"day__gte": period.start, "day__lte": period.end}
    if agencies is not None:
        days["agency__in"] = agencies  # type: ignore[assignment]
    dossier_measures = {code: m for code, m in measures.items() if m.counted == "pk"}
    if dossier_measures:
        received = sum((F(column) for column in RECEIVED_COLUMNS), Value(0))
        sums: dict[str, Any] = {"received": Sum(received)}
        for measure in dossier_measures.values():
            assert measure.kept is not None
            sums.update({column: Sum(column) for column in measure.kept if column is not None})
        grouped = AgencyDailyCount.objects.filter(**days).values(index_key=_index_key(group_by)).annotate(**sums)
        rows = list(grouped.order_by())
        for code, measure in dossier_measures.items():
            among, numerator = measure.kept  # type: ignore[misc]
            found[code] = {row["index_key"]: Tally(row[numerator] or 0, row[among or "received"] or 0) for row in rows}
    for code, measure in measures.items():
        if measure.counted != "pk":
            found[code] = _procedures_counted(measure, days, group_by)
    return found


def _procedures_counted(measure: Measure, days: dict[str, Any], group_by: str | None) -> dict[Any, Tally]:
    """Distinct procedures with a dossier in the denominator's column, and those with one in the
    numerator's, per group."""
    among, numerator = measure.kept  # type: ignore[misc]
    assert among is not None
    per_procedure = (
        ProcedureDailyCount.objects.filter(**days, **{f"{among}__gt": 0})
        .values("procedure_id", index_key=_index_key(group_by))
        .annotate(among=Sum(among), numerator=Sum(numerator))
        .order_by()
    )
    counted: dict[Any, list[int]] = {}
    for row in per_procedure:
        tally = counted.setdefault(row["index_key"], [0, 0])
        tally[0] += row["numerator"] > 0
        tally[1] += 1
    return {key: Tally(numerator, among) for key, (numerator, among) in counted.items()}


def _handled_tallies(
    measures: dict[str, Measure], period: Period, *, agencies: QuerySet[Agency] | None, group_by: str | None
) -> dict[str, dict[Any, Tally]]:
    """2.1 and 5.4 from the statutory report's figures (the kept flows of the period and the
    dossiers in progress at its end) and a count of the complained dossiers among them, the one
    fact the report does not keep."""
    unit_of = None if group_by is None else dict(Agency.objects.values_list("pk", group_by))
    facts: dict[Any, dict[str, int]] = {}
    for (agency_id, _field_id), cells in statutory_cells(agencies=agencies, period=period).items():
        counts = facts.setdefault(None if unit_of is None else unit_of[agency_id], dict.fromkeys(HANDLED_FACTS, 0))
        for name, columns in HANDLED_FACTS.items():
            counts[name] += sum(cells[column] for column in columns)
    # The complained dossiers (a kept column) resolved in the period or not before its end, found by
    # the day of their result in their partial index; the handled among them by the dossier.
    complained = CountedDossier.objects.filter(complained__gt=0).filter(
        Q(processed_day__gte=period.start) | Q(processed_day__isnull=True)
    )
    complained_rows = (
        statutory_dossiers()
        .filter(pk__in=complained.values("dossier_id"), **({} if agencies is None else {"agency__in": agencies}))
        .filter(handled(period))
        .values(index_key=_index_key(group_by))
        .annotate(n=Count("pk"))
        .order_by()
    )
    complained_by_key = {row["index_key"]: row["n"] for row in complained_rows}
    found: dict[str, dict[Any, Tally]] = {}
    for code, measure in measures.items():
        tallies_by_key = {}
        for key, counts in facts.items():
            total = counts["handled"]
            if measure.numerator is not None:  # 2.1: on time
                tallies_by_key[key] = Tally(counts["on_time"], total)
            else:  # 5.4: less the late and the complained
                tallies_by_key[key] = Tally(max(total - counts["late"] - complained_by_key.get(key, 0), 0), total)
        found[code] = tallies_by_key
    return found


def indicator_dossiers(indicator: Indicator, period: Period, *, scope: Scope, part: str) -> QuerySet[Dossier]:
    """The dossiers a dossier indicator counted: `part` "mau" (denominator) or "tu" (numerator)."""
    measure = indicator.measure
    if measure is None or not measure.lists_dossiers:
        raise PermissionDenied
    rows = measure.denominator(period)
    agencies = scope.agencies()
    if agencies is not None:
        rows = rows.filter(agency__in=agencies)
    if part == "tu" and measure.numerator is not None:
        rows = rows.filter(measure.numerator(period))
    elif part != "mau":
        raise PermissionDenied
    return rows.select_related("agency", "procedure_version").order_by("received_at", "pk")


# --- The index -----------------------------------------------------------------------------------


@dataclass
class IndicatorLine:
    indicator: Indicator
    tally: Tally
    rule: Rule | None
    points: Decimal | None

    @property
    def drills(self) -> bool:
        return self.indicator.measure is not None and self.indicator.measure.lists_dossiers

    @property
    def drills_numerator(self) -> bool:
        # 5.4's numerator is a difference of counts, not a list.
        return self.drills and self.indicator.measure is not None and self.indicator.measure.numerator is not None


@dataclass
class GroupLine:
    group: IndicatorGroup
    maximum: Decimal
    lines: list[IndicatorLine] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        earned = [line.points for line in self.lines if line.points is not None]
        return min(sum(earned, Decimal(0)), self.maximum)

    @property
    def attainable(self) -> Decimal:
        """What the indicators computed here could give (N/A ones and outside data give none)."""
        rules = [line.rule.points for line in self.lines if line.rule and line.points is not None]
        return min(sum(rules, Decimal(0)), self.maximum)


@dataclass
class Scorecard:
    groups: list[GroupLine]
    outside: list[Indicator]

    @property
    def total(self) -> Decimal:
        return sum((group.points for group in self.groups), Decimal(0))

    @property
    def attainable(self) -> Decimal:
        return sum((group.attainable for group in self.groups), Decimal(0))


def _scorecard(counts: dict[str, Tally], rules: dict[str, Rule]) -> Scorecard:
    groups = {group: GroupLine(group, GROUP_MAXIMA[group]) for group in IndicatorGroup}
    outside = []
    for indicator in INDICATORS:
        if indicator.measure is None:
            outside.append(indicator)
            continue
        tally = counts[indicator.code]
        rule = rules.get(indicator.code)
        groups[indicator.group].lines.append(IndicatorLine(indicator, tally, rule, score(tally.rate, rule)))
    return Scorecard(list(groups.values()), outside)


def scorecard(*, scope: Scope, period: Period) -> Scorecard:
    found = tallies(MEASURES, period, agencies=scope.agencies())
    return _scorecard({code: tally.get(None, NOTHING) for code, tally in found.items()}, points_rules())


@dataclass
class RankingRow:
    name: str
    scope: Scope
    card: Scorecard


def ranking(*, period: Period, by: str) -> list[RankingRow]:
    """Every agency (by="agency") or commune (by="commune") with its score, best first: one
    grouped query per row set whatever the number of agencies and indicators."""
    if by == ScopeKind.COMMUNE:
        agencies: QuerySet[Agency] | None = Agency.objects.filter(unit__kind__in=COMMUNE_KINDS)
        group_by = "unit_id"
        scopes = {unit.pk: Scope(ScopeKind.COMMUNE, unit=unit) for unit in communes()}
    else:
        agencies, group_by = None, "id"
        scopes = {agency.pk: Scope(ScopeKind.AGENCY, agency=agency) for agency in Agency.objects.filter(is_active=True)}
    per_indicator = tallies(MEASURES, period, agencies=agencies, group_by=group_by)
    rules = points_rules()
    rows = []
    for key, scope in scopes.items():
        counts = {code: found.get(key, found.get(None, NOTHING)) for code, found in per_indicator.items()}
        rows.append(RankingRow(scope.label, scope, _scorecard(counts, rules)))
    rows.sort(key=lambda row: (-row.card.total, row.name))
    return rows
