"""/healthz checks database, storage, queue and workers, says 503 when one is down, and shows the
detail (backends, counts, errors) only to staff or a monitoring token, never to anonymous callers."""

from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from motcua.core import health
from motcua.core.worker import heartbeat_beat

pytestmark = pytest.mark.django_db

PARTS = {"database", "storage", "queue", "workers"}


@pytest.fixture(autouse=True)
def fresh_storage_check(monkeypatch, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    Path(settings.MEDIA_ROOT).mkdir()
    monkeypatch.setattr(health, "_storage_checked", None)


def test_unhealthy_without_a_worker(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["storage"]["ok"] and body["queue"]["ok"] and not body["workers"]["ok"]


def test_healthy_with_a_live_worker(client) -> None:
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["ok"] is True


def test_stale_heartbeat_counts_as_down(client, settings) -> None:
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=settings.MOTCUA_WORKER_STALE_SECONDS + 5)):
        assert client.get("/healthz").status_code == 503


def test_anonymous_callers_see_only_ok_per_part(client, settings) -> None:
    settings.MOTCUA_HEALTHZ_TOKEN = "t" * 40
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        body = client.get("/healthz", headers=headers).json()
        assert set(body) == PARTS | {"ok"}
        assert all(body[part] == {"ok": True} for part in PARTS)


def test_staff_see_the_backends_and_counts(client, django_user_model, settings) -> None:
    staff = django_user_model.objects.create_user(username="ops", password="x", is_staff=True)
    client.force_login(staff)
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    heartbeat_beat(worker_id="w2", started_at=timezone.now())
    body = client.get("/healthz").json()
    assert body["storage"] == {"ok": True, "backend": "filesystem", "location": settings.MEDIA_ROOT}
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["queue"] == {"ok": True, "backend": "database", "queued": 0}
    assert body["workers"] == {"ok": True, "alive": 2}


def test_the_monitoring_token_shows_the_detail(client, settings) -> None:
    settings.MOTCUA_HEALTHZ_TOKEN = "t" * 40
    body = client.get("/healthz", headers={"Authorization": f"Bearer {'t' * 40}"}).json()
    assert body["workers"] == {"ok": False, "alive": 0}
    settings.MOTCUA_HEALTHZ_TOKEN = ""
    assert client.get("/healthz", headers={"Authorization": "Bearer "}).json()["workers"] == {"ok": False}


def test_missing_storage_is_down_and_named(client, django_user_model, settings) -> None:
    client.force_login(django_user_model.objects.create_user(username="ops", password="x", is_staff=True))
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    settings.MEDIA_ROOT = str(Path(settings.MEDIA_ROOT) / "gone")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"] == {"ok": False, "backend": "filesystem", "location": settings.MEDIA_ROOT}


def test_checks_write_nothing_and_probe_storage_once_in_a_while(client, settings, monkeypatch) -> None:
    probes = []
    real_probe = health._storage_probe
    monkeypatch.setattr(health, "_storage_probe", lambda: probes.append(1) or real_probe())
    for _ in range(5):
        client.get("/healthz")
    assert list(Path(settings.MEDIA_ROOT).rglob("*")) == []
    assert len(probes) == 1
    checked_at, result = health._storage_checked  # age the kept result past its lifetime
    monkeypatch.setattr(health, "_storage_checked", (checked_at - health.STORAGE_CHECK_SECONDS - 1, result))
    client.get("/healthz")
    assert len(probes) == 2
