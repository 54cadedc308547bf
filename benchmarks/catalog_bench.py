"""Catalogue benchmark: search latency against a primary-key lookup, and page throughput of
the procedure page against a trivial view, on the same data and server.

Run with `make bench`. Uses a throw-away SQLite database (embedded profile) in a temp folder.
"""

import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ["MOTCUA_VAR_DIR"] = str(VAR)
os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.conf.embedded"
sys.path.insert(0, str(ROOT))

import django

django.setup()

import httpx
from django.core.management import call_command

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.catalog.services import catalog_import
from motcua.core.testing import catalog_document, directory_minimal, procedure

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
SIZE = 2000


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def build_catalog() -> None:
    call_command("migrate", verbosity=0)
    directory_minimal()
    rng = random.Random(42)
    procedures = [
        procedure(f"2.{i:06d}", "Thủ tục " + " ".join(rng.sample(WORDS, 6)), results=[]) for i in range(SIZE - 1)
    ]
    procedures.append(procedure("1.001193", "Thủ tục đăng ký khai sinh"))
    start = time.perf_counter()
    catalog_import(actor="bench", document=catalog_document(*procedures))
    print(f"import of {SIZE} procedures: {time.perf_counter() - start:.1f} s")


def bench_search() -> None:
    codes = list(Procedure.objects.values_list("code", flat=True))
    for query in QUERIES:
        procedure_search(filters=ProcedureFilters(query=query))[:20]  # warm-up
    search = timed(lambda: procedure_search(filters=ProcedureFilters(query=random.choice(QUERIES)))[:20], 300)
    lookup = timed(lambda: Procedure.objects.select_related("field").get(code=random.choice(codes)), 300)
    print(f"\nsearch over {SIZE} procedures, first page of 20 (ms):")
    print(f"  search      p50 {statistics.median(search):6.2f}  p95 {percentile(search, 95):6.2f}")
    print(f"  pk lookup   p50 {statistics.median(lookup):6.2f}  p95 {percentile(lookup, 95):6.2f}")
    print(f"  ratio p95 search / lookup: {percentile(search, 95) / percentile(lookup, 95):.1f}x")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_pages() -> None:
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
        results = {}
        with httpx.Client(base_url=base, timeout=10) as client:
            for name, url in (
                ("trivial view", "/_trivial"),
                ("procedure page", "/thu-tuc/1.001193/"),
                ("search page", "/thu-tuc/?q=dang+ky+khai+sinh"),
            ):
                assert client.get(url).status_code == 200
                count = 400
                start = time.perf_counter()
                for _ in range(count):
                    client.get(url)
                results[name] = count / (time.perf_counter() - start)
        print("\npage throughput, one sequential client over loopback to gunicorn (2 workers x 4 threads):")
        for name, rate in results.items():
            print(f"  {name:15s} {rate:7.0f} req/s  ({results['trivial view'] / rate:.1f}x slower than trivial)")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, {platform_summary()}")
    build_catalog()
    bench_search()
    bench_pages()
    shutil.rmtree(VAR, ignore_errors=True)


def platform_summary() -> str:
    import platform

    return (
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, SQLite (embedded profile)"
    )


if __name__ == "__main__":
    main()
