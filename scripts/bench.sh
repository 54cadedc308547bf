#!/usr/bin/env bash
# Prints the benchmark figures: catalogue search and pages, public tracking, time to submit, and
# the production profile (PostgreSQL, Redis, S3, several gunicorn processes) under load, and
# payment notifications (VNPay IPNs) verified and applied there.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${BASE_PACKAGES[@]}" chromium libatomic1 postgresql redis-server  # a browser for time to submit; the production stack
python_env "$ROOT/requirements/dev.lock"
"$PY" benchmarks/catalog_bench.py
"$PY" benchmarks/tracking_bench.py
"$PY" benchmarks/time_to_submit.py
"$PY" benchmarks/production_bench.py
"$PY" benchmarks/payment_bench.py
