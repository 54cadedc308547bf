"""A worker's loops outlive the parts they depend on: the heartbeat and the periodic enqueue
retry after a database or queue error instead of dying, and the RQ loop starts a fresh RQ worker
after a Redis error but ends on a shutdown request. (The real outages run in
test_production_stack.py; these check each loop alone, quickly.)"""

import signal
import threading
from typing import Any

import pytest
from django.db import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from motcua.core import worker
from motcua.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(worker, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(worker, "HEARTBEAT_SECONDS", 0.05)


def test_the_heartbeat_survives_a_database_outage(monkeypatch) -> None:
    real_beat, failures = worker.heartbeat_beat, [OperationalError("server closed the connection")] * 3

    def beat(**kwargs: Any) -> None:
        if failures:
            raise failures.pop()
        real_beat(**kwargs)

    monkeypatch.setattr(worker, "heartbeat_beat", beat)
    stop = worker.heartbeat_start(worker_id="w-outage")
    try:
        for _ in range(200):
            if WorkerHeartbeat.objects.filter(worker_id="w-outage").exists():
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
    assert failures == [] and WorkerHeartbeat.objects.filter(worker_id="w-outage").exists()


def test_the_periodic_enqueue_retries_soon_after_a_queue_error(monkeypatch) -> None:
    calls: list[float] = []
    done = threading.Event()

    class FlakyTask:
        def enqueue(self) -> None:
            calls.append(1)
            if len(calls) < 3:
                raise RedisConnectionError("Connection refused")
            done.set()

    monkeypatch.setattr("django.utils.module_loading.import_string", lambda path: FlakyTask())
    stop = worker.periodic_start(schedule={"any.task": 3600})
    try:
        # Three attempts within seconds although the interval is an hour: failures retry soon.
        assert done.wait(10)
    finally:
        stop.set()
    assert len(calls) == 3


class FakeRqWorker:
    def __init__(self, outcome: BaseException | None) -> None:
        self.outcome = outcome
        self._shutdown_requested_date = None if outcome else "now"

    def work(self, **kwargs: Any) -> None:
        if self.outcome:
            raise self.outcome


@pytest.fixture
def signal_handlers_kept() -> Any:
    """The loop installs SIGTERM/SIGINT handlers between RQ workers: give pytest its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_the_rq_loop_restarts_after_a_redis_error_and_ends_on_shutdown(monkeypatch, signal_handlers_kept) -> None:
    outcomes: list[BaseException | None] = [RedisConnectionError("Connection refused"), None]
    made: list[dict[str, Any]] = []

    def get_worker(*queues: str, **options: Any) -> FakeRqWorker:
        made.append(options)
        return FakeRqWorker(outcomes.pop(0))

    monkeypatch.setattr("django_rq.workers.get_worker", get_worker)
    worker.rq_work_forever(queue_names=["default"], worker_name_prefix="host-1")
    assert len(made) == 2 and outcomes == []
    assert {options["job_class"] for options in made} == {"django_tasks_rq.Job"}
    assert [options["name"] for options in made] == ["host-1-1", "host-1-2"]


def test_the_database_worker_restarts_after_a_locked_database_and_ends_on_shutdown(
    monkeypatch, signal_handlers_kept
) -> None:
    """The BEGIN before django-tasks-db's claim raises "database is locked" when a leader's
    signing holds SQLite's write lock too long: the worker starts again instead of dying while
    the web goes on."""
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Worker

    runs: list[str] = []

    def run(self: Any) -> None:
        runs.append(self.worker_id)
        if len(runs) == 1:
            raise OperationalError("database is locked")
        self.running = False  # what its SIGTERM handler does

    monkeypatch.setattr(Worker, "run", run)
    monkeypatch.setattr(worker, "RETRY_SECONDS", 0.01)
    worker.db_work_forever(worker_id="host-1-123")
    assert runs == ["host-1-123", "host-1-123"]
