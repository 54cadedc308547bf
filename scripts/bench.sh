#!/usr/bin/env bash
# Prints the benchmark figures: catalogue search and pages, public tracking, time to submit.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${BASE_PACKAGES[@]}" chromium libatomic1  # time to submit drives a browser
python_env "$ROOT/requirements/dev.lock"
"$PY" benchmarks/catalog_bench.py
"$PY" benchmarks/tracking_bench.py
"$PY" benchmarks/time_to_submit.py
