#!/usr/bin/env bash
# The statistics' scale benchmark (issue 16): DOSSIERS generated dossiers (default five million) on
# PostgreSQL, in a cluster kept under var/bench-scale-pg (filled once, measured again on later
# runs; delete the folder to regenerate), then SQLITE_DOSSIERS (default one million) on the embedded
# profile. Figures and the machine in docs/benchmarks.md.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install "${BASE_PACKAGES[@]}" postgresql
python_env "$ROOT/requirements/dev.lock"
DOSSIERS=${DOSSIERS:-5000000}
SQLITE_DOSSIERS=${SQLITE_DOSSIERS:-1000000}
PGPORT=${PGPORT:-54331}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR="$ROOT/var/bench-scale-pg"
as_postgres() { (cd "$PGDIR" && runuser -u postgres -- "$@"); }
if [ ! -d "$PGDIR/data" ]; then
  mkdir -p "$PGDIR" && chown postgres:postgres "$PGDIR"
  as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
# A bulk load's settings: big WAL between checkpoints, no wait for the disk at commit.
as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=8GB -c synchronous_commit=off -c maintenance_work_mem=512MB -c work_mem=64MB" start >/dev/null
trap 'as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null' EXIT
as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres motcua_scale 2>/dev/null || true
"$PY" benchmarks/scale_bench.py --dossiers "$DOSSIERS" --postgres-port "$PGPORT"
"$PY" benchmarks/scale_bench.py --dossiers "$SQLITE_DOSSIERS"
