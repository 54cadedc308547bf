"""Production benchmark: the production profile on loopback (motcua.core.stack: PostgreSQL, Redis,
moto S3, an SMTP sink, several gunicorn processes and two task workers, the demo province loaded),
loaded by a bounded pool of client threads.

    python benchmarks/production_bench.py [--web 2] [--clients 8] [--seconds 8]

Measures public pages (home, procedure list, a procedure page), the public tracking lookup and
sustained online submissions through the API (token login once per client, then per dossier:
create, upload a PDF, fill the e-form and delivery, submit, read the SMS code, confirm). Each
measure runs right after the trivial view (`/_trivial`: no database, no template) under the
same load, and is printed with its ratio to it. Run by `make bench`.

Every request stays on 127.0.0.1 and every phase is bounded in time. The client threads share
the machine (and Python's lock) with the servers, so the figures are a floor for the machine.
"""

import argparse
import io
import itertools
import logging
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx
import psycopg
from load import Phase, get, machine, run_phase
from PIL import Image

from motcua.core.stack import production_stack
from motcua.dossiers.demo_answers import birth_registration_answers

PASSWORD = "demo@2026"  # the demo citizens' published password (MOTCUA_ALLOW_DEMO_ACCOUNTS)
PROCEDURE, UNIT = "1.001193", "24121"
OTP = re.compile(r"\b(\d{6})\b")
ANSWERS = birth_registration_answers("Nguyễn Văn Thử", birth_unit=UNIT)

logging.getLogger("httpx").setLevel(logging.WARNING)


def tracking(codes: list[str]) -> Callable[[httpx.Client], None]:
    cycle = itertools.cycle(codes)
    lock = threading.Lock()

    def action(client: httpx.Client) -> None:
        with lock:
            code = next(cycle)
        response = client.get("/tra-cuu/", params={"ma": code})
        if response.status_code != 200:
            raise RuntimeError(f"tracking {code}: {response.status_code}")

    return action


def small_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(out, format="PDF")
    return out.getvalue()


class Submitter:
    """One complete online submission through the API per call, by the citizen whose token the
    client carries (one citizen per client: each has their own SMS inbox and code limits)."""

    def __init__(self, dsn: str, component_id: int, phones: dict[int, str]) -> None:
        self.dsn = dsn
        self.component_id = component_id
        self.phones = phones  # id(client) → the citizen's phone
        self.pdf = small_pdf()
        self.codes: list[str] = []
        self.steps: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, client: httpx.Client) -> None:
        phone = self.phones[id(client)]
        timer = self._timer()
        created = _ok(
            timer("create", client.post("/api/v1/dossiers/", json={"procedure": PROCEDURE, "unit": UNIT})), 201
        )
        pk = created["id"]
        upload = client.post(
            f"/api/v1/dossiers/{pk}/attachments/",
            data={"component": str(self.component_id)},
            files={"file": ("to-khai.pdf", self.pdf, "application/pdf")},
        )
        _ok(timer("upload", upload), 201)
        revision = _ok(timer("read", client.get(f"/api/v1/dossiers/{pk}/")), 200)["revision"]
        body = {"revision": revision, "form_data": ANSWERS, "delivery_method": "online"}
        _ok(timer("fill", client.patch(f"/api/v1/dossiers/{pk}/", json=body)), 200)
        since = self._newest_sms()
        _ok(timer("submit", client.post(f"/api/v1/dossiers/{pk}/submit/", json={"declaration": True})), 202)
        code = self._sms_code_after(since, phone)
        confirmed = _ok(timer("confirm", client.post(f"/api/v1/dossiers/{pk}/confirm/", json={"code": code})), 200)
        with self._lock:
            self.codes.append(confirmed["code"])

    def _timer(self) -> Callable[[str, httpx.Response], httpx.Response]:
        def record(step: str, response: httpx.Response) -> httpx.Response:
            with self._lock:
                self.steps.setdefault(step, []).append(response.elapsed.total_seconds() * 1000)
            return response

        return record

    def _newest_sms(self) -> int:
        with psycopg.connect(self.dsn) as db:
            row = db.execute("SELECT coalesce(max(id), 0) FROM notifications_demosmsmessage").fetchone()
            return int(row[0]) if row else 0

    def _sms_code_after(self, since: int, phone: str) -> str:
        # The demo SMS plugin keeps the text in the database; it is sent right after the commit.
        deadline = time.monotonic() + 15
        with psycopg.connect(self.dsn, autocommit=True) as db:
            while time.monotonic() < deadline:
                row = db.execute(
                    "SELECT text FROM notifications_demosmsmessage WHERE id > %s AND phone = %s ORDER BY id DESC",
                    [since, phone],
                ).fetchone()
                if row and (match := OTP.search(row[0])):
                    return match.group(1)
                time.sleep(0.01)
        raise RuntimeError("no confirmation code arrived")


