"""Tracking benchmark: public lookups by dossier code on the tracking page against a trivial
view, served by the same gunicorn, over dossiers that have been received and are being settled.

    python benchmarks/tracking_bench.py [--dossiers 20000]

Goal (tracking issue): the tracking page within 2x of the trivial view. Run by `make bench`.
Two passes over the same random codes: the first builds each page, the second is served the
page kept for the dossier's revision, as a citizen coming back to the link is.
The page's per-address lookup limit is lifted for the run (one client asks thousands of times);
the API keeps its own throttle, so it is not measured here.
"""

import argparse
import datetime
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--dossiers", type=int, default=20_000)
parser.add_argument("--requests", type=int, default=500)
args = parser.parse_args()
VAR = Path(tempfile.mkdtemp(prefix="motcua-tracking-"))
os.environ.update(
    MOTCUA_VAR_DIR=str(VAR),
    DJANGO_SETTINGS_MODULE="motcua.conf.embedded",
    MOTCUA_TRACKING_LOOKUPS_PER_WINDOW=str(10**9),
)
sys.path.insert(0, str(ROOT))

import django

django.setup()

import httpx
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from motcua.catalog.constants import StepKind
from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, citizen, load_catalog
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStatusChange, DossierStep

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would skew the client


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1]


def build() -> list[str]:
    """Received dossiers with their history and steps, as tracking reads them."""
    call_command("migrate", verbosity=0)
    load_catalog(BIRTH)
    version = Procedure.objects.get(code="1.001193").current_version
    agency = Agency.objects.get(code="UBND-24121")
    applicant = citizen()
    now = timezone.now()
    rng = random.Random(42)
    dossiers = [
        Dossier(
            code=f"{agency.electronic_id}-261126-B{i:06d}",
            procedure_version=version,
            agency=agency,
            applicant=applicant,
            status=DossierStatus.IN_PROGRESS,
            submitted_at=now - datetime.timedelta(hours=rng.randrange(2, 500)),
            received_at=now - datetime.timedelta(hours=1),
            due_at=now + datetime.timedelta(hours=rng.randrange(1, 60)),
        )
        for i in range(args.dossiers)
    ]
    with transaction.atomic():
        Dossier.objects.bulk_create(dossiers, batch_size=2000)
        history, steps = [], []
        for dossier in dossiers:
            for before, after in (("", "submitted"), ("submitted", "received"), ("received", "in_progress")):
                history.append(DossierStatusChange(dossier=dossier, from_status=before, to_status=after))
            assert dossier.received_at is not None and dossier.due_at is not None
            common = {"dossier": dossier, "agency": agency, "started_at": dossier.received_at}
            steps.append(
                DossierStep(
                    **common,
                    kind=StepKind.RECEPTION,
                    name="Tiếp nhận hồ sơ",
                    role=Role.RECEPTION,
                    status=StepStatus.DONE,
                    due_at=dossier.received_at + datetime.timedelta(hours=1),
                    finished_at=dossier.received_at,
                )
            )
            steps.append(
                DossierStep(
                    **common,
                    kind=StepKind.PROCESS,
                    name="Thẩm định, xử lý hồ sơ",
                    role=Role.SPECIALIST,
                    due_at=dossier.due_at,
                )
            )
        DossierStatusChange.objects.bulk_create(history, batch_size=5000)
        DossierStep.objects.bulk_create(steps, batch_size=5000)
    return [str(d.code) for d in dossiers]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(client: httpx.Client, paths: list[str]) -> tuple[list[float], list[float]]:
    """Each lookup right after a trivial request, so both series see the same machine state."""
    trivial, pages = [], []
    for path in paths:
        for series, url in ((trivial, "/_trivial"), (pages, path)):
            start = time.perf_counter()
            response = client.get(url)
            series.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return trivial, pages


def main() -> None:
    codes = build()
    call_command("collectstatic", interactive=False, verbosity=0)
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "motcua.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", "2", "--worker-class", "gthread", "--threads", "4", "--log-level", "error"),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/_trivial", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        picks = [f"/tra-cuu/?ma={code}" for code in random.sample(codes, args.requests)]
        rows = {}
        with httpx.Client(base_url=base, timeout=10) as client:
            measure(client, [f"/tra-cuu/?ma={codes[-1]}"] * 20)  # warm-up: connections, templates
            alone = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.get("/_trivial")
                alone.append((time.perf_counter() - start) * 1000)
            for name, paths in (
                # Each code for the first time since its last change: the page is built.
                ("first lookup", picks),
                # The same codes again: the page built above is served until the dossier changes.
                ("lookup again", picks),
            ):
                start = time.perf_counter()
                trivial, pages = measure(client, paths)
                rows[name] = (len(paths) / (time.perf_counter() - start), trivial, pages)
        print(f"machine: {os.cpu_count()} cores; {args.dossiers} dossiers; one sequential client, gunicorn 2x4")
        print(f"trivial view alone: p50 {statistics.median(alone):.2f} ms, p95 {percentile(alone, 95):.2f} ms")
        print("each lookup follows a trivial request; ratio = lookup p95 / trivial p95 (paired, alone)")
        print(f"{'':13} {'pairs/s':>8} {'trivial p95':>12} {'lookup p50':>11} {'lookup p95':>11} {'ratio':>13}")
        for name, (rate, trivial, pages) in rows.items():
            p95 = percentile(pages, 95)
            ratios = f"{p95 / percentile(trivial, 95):.1f}x, {p95 / percentile(alone, 95):.1f}x"
            print(
                f"{name:13} {rate:8.0f} {percentile(trivial, 95):12.2f} {statistics.median(pages):11.2f}"
                f" {p95:11.2f} {ratios:>13}"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
