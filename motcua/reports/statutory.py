"""The statutory statistics report on handling administrative procedures (báo cáo thống kê tình
hình giải quyết thủ tục hành chính), per agency and field over a period, in the columns of the
form a provincial office files (form 06a/VPCP/KSTT layout; docs/reports.md defines each one).

Every column is one condition (a `Q`) over dossiers annotated by `statutory_dossiers`, and a
cell's drill-down list is that queryset filtered by that `Q`. The report does not scan the
period's dossiers: the flows (received, resolved, withdrawn, stopped) are per-day and per-month
counts kept from the domain events by the same conditions (`reports/statutory_counts.py`), the
stock in progress at the period's end is counted live over the dossiers open then, and what was
carried over follows from the identity below; so the cell equals its list's length.

A dossier belongs to the report once it is received (`received_at`); a dossier refused at the
counter or withdrawn before reception was never accepted and is in no column. It ends by its
result (`processed_at`), by a granted withdrawal or by a stop notice (`ended_at`, the instant of
that status change); the two ends exclude each other, so the columns partition the dossiers:
carried + new = resolved + in progress + withdrawn + stopped.
"""

import datetime
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import Field
from motcua.core.periods import Period
from motcua.core.validators import asked_record_id, parameter_refused
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.selectors import agencies_overseen
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.deadlines import EARLY, FINISHED, LATE, with_timeliness_facts
from motcua.dossiers.models import Dossier, DossierStatusChange
from motcua.reports.models import StatutoryDailyCount, StatutoryMonthlyCount
from motcua.reports.selectors import OPEN

# Who reads the report: leaders, supervisors and administrators of an agency (their agencies);
# the province-wide roles read every agency.
REPORT_ROLES = [Role.LEADER, Role.SUPERVISOR, Role.AGENCY_ADMIN]
# The query parameters of the report, its drill-down lists and exports.
AGENCY, FIELD, COLUMN = "co_quan", "linh_vuc", "cot"
ENDED = [DossierStatus.WITHDRAWN, DossierStatus.STOPPED]
# The national portal hands over dossiers submitted online there: they count as online.
ONLINE_CHANNELS = [Channel.ONLINE, Channel.NATIONAL_PORTAL]
DIRECT_CHANNELS = [Channel.COUNTER, Channel.POST_OFFICE]


def report_agencies(*, user: Any) -> QuerySet[Agency] | None:
    """None for every agency (province-wide roles), else the agencies the user oversees."""
    return agencies_overseen(user=user, roles=REPORT_ROLES)


def statutory_dossiers() -> QuerySet[Dossier]:
    """Dossiers with the facts the columns read: the national rule's (`with_timeliness_facts`) and
    `ended_at`, when a withdrawal or a stop ended the dossier: the instant of that status change
    in its history (`dossier_transition` always writes it; an imported dossier without one counts
    as ended when received). The CASE keeps the history lookup to the few ended dossiers."""
    change = DossierStatusChange.objects.filter(dossier=OuterRef("pk"), to_status=OuterRef("status"))
    ended_at = Coalesce(Subquery(change.order_by("-created_at").values("created_at")[:1]), "received_at")
    return with_timeliness_facts(Dossier.objects.all()).annotate(
        ended_at=Case(When(status__in=ENDED, then=ended_at), default=None, output_field=DateTimeField())
    )


def _open_at(instant: datetime.datetime) -> Q:
    """Received before `instant` and neither resolved nor ended before it."""
    return (
        Q(received_at__lt=instant)
        & (Q(processed_at__isnull=True) | Q(processed_at__gte=instant))
        & (Q(ended_at__isnull=True) | Q(ended_at__gte=instant))
    )


@dataclass(frozen=True)
class Column:
    key: str  # in URLs (`cot`)
    label: Any


