"""Profiles: production refuses unsafe settings; embedded runs with no variables at all."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.core.testing import PRODUCTION_SAFE_ENV

ROOT = Path(__file__).resolve().parents[3]
SAFE_SECRET = PRODUCTION_SAFE_ENV["DJANGO_SECRET_KEY"]
# Production with every setting it requires; each refusal test below spoils one of them.
STARTS = {**PRODUCTION_SAFE_ENV, "S3_BUCKET": "b", "MOTCUA_ALLOW_DEMO_PLUGINS": "true"}


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
        **PRODUCTION_SAFE_ENV,
        S3_BUCKET="motcua",
        MOTCUA_SMS_PLUGIN="http",
        MOTCUA_POPULATION_PLUGIN="http",
        MOTCUA_NATIONAL_PLUGIN="http",
        MOTCUA_SIGNING_PLUGIN="pkcs11",
        MOTCUA_EXCHANGE_PLUGIN="lgsp",
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
    production = _load("motcua.conf.production", show, **{**STARTS, "MOTCUA_PUBLIC_URL": "https://dvc.example"})
    assert production.stdout.split() == ["True", "dvc.example", "https://dvc.example"], production.stderr


@pytest.mark.parametrize(
    ("spoilt", "message"),
    [
        ({"DJANGO_SECRET_KEY": "a" * 40}, "DJANGO_SECRET_KEY is missing or weak"),
        # Long enough for Django's own check (50 characters, 5 different), too few different ones.
        ({"DJANGO_SECRET_KEY": "abcdefghij" * 6}, "DJANGO_SECRET_KEY is missing or weak"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + SAFE_SECRET}, "DJANGO_SECRET_KEY is missing or weak"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DJANGO_ALLOWED_HOSTS": "dvc.example,*"}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DJANGO_ALLOWED_HOSTS": " "}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_HSTS_SECONDS": "0"}, "DJANGO_SECURE_SSL_REDIRECT=false"),
        ({"MOTCUA_PUBLIC_URL": ""}, "MOTCUA_PUBLIC_URL must be the portal's public https:// address"),
        ({"MOTCUA_PUBLIC_URL": "http://127.0.0.1:8000"}, "MOTCUA_PUBLIC_URL must be"),
        ({"MOTCUA_PUBLIC_URL": "http://dvc.example"}, "MOTCUA_PUBLIC_URL must be"),
        ({"POSTGRES_PASSWORD": ""}, "POSTGRES_PASSWORD is empty"),
        ({"MOTCUA_OIDC_ISSUER": "http://vneid.example/oidc"}, "MOTCUA_OIDC_ISSUER must be an https:// address"),
        ({"MOTCUA_ALLOW_INSECURE": "plain-http,everything"}, "MOTCUA_ALLOW_INSECURE names unknown checks: everything"),
        # A waiver covers its own checks only.
        (
            {"MOTCUA_ALLOW_INSECURE": "plain-http", "POSTGRES_PASSWORD": "", "MOTCUA_PUBLIC_URL": "http://127.0.0.1"},
            "POSTGRES_PASSWORD is empty",
        ),
        (
            {
                "MOTCUA_ALLOW_INSECURE": "empty-db-password",
                "DJANGO_HSTS_SECONDS": "0",
                "DJANGO_SECURE_SSL_REDIRECT": "no",
            },
            "DJANGO_SECURE_SSL_REDIRECT=false",
        ),
    ],
)
def test_production_refuses_unsafe_values(spoilt: dict[str, str], message: str) -> None:
    """Finding 10: each unsafe value stops the profile with the variable's name and its fix."""
    result = _load("motcua.conf.production", **{**STARTS, **spoilt})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


@pytest.mark.parametrize(
    "allowed",
    [
        # The proxy redirects port 80 itself; HSTS keeps browsers on HTTPS.
        {"DJANGO_SECURE_SSL_REDIRECT": "false"},
        # HSTS off while HTTPS is being tried out; the redirect still applies.
        {"DJANGO_HSTS_SECONDS": "0"},
        # Peer authentication through the server's socket directory needs no password.
        {"POSTGRES_PASSWORD": "", "POSTGRES_HOST": "/var/run/postgresql"},
        {"MOTCUA_OIDC_ISSUER": "https://vneid.example/oidc"},
    ],
)
def test_production_accepts_the_safe_variants(allowed: dict[str, str]) -> None:
    result = _load("motcua.conf.production", **{**STARTS, **allowed})
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr


def test_the_loopback_stack_waiver_is_explicit_and_loud() -> None:
    """The project's loopback stack (motcua.core.stack) serves plain HTTP with a trusting database:
    allowed only by naming both checks, and every process says so."""
    insecure = {"DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_HSTS_SECONDS": "0", "POSTGRES_PASSWORD": ""}
    insecure["MOTCUA_PUBLIC_URL"] = "http://127.0.0.1"
    assert _load("motcua.conf.production", **{**STARTS, **insecure}).returncode != 0
    result = _load(
        "motcua.conf.production", **{**STARTS, **insecure, "MOTCUA_ALLOW_INSECURE": "plain-http,empty-db-password"}
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING: MOTCUA_ALLOW_INSECURE waives production safety checks" in result.stderr
    assert "empty-db-password" in result.stderr and "plain-http" in result.stderr


def test_the_shipped_environment_example_starts_once_its_secrets_are_filled_in() -> None:
    """deploy/motcua.env.example with its blanks filled as its comments ask passes every refusal."""
    shipped = {}
    for line in (ROOT / "deploy" / "motcua.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            shipped[name] = value.strip('"')
    filled = {
        "DJANGO_SECRET_KEY": SAFE_SECRET,
        "POSTGRES_PASSWORD": "runtime-role-password",
        "MOTCUA_SIGNING_PLUGIN": "pkcs11",
    }
    assert {name for name, value in shipped.items() if not value} >= set(filled)
    result = _load("motcua.conf.production", **{**shipped, **filled})
    assert result.returncode == 0, result.stderr


def test_check_deploy_finds_nothing_on_a_safe_environment(tmp_path: Path) -> None:
    """`manage.py check --deploy` (Django's own list) agrees with the profile's refusals; the one
    warning it would give, no HSTS preload, is a decision (motcua/conf/production.py)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POSTGRES_", "S3_", "MOTCUA_"))}
    env = {**clean, **STARTS, "DJANGO_SETTINGS_MODULE": "motcua.conf.production", "MOTCUA_VAR_DIR": str(tmp_path)}
    env["DJANGO_CSRF_TRUSTED_ORIGINS"] = env["MOTCUA_PUBLIC_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
