"""/healthz reports database, storage and worker, and says 503 when a part is down."""

import pytest

from motcua.core.worker import heartbeat_beat

pytestmark = pytest.mark.django_db


def test_unhealthy_without_a_worker(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["storage"]["ok"] and not body["worker"]["ok"]


def test_healthy_with_a_live_worker(client) -> None:
    from django.utils import timezone

    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["ok"] is True


def test_stale_heartbeat_counts_as_down(client, settings) -> None:
    import time_machine
    from django.utils import timezone

    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=settings.MOTCUA_WORKER_STALE_SECONDS + 5)):
        assert client.get("/healthz").status_code == 503
