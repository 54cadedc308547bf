"""Zero-configuration profile: SQLite in WAL mode, files on disk, worker as a child process."""

from motcua.conf.base import *  # noqa: F403
from motcua.conf.base import LOCAL_CACHE, VAR_DIR
from motcua.conf.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "motcua.sqlite3",
        # Each web thread keeps its connection: opening one and setting WAL mode on every request
        # costs more than most pages' queries.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait instead of
            # failing with "database is locked" half-way through a transaction.
            "transaction_mode": "IMMEDIATE",
            # Writers wait up to 30 s: a leader's approval holds the write lock while the result
            # is signed and time-stamped (seconds, with the TSA's and OCSP's round trips).
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"),
        },
    }
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A cache on disk shared by the web and worker processes (import progress, rate limits, public
# tracking). diskcache keeps it in sharded SQLite files: reads and atomic increments take tens of
# microseconds, where Django's file cache lists its whole folder on every write.
CACHES = {
    "default": {"BACKEND": "motcua.core.cache.DiskCache", "LOCATION": str(VAR_DIR / "cache")},
    "local": LOCAL_CACHE,
}

# Mail goes to files under var/mail until an SMTP server is configured.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
