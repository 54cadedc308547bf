#!/usr/bin/env bash
# Prints the catalogue benchmark figures (see benchmarks/catalog_bench.py).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
python_env "$ROOT/requirements/dev.lock"
"$PY" benchmarks/catalog_bench.py
"$PY" benchmarks/time_to_submit.py