def _ok(response: httpx.Response, status: int) -> dict:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:200]}"
        )
    return response.json()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes (4 threads each)")
    parser.add_argument("--workers", type=int, default=2, help="task workers")
    parser.add_argument("--clients", type=int, default=8, help="client threads (each one request at a time)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    args = parser.parse_args()

    env = {
        # One client address asks thousands of times: lift the per-address limits for the run.
        "MOTCUA_TRACKING_LOOKUPS_PER_WINDOW": str(10**9),
        "MOTCUA_OTP_SENDS_PER_HOUR": str(10**9),
        "MOTCUA_LOG_LEVEL": "WARNING",
    }
    print(f"machine: {machine()}")
    started = time.perf_counter()
    with production_stack(web=args.web, workers=args.workers, env=env) as stack:
        with psycopg.connect(stack.postgres_dsn) as db:
            postgres = db.execute("SHOW server_version").fetchone()[0]
            component_id = db.execute(
                "SELECT c.id FROM catalog_dossiercomponent c JOIN catalog_procedure p"
                " ON p.current_version_id = c.version_id WHERE p.code = %s AND c.required ORDER BY c.id LIMIT 1",
                [PROCEDURE],
            ).fetchone()[0]
            codes = [row[0] for row in db.execute("SELECT code FROM dossiers_dossier WHERE code <> ''")]
        print(
            f"stack: {args.web} gunicorn processes x 4 threads, {args.workers} workers, PostgreSQL {postgres}, "
            f"Redis, moto S3; ready in {time.perf_counter() - started:.0f} s; {args.clients} client threads, "
            f"{args.seconds:.0f} s per phase, loopback"
        )
        # Clients spread over the gunicorn processes, as a proxy in front of them would.
        anonymous = [
            httpx.Client(base_url=stack.base_urls[i % len(stack.base_urls)], timeout=30) for i in range(args.clients)
        ]
        citizens = [
            httpx.Client(base_url=stack.base_urls[i % len(stack.base_urls)], timeout=30) for i in range(args.clients)
        ]
        # One citizen per client, verified phone, the demo password (motcua.core.testing.citizen).
        phones = [f"09{80000000 + i}" for i in range(args.clients)]
        stack.manage(
            "shell",
            "-c",
            "from motcua.core.testing import citizen\n"
            f"for i, phone in enumerate({phones!r}): citizen(phone=phone, id_number=f'0660940{{i:05d}}')",
        )
        for client, phone in zip(citizens, phones, strict=True):
            login = {"phone": phone, "password": PASSWORD}
            client.headers["Authorization"] = (
                f"Token {_ok(client.post('/api/v1/auth/token/', json=login), 200)['token']}"
            )
        submit = Submitter(stack.postgres_dsn, component_id, {id(c): p for c, p in zip(citizens, phones, strict=True)})
        submit(citizens[0])  # warm-up: every code path of a submission once
        for client in anonymous:  # warm-up: connections, templates, caches
            for path in ("/_trivial", "/", "/thu-tuc/", f"/thu-tuc/{PROCEDURE}/"):
                client.get(path)

        tracked = codes + submit.codes
        measures: list[tuple[Phase, Phase]] = []
        for name, clients, action in (
            ("home /", anonymous, get("/")),
            ("procedure list /thu-tuc/", anonymous, get("/thu-tuc/")),
            (f"procedure page /thu-tuc/{PROCEDURE}/", anonymous, get(f"/thu-tuc/{PROCEDURE}/")),
            ("tracking lookup /tra-cuu/?ma=", anonymous, tracking(tracked)),
            ("submission through the API", citizens, submit),
        ):
            trivial = run_phase("trivial", anonymous, args.seconds, get("/_trivial"))
            measures.append((trivial, run_phase(name, clients, args.seconds, action)))
        for client in anonymous + citizens:
            client.close()
        queued = stack.wait_healthy(timeout=30)["queue"]

    print("ratio = trivial view's requests/s in the phase just before / this measure's (how much heavier)")
    print(f"{'measure':<38} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'trivial/s':>10} {'ratio':>7}")
    for trivial, phase in measures:
        print(
            f"{phase.name:<38} {phase.rate:8.1f} {statistics.median(phase.latencies):8.1f} {phase.pct(95):8.1f}"
            f" {phase.pct(99):8.1f} {trivial.rate:10.1f} {trivial.rate / phase.rate:6.1f}x"
        )
        for errors in (trivial.errors, phase.errors):
            if errors:
                print(f"  {len(errors)} errors, first: {errors[0]}")
    steps = ", ".join(f"{step} {statistics.median(times):.0f}" for step, times in submit.steps.items())
    print(f"submission steps, request time p50 in ms: {steps}")
    submissions = measures[-1][1]
    print(
        f"submissions: {submissions.done} confirmed dossiers in {submissions.seconds:.1f} s "
        f"(6 API requests and one SMS code each, {6 * submissions.rate:.1f} API requests/s); "
        f"tracking over {len(tracked)} codes; "
        f"queue after the run: {queued}"
    )


if __name__ == "__main__":
    main()
