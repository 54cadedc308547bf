"""Profiles: production refuses unsafe settings; embedded runs with no variables at all."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAFE_SECRET = "x" * 50


BACKENDS = "s.DATABASES['default']['ENGINE'], s.STORAGES['default']['BACKEND'], s.TASKS['default']['BACKEND']"


def _load(profile: str, show: str = BACKENDS, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POSTGRES_", "S3_", "MOTCUA_"))}
    code = f"import django; django.setup(); from django.conf import settings as s; print({show})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": profile, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_embedded_needs_no_configuration() -> None:
    result = _load("motcua.conf.embedded")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.files.storage.FileSystemStorage",
        "django_tasks_db.DatabaseBackend",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": SAFE_SECRET, "DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
        ({"DJANGO_SECRET_KEY": SAFE_SECRET, "MOTCUA_ALLOW_DEMO_PLUGINS": "true"}, "S3_BUCKET"),
        ({"DJANGO_SECRET_KEY": SAFE_SECRET, "S3_BUCKET": "b"}, "Demo plugins are not for production"),
        (
            {"DJANGO_SECRET_KEY": SAFE_SECRET, "MOTCUA_ALLOW_DEMO_PLUGINS": "true", "MOTCUA_AUDIT_ANCHOR_KEY": "short"},
            "MOTCUA_AUDIT_ANCHOR_KEY must be empty or a random value of at least 32 characters",
        ),
    ],
)
def test_production_refuses_unsafe_or_missing_settings(env: dict[str, str], message: str) -> None:
    result = _load("motcua.conf.production", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_uses_postgres_s3_and_redis() -> None:
    result = _load(
        "motcua.conf.production",
        DJANGO_SECRET_KEY=SAFE_SECRET,
        S3_BUCKET="motcua",
        DJANGO_ALLOWED_HOSTS="dvc.example",
        MOTCUA_SMS_PLUGIN="http",
        MOTCUA_POPULATION_PLUGIN="http",
        MOTCUA_SIGNING_PLUGIN="pkcs11",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "storages.backends.s3.S3Storage",
        "django_tasks_rq.RQBackend",
    ]


def test_administrators_second_factor_is_required_in_production_only() -> None:
    """Passkeys are bound to the public URL's host; 127.0.0.1 (the default) counts as localhost,
    which browsers accept, an IP address they refuse."""
    show = "s.MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR, s.OTP_WEBAUTHN_RP_ID, *s.OTP_WEBAUTHN_ALLOWED_ORIGINS"
    embedded = _load("motcua.conf.embedded", show)
    assert embedded.stdout.split() == ["False", "localhost", "http://localhost:8000"], embedded.stderr
    production = _load(
        "motcua.conf.production",
        show,
        DJANGO_SECRET_KEY=SAFE_SECRET,
        S3_BUCKET="motcua",
        MOTCUA_ALLOW_DEMO_PLUGINS="true",
        MOTCUA_PUBLIC_URL="https://dvc.example",
    )
    assert production.stdout.split() == ["True", "dvc.example", "https://dvc.example"], production.stderr
