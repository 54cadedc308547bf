"""The production profile on loopback, for end-to-end tests, fault tests and benchmarks.

`production_stack()` starts, on 127.0.0.1 with free ports and in one temporary directory:
PostgreSQL (initdb; as user ``postgres`` through ``runuser`` when run as root), ``redis-server``
without persistence, moto's S3 server with one bucket, and an SMTP sink that records every message.
It then runs the product exactly as the README documents for production
(``DJANGO_SETTINGS_MODULE=motcua.conf.production``) with the operator's two database roles:
``manage.py migrate`` and ``db_grant_runtime_role`` as the owner role (``motcua_owner``), then as
the runtime role (``motcua_app``, which cannot touch the audit trail's protection)
``collectstatic``, ``load_demo``, then ``gunicorn motcua.wsgi:application`` web processes and ``manage.py run_worker``
workers, each in its own process group with its output captured in ``<tmp>/logs/<name>.log``.
Leaving the ``with`` block stops every process it started, also on error.

API (kept small and stable; other code builds on it)::

    with production_stack(web=2, workers=2, env={"MOTCUA_X": "1"}) as stack:
        stack.base_url            # "http://127.0.0.1:<port>" of the first web process
        stack.base_urls           # one per web process
        stack.env                 # the environment every process of the product runs with
        stack.smtp_messages       # list[email.message.EmailMessage] received so far
        stack.s3, stack.bucket    # boto3 S3 client and bucket name
        stack.redis_url, stack.postgres_dsn
        stack.stop_redis(); stack.start_redis()        # comes back EMPTY (no persistence)
        stack.stop_postgres(); stack.start_postgres()  # same data directory and port
        stack.kill_worker(0)      # SIGKILL worker 0 and its job (process group); returns its pid
        stack.start_worker()      # one more run_worker process
        stack.workers             # the run_worker Popen objects, killed ones included
        stack.set_smtp_delay(3)   # the SMTP sink answers each recipient after 3 s (0: at once)
        stack.set_smtp_refusing(True)  # the SMTP sink refuses every recipient with 451 until False
        stack.manage("shell", "-c", "...")  # a manage.py command with the stack's env; returns output
        stack.manage("migrate", as_owner=True)  # the same, as the database owner role
        stack.logs()              # {process name: its captured output}
        stack.timings             # seconds per start-up phase (services, migrate, collectstatic+load_demo, web, total)
        stack.wait_healthy(timeout=60)      # until /healthz answers 200

`production_stack` raises `StackUnavailable` when a needed program (PostgreSQL server binaries,
redis-server) is missing; tests turn that into a skip.
"""

import asyncio
import concurrent.futures
import contextlib
import email
import email.policy
import logging
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INITDB_OPTIONS = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
OWNER_ROLE, RUNTIME_ROLE = "motcua_owner", "motcua_app"
SECRET_KEY = "stack-key-" + string.ascii_letters + string.digits
S3_ACCESS_KEY = "stack-access-key"
S3_SECRET_KEY = "stack-secret-key"  # noqa: S105 - moto accepts any credentials


