"""Scale benchmark of the statistics: every registered query over a generated province
(`manage.py statistics_generate`), p50 / p95 against its naive twin over the same data in the
same run, and the freshness of the daily counts after a dossier is received.

    python benchmarks/scale_bench.py --dossiers 1000000 --postgres-port 55415   # production profile's engine
    python benchmarks/scale_bench.py --dossiers 100000 [--reuse DIR]            # embedded (SQLite)
    python benchmarks/scale_bench.py --postgres-port 55415 --only dashboard 766 --no-freshness  # measure again

A PostgreSQL database (--postgres-db, trust authentication on loopback) is filled once, up to
--dossiers, and measured again on later runs. Goal (issue 16): p95 under 500 ms.

To add a query, append a `Query` to `QUERIES` (in this file): a name, the callable measured
(given the `Scope`) and, where there is one, the naive callable computing the same figures by
scanning the dossiers; the run checks both give the same answer before timing them.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--dossiers", type=int, default=100_000, help="generate up to this many")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query")
parser.add_argument("--reuse", help="the folder of an earlier SQLite run, to measure again without regenerating")
parser.add_argument("--postgres-host", default="127.0.0.1")
parser.add_argument("--postgres-port", type=int, help="measure on this PostgreSQL server instead of SQLite")
parser.add_argument("--postgres-db", default="motcua_scale")
parser.add_argument("--only", nargs="+", help="measure only the queries whose name contains one of these")
parser.add_argument("--no-freshness", action="store_true", help="write no dossier (the freshness check does)")
parser.add_argument("--rebuild", action="store_true", help="recount the daily counts first (after an upgrade)")
args = parser.parse_args()
VAR = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="motcua-scale-"))
os.environ.update(MOTCUA_VAR_DIR=str(VAR), DJANGO_SETTINGS_MODULE="motcua.conf.embedded")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import django
from django.conf import settings
from load import machine, postgres_database

if args.postgres_port:
    settings.DATABASES = {
        "default": postgres_database(name=args.postgres_db, host=args.postgres_host, port=args.postgres_port)
    }
django.setup()

from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from motcua.accounts.models import User
from motcua.directory.models import Agency
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier
from motcua.leaders.scopes import PROVINCE
from motcua.leaders.scopes import Scope as LeaderScope
from motcua.leaders.scopes import scope_resolve as leader_scope
from motcua.leaders.selectors import Filters, agency_ranking, drill_down, figures, officer_ranking
from motcua.reports.models import DailyDossierCount, StatutoryDailyCount
from motcua.reports.selectors import board_rows, board_rows_from_counts, late_count, late_dossiers
from motcua.reports.statutory import (
    COLUMN_KEYS,
    Drill,
    column_conditions,
    drill_count,
    drill_dossiers,
    period_candidates,
    statutory_dossiers,
    statutory_report,
)
from motcua.reports.statutory import Period as StatutoryPeriod
from motcua.reports.statutory_counts import statutory_counts_rebuild
from motcua.service_index.constants import ScopeKind
from motcua.service_index.selectors import MEASURES as INDEX_MEASURES
from motcua.service_index.selectors import Scope as IndexScope
from motcua.service_index.selectors import ranking as index_ranking
from motcua.service_index.selectors import row_set_tallies
from motcua.service_index.selectors import scorecard as index_scorecard
from motcua.service_index.selectors import tallies as index_tallies


@dataclass(frozen=True)
class Scope:
    today: datetime.date
    agency: Agency  # the busiest agency
    superuser: Any  # whose dashboard, index and report cover the province
    officer: str  # the scope of the officer who received the most dossiers
    procedure_id: int  # the procedure with the most dossiers

    def period(self, days: int) -> dict[str, datetime.date]:
        return {"start": self.today - datetime.timedelta(days=days - 1), "end": self.today}


@dataclass(frozen=True)
class Query:
    name: str
    run: Callable[[Scope], Any]
    naive: Callable[[Scope], Any] | None = None


def agency_received_from_counts(scope: Scope, days: int) -> dict[str, int]:
    """One agency's received-by-channel and finished figures from the daily counts."""
    columns = [f"received_{channel}" for channel in Channel.values]
    columns += ["finished_early", "finished_on_time", "finished_late"]
    period = scope.period(days)
    sums = DailyDossierCount.objects.filter(
        agency=scope.agency, day__gte=period["start"], day__lte=period["end"]
    ).aggregate(**{column: Sum(column) for column in columns})
    return {column: sums[column] or 0 for column in columns}


