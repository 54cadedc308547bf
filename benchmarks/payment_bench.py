"""Payment notifications benchmark: how many VNPay IPNs per second the production profile
(motcua.core.stack: PostgreSQL, Redis, several gunicorn processes) verifies and applies, each
one a first notice for its own pending payment (signature, payment row lock, receipt numbered
under the series lock, FEES_PAID event, notice log), against the trivial view in the same run;
then the same notices replayed (verified, locked, answered "already confirmed").

    python benchmarks/payment_bench.py [--web 2] [--clients 8] [--seconds 6] [--payments 3000]

Run by `make bench`. All requests stay on 127.0.0.1; the client threads share the machine with
the servers, so the figures are a floor.
"""

import argparse
import itertools
import json
import logging
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx
from load import get, machine, run_phase

from motcua.core.stack import production_stack
from motcua.payments.vnpay_wire import vnp_sign_query

TMN_CODE, SECRET = "BENCH001", "bench-hash-secret"
IPN = "/thanh-toan/ipn/vnpay/"

logging.getLogger("httpx").setLevel(logging.WARNING)

# Run inside the stack (manage.py shell): N copies of a demo dossier owing 16,000 đ, each with a
# pending VNPay payment, and a receipt series for its agency; prints the references.
SETUP = """
import json, secrets
from django.utils import timezone
from motcua.dossiers.models import Dossier
from motcua.payments.models import Payment, ReceiptSeries
base = Dossier.objects.exclude(code=None).exclude(code="").order_by("pk").first()
ReceiptSeries.objects.get_or_create(agency_id=base.agency_id, active=True,
    defaults={"template_code": "01BLP0-001", "symbol": "BENCH"})
copies = []
for i in range(N_PAYMENTS):
    d = Dossier.objects.get(pk=base.pk)
    d.pk = None
    d.id = None
    d.code = f"BENCH-{i:06d}"
    d.fees_due = 16000
    d.fee_lines = [{"kind": "charge", "name": "Bản sao", "quantity": 2, "unit_amount": 8000, "amount": 16000}]
    d.fees_paid_at = None
    copies.append(d)
Dossier.objects.bulk_create(copies, batch_size=500)
dossiers = Dossier.objects.filter(code__startswith="BENCH-").order_by("pk")
payments = [Payment(dossier=d, reference="TTB" + secrets.token_hex(6).upper(), method="gateway", gateway="vnpay",
    amount=16000, lines=d.fee_lines, expires_at=timezone.now() + timezone.timedelta(hours=1)) for d in dossiers]
Payment.objects.bulk_create(payments, batch_size=500)
print(json.dumps([p.reference for p in payments]))
"""


def signed_notice(reference: str, number: int) -> str:
    return vnp_sign_query(
        {
            "vnp_TmnCode": TMN_CODE,
            "vnp_Amount": "1600000",
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{number}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": "Thanh toan phi le phi",
            "vnp_PayDate": time.strftime("%Y%m%d%H%M%S"),
            "vnp_ResponseCode": "00",
            "vnp_TransactionNo": str(14000000 + number),
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": reference,
        },
        SECRET,
    )


def notices(queries: list[str], expected: str) -> tuple[Callable[[httpx.Client], None], list[str]]:
    cycle = iter(queries)
    lock = threading.Lock()
    used: list[str] = []

    def action(client: httpx.Client) -> None:
        with lock:
            query = next(cycle)  # StopIteration: more payments needed (--payments)
            used.append(query)
        answer = client.get(f"{IPN}?{query}").json()
        if answer.get("RspCode") != expected:
            raise RuntimeError(f"IPN answered {answer}, expected {expected}")

    return action, used


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes (4 threads each)")
    parser.add_argument("--workers", type=int, default=2, help="task workers")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each phase")
    parser.add_argument("--payments", type=int, default=3000, help="pending payments made for the run")
    args = parser.parse_args()
    env = {
        "MOTCUA_PAYMENTS_PLUGIN": "vnpay",
        "MOTCUA_VNPAY_TMN_CODE": TMN_CODE,
        "MOTCUA_VNPAY_HASH_SECRET": SECRET,
        # One client address sends every notice: lift the per-address limit for the run.
        "MOTCUA_PAYMENT_IPNS_PER_MINUTE": str(10**9),
        "MOTCUA_LOG_LEVEL": "WARNING",
    }
    print(f"machine: {machine()}")
    started = time.perf_counter()
    with production_stack(web=args.web, workers=args.workers, env=env) as stack:
        references = json.loads(
            stack.manage("shell", "-c", SETUP.replace("N_PAYMENTS", str(args.payments))).strip().splitlines()[-1]
        )
        queries = [signed_notice(reference, i) for i, reference in enumerate(references)]
        print(
            f"stack: {args.web} gunicorn processes x 4 threads, PostgreSQL, Redis; ready in "
            f"{time.perf_counter() - started:.0f} s; {len(queries)} pending payments; {args.clients} client threads, "
            f"{args.seconds:.0f} s per phase, loopback"
        )
        clients = [
            httpx.Client(base_url=stack.base_urls[i % len(stack.base_urls)], timeout=30) for i in range(args.clients)
        ]
        for client in clients:
            client.get("/_trivial")
        warm, _ = notices(queries[:1], "00")
        warm(clients[0])
        first, used = notices(queries[1:], "00")
        trivial = run_phase("trivial", clients, args.seconds, get("/_trivial"))
        applied = run_phase("VNPay IPN, first notice (applied)", clients, args.seconds, first)
        replay, _ = notices(list(itertools.islice(itertools.cycle(used), 10**6)), "02")
        trivial_again = run_phase("trivial", clients, args.seconds, get("/_trivial"))
        replayed = run_phase("VNPay IPN, replay (already confirmed)", clients, args.seconds, replay)
        for client in clients:
            client.close()

    print("ratio = trivial view's requests/s in the phase just before / this measure's (how much heavier)")
    print(f"{'measure':<38} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'trivial/s':>10} {'ratio':>7}")
    for before, phase in ((trivial, applied), (trivial_again, replayed)):
        print(
            f"{phase.name:<38} {phase.rate:8.1f} {statistics.median(phase.latencies):8.1f} {phase.pct(95):8.1f}"
            f" {phase.pct(99):8.1f} {before.rate:10.1f} {before.rate / phase.rate:6.1f}x"
        )
        for errors in (before.errors, phase.errors):
            if errors:
                print(f"  {len(errors)} errors, first: {errors[0]}")


if __name__ == "__main__":
    main()
