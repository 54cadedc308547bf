"""Maintenance mode: the administrator switches it on and off with `manage.py maintenance`; every
web process sees it through the shared cache (or this host's file when the cache is down); people
get a Vietnamese 503 page with Retry-After, the API a problem+json 503; /healthz, the admin and
staff accounts still get through."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from motcua.core.maintenance import maintenance_stop
from motcua.core.tests.error_helpers import assert_vietnamese_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path: Path) -> Iterator[Path]:
    settings.VAR_DIR = tmp_path
    yield tmp_path
    maintenance_stop()  # the test cache outlives the test: leave the site open for the next one


def test_on_then_off_across_requests(client) -> None:
    assert client.get("/").status_code == 200
    call_command("maintenance", "on", message="Nâng cấp phiên bản mới của hệ thống.", minutes=30, stdout=StringIO())

    page = client.get("/")
    assert page.status_code == 503
    assert 1700 <= int(page["Retry-After"]) <= 1800
    assert "no-store" in page["Cache-Control"]
    assert_vietnamese_page(page, "Hệ thống đang bảo trì", "Nâng cấp phiên bản mới của hệ thống.", "Dự kiến hoạt động")
    api = client.get("/api/v1/procedures/")
    assert api.status_code == 503 and api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "maintenance" and api.json()["detail"] == "Nâng cấp phiên bản mới của hệ thống."
    assert "Retry-After" in api

    call_command("maintenance", "off", stdout=StringIO())
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/procedures/").status_code == 200


def test_health_admin_and_staff_get_through(client) -> None:
    call_command("maintenance", "on", stdout=StringIO())
    health = client.get("/healthz")
    assert "database" in health.json(), "/healthz answers itself, not the maintenance notice"
    assert client.get("/quan-tri/login/").status_code == 200
    officer = Client()
    officer.force_login(get_user_model().objects.create_user(username="canbo.baotri", password="x"))
    assert officer.get("/").status_code == 503, "officers wait like everyone else"
    admin = Client()
    admin.force_login(get_user_model().objects.create_user(username="quantri.baotri", password="x", is_staff=True))
    assert admin.get("/").status_code == 200
    assert client.get("/").status_code == 503


def test_another_process_switches_it_for_this_one(client, settings, tmp_path: Path) -> None:
    """Two processes sharing the embedded profile's disk cache: one runs the command, the other
    (this test's web process) answers 503 within the check interval, and 200 again after "off"."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "motcua.core.cache.DiskCache", "LOCATION": str(tmp_path / "cache")},
    }
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.conf.embedded", "MOTCUA_VAR_DIR": str(tmp_path)}

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", "maintenance", *args],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    def status_within_the_check_interval(expected: int):
        deadline = time.monotonic() + settings.MOTCUA_MAINTENANCE_CHECK_SECONDS + 3
        while (response := client.get("/")).status_code != expected and time.monotonic() < deadline:
            time.sleep(0.2)
        return response

    assert client.get("/").status_code == 200
    assert "ON" in manage("on", "--message", "Bảo trì định kỳ")
    response = status_within_the_check_interval(503)
    assert response.status_code == 503 and "Bảo trì định kỳ" in response.content.decode()
    assert response["Retry-After"] == "300"
    assert "Bảo trì định kỳ" in manage("status")
    manage("off")
    assert status_within_the_check_interval(200).status_code == 200


def test_cache_down_falls_back_to_this_hosts_file(client, settings) -> None:
    """Redis unreachable: the command still switches this host (with a warning), pages read the
    file, and an unreachable cache without the file never stops the site."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    assert client.get("/").status_code == 200
    stderr = StringIO()
    call_command("maintenance", "on", stdout=StringIO(), stderr=stderr)
    assert "could not write cache" in stderr.getvalue()
    assert client.get("/").status_code == 503
    call_command("maintenance", "off", stdout=StringIO(), stderr=StringIO())
    assert client.get("/").status_code == 200
