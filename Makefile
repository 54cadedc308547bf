# The two commands: `make run` serves the product, `make test` runs every check.
.PHONY: run test bench lint messages lock

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/bench.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy motcua

messages:
	cd motcua && ../.venv/bin/django-admin makemessages -l vi --no-obsolete && ../.venv/bin/django-admin compilemessages

# Re-resolve the lock files from requirements/*.in (run after changing a pin).
lock:
	bash scripts/lock.sh