# The form's columns, in its order (the header rows group them; see COLUMN_GROUPS).
COLUMNS = [
    Column("tiep-nhan", gettext_lazy("Tổng số")),
    Column("ky-truoc", gettext_lazy("Từ kỳ trước chuyển qua")),
    Column("moi-truc-tuyen", gettext_lazy("Mới tiếp nhận trực tuyến")),
    Column("moi-truc-tiep", gettext_lazy("Mới tiếp nhận trực tiếp, qua bưu chính")),
    Column("da-giai-quyet", gettext_lazy("Tổng số")),
    Column("truoc-han", gettext_lazy("Trước hạn")),
    Column("dung-han", gettext_lazy("Đúng hạn")),
    Column("qua-han", gettext_lazy("Quá hạn")),
    Column("dang-giai-quyet", gettext_lazy("Tổng số")),
    Column("dang-trong-han", gettext_lazy("Chưa đến hạn")),
    Column("dang-qua-han", gettext_lazy("Quá hạn")),
    Column("rut", gettext_lazy("Rút hồ sơ")),
    Column("dung", gettext_lazy("Dừng giải quyết")),
]
COLUMN_KEYS = [column.key for column in COLUMNS]
# (group label, how many columns it spans) for the header's first row.
COLUMN_GROUPS = [
    (gettext_lazy("Số hồ sơ nhận giải quyết"), 4),
    (gettext_lazy("Số hồ sơ đã giải quyết"), 4),
    (gettext_lazy("Số hồ sơ đang giải quyết (đến hết kỳ)"), 3),
    (gettext_lazy("Số hồ sơ rút, dừng trong kỳ"), 2),
]
# Each column's full name, its group's and its own: what labels a number where the header rows
# are not shown (the table stacked on a phone).
COLUMN_TITLES = [
    format_lazy("{}: {}", group, column.label)
    for group, column in zip((group for group, span in COLUMN_GROUPS for _n in range(span)), COLUMNS, strict=True)
]


@dataclass(frozen=True)
class Flow:
    """A column that counts events of the period (not a stock at one of its ends): what it counts
    whatever the period, and the instant that places a dossier in a period. The kept per-day
    counts (`reports/statutory_counts.py`) use the same conditions, on the day of that instant."""

    column: str  # the report's column key
    kept: str  # the column of `StatutoryDailyCount`
    instant: str  # `received_at`, `processed_at` or `ended_at` (of `statutory_dossiers`)
    condition: Q


FLOWS = [
    Flow("moi-truc-tuyen", "received_online", "received_at", Q(channel__in=ONLINE_CHANNELS)),
    Flow("moi-truc-tiep", "received_direct", "received_at", Q(channel__in=DIRECT_CHANNELS)),
    Flow("truoc-han", "resolved_early", "processed_at", EARLY),
    Flow("dung-han", "resolved_on_time", "processed_at", FINISHED & ~EARLY & ~LATE),
    Flow("qua-han", "resolved_late", "processed_at", LATE),
    Flow("rut", "withdrawn", "ended_at", Q(status=DossierStatus.WITHDRAWN)),
    Flow("dung", "stopped", "ended_at", Q(status=DossierStatus.STOPPED)),
]
FLOW_CONDITIONS = {flow.column: flow.condition for flow in FLOWS}


def _late_at(instant: datetime.datetime) -> Q:
    """Late by the national rule were the result issued at `instant`."""
    return Q(due_at__lt=instant) | Q(apologised=True) | Q(pause_count__gt=1)


def column_conditions(period: Period) -> dict[str, Q]:
    """Each column's condition over `statutory_dossiers()` for the period."""
    first, after = period.bounds()
    carried = _open_at(first)
    new = Q(received_at__gte=first, received_at__lt=after)
    resolved = FINISHED & Q(processed_at__gte=first, processed_at__lt=after)
    in_progress = _open_at(after)
    late = _late_at(period.judged_at())
    ended_in_period = Q(ended_at__gte=first, ended_at__lt=after, received_at__isnull=False)
    return {
        "tiep-nhan": carried | new,
        "ky-truoc": carried,
        "moi-truc-tuyen": new & FLOW_CONDITIONS["moi-truc-tuyen"],
        "moi-truc-tiep": new & FLOW_CONDITIONS["moi-truc-tiep"],
        "da-giai-quyet": resolved,
        "truoc-han": resolved & FLOW_CONDITIONS["truoc-han"],
        "dung-han": resolved & FLOW_CONDITIONS["dung-han"],
        "qua-han": resolved & FLOW_CONDITIONS["qua-han"],
        "dang-giai-quyet": in_progress,
        "dang-trong-han": in_progress & ~late,
        "dang-qua-han": in_progress & late,
        "rut": ended_in_period & FLOW_CONDITIONS["rut"],
        "dung": ended_in_period & FLOW_CONDITIONS["dung"],
    }


