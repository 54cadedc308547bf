"""A report template's table for one period: one row per group, one column per measure, the
numbers from the leaders' dashboard (`leaders.selectors.counts`), so a report, the dashboard and
its drill-down lists agree."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import DateField, F
from django.db.models.functions import Trunc
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from motcua.catalog.models import Field, Procedure
from motcua.directory.models import Agency
from motcua.leaders.measures import MEASURES
from motcua.leaders.scopes import Scope
from motcua.leaders.selectors import Filters, counts
from motcua.report_templates.constants import Grouping
from motcua.report_templates.models import ReportTemplate

# Per grouping: the expression over the dossiers and over the daily counts (None: the counts are
# not keyed by it, so every measure is counted live), and the model naming the keys.
_GROUPS: dict[str, tuple[Any, Any, Any]] = {
    Grouping.AGENCY: (F("agency_id"), F("agency_id"), Agency),
    Grouping.FIELD: (F("procedure_version__field_id"), F("field_id"), Field),
    Grouping.PROCEDURE: (F("procedure_version__procedure_id"), None, Procedure),
    **{
        kind: (Trunc("received_at", kind, output_field=DateField()), Trunc("day", kind, output_field=DateField()), None)
        for kind in (Grouping.DAY, Grouping.WEEK, Grouping.MONTH)
    },
}


@dataclass(frozen=True)
class ReportTable:
    title: str
    scope: str
    start: datetime.date
    end: datetime.date
    group_label: str | Promise
    columns: list[str | Promise]
    rows: list[tuple[str, list[int]]]
    totals: list[int]


def _group_name(grouping: str, key: Any, names: dict[Any, Any]) -> str:
    if grouping == Grouping.WEEK:
        return _("Tuần từ %(day)s") % {"day": date_format(key, "d/m/Y")}
    if grouping == Grouping.MONTH:
        return date_format(key, "m/Y")
    if grouping == Grouping.DAY:
        return date_format(key, "d/m/Y")
    found = names.get(key)
    return found.name if found is not None else "—"


def report_table(template: ReportTemplate, *, scope: Scope, start: datetime.date, end: datetime.date) -> ReportTable:
    measures = [name for name in template.measures if name in MEASURES]
    filters = Filters(start=start, end=end)
    if template.grouping == Grouping.NONE:
        lines = counts(scope, filters, measures)
        rows = [(str(scope.label), [lines[0][name] for name in measures])] if lines else []
    else:
        live, kept, model = _GROUPS[template.grouping]
        lines = counts(scope, filters, measures, live_group=live, kept_group=kept)
        names = model.objects.in_bulk([line["key"] for line in lines]) if model else {}
        lines = [line for line in lines if any(line[name] for name in measures)]
        if model is None:
            lines.sort(key=lambda line: line["key"])
        rows = [(_group_name(template.grouping, line["key"], names), [line[n] for n in measures]) for line in lines]
        if model is not None:
            rows.sort(key=lambda row: row[0])
    return ReportTable(
        title=template.name,
        scope=str(scope.label),
        start=start,
        end=end,
        group_label=Grouping(template.grouping).label,
        columns=[MEASURES[name].label for name in measures],
        rows=rows,
        totals=[sum(row[1][index] for row in rows) for index in range(len(measures))],
    )
