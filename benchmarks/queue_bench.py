"""Queue benchmark: the reception queue of a one-stop unit, an officer's work queue and the
back-office dossier search over N synthetic dossiers, against a plain primary-key lookup in the
same run. The default count is for a quick run; the documented figures are at one million.

    python benchmarks/queue_bench.py [--count 1000000] [--reuse DIR]
    python benchmarks/queue_bench.py --count 1000000 --postgres-port 55432 [--postgres-host 127.0.0.1]

SQLite (the embedded profile) in a new folder, or in DIR again; on PostgreSQL, a server on
loopback with trust authentication and a database (--postgres-db) that is filled once and
measured again on later runs.

Goal (back-office issue): p95 under 100 ms.
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=20_000)
parser.add_argument("--reuse", help="the folder of an earlier SQLite run, to measure again without regenerating")
parser.add_argument("--postgres-host", default="127.0.0.1")
parser.add_argument("--postgres-port", type=int, help="measure on this PostgreSQL server instead of SQLite")
parser.add_argument("--postgres-db", default="motcua_queue_bench")
args = parser.parse_args()
VAR = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="motcua-queue-"))
os.environ.update(MOTCUA_VAR_DIR=str(VAR), DJANGO_SETTINGS_MODULE="motcua.conf.embedded")
sys.path.insert(0, str(ROOT))

import django
import django.utils.timezone
from django.conf import settings
from load import postgres_database

if args.postgres_port:
    settings.DATABASES = {
        "default": postgres_database(name=args.postgres_db, host=args.postgres_host, port=args.postgres_port)
    }
django.setup()

from django.core.management import call_command
from django.db import connection

from motcua.accounts.models import CitizenProfile
from motcua.directory.constants import AgencyKind, Role
from motcua.directory.models import Agency
from motcua.directory.services import staff_ensure
from motcua.dossiers.constants import QueueView, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.search import DossierSearch, dossier_search_for_officer
from motcua.dossiers.selectors import dossier_reception_queue, step_queue


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Wall-clock and this process's CPU milliseconds of each call: on a shared machine the CPU
    time shows the work itself (all of it on SQLite; on PostgreSQL the server's is not in it)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT 'SQLite ' || sqlite_version()"
        )
        database = cursor.fetchone()[0].split(" on ")[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({model}), load average {load}; {database}"


def main() -> None:
    call_command("migrate", verbosity=0)
    # A PostgreSQL database keeps its dossiers between runs, as --reuse does for SQLite.
    if not args.reuse and not (args.postgres_port and Dossier.objects.exists()):
        call_command("load_demo", verbosity=0)
        start = time.perf_counter()
        call_command("generate_dossiers", count=args.count, verbosity=0)
        print(f"generated {args.count} dossiers in {time.perf_counter() - start:.0f} s ({connection.vendor})")
    where = f"database {args.postgres_db}" if args.postgres_port else VAR
    print(f"data in {where}: {Dossier.objects.count()} dossiers")
    print(f"machine: {machine()}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    busiest = (
        Dossier.objects.values("agency").order_by().annotate(n=django.db.models.Count("id")).order_by("-n").first()
    )
    agency = (
        Agency.objects.get(pk=busiest["agency"])
        if busiest
        else Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).first()
    )
    assert agency is not None
    officer = staff_ensure(
        actor="bench",
        username="bench-officer",
        full_name="Cán Bộ Đo",
        password="x",
        roles=[(Role.RECEPTION, agency.code, None)],
    )
    supervisor = staff_ensure(
        actor="bench",
        username="bench-supervisor",
        full_name="Giám Sát Đo",
        password="x",
        roles=[(Role.SUPERVISOR, None, None)],
    )
    specialist = staff_ensure(
        actor="bench",
        username="bench-specialist",
        full_name="Chuyên Viên Đo",
        password="x",
        roles=[(Role.SPECIALIST, agency.code, None)],
    )
    leader = staff_ensure(
        actor="bench",
        username="bench-leader",
        full_name="Lãnh Đạo Đo",
        password="x",
        roles=[(Role.LEADER, agency.code, None)],
    )
    open_steps = DossierStep.objects.filter(agency=agency, status=StepStatus.ACTIVE, role=Role.SPECIALIST)
    mine = list(open_steps.values_list("id", flat=True)[: max(1, open_steps.count() // 2)])
    DossierStep.objects.filter(pk__in=mine).update(assignee=specialist)
    ids = list(Dossier.objects.values_list("id", flat=True)[:5000])
    codes = list(Dossier.objects.filter(agency=agency, status="submitted").values_list("code", flat=True)[:200])

    def first_page(user) -> None:  # type: ignore[no-untyped-def]
        list(dossier_reception_queue(user=user).select_related("procedure_version", "applicant")[:50])
        dossier_reception_queue(user=user).count()

    def work_page(user, view) -> None:  # type: ignore[no-untyped-def]
        list(step_queue(user=user, view=view)[:50])
        step_queue(user=user, view=view).count()

    def search_code() -> None:
        list(dossier_reception_queue(user=officer, query=random.choice(codes)[-8:])[:50])

    def search(user, **filters) -> None:  # type: ignore[no-untyped-def]
        # As the search page: one page of 50 and one more row to know there is a next page.
        found = dossier_search_for_officer(user=user, search=DossierSearch(**filters))
        list(found.select_related("applicant__citizen")[:51])

    all_codes = list(
        Dossier.objects.exclude(code__isnull=True).values_list("code", flat=True)[:: max(1, args.count // 500)]
    )
    profiles = list(CitizenProfile.objects.filter(user__username__startswith="synthetic-"))
    today = django.utils.timezone.localdate()
    month_ago = today - datetime.timedelta(days=30)
    busiest_procedure = (
        Dossier.objects.values("procedure_version__procedure")
        .order_by()
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .first()
    )
    procedure = busiest_procedure["procedure_version__procedure"] if busiest_procedure else None
    recent = {"status": "in_progress", "submitted_from": month_ago, "submitted_to": today}

    def name() -> str:
        return random.choice(profiles).full_name

    rows = [
        ("pk lookup", timed(lambda: Dossier.objects.get(pk=random.choice(ids)), 300)),
        (
            f"reception queue, one agency ({Dossier.objects.filter(agency=agency).count()} dossiers)",
            timed(lambda: first_page(officer), 100),
        ),
        ("reception queue, province-wide (supervisor)", timed(lambda: first_page(supervisor), 30)),
        ("reception queue, search by code", timed(search_code, 100)),
        (
            f"work queue, assigned to me ({len(mine)} open steps)",
            timed(lambda: work_page(specialist, QueueView.MINE), 100),
        ),
        (
            f"work queue, my unit ({open_steps.count()} open steps)",
            timed(lambda: work_page(specialist, QueueView.UNIT), 100),
        ),
        ("work queue, overdue", timed(lambda: work_page(specialist, QueueView.OVERDUE), 100)),
        ("work queue, whole agency (leader)", timed(lambda: work_page(leader, QueueView.UNIT), 100)),
        # The officers' search page: whole province (supervisor) or one agency's scope (officer).
        ("search, by code (supervisor)", timed(lambda: search(supervisor, text=random.choice(all_codes)), 100)),
        ("search, code's start (one agency)", timed(lambda: search(officer, text=random.choice(codes)[:-3]), 100)),
        (
            "search, ID number (supervisor)",
            timed(lambda: search(supervisor, text=random.choice(profiles).id_number), 100),
        ),
        ("search, phone (supervisor)", timed(lambda: search(supervisor, text=random.choice(profiles).phone), 100)),
        ("search, name word 'hung' (supervisor)", timed(lambda: search(supervisor, text="hung"), 100)),
        ("search, whole name without accents (supervisor)", timed(lambda: search(supervisor, text=name()), 100)),
        ("search, name word 'hung' (one agency)", timed(lambda: search(officer, text="hung"), 100)),
        ("search, whole name (one agency)", timed(lambda: search(officer, text=name()), 100)),
        (
            "search, 'hung' + in progress + 30 days (super.)",
            timed(lambda: search(supervisor, text="hung", **recent), 100),
        ),
        ("search, 'hung' + in progress + 30 days (agency)", timed(lambda: search(officer, text="hung", **recent), 100)),
        (
            "search, 'hung' + procedure (supervisor)",
            timed(lambda: search(supervisor, text="hung", procedure_id=procedure), 100),
        ),
        (
            "search, whole name + procedure (supervisor)",
            timed(lambda: search(supervisor, text=name(), procedure_id=procedure), 100),
        ),
        ("search, status + last 30 days (supervisor)", timed(lambda: search(supervisor, **recent), 100)),
        ("search, status + last 30 days (one agency)", timed(lambda: search(officer, **recent), 100)),
    ]
    print(f"{DossierStep.objects.count()} dossier steps")
    base = percentile(rows[0][1][0], 95)
    print(f"{'query':55} {'p50 ms':>8} {'p95 ms':>8} {'p95 / pk':>9} {'p95 / 100 ms':>13} {'CPU p95 ms':>11}")
    for label, (wall, cpu) in rows:
        p95 = percentile(wall, 95)
        print(
            f"{label:55} {statistics.median(wall):8.2f} {p95:8.2f} {p95 / base:8.1f}x {p95 / 100:12.2f}x"
            f" {percentile(cpu, 95):11.2f}"
        )


if __name__ == "__main__":
    main()