@dataclass(frozen=True)
class Drill:
    """Which cell: the column and the row's filters (None = every agency / field)."""

    column: str = "tiep-nhan"
    agency_id: int | None = None
    field_id: int | None = None

    def query(self, period: Period) -> str:
        params = {**period.query(), COLUMN: self.column}
        for key, value in ((AGENCY, self.agency_id), (FIELD, self.field_id)):
            if value is not None:
                params[key] = str(value)
        return urlencode(params)


def statutory_drill(*, column: str, agency: str, field_: str) -> Drill:
    """The drill-down filters from the query string; an unknown column or a non-number refused."""
    if column not in COLUMN_KEYS:
        raise parameter_refused(_("Cột báo cáo"), column)
    return Drill(
        column=column, agency_id=asked_record_id(agency, _("Cơ quan")), field_id=asked_record_id(field_, _("Lĩnh vực"))
    )


def column_title(key: str) -> str:
    """A column named with its group, as the header's two rows read it ("Số hồ sơ đã giải quyết —
    Quá hạn"): several columns share a label ("Tổng số", "Quá hạn")."""
    columns = iter(COLUMNS)
    for group, span in COLUMN_GROUPS:
        for column in islice(columns, span):
            if column.key == key:
                return f"{group} — {column.label}"
    raise KeyError(key)


def _scoped(dossiers: QuerySet[Dossier], agencies: QuerySet[Agency] | None) -> QuerySet[Dossier]:
    return dossiers if agencies is None else dossiers.filter(agency__in=agencies)


def period_candidates(period: Period) -> Q:
    """A superset of every column's dossiers that indexes find without reading the others: received
    before the period's end and either received in it, resolved after its start, still open, or
    withdrawn or stopped after its start (by the history's index); the columns then sort them."""
    first, after = period.bounds()
    ended_since = DossierStatusChange.objects.filter(to_status__in=ENDED, created_at__gte=first).values("dossier_id")
    return Q(received_at__lt=after) & (
        Q(received_at__gte=first)
        | Q(processed_at__gte=first)
        | Q(status__in=OPEN)
        | Q(status__in=ENDED, pk__in=ended_since)
    )


# The columns of the dossiers resolved in the period: their list is found, and ordered, by the
# instant of the result (its index), not among every candidate of the period by reception.
RESOLVED_COLUMNS = ("da-giai-quyet", "truoc-han", "dung-han", "qua-han")


def drill_dossiers(*, agencies: QuerySet[Agency] | None, period: Period, drill: Drill) -> QuerySet[Dossier]:
    """The dossiers behind one cell: codes, procedures, agencies, dates and status, no applicant;
    the resolved ones by their result's instant, the others by reception."""
    if drill.column in RESOLVED_COLUMNS:
        first, after = period.bounds()
        candidates, order = Q(processed_at__gte=first, processed_at__lt=after), "processed_at"
    else:
        candidates, order = period_candidates(period), "received_at"
    dossiers = _scoped(statutory_dossiers(), agencies).filter(candidates, column_conditions(period)[drill.column])
    if drill.agency_id is not None:
        dossiers = dossiers.filter(agency_id=drill.agency_id)
    if drill.field_id is not None:
        dossiers = dossiers.filter(procedure_version__field_id=drill.field_id)
    return dossiers.select_related("agency", "procedure_version").order_by(order, "pk")


def drill_count(*, agencies: QuerySet[Agency] | None, period: Period, drill: Drill) -> int:
    """How many dossiers `drill_dossiers` lists, read from the report's own figures (the kept
    counts; the cell is its list's length) instead of counting a year of dossiers again."""
    if drill.agency_id is not None:
        agencies = (Agency.objects.all() if agencies is None else agencies).filter(pk=drill.agency_id)
    return sum(
        counts[drill.column]
        for (_agency_id, field_id), counts in statutory_cells(agencies=agencies, period=period).items()
        if drill.field_id is None or field_id == drill.field_id
    )


