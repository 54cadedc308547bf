"""Behind the TLS proxy every request comes from the proxy's address: production counts one proxy
by default, so rate limits (tracking lookups, sign-ups, the API's anonymous throttle) apply to each
citizen's own address, which the proxy appends to X-Forwarded-For, and not to everyone at once."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle

from motcua.accounts.services import client_ip
from motcua.core.tests.test_settings_profiles import STARTS

ROOT = Path(__file__).resolve().parents[3]


def _production_proxies(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POSTGRES_", "S3_", "MOTCUA_"))}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.MOTCUA_TRUSTED_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "motcua.conf.production",
            **STARTS,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_counts_one_proxy_unless_told_otherwise() -> None:
    assert _production_proxies() == ["1", "1"]
    assert _production_proxies(MOTCUA_TRUSTED_PROXIES="2") == ["2", "2"]


def test_citizens_behind_the_proxy_are_told_apart_and_cannot_forge_their_address(settings) -> None:
    settings.MOTCUA_TRUSTED_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    factory = RequestFactory()
    # nginx appends the address it saw ($proxy_add_x_forwarded_for); anything left of it is the client's say.
    first = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    forged = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    assert [client_ip(r) for r in (first, second, forged)] == ["203.0.113.7", "198.51.100.9", "203.0.113.7"]
    throttle = AnonRateThrottle()
    assert [throttle.get_ident(r) for r in (first, second, forged)] == ["203.0.113.7", "198.51.100.9", "203.0.113.7"]
