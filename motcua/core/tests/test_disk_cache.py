"""The embedded profile's cache: shared by processes, counting exactly, and kept open between
requests (Django closes caches when a request ends)."""

import multiprocessing
import time
from pathlib import Path

import pytest

from motcua.core.cache import DiskCache


def _count(location: str, times: int) -> None:
    cache = DiskCache(location, {})
    for _ in range(times):
        cache.incr("lookups")


def test_processes_share_one_exact_counter(tmp_path: Path) -> None:
    """The tracking lookup limit counts every process's lookups: none is lost to a race."""
    cache = DiskCache(str(tmp_path), {})
    cache.add("lookups", 0, 600)
    workers = [multiprocessing.get_context("spawn").Process(target=_count, args=(str(tmp_path), 200)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert cache.get("lookups") == 800


def test_values_expire_and_missing_counters_say_so(tmp_path: Path) -> None:
    cache = DiskCache(str(tmp_path), {})
    cache.set("page", "<html>", 0.05)
    assert cache.get("page") == "<html>"
    time.sleep(0.1)
    assert cache.get("page") is None
    with pytest.raises(ValueError):
        cache.incr("never-set")


def test_connections_survive_the_end_of_a_request(tmp_path: Path) -> None:
    cache = DiskCache(str(tmp_path), {})
    cache.set("kept", 1)
    before = [getattr(shard._local, "con", None) for shard in cache._cache._shards]
    cache.close()  # what Django calls on every cache when a request ends
    after = [getattr(shard._local, "con", None) for shard in cache._cache._shards]
    assert any(before) and before == after
    assert cache.get("kept") == 1