@dataclass
class Row:
    """A line of the report: an agency's field, an agency (fields nested), or the total."""

    name: str
    drill: Drill
    counts: dict[str, int]
    period: Period
    fields: list["Row"] = field(default_factory=list)

    def cells(self) -> list[tuple[int, str, Any]]:
        """(number, drill-down query, column title) per column, in the form's order."""
        return [
            (self.counts[key], Drill(key, self.drill.agency_id, self.drill.field_id).query(self.period), title)
            for key, title in zip(COLUMN_KEYS, COLUMN_TITLES, strict=True)
        ]

    @property
    def values(self) -> list[int]:
        return [self.counts[key] for key in COLUMN_KEYS]


def _summed(rows: list[Row]) -> dict[str, int]:
    return {key: sum(row.counts[key] for row in rows) for key in COLUMN_KEYS}


@dataclass
class StatutoryReport:
    period: Period
    agencies: list[Row]
    total: Row

    @property
    def empty(self) -> bool:
        return not self.agencies


def _open_candidates(instant: datetime.datetime) -> list[Q]:
    """The dossiers that may be open at `instant`, in parts by their status that one index each
    finds (a disjunction would read every withdrawn or stopped dossier): open now, resolved since,
    or withdrawn or stopped since (by the history's index). For a period ending today these are
    the few open dossiers, however long the period."""
    ended_since = DossierStatusChange.objects.filter(to_status__in=ENDED, created_at__gte=instant).values("dossier_id")
    return [
        Q(status__in=OPEN),
        Q(processed_at__gte=instant) & ~Q(status__in=OPEN + ENDED),
        Q(status__in=ENDED, pk__in=ended_since),
    ]


# The figures one line of `_report_lines` carries: the kept flows and the two stocks at the end.
OPEN_ALL, OPEN_LATE = "open_all", "open_late"
LINE_FIGURES = [flow.kept for flow in FLOWS] + [OPEN_ALL, OPEN_LATE]


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _report_lines(agencies: QuerySet[Agency] | None, period: Period) -> QuerySet[Any]:
    """One SQL statement (so one snapshot): the period's kept flows per agency and field, summed
    over its whole months and its other days, and, unioned, the dossiers still in progress at its
    end counted live (on time / late at that instant, or now while the period runs: no event
    marks it) in disjoint parts. An
    (agency, field) has several lines; the caller adds them up. No part reads the dossiers of the
    whole period."""
    _first, after = period.bounds()
    zero = Value(0, output_field=IntegerField())
    # The period's whole calendar months [whole_from, whole_to) come from the monthly rows, the
    # days before and after them from the daily ones (every day when there is no whole month).
    whole_from = period.start if period.start.day == 1 else _next_month(period.start)
    whole_to = (period.end + datetime.timedelta(days=1)).replace(day=1)
    days = StatutoryDailyCount.objects.filter(day__gte=period.start, day__lte=period.end).filter(
        Q(day__lt=whole_from) | Q(day__gte=whole_to)
    )
    months = StatutoryMonthlyCount.objects.filter(month__gte=whole_from, month__lt=whole_to)
    sums = {flow.kept: Sum(flow.kept) for flow in FLOWS}
    flows = [
        (counts if agencies is None else counts.filter(agency__in=agencies))
        .values("agency_id", "field_id")
        .annotate(**sums, **{OPEN_ALL: zero, OPEN_LATE: zero})
        .order_by()
        for counts in (days, months)
    ]
    in_progress = column_conditions(period)["dang-giai-quyet"]
    open_at_end = _scoped(statutory_dossiers(), agencies).filter(in_progress)
    stocks = [
        open_at_end.filter(part)
        .values("agency_id", "procedure_version__field_id")
        .annotate(
            **{flow.kept: zero for flow in FLOWS},
            **{
                # On time = the rest: the rule's facts are read once per dossier, not twice.
                OPEN_ALL: Count("id"),
                OPEN_LATE: Count("id", filter=_late_at(period.judged_at())),
            },
        )
        .order_by()
        for part in _open_candidates(after)
    ]
    return flows[0].union(flows[1], *stocks, all=True)