def agency_received_naive(scope: Scope, days: int) -> dict[str, int]:
    """The same figures counted from the agency's dossiers (the board's timeliness rule)."""
    rows = {
        row.name: row
        for row in board_rows(**scope.period(days))  # every agency's, as the naive board reads them
    }
    row = rows.get(scope.agency.name)
    period = scope.period(days)
    channels = (
        Dossier.objects.filter(
            agency=scope.agency, received_at__date__gte=period["start"], received_at__date__lte=period["end"]
        )
        .aggregate(**{f"received_{channel}": Count("id", filter=Q(channel=channel)) for channel in Channel.values})
        .items()
    )
    return {
        **dict(channels),
        "finished_early": row.early if row else 0,
        "finished_on_time": row.on_time if row else 0,
        "finished_late": row.late if row else 0,
    }


def late_first_page(scope: Scope, days: int) -> tuple[int, list[dict[str, Any]]]:
    """The public late list's first page as its view reads it: the count (the board's number),
    then 50 rows."""
    return late_count(**scope.period(days)), list(late_dossiers(**scope.period(days))[:50])


def statutory_first_page(period: StatutoryPeriod, column: str) -> tuple[int, list[Any]]:
    """A statutory cell's list as its view reads it: the count (the cell's kept figure), then 50
    rows."""
    drill = Drill(column)
    rows = drill_dossiers(agencies=None, period=period, drill=drill)[:50]
    return drill_count(agencies=None, period=period, drill=drill), list(rows)


def dashboard(scope: Scope, days: int, key: str = PROVINCE) -> tuple[LeaderScope, Filters]:
    """The leaders' dashboard scope (`tinh` or `co-quan-<id>`) and the period's filters."""
    return leader_scope(user=scope.superuser, key=key), Filters(**scope.period(days))


def busiest(scope: Scope) -> str:
    return f"co-quan-{scope.agency.pk}"


def procedure_dashboard(scope: Scope, days: int) -> tuple[LeaderScope, Filters]:
    """The province's dashboard with the busiest procedure chosen."""
    leader, filters = dashboard(scope, days)
    return leader, Filters(filters.start, filters.end, procedure_id=scope.procedure_id)


def month(scope: Scope) -> StatutoryPeriod:
    return StatutoryPeriod(**scope.period(30))


def closed_month(scope: Scope) -> StatutoryPeriod:
    """The 30 days before today: the generator places receptions through the end of today, which
    the index's live count leaves out until they happen, so its twins agree on a closed period."""
    return StatutoryPeriod(scope.today - datetime.timedelta(days=30), scope.today - datetime.timedelta(days=1))


def year(scope: Scope) -> StatutoryPeriod:
    return StatutoryPeriod(**scope.period(365))


def index_counted(period: StatutoryPeriod, group_by: str | None = None) -> dict[str, Any]:
    """What the 766 scorecard and rankings are made from: every measure's tallies."""
    return _counted_only(index_tallies(INDEX_MEASURES, period, agencies=None, group_by=group_by))


def _counted_only(found: dict[str, Any]) -> dict[str, Any]:
    """Without the empty tallies, which one side lists and the other leaves to the default."""
    return {code: {key: tally for key, tally in by_key.items() if tally.denominator} for code, by_key in found.items()}


def index_naive(period: StatutoryPeriod, group_by: str | None = None) -> dict[str, Any]:
    """The same tallies counted from the rows themselves, one grouped scan per row set."""
    by_rows: dict[Any, dict[str, Any]] = {}
    for code, measure in INDEX_MEASURES.items():
        by_rows.setdefault(measure.rows, {})[code] = measure
    found: dict[str, Any] = {}
    for same in by_rows.values():
        found.update(row_set_tallies(same, period, agencies=None, group_by=group_by))
    return _counted_only(found)


def statutory_cells(period: StatutoryPeriod) -> dict[tuple[int | None, int | None], list[int]]:
    """The report's figures per (agency, field), as the naive twin gives them."""
    report = statutory_report(agencies=None, period=period)
    return {
        (row.drill.agency_id, row.drill.field_id): row.values for agency in report.agencies for row in agency.fields
    }


def statutory_cells_naive(period: StatutoryPeriod) -> dict[tuple[int | None, int | None], list[int]]:
    """The same figures counted over the dossiers, each column's condition (its drill-down
    list's) in one grouped query."""
    conditions = column_conditions(period)
    lines = (
        statutory_dossiers()
        .filter(period_candidates(period), conditions["tiep-nhan"])
        .values("agency_id", "procedure_version__field_id")
        .annotate(**{key: Count("id", filter=condition) for key, condition in conditions.items()})
        .order_by()
    )
    return {
        (line["agency_id"], line["procedure_version__field_id"]): [line[key] for key in COLUMN_KEYS] for line in lines
    }


