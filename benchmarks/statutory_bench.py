"""Statutory report benchmark: the report (one grouped query) and a drill-down page over the
dossiers already in a PostgreSQL database, for the last whole month, the current month and a
year, province-wide and for the busiest agency.

    python benchmarks/statutory_bench.py --postgres-port 55412 [--postgres-db motcua] [--repeat 20]

Fill the database first (migrate, load_demo, then dossiers: `generate_dossiers`, or the SQL
of docs/benchmarks.md for millions). Goal (issue 16, item 7): p95 under 500 ms at 5 M dossiers.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--postgres-host", default="127.0.0.1")
parser.add_argument("--postgres-port", type=int, required=True)
parser.add_argument("--postgres-db", default="motcua")
parser.add_argument("--repeat", type=int, default=20)
args = parser.parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.conf.embedded")
sys.path.insert(0, str(ROOT))

import django
from django.conf import settings
from load import postgres_database

settings.DATABASES = {
    "default": postgres_database(name=args.postgres_db, host=args.postgres_host, port=args.postgres_port)
}
django.setup()

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from motcua.directory.models import Agency
from motcua.dossiers.models import Dossier
from motcua.reports.statutory import Drill, Period, drill_dossiers, statutory_report


def run(label: str, fn) -> None:  # type: ignore[no-untyped-def]
    fn()  # warm the cache once
    wall = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(wall, n=100)[94] if len(wall) > 1 else wall[0]
    print(f"| {label} | {statistics.median(wall):.0f} ms | {p95:.0f} ms |")


def main() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{Dossier.objects.count():,} dossiers; {os.cpu_count()} CPUs, load average {load}; {version}")
    today = timezone.localdate()
    this_month = Period(today.replace(day=1), today)
    last_end = this_month.start - datetime.timedelta(days=1)
    last_month = Period(last_end.replace(day=1), last_end)
    year = Period(today.replace(month=1, day=1), today)
    by_agency = Dossier.objects.values("agency_id").annotate(n=Count("id")).order_by("-n")
    one = Agency.objects.filter(pk=by_agency.values_list("agency_id", flat=True)[0])
    print("| report | p50 | p95 |\n|---|---|---|")
    for name, period in (("last month", last_month), ("this month", this_month), ("this year", year)):
        run(f"{name}, province-wide", lambda period=period: statutory_report(agencies=None, period=period))
        run(f"{name}, one agency", lambda period=period: statutory_report(agencies=one, period=period))
    run(
        "last month, drill-down page (50 + count), in progress late",
        lambda: (
            list(drill_dossiers(agencies=None, period=last_month, drill=Drill("dang-qua-han"))[:50]),
            drill_dossiers(agencies=None, period=last_month, drill=Drill("dang-qua-han")).count(),
        ),
    )


main()
