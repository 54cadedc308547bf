"""Catalogue benchmark at the national catalogue's size: search latency against a primary-key
lookup, and the public pages' throughput under load against a trivial view, on the same data and
server.

    python benchmarks/catalog_bench.py [--size 5670] [--clients 8] [--seconds 6]

Builds a throw-away SQLite database (embedded profile) in a temp folder with a synthetic
catalogue shaped like the national one: 40 fields, 20 departments and 100 commune committees
managing them, every procedure with its papers, fees, steps and legal basis. gunicorn (2 workers
x 4 threads) serves it; 8 client threads (httpx, one request in flight each) load each page right
after loading the trivial view (`/_trivial`: no database, no template), and each page's rate is
compared with that trivial phase's. Goal: each public page at least half the trivial view's rate.
Run by `make bench`.
"""

import argparse
import itertools
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ["MOTCUA_VAR_DIR"] = str(VAR)
os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.conf.embedded"
sys.path.insert(0, str(ROOT))

import django

django.setup()

import httpx
from django.core.management import call_command
from load import Phase, get, load, machine, run_phase

from motcua.catalog.generation import catalog_changed
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.catalog.services import catalog_import
from motcua.core.testing import catalog_document, directory_minimal, procedure
from motcua.directory.constants import AgencyKind, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency

logging.getLogger("httpx").setLevel(logging.WARNING)

WORDS = [
    "đăng",
    "ký",
    "cấp",
    "giấy",
    "phép",
    "xác",
    "nhận",
    "chứng",
    "thực",
    "thay",
    "đổi",
    "gia",
    "hạn",
    "hộ",
    "kinh",
    "doanh",
    "khai",
    "sinh",
    "kết",
    "hôn",
    "đất",
    "đai",
    "xây",
    "dựng",
    "thuế",
]
QUERIES = [
    "dang ky khai sinh",
    "ĐĂNG KÝ KHAI SINH",
    "khai sinh",
    "giay phep xay dung",
    "ho kinh doanh",
    "chung thuc",
    "dat dai",
    "2.000123",
]
FIELDS, DEPARTMENTS, COMMUNES = 40, 20, 100
PROCEDURE = "1.001193"
PAGES = (
    ("home page", "/"),
    ("search, no accents", "/thu-tuc/?q=dang+ky+khai+sinh"),
    ("search, accents", "/thu-tuc/?q=%C4%91%C4%83ng+k%C3%BD+khai+sinh"),  # đăng ký khai sinh
    ("procedure page", f"/thu-tuc/{PROCEDURE}/"),
)
GOAL = 0.5  # each page at least half the trivial view's requests per second


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def directory() -> list[str]:
    """The minimal directory plus departments and commune committees; the agencies' codes."""
    agencies = list(directory_minimal())
    province = AdministrativeUnit.objects.get(kind=UnitKind.PROVINCE)
    for i in range(DEPARTMENTS):
        Agency.objects.create(
            code=f"SO-{i:02d}",
            electronic_id=f"000.00.{i + 10:02d}.H15",
            name=f"Sở số {i + 1}",
            kind=AgencyKind.DEPARTMENT,
            unit=province,
        )
        agencies.append(f"SO-{i:02d}")
    for i in range(COMMUNES):
        unit = AdministrativeUnit.objects.create(
            code=f"3{i:04d}", name=f"Xã số {i + 1}", kind=UnitKind.COMMUNE, parent=province
        )
        Agency.objects.create(
            code=f"UBND-3{i:04d}",
            electronic_id=f"000.{i // 50 + 2:02d}.{i % 50 + 10:02d}.H15",
            name=f"UBND xã số {i + 1}",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            unit=unit,
        )
    return agencies


def synthetic_procedure(rng: random.Random, index: int, fields: list[str], departments: list[str]) -> dict[str, Any]:
    def words(n: int) -> str:
        return " ".join(rng.sample(WORDS, n))

    return procedure(
        f"2.{index:06d}",
        "Thủ tục " + words(6),
        field=rng.choice(fields),
        level=rng.choice(["province", "district", "commune"]),
        managing_agency=rng.choice(departments),
        online_level=rng.choice(["full", "partial"]),
        processing_time=rng.choice([1, 3, 5, 10, 15, 20, 30]),
        applicants=["Công dân Việt Nam", "Tổ chức"][: rng.randint(1, 2)],
        methods=["Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"][: rng.randint(1, 3)],
        fees=[
            {
                "kind": rng.choice(["fee", "charge"]),
                "name": "Lệ phí " + words(3),
                "amount": rng.choice([0, 10000, 50000, 100000]),
                "description": words(12),
            }
            for _ in range(rng.randint(0, 3))
        ],
        components=[
            {
                "name": "Giấy " + words(5),
                "original_copies": 1,
                "copy_copies": rng.randint(0, 2),
                "required": rng.random() < 0.7,
                "note": words(8),
            }
            for _ in range(rng.randint(2, 8))
        ],
        steps=[words(15) for _ in range(rng.randint(3, 6))],
        conditions=words(20),
        results=["Giấy " + words(3)],
        legal_basis=[
            {"number": f"{rng.randint(1, 200)}/2020/NĐ-CP", "title": "Nghị định " + words(6)}
            for _ in range(rng.randint(2, 4))
        ],
    )