QUERIES = [
    Query(
        "board by agency, one month",
        lambda s: board_rows_from_counts(**s.period(30)),
        lambda s: board_rows(**s.period(30)),
    ),
    Query(
        "board by agency, one year",
        lambda s: board_rows_from_counts(**s.period(365)),
        lambda s: board_rows(**s.period(365)),
    ),
    Query(
        "board by field, one year",
        lambda s: board_rows_from_counts(**s.period(365), grouping="linh-vuc"),
        lambda s: board_rows(**s.period(365), grouping="linh-vuc"),
    ),
    Query(
        "one agency's figures, one month",
        lambda s: agency_received_from_counts(s, 30),
        lambda s: agency_received_naive(s, 30),
    ),
    Query(
        "one agency's figures, one year",
        lambda s: agency_received_from_counts(s, 365),
        lambda s: agency_received_naive(s, 365),
    ),
    Query("drill-down: late dossiers, first 50, one month", lambda s: late_first_page(s, 30)),
    Query("drill-down: late dossiers, first 50, one year", lambda s: late_first_page(s, 365)),
    Query("dashboard figures, province, one month", lambda s: figures(*dashboard(s, 30))),
    Query("dashboard figures, province, one year", lambda s: figures(*dashboard(s, 365))),
    Query("dashboard figures, busiest agency, one month", lambda s: figures(*dashboard(s, 30, busiest(s)))),
    Query("dashboard figures, busiest agency, one year", lambda s: figures(*dashboard(s, 365, busiest(s)))),
    Query("dashboard figures, busiest officer, one month", lambda s: figures(*dashboard(s, 30, s.officer))),
    Query("dashboard figures, busiest officer, one year", lambda s: figures(*dashboard(s, 365, s.officer))),
    Query("dashboard figures, province, busiest procedure, one month", lambda s: figures(*procedure_dashboard(s, 30))),
    Query("dashboard figures, province, busiest procedure, one year", lambda s: figures(*procedure_dashboard(s, 365))),
    Query("dashboard agency ranking, one month", lambda s: agency_ranking(*dashboard(s, 30))),
    Query("dashboard agency ranking, one year", lambda s: agency_ranking(*dashboard(s, 365))),
    Query("officers' ranking, busiest agency, one month", lambda s: officer_ranking(*dashboard(s, 30, busiest(s)))),
    Query(
        "dashboard drill-down finished_late, 50, 1 month",
        lambda s: list(drill_down(*dashboard(s, 30), "finished_late")[:50]),
    ),
    Query(
        "766 index scorecard, province, one month",
        lambda s: index_scorecard(scope=IndexScope(ScopeKind.PROVINCE), period=month(s)),
    ),
    Query("766 index agency ranking, one month", lambda s: index_ranking(period=month(s), by=ScopeKind.AGENCY)),
    Query("766 index commune ranking, one month", lambda s: index_ranking(period=month(s), by=ScopeKind.COMMUNE)),
    Query(
        "766 index tallies, province, one closed month",
        lambda s: index_counted(closed_month(s)),
        lambda s: index_naive(closed_month(s)),
    ),
    Query(
        "766 index tallies by agency, one closed month",
        lambda s: index_counted(closed_month(s), "id"),
        lambda s: index_naive(closed_month(s), "id"),
    ),
    Query(
        "statutory report, province, one month",
        lambda s: statutory_cells(month(s)),
        lambda s: statutory_cells_naive(month(s)),
    ),
    Query(
        "statutory drill-down: resolved late, 50 and count, one month",
        lambda s: statutory_first_page(month(s), "qua-han"),
    ),
    Query(
        "statutory drill-down: resolved late, 50 and count, one year",
        lambda s: statutory_first_page(year(s), "qua-han"),
    ),
    Query(
        "statutory drill-down: in progress overdue, 50 and count, one month",
        lambda s: statutory_first_page(month(s), "dang-qua-han"),
    ),
    Query(
        "statutory report, province, one year",
        lambda s: statutory_cells(year(s)),
        lambda s: statutory_cells_naive(year(s)),
    ),
]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    wall = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
    return wall


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


