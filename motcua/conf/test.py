"""Test profile: the embedded profile, or PostgreSQL when MOTCUA_TEST_POSTGRES_* is set."""

import os

from motcua.conf.embedded import *  # noqa: F403
from motcua.conf.embedded import DATABASES, LOCAL_CACHE, VAR_DIR

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}

# A file, not SQLite's shared in-memory database: only a file honours busy_timeout and WAL,
# which the concurrency tests (two officers, many submissions at once) depend on.
DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-motcua-{os.getpid()}.sqlite3")}

if os.environ.get("MOTCUA_TEST_POSTGRES_HOST"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "motcua",
            "USER": "postgres",
            "HOST": os.environ["MOTCUA_TEST_POSTGRES_HOST"],
            "PORT": os.environ.get("MOTCUA_TEST_POSTGRES_PORT", "5432"),
            "OPTIONS": POSTGRES_OPTIONS,  # noqa: F405
        }
    }
MOTCUA_AUDIT_TRIGGERS = False
# Tests serve static files through the staticfiles finders, without a collectstatic run.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "local": LOCAL_CACHE}

# Notifications: known webhook secrets for the signature tests, and no SMS quiet hours unless a
# test sets them (the suite must not depend on the hour it runs at).
MOTCUA_SMS_WEBHOOK_SECRET = "test-sms-webhook-secret-0123456789abcdef"
MOTCUA_ZALO_WEBHOOK_SECRET = "test-zalo-webhook-secret-0123456789abcdef"
MOTCUA_SMS_QUIET_HOURS = ""