def build_catalog(size: int) -> None:
    call_command("migrate", verbosity=0)
    agencies = directory()
    departments = [code for code in agencies if code.startswith("SO-")]
    rng = random.Random(42)
    document = catalog_document()
    document["fields"] = [
        {"code": f"LV{i:02d}", "name": f"Lĩnh vực {words}", "managing_agency": rng.choice(departments)}
        for i, words in enumerate(" ".join(rng.sample(WORDS, 2)) for _ in range(FIELDS))
    ] + document["fields"]
    fields = [field["code"] for field in document["fields"]]
    document["procedures"] = [synthetic_procedure(rng, i, fields, departments) for i in range(size - 1)]
    document["procedures"].append(procedure(PROCEDURE, "Thủ tục đăng ký khai sinh"))
    start = time.perf_counter()
    catalog_import(actor="bench", document=document)
    print(f"import of {size} procedures: {time.perf_counter() - start:.1f} s")


def bench_search(size: int) -> None:
    codes = list(Procedure.objects.values_list("code", flat=True))

    def search(fresh: bool) -> None:
        if fresh:
            catalog_changed()  # a new generation: nothing kept, the search runs in the database
        procedure_search(filters=ProcedureFilters(query=random.choice(QUERIES)))[:20]

    for query in QUERIES:
        procedure_search(filters=ProcedureFilters(query=query))[:20]  # warm-up
    first = timed(lambda: search(fresh=True), 300)
    kept = timed(lambda: search(fresh=False), 300)
    lookup = timed(lambda: Procedure.objects.select_related("field").get(code=random.choice(codes)), 300)
    print(f"\nsearch over {size} procedures, first page of 20 (ms):")
    for name, samples in (("search, nothing kept", first), ("search, kept", kept), ("pk lookup", lookup)):
        print(f"  {name:22s} p50 {statistics.median(samples):6.2f}  p95 {percentile(samples, 95):6.2f}")
    print(f"  ratio p95 search (nothing kept) / lookup: {percentile(first, 95) / percentile(lookup, 95):.1f}x")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def varied_searches(seed: int) -> Callable[[httpx.Client], None]:
    """A different two- or three-word query nearly every time: the search page without its cache."""
    rng = random.Random(seed)
    queries = itertools.cycle([" ".join(rng.sample(WORDS, rng.randint(2, 3))) for _ in range(20000)])
    lock = threading.Lock()

    def action(client: httpx.Client) -> None:
        with lock:
            query = next(queries)
        response = client.get("/thu-tuc/", params={"q": query})
        if response.status_code != 200:
            raise RuntimeError(f"search {query}: {response.status_code}")

    return action


def bench_pages(clients: int, seconds: float) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "motcua.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "error",
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
        pool = [httpx.Client(base_url=base, timeout=30) for _ in range(clients)]
        for client in pool:  # warm-up: connections, templates, caches
            for _name, path in (("trivial", "/_trivial"), *PAGES):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
        measures: list[tuple[Phase, Phase]] = []
        for name, path in PAGES:
            trivial = run_phase("trivial", pool, seconds, get("/_trivial"))
            measures.append((trivial, run_phase(name, pool, seconds, get(path))))
        trivial = run_phase("trivial", pool, seconds, get("/_trivial"))
        varied = (trivial, run_phase("search, a new query each time", pool, seconds, varied_searches(7)))
        for client in pool:
            client.close()
    finally:
        server.terminate()
        server.wait(10)

    print(
        f"\npages under load: gunicorn 2 workers x 4 threads, {clients} client threads over loopback,"
        f" {seconds:.0f} s per phase{load()}"
    )
    print("ratio = this page's requests/s / the trivial view's in the phase just before (goal >= 0.5)")
    print(f"{'page':<32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'trivial/s':>10} {'ratio':>6}")
    failed = False
    for trivial, phase in [*measures, varied]:
        ratio = phase.rate / trivial.rate
        verdict = ""
        if phase is not varied[1]:
            verdict = "PASS" if ratio >= GOAL else "FAIL"
            failed = failed or ratio < GOAL
        print(
            f"{phase.name:<32} {phase.rate:8.0f} {statistics.median(phase.latencies):8.1f} {phase.pct(95):8.1f}"
            f" {trivial.rate:10.0f} {ratio:6.2f}  {verdict}"
        )
        for errors in (trivial.errors, phase.errors):
            if errors:
                print(f"  {len(errors)} errors, first: {errors[0]}")
    print(f"goal (every page >= {GOAL} of the trivial view): {'FAIL' if failed else 'PASS'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5670, help="procedures (the national catalogue has 5,670)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (each one request at a time)")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each phase")
    args = parser.parse_args()
    print(f"machine: {machine()}; SQLite (embedded profile)")
    build_catalog(args.size)
    bench_search(args.size)
    bench_pages(args.clients, args.seconds)
    shutil.rmtree(VAR, ignore_errors=True)


if __name__ == "__main__":
    main()