def freshness(scope: Scope) -> str:
    """A dossier submitted and received through the real services: how long until the
    province's board of today counts it."""
    from motcua.accounts.models import User
    from motcua.catalog.models import Procedure
    from motcua.directory.constants import Role
    from motcua.directory.services import staff_ensure
    from motcua.dossiers.reception import dossier_accept
    from motcua.dossiers.testing import submitted_dossier
    from motcua.reports.datagen import SYNTHETIC_PREFIX

    procedure = Procedure.objects.filter(code="1.001193").first()
    if procedure is None or procedure.current_version is None:
        return "freshness: not measured (the demo's birth registration is missing)"
    applicant = User.objects.filter(username__startswith=SYNTHETIC_PREFIX, citizen__isnull=False).first()
    dossier = submitted_dossier(applicant, procedure.current_version)
    officer = staff_ensure(
        actor="bench",
        username="bench-reception",
        full_name="Cán Bộ Đo",
        password=None,
        roles=[(Role.RECEPTION, dossier.agency.code, None)],
    )

    def received_today() -> int:
        return sum(row.received for row in board_rows_from_counts(start=scope.today, end=scope.today))

    before = received_today()
    start = time.perf_counter()
    dossier_accept(dossier=Dossier.objects.get(pk=dossier.pk), officer=officer, revision=None)
    accepted = time.perf_counter()
    while received_today() == before and time.perf_counter() - start < 60:
        time.sleep(0.05)
    seen = time.perf_counter()
    verdict = "visible" if received_today() > before else "NOT visible after 60 s"
    return (
        f"freshness: dossier {dossier.code} received through dossier_accept ({(accepted - start) * 1000:.0f} ms), "
        f"{verdict} on today's board {(seen - accepted) * 1000:.0f} ms after the commit"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Agency.objects.exists():
        call_command("load_demo", no_dossiers=True, verbosity=0)
    missing = args.dossiers - Dossier.objects.count()
    if missing > 0:
        started = time.perf_counter()
        call_command("statistics_generate", dossiers=missing, seed=args.seed, verbosity=1)
        print(f"generated {missing} dossiers in {time.perf_counter() - started:.0f} s ({connection.vendor})")
    if args.rebuild:
        started = time.perf_counter()
        call_command("reports_rebuild", verbosity=0)
        print(f"daily and statutory counts rebuilt in {time.perf_counter() - started:.0f} s")
    elif Dossier.objects.exists() and not StatutoryDailyCount.objects.exists():
        # A database filled before the statutory report kept its counts (as after an upgrade).
        started = time.perf_counter()
        rows = statutory_counts_rebuild()
        print(f"statutory counts rebuilt: {rows} daily rows in {time.perf_counter() - started:.0f} s")
    where = f"database {args.postgres_db}" if args.postgres_port else VAR
    print(f"data in {where}: {Dossier.objects.count()} dossiers, {DailyDossierCount.objects.count()} daily count rows")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        print(f"machine: {machine()}; database {connection.vendor} {cursor.fetchone()[0].split(' on ')[0]}")
    busiest = Dossier.objects.values("agency").annotate(n=Count("id")).order_by("-n").first()
    superuser = User.objects.filter(is_superuser=True, is_active=True).first() or User.objects.create_superuser(
        "bench-superuser", "bench@example.invalid", None
    )
    officers = Dossier.objects.filter(received_by__isnull=False).values("received_by").annotate(n=Count("id"))
    procedures = Dossier.objects.values("procedure_version__procedure").annotate(n=Count("id"))
    scope = Scope(
        timezone.localdate(),
        Agency.objects.get(pk=busiest["agency"]),
        superuser,
        f"can-bo-{officers.order_by('-n')[0]['received_by']}",
        procedures.order_by("-n")[0]["procedure_version__procedure"],
    )
    print(f"one agency: {scope.agency.name} ({busiest['n']} dossiers)")
    print(f"{'query':50} {'p50 ms':>8} {'p95 ms':>8} {'naive p50':>10} {'naive p95':>10} {'naive/agg':>10}")
    for query in QUERIES:
        if args.only and not any(part in query.name for part in args.only):
            continue
        if query.naive is not None and query.run(scope) != query.naive(scope):
            print(f"{query.name}: DIFFERS from its naive twin")
        wall = timed(lambda query=query: query.run(scope), args.repeat)
        line = f"{query.name:50} {statistics.median(wall):8.1f} {p95(wall):8.1f}"
        if query.naive is not None:
            # The naive scan is slow by design: a few runs suffice.
            naive = timed(lambda naive=query.naive: naive(scope), max(3, args.repeat // 5))
            line += f" {statistics.median(naive):10.1f} {p95(naive):10.1f} {p95(naive) / p95(wall):9.1f}x"
        print(line)
    if not args.no_freshness:
        print(freshness(scope))


if __name__ == "__main__":
    main()
