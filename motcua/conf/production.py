"""Production profile: everything from the environment; refuses to start when unsafe."""

from django.core.exceptions import ImproperlyConfigured

from motcua.conf.base import *  # noqa: F403
from motcua.conf.base import (
    LOCAL_CACHE,
    MOTCUA_AUDIT_ANCHOR_KEY,
    MOTCUA_EXCHANGE_SECRET,
    MOTCUA_HEALTHZ_TOKEN,
    MOTCUA_OIDC_ISSUER,
    MOTCUA_PLUGINS,
    MOTCUA_SMS_WEBHOOK_SECRET,
    MOTCUA_ZALO_APP_ID,
    MOTCUA_ZALO_OAUTH_URL,
    MOTCUA_ZALO_SECRET_KEY,
    MOTCUA_ZALO_WEBHOOK_SECRET,
    REST_FRAMEWORK,
    SECRET_KEY,
)
from motcua.conf.env import env_bool, env_int, env_list, env_str
from motcua.conf.safety import insecure_waivers, production_refuse_unsafe, secret_key_refuse_weak

MOTCUA_PROFILE = "production"
# Administrators enrol a second factor before anything else (docs/operations.md).
MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR = env_bool("MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR", True)
DEBUG = env_bool("DJANGO_DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
secret_key_refuse_weak(SECRET_KEY)

# Notifications: e-mail through the SMTP server of EMAIL_HOST; Zalo only where the province has a
# Zalo Official Account with approved ZNS templates (add "zalo" to MOTCUA_NOTIFICATION_CHANNELS).
MOTCUA_PLUGINS = {**MOTCUA_PLUGINS, "email": env_str("MOTCUA_EMAIL_PLUGIN", "smtp")}
MOTCUA_NOTIFICATION_CHANNELS = env_list("MOTCUA_NOTIFICATION_CHANNELS", "email,sms")

# Demo plugins keep SMS codes in clear, answer with fictional citizens and sign with a throw-away
# CA: a real deployment must name real adapters (a staging site may allow them explicitly).
DEMO_PLUGINS = {
    "sms": "demo",
    "population": "demo",
    "signing": "dev-ca",
    "email": "demo",
    "zalo": "demo",
    "exchange": "demo",
    "national": "demo",
}
if not env_bool("MOTCUA_ALLOW_DEMO_PLUGINS", False):
    # A notification channel switched off (MOTCUA_NOTIFICATION_CHANNELS) needs no real plugin.
    unused = {"email", "zalo"} - set(MOTCUA_NOTIFICATION_CHANNELS)
    demo_in_use = [name for name, key in DEMO_PLUGINS.items() if MOTCUA_PLUGINS.get(name) == key and name not in unused]
    if demo_in_use:
        raise ImproperlyConfigured(
            f"Demo plugins are not for production: {', '.join(demo_in_use)}. Configure real adapters "
            "(MOTCUA_SMS_PLUGIN, MOTCUA_POPULATION_PLUGIN, MOTCUA_SIGNING_PLUGIN, MOTCUA_EMAIL_PLUGIN, "
            "MOTCUA_ZALO_PLUGIN, MOTCUA_EXCHANGE_PLUGIN, MOTCUA_NATIONAL_PLUGIN; "
            "or leave a channel out of MOTCUA_NOTIFICATION_CHANNELS) "
            "or set MOTCUA_ALLOW_DEMO_PLUGINS=true."
        )

# The test hierarchy's keys are public: nothing signed with them proves anything.
MOTCUA_SIGNING_TRUST_TEST_PKI = False

# Webhook secrets and the /healthz detail token are optional (empty: refused), never guessable.
for _name, _secret in (
    ("MOTCUA_SMS_WEBHOOK_SECRET", MOTCUA_SMS_WEBHOOK_SECRET),
    ("MOTCUA_ZALO_WEBHOOK_SECRET", MOTCUA_ZALO_WEBHOOK_SECRET),
    ("MOTCUA_HEALTHZ_TOKEN", MOTCUA_HEALTHZ_TOKEN),
    # Signs the exchange platform's requests and answers (docs/data-exchange.md).
    ("MOTCUA_EXCHANGE_SECRET", MOTCUA_EXCHANGE_SECRET),
    # Signs the audit chain anchors (empty: derived from DJANGO_SECRET_KEY).
    ("MOTCUA_AUDIT_ANCHOR_KEY", MOTCUA_AUDIT_ANCHOR_KEY),
):
    if 0 < len(_secret) < 32:
        raise ImproperlyConfigured(f"{_name} must be empty or a random value of at least 32 characters.")

# Renewing Zalo access tokens sends the app's secret key and the refresh token: both needed,
# and only over TLS. Found now rather than when the first message fails a day later.
if MOTCUA_ZALO_APP_ID and not MOTCUA_ZALO_SECRET_KEY:
    raise ImproperlyConfigured("MOTCUA_ZALO_APP_ID needs MOTCUA_ZALO_SECRET_KEY (the Zalo app's secret key).")
if MOTCUA_ZALO_APP_ID and not MOTCUA_ZALO_OAUTH_URL.startswith("https://"):
    raise ImproperlyConfigured("MOTCUA_ZALO_OAUTH_URL must be an https:// address.")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env_str("POSTGRES_DB", "motcua"),
        "USER": env_str("POSTGRES_USER", "motcua"),
        "PASSWORD": env_str("POSTGRES_PASSWORD", ""),
        "HOST": env_str("POSTGRES_HOST", "127.0.0.1"),
        "PORT": env_str("POSTGRES_PORT", "5432"),
        "CONN_MAX_AGE": env_int("POSTGRES_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": POSTGRES_OPTIONS,  # noqa: F405
    }
}

STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "region_name": env_str("S3_REGION", "us-east-1"),
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis host that stops answering (rather than refusing) must cost a request a second,
        # not hang it: the error becomes the 503 page.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "local": LOCAL_CACHE,
}
INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]  # noqa: F405
RQ_QUEUES = {"default": {"URL": REDIS_URL}}
TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind one TLS proxy (docs/operations.md): without counting it, every citizen
# would share the proxy's address and one rate limit.
MOTCUA_TRUSTED_PROXIES = env_int("MOTCUA_TRUSTED_PROXIES", 1)
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": MOTCUA_TRUSTED_PROXIES}
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# No HSTS preload (check --deploy's W021): once in the browsers' list, the whole parent domain
# (often the province's, with other services on it) is HTTPS-only for months, whatever we send.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No development default: the address is printed into the QR code of every result.
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "")

# --- Refusals of unsafe values (motcua.conf.safety), once every setting they look at is read. ---
production_refuse_unsafe(
    allowed_hosts=ALLOWED_HOSTS,
    ssl_redirect=SECURE_SSL_REDIRECT,
    hsts_seconds=SECURE_HSTS_SECONDS,
    public_url=MOTCUA_PUBLIC_URL,
    database=DATABASES["default"],
    oidc_issuer=MOTCUA_OIDC_ISSUER,
    # Checks waived by name, for the project's loopback test stack only (announced on stderr).
    waivers=insecure_waivers(env_list("MOTCUA_ALLOW_INSECURE", "")),
)