class StackUnavailable(RuntimeError):
    """A program the stack needs is not installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise StackUnavailable("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    return candidates[-1].parent


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root; the tests run as root on CI machines.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class _SmtpSink:
    """An aiosmtpd server that keeps every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.delay = 0.0
        self.refusing = False
        self.port = free_port()
        self._lock = threading.Lock()
        # A fixed greeting name: no socket.getfqdn() (a possible DNS timeout) per connection.
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        # A slow mail server: a client killed meanwhile never gets to send the message.
        await asyncio.sleep(self.delay)
        if self.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class Stack:
    tmp: Path
    env: dict[str, str]
    base_urls: list[str]
    bucket: str
    s3: Any
    redis_url: str
    postgres_dsn: str
    _smtp: _SmtpSink
    _redis_port: int
    _pg_port: int
    _pg_bin: Path
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _redis: subprocess.Popen[bytes] | None = None
    _worker_names: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.base_urls[0]

    @property
    def smtp_messages(self) -> list[EmailMessage]:
        return list(self._smtp.messages)

    # --- processes of the product -------------------------------------------------------------

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.tmp / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._processes[name] = process
        return process

    def manage(self, *args: str, timeout: float = 300, as_owner: bool = False) -> str:
        """Run `manage.py <args>` with the stack's environment (as the owner role if asked); raise
        with its output if it fails."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, "POSTGRES_USER": OWNER_ROLE} if as_owner else self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_web(self) -> str:
        port = free_port()
        index = sum(name.startswith("web-") for name in self._processes)
        process = self._spawn(
            f"web-{index}",
            [
                str(BIN / "gunicorn"),
                "motcua.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "gthread",
                "--workers",
                "1",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                # Several gunicorn masters on one machine must not share the default control socket.
                "--control-socket",
                str(self.tmp / f"gunicorn-{index}.ctl"),
            ],
        )
        _wait_for_port(port, timeout=60, process=process)
        return f"http://127.0.0.1:{port}"

    def start_worker(self) -> subprocess.Popen[bytes]:
        name = f"worker-{len(self._worker_names)}"
        self._worker_names.append(name)
        return self._spawn(name, [sys.executable, "manage.py", "run_worker"])

    @property
    def workers(self) -> list[subprocess.Popen[bytes]]:
        """The run_worker processes started so far, killed ones included (check `poll()`)."""
        return [self._processes[name] for name in self._worker_names]

    def set_smtp_delay(self, seconds: float) -> None:
        """Make the SMTP sink wait `seconds` before accepting each recipient (0: answer at once)."""
        self._smtp.delay = seconds

    def set_smtp_refusing(self, refusing: bool) -> None:
        """While True the SMTP sink answers every recipient with a temporary refusal (451)."""
        self._smtp.refusing = refusing

    def kill_worker(self, index: int = 0) -> int:
        """SIGKILL run_worker process `index` with the job it runs (its process group, as a
        supervisor or the OOM killer of a container would); returns its pid."""
        process = self.workers[index]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return process.pid

    def logs(self) -> dict[str, str]:
        return {path.stem: path.read_text(errors="replace") for path in sorted((self.tmp / "logs").glob("*.log"))}

    def wait_healthy(self, *, timeout: float = 60) -> dict[str, Any]:
        """Poll /healthz (with the detail token) until it answers 200; return its body."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(
                    f"{self.base_url}/healthz",
                    headers={"Authorization": f"Bearer {self.env['MOTCUA_HEALTHZ_TOKEN']}"},
                    timeout=5,
                )
                last = response.text
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.5)
        raise TimeoutError(f"/healthz not healthy after {timeout} s: {last}")

    # --- the parts the product depends on -----------------------------------------------------

    def start_redis(self) -> None:
        """Start redis-server without persistence: after a stop it comes back empty."""
        self._redis = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self._redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=open(self.tmp / "logs" / "redis.log", "ab"),  # noqa: SIM115 - the child owns it
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_for_port(self._redis_port, timeout=20, process=self._redis)

    def stop_redis(self) -> None:
        if self._redis is not None and self._redis.poll() is None:
            self._redis.terminate()
            self._redis.wait(timeout=20)

    def _pg_ctl(self, *args: str) -> None:
        data = str(self.tmp / "pg" / "data")
        subprocess.run(_as_postgres([str(self._pg_bin / "pg_ctl"), "-D", data, *args]), check=True, capture_output=True)

    def start_postgres(self) -> None:
        options = (
            f"-p {self._pg_port} -k {self.tmp / 'pg'} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl("-l", str(self.tmp / "pg" / "server.log"), "-w", "-t", "30", "-o", options, "start")

    def stop_postgres(self) -> None:
        """Fast shutdown: open connections are cut, as in a failover."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def _stop_all(self) -> None:
        for process in self._processes.values():
            with contextlib.suppress(ProcessLookupError):
                # SIGINT: gunicorn's quick shutdown (SIGTERM waits for idle keep-alive clients);
                # run_worker treats it like SIGTERM (finish the job at hand, then stop).
                os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + 10
        for process in self._processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Orphaned children (an RQ job or scheduler of a killed worker) share the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def production_stack(*, web: int = 2, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start the whole production stack on loopback; stop everything when the block ends."""
    pg_bin = _postgres_bin()
    if shutil.which("redis-server") is None:
        raise StackUnavailable("redis-server is not installed")
    import boto3
    import psycopg
    from moto.server import ThreadedMotoServer

    started = time.monotonic()
    with contextlib.ExitStack() as cleanup:
        tmp = Path(tempfile.mkdtemp(prefix="motcua-stack-"))
        cleanup.callback(shutil.rmtree, tmp, ignore_errors=True)
        (tmp / "logs").mkdir()
        (tmp / "pg").mkdir()
        if os.geteuid() == 0:
            tmp.chmod(0o711)  # the postgres user must reach its data directory inside
            shutil.chown(tmp / "pg", "postgres", "postgres")
        subprocess.run(
            _as_postgres([str(pg_bin / "initdb"), "-D", str(tmp / "pg" / "data"), *INITDB_OPTIONS]),
            check=True,
            capture_output=True,
        )

        # moto's server and the SMTP sink log every request and command
        for noisy in ("werkzeug", "mail.log"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        moto_port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
        moto.start()
        cleanup.callback(moto.stop)
        s3_endpoint = f"http://127.0.0.1:{moto_port}"
        bucket = "motcua-stack"
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=bucket)

        smtp = _SmtpSink()
        smtp.start()
        cleanup.callback(smtp.stop)

        redis_port, pg_port = free_port(), free_port()
        product_env = {
            "DJANGO_SETTINGS_MODULE": "motcua.conf.production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: no TLS proxy in front, so no redirect to https, and a server
            # that trusts loopback connections; the only production checks this stack waives.
            "MOTCUA_ALLOW_INSECURE": "plain-http,empty-db-password",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_HSTS_SECONDS": "0",
            "POSTGRES_DB": "motcua",
            "POSTGRES_USER": RUNTIME_ROLE,
            "POSTGRES_PASSWORD": "",
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": str(pg_port),
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            "S3_REGION": "us-east-1",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "MOTCUA_EMAIL_PLUGIN": "smtp",
            # SMS, population registry and signing stay on their demo plugins (a staging site).
            "MOTCUA_ALLOW_DEMO_PLUGINS": "true",
            "MOTCUA_ALLOW_DEMO_ACCOUNTS": "true",
            "MOTCUA_VAR_DIR": str(tmp / "var"),
            "MOTCUA_PUBLIC_URL": "http://127.0.0.1",
            "MOTCUA_HEALTHZ_TOKEN": "stack-healthz-token-" + "y" * 20,
            # Sweeps often, so lost queue entries are found within seconds in the fault tests.
            "MOTCUA_OUTBOX_DISPATCH_SECONDS": "3",
            "MOTCUA_OUTBOX_LEASE_SECONDS": "15",
            "MOTCUA_OUTBOX_BACKOFF_SECONDS": "2",
            "MOTCUA_OUTBOX_BACKOFF_MAX_SECONDS": "5",
            "MOTCUA_OUTBOX_CHANNEL_PAUSE_SECONDS": "3",
            "MOTCUA_OUTBOX_CHANNEL_PAUSE_MAX_SECONDS": "5",
            "MOTCUA_LOG_LEVEL": "INFO",
            **(env or {}),
        }
        base_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MOTCUA_"))}
        stack = Stack(
            tmp=tmp,
            env={**base_env, **product_env},
            base_urls=[],
            bucket=bucket,
            s3=s3,
            redis_url=product_env["REDIS_URL"],
            postgres_dsn=f"host=127.0.0.1 port={pg_port} user=postgres dbname=motcua",
            _smtp=smtp,
            _redis_port=redis_port,
            _pg_port=pg_port,
            _pg_bin=pg_bin,
        )
        cleanup.callback(stack.stop_redis)
        stack.start_redis()
        cleanup.callback(_quiet, stack.stop_postgres)
        stack.start_postgres()
        with psycopg.connect(f"host=127.0.0.1 port={pg_port} user=postgres dbname=postgres", autocommit=True) as db:
            # As docs/operations.md sets it up: neither role is a superuser or a member of the other.
            db.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
            db.execute(f"CREATE ROLE {RUNTIME_ROLE} LOGIN")
            db.execute(f"CREATE DATABASE motcua OWNER {OWNER_ROLE}")
        cleanup.callback(stack._stop_all)
        stack.timings["services"] = time.monotonic() - started
        began = time.monotonic()
        stack.manage("migrate", "--no-input", "-v0", as_owner=True)
        stack.manage("db_grant_runtime_role", RUNTIME_ROLE, as_owner=True)
        stack.timings["migrate"] = time.monotonic() - began
        # Independent of each other (files on disk; the database and the bucket): run side by side.
        began = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            static = pool.submit(stack.manage, "collectstatic", "--no-input", "-v0")
            demo = pool.submit(stack.manage, "load_demo")
            static.result(), demo.result()
        stack.timings["collectstatic+load_demo"] = time.monotonic() - began
        began = time.monotonic()
        stack.base_urls = [stack.start_web() for _ in range(web)]
        for _ in range(workers):
            stack.start_worker()
        stack.timings["web"] = time.monotonic() - began
        stack.timings["total"] = time.monotonic() - started
        yield stack


def _quiet(action: Any) -> None:
    with contextlib.suppress(Exception):
        action()
