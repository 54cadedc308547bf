# Shortcuts for the scripts where make is installed (a bare Debian has none): the two commands
# are `bash scripts/run.sh` (serves the product) and `bash scripts/test.sh` (runs every check).
.PHONY: run test bench bench-scale lint messages lock

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/bench.sh

# The statistics at scale: DOSSIERS=1000000 on PostgreSQL, SQLITE_DOSSIERS=100000 embedded.
bench-scale:
	bash scripts/bench_scale.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy motcua

messages:
	.venv/bin/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=frontend --ignore=var && .venv/bin/python manage.py compilemessages --ignore=.venv

# Re-resolve the lock files from requirements/*.in (run after changing a pin).
lock:
	bash scripts/lock.sh