def _counts(figures: dict[str, int]) -> dict[str, int]:
    """The thirteen columns from a line's figures; what is carried over follows from the identity
    carried + new = resolved + in progress + withdrawn + stopped."""
    counts = {flow.column: figures[flow.kept] for flow in FLOWS}
    counts["dang-qua-han"] = figures[OPEN_LATE]
    counts["dang-trong-han"] = figures[OPEN_ALL] - figures[OPEN_LATE]
    counts["da-giai-quyet"] = counts["truoc-han"] + counts["dung-han"] + counts["qua-han"]
    counts["dang-giai-quyet"] = counts["dang-trong-han"] + counts["dang-qua-han"]
    new = counts["moi-truc-tuyen"] + counts["moi-truc-tiep"]
    ended = counts["da-giai-quyet"] + counts["dang-giai-quyet"] + counts["rut"] + counts["dung"]
    counts["ky-truoc"] = ended - new
    counts["tiep-nhan"] = ended
    return counts


def _summed_lines(agencies: QuerySet[Agency] | None, period: Period) -> dict[tuple[int, int], list[int]]:
    """`LINE_FIGURES` per (agency, field): the lines of `_report_lines` added up by the database
    (one statement still; the ORM cannot group a UNION, so its SQL is wrapped)."""
    sql, params = _report_lines(agencies, period).query.sql_with_params()
    sums = ", ".join(f"SUM({connection.ops.quote_name(name)})" for name in LINE_FIGURES)
    with connection.cursor() as cursor:
        # Only the ORM's SQL and our own column names are interpolated; the values are parameters.
        grouped = f"SELECT agency_id, field_id, {sums} FROM ({sql}) lines GROUP BY agency_id, field_id"  # noqa: S608
        cursor.execute(grouped, params)
        return {(agency_id, field_id): [int(n or 0) for n in figures] for agency_id, field_id, *figures in cursor}


def statutory_cells(*, agencies: QuerySet[Agency] | None, period: Period) -> dict[tuple[int, int], dict[str, int]]:
    """The columns' counts per (agency, field) with a dossier in the report, from one statement."""
    return {
        key: counts
        for key, figures in _summed_lines(agencies, period).items()
        if (counts := _counts(dict(zip(LINE_FIGURES, figures, strict=True))))["tiep-nhan"]
    }


def statutory_report(*, agencies: QuerySet[Agency] | None, period: Period) -> StatutoryReport:
    """The report's figures from one SQL statement (`_summed_lines`), so they are one snapshot of
    the database (the file exported is self-consistent even while officers keep working), then the
    names of their agencies and fields; agencies and the total are sums of the lines. Each cell
    still equals its drill-down list, which filters the dossiers by the column's condition: the
    kept counts use the same conditions."""
    lines = statutory_cells(agencies=agencies, period=period)
    agency_names = dict(Agency.objects.filter(pk__in={key[0] for key in lines}).values_list("pk", "name"))
    field_names = dict(Field.objects.filter(pk__in={key[1] for key in lines}).values_list("pk", "name"))
    rows: dict[int, Row] = {}
    for (agency_id, field_id), counts in sorted(
        lines.items(), key=lambda item: (agency_names[item[0][0]], item[0][0], field_names[item[0][1]])
    ):
        if agency_id not in rows:
            drill = Drill(agency_id=agency_id)
            rows[agency_id] = Row(name=agency_names[agency_id], drill=drill, counts={}, period=period)
        drill = Drill(agency_id=agency_id, field_id=field_id)
        rows[agency_id].fields.append(Row(name=field_names[field_id], drill=drill, counts=counts, period=period))
    for agency in rows.values():
        agency.counts = _summed(agency.fields)
    listed = list(rows.values())
    total = Row(name=_("Tổng cộng"), drill=Drill(), counts=_summed(listed), period=period)
    return StatutoryReport(period=period, agencies=listed, total=total)
