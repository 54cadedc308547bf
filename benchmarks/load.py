"""Closed-loop load from client threads, shared by the benchmarks that measure pages under load."""

import os
import platform
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Phase:
    name: str
    seconds: float
    done: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    def pct(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100)[p - 1]


def run_phase(name: str, clients: list[httpx.Client], seconds: float, action: Callable[[httpx.Client], None]) -> Phase:
    """Every client repeats `action` until the time is up (a closed loop: at most one request
    per client in flight)."""
    lock = threading.Lock()
    phase = Phase(name=name, seconds=seconds)
    stop_at = time.perf_counter() + seconds

    def loop(client: httpx.Client) -> None:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                action(client)
            except Exception as exc:  # counted and shown, the run goes on
                with lock:
                    phase.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                phase.done += 1
                phase.latencies.append(elapsed)

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def get(path: str) -> Callable[[httpx.Client], None]:
    def action(client: httpx.Client) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")

    return action


def postgres_database(*, name: str, host: str, port: str | int) -> dict[str, object]:
    """The DATABASES entry of a benchmark run on PostgreSQL: the embedded profile with the
    production database engine (the rest of the profile does not touch the queries)."""
    from motcua.conf.base import POSTGRES_OPTIONS

    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": host,
        "PORT": port,
        "OPTIONS": POSTGRES_OPTIONS,
    }


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ""
    return f"{os.cpu_count()} cores ({model}){memory}{load()}; Python {platform.python_version()}"


def load() -> str:
    """The machine's load average now, for the figures' context on a shared machine."""
    return ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
