"""Settings shared by every profile. Profiles (embedded, production, test) import from here."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from motcua.conf.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "motcua"
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))

# Which profile runs: commands that only suit a demonstration (load_demo) check it.
MOTCUA_PROFILE = "embedded"
# A production-profile site that is a public demonstration: load_demo may create the demo accounts
# there with their published password (otherwise it refuses, or issues random passwords).
MOTCUA_ALLOW_DEMO_ACCOUNTS = env_bool("MOTCUA_ALLOW_DEMO_ACCOUNTS", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-embedded-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # API tokens stored as digests, with an expiry (clear-text rest_framework.authtoken is gone).
    "knox",
    # OAuth2 client credentials for other systems calling the back-office API (motcua.api.clients).
    "oauth2_provider",
    # Failed logins counted per account and per address (motcua.accounts.lockout).
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "motcua.core",
    "motcua.accounts",
    # Second factor for staff: authenticator apps (TOTP), backup codes, passkeys (WebAuthn).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # Single sign-on plumbing (OIDC); our own adapter in motcua.accounts.sso decides who logs in.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "motcua.directory",
    "motcua.catalog",
    "motcua.documents",
    "motcua.signatures",
    "motcua.dossiers",
    "motcua.events",
    "motcua.delivery",
    "motcua.postal",
    "motcua.integrations",
    "motcua.exchange",
    "motcua.national",
    "motcua.payments",
    "motcua.notifications",
    "motcua.reports",
    "motcua.leaders",
    "motcua.forecast",
    "motcua.service_index",
    "motcua.report_templates",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "motcua.core.middleware.SecurityHeadersMiddleware",
    "motcua.core.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session also passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    "motcua.accounts.middleware.SecondFactorMiddleware",
    "motcua.core.middleware.MaintenanceMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions time out; only staff reach /can-bo/ (motcua.backoffice.middleware).
    "motcua.backoffice.middleware.StaffSessionMiddleware",
    "motcua.backoffice.middleware.StaffAreaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by a lockout into the lockout page (motcua.accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any password check for a locked-out account or address before it is tried.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# A refused form explained in Vietnamese, with what was typed kept when that is safe.
CSRF_FAILURE_VIEW = "motcua.core.views.csrf_failure"
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"

# Every PostgreSQL connection (production, tests, benchmarks): no JIT. The statistics' filtered
# counts cost PostgreSQL's JIT compiler 0.3-0.5 s per query, more than running them
# (docs/benchmarks.md); the other queries are too short to gain from it.
POSTGRES_OPTIONS = {"options": "-c jit=off"}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
# Vietnamese only, whatever the browser asks for: there is no English translation of our strings,
# and offering "en" gave staff screens Django's English chrome around Vietnamese content.
LANGUAGES = [("vi", _("Tiếng Việt"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security defaults that hold in every profile; production tightens cookies and HSTS.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Staff sessions end after this long without a request, and this long after login in any case;
# citizens keep Django's two-week session (their own phones, long e-forms filled over days).
MOTCUA_STAFF_SESSION_IDLE_MINUTES = env_int("MOTCUA_STAFF_SESSION_IDLE_MINUTES", 30)
MOTCUA_STAFF_SESSION_HOURS = env_int("MOTCUA_STAFF_SESSION_HOURS", 12)

# Reverse proxies in front of gunicorn: rate limits count the address the nearest of them saw
# (X-Forwarded-For, counted from the right); 0 counts the connecting address itself.
MOTCUA_TRUSTED_PROXIES = env_int("MOTCUA_TRUSTED_PROXIES", 0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "motcua.api.errors.ProblemAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "motcua.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    # Token first: a request without valid credentials is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min"},
    "NUM_PROXIES": MOTCUA_TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "motcua.api.errors.exception_handler",
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; a token lasts this many hours,
# then the client logs in again or exchanges it for a fresh one before it runs out.
MOTCUA_API_TOKEN_HOURS = env_int("MOTCUA_API_TOKEN_HOURS", 10)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=MOTCUA_API_TOKEN_HOURS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
# Back-office API clients (OAuth2 client credentials, django-oauth-toolkit): an access token lasts
# this many minutes, then the system asks for a new one with its secret; no refresh tokens.
MOTCUA_API_CLIENT_TOKEN_MINUTES = env_int("MOTCUA_API_CLIENT_TOKEN_MINUTES", 15)
# The toolkit's own model, named because migrations that point at it read this setting.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "dossiers:read": "Đọc hồ sơ của cơ quan: hàng chờ tiếp nhận, chi tiết, tìm kiếm, kết quả",
        "dossiers:write": "Xử lý hồ sơ của cơ quan: tiếp nhận, yêu cầu bổ sung, từ chối, các bước xử lý",
    },
    "SCOPES_BACKEND_CLASS": "motcua.api.clients.ApiClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "motcua.api.clients.ClientCredentialsValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": MOTCUA_API_CLIENT_TOKEN_MINUTES * 60,
    # The OAuth 2.0 security best practice (RFC 9700) throughout: tokens stored as digests only,
    # never read from the address; no implicit or password grant; strict redirect rules.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

# --- Password guessing (django-axes, motcua.accounts.lockout): staff form, admin, API tokens. ---
# Failures within the cool-off that lock an account (from anywhere) or an address (whatever the
# accounts tried). The first lockout lasts LOCKOUT_MINUTES; each further one within a day twice the
# one before, up to LOCKOUT_MAX_MINUTES. A correct password does not open a locked account.
MOTCUA_LOGIN_FAILURES_PER_ACCOUNT = env_int("MOTCUA_LOGIN_FAILURES_PER_ACCOUNT", 5)
MOTCUA_LOGIN_FAILURES_PER_ADDRESS = env_int("MOTCUA_LOGIN_FAILURES_PER_ADDRESS", 20)
MOTCUA_LOGIN_LOCKOUT_MINUTES = env_int("MOTCUA_LOGIN_LOCKOUT_MINUTES", 15)
MOTCUA_LOGIN_LOCKOUT_MAX_MINUTES = env_int("MOTCUA_LOGIN_LOCKOUT_MAX_MINUTES", 24 * 60)
# Days failed logins are kept (axes' failure log, read to lengthen repeated lockouts), for inquiries.
MOTCUA_LOGIN_FAILURE_LOG_DAYS = env_int("MOTCUA_LOGIN_FAILURE_LOG_DAYS", 30)
AXES_HANDLER = "motcua.accounts.lockout.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "motcua.accounts.lockout.login_failure_limit"
AXES_COOLOFF_TIME = "motcua.accounts.lockout.login_cool_off"
# The address the other rate limits count (MOTCUA_TRUSTED_PROXIES), so both agree behind a proxy.
AXES_CLIENT_IP_CALLABLE = "motcua.accounts.lockout.login_client_ip"
AXES_USERNAME_CALLABLE = "motcua.accounts.lockout.login_username"
AXES_LOCKOUT_CALLABLE = "motcua.accounts.lockout.lockout_response"
# Tries during a lockout neither count nor extend it, so "try again at" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success must not wipe an address's failures (an attacker's own account would reset them).
AXES_RESET_ON_SUCCESS = False
# Lockouts are remembered (failure log) to make the next one longer; successful logins are not logged.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "API của hệ thống thông tin giải quyết thủ tục hành chính tỉnh.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "motcua.dossiers.constants.DossierStatus",
        "StepKindEnum": "motcua.catalog.constants.StepKind",
        "StepStatusEnum": "motcua.dossiers.constants.StepStatus",
        "SlipKindEnum": "motcua.dossiers.constants.SlipKind",
        "FeeKindEnum": "motcua.catalog.constants.FeeKind",
        "LineKindEnum": "motcua.catalog.constants.LineKind",
        "PaymentTimingEnum": "motcua.catalog.constants.PaymentTiming",
        "PaymentMethodEnum": "motcua.payments.constants.PaymentMethod",
        "PaymentStatusEnum": "motcua.payments.constants.PaymentStatus",
        "ReceiptStatusEnum": "motcua.payments.constants.ReceiptStatus",
    },
    "PATH_CONVERTER_OVERRIDES": {"code": str},  # motcua.api.urls.CodeConverter
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "motcua.api.errors.problem_schema_hook",
    ],
}

# Each process's own memory, for what depends only on the code and the language (the portal's
# navigation and footer): nothing to share, and a restart after an upgrade starts it afresh.
LOCAL_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "motcua-local"}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Province identity and office rules (data that changes per deployment).
MOTCUA_SITE_NAME = env_str("MOTCUA_SITE_NAME", "Cổng Dịch vụ công tỉnh Đắk Lắk")
# Public address of the portal, printed in QR codes on issued results (no trailing slash).
MOTCUA_PUBLIC_URL = env_str("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")
# --- Second factor for staff (django-otp; docs/operations.md). ---
# Administrators (superusers, system and agency administrators) must enrol a passkey or an
# authenticator app before anything else; on by default in the production profile.
MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR = env_bool("MOTCUA_REQUIRE_ADMIN_SECOND_FACTOR", False)
OTP_TOTP_ISSUER = MOTCUA_SITE_NAME
# Wrong codes double the wait before the next try: 1 s, 2 s, 4 s… (per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Passkeys are a second factor only (after the password), bound to the public host name.
# Browsers refuse an IP address there, so the development address 127.0.0.1 counts as
# "localhost": open the demo as http://localhost:8000 to try passkeys.
_public = urlsplit(MOTCUA_PUBLIC_URL)
OTP_WEBAUTHN_RP_ID = "localhost" if _public.hostname in ("127.0.0.1", "::1") else (_public.hostname or "")
OTP_WEBAUTHN_RP_NAME = MOTCUA_SITE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    f"{_public.scheme}://{OTP_WEBAUTHN_RP_ID}" + (f":{_public.port}" if _public.port else "")
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# A plain-http address other than localhost (a demo on the local network) offers no passkeys
# (browsers refuse them there; app codes still work): the package's check must not stop commands.
if _public.scheme != "https" and OTP_WEBAUTHN_RP_ID != "localhost":
    SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E031"]
OTP_WEBAUTHN_HELPER_CLASS = "motcua.accounts.passkeys.StaffWebAuthnHelper"
# Public tracking lookups allowed per client address in ten minutes (guessing codes is slow).
MOTCUA_TRACKING_LOOKUPS_PER_WINDOW = env_int("MOTCUA_TRACKING_LOOKUPS_PER_WINDOW", 30)
# Answers posted to an e-form page after the session expired are kept for the same browser
# session until it logs in again: at most this many bytes each, this many per session, for this
# long, and this many new keeps per client address in an hour.
MOTCUA_POST_STASH_MAX_BYTES = env_int("MOTCUA_POST_STASH_MAX_BYTES", 64 * 1024)
MOTCUA_POST_STASHES_PER_SESSION = env_int("MOTCUA_POST_STASHES_PER_SESSION", 3)
MOTCUA_POST_STASH_SECONDS = env_int("MOTCUA_POST_STASH_SECONDS", 15 * 60)
MOTCUA_POST_STASHES_PER_IP_PER_HOUR = env_int("MOTCUA_POST_STASHES_PER_IP_PER_HOUR", 20)
# Jobs every task worker enqueues on a timer: dotted path of the task → interval in seconds.
MOTCUA_PERIODIC_TASKS = {
    "motcua.notifications.tasks.deadline_warnings": env_int("MOTCUA_DEADLINE_WARNING_SECONDS", 900),
    # Sends what the outbox has due: retries, messages after SMS quiet hours, anything a crash left.
    "motcua.notifications.tasks.outbox_dispatch_due": env_int("MOTCUA_OUTBOX_DISPATCH_SECONDS", 30),
    # Starts catalogue imports whose queued job was lost (a queue restarted empty).
    "motcua.catalog.tasks.catalog_import_jobs_resume_due": env_int("MOTCUA_CATALOG_IMPORT_SWEEP_SECONDS", 60),
    # Keeps the Zalo OA refresh token rotating when no Zalo message goes out for a while.
    "motcua.notifications.tasks.zalo_token_keep_fresh": env_int("MOTCUA_ZALO_TOKEN_CHECK_SECONDS", 6 * 3600),
    "motcua.core.audit_anchors.audit_anchor_head": env_int("MOTCUA_AUDIT_ANCHOR_SECONDS", 300),
    # Forgets failed logins older than MOTCUA_LOGIN_FAILURE_LOG_DAYS (personal data: names, addresses).
    "motcua.accounts.tasks.login_failure_log_prune": 6 * 3600,
    # Delivers results to sector systems that are due again after a failure, or were left behind.
    "motcua.exchange.tasks.result_pushes_deliver_due": env_int("MOTCUA_EXCHANGE_PUSH_SWEEP_SECONDS", 60),
    # Deletes the digests of the back-office API clients' expired access tokens.
    "motcua.api.tasks.client_tokens_clear": 3600,
    # Sends the national portal what is due and takes the dossiers submitted there.
    "motcua.national.tasks.national_sync_due": env_int("MOTCUA_NATIONAL_SYNC_SECONDS", 30),
    # Compares with the national portal once a day (the first run of the day does it, the others stop).
    "motcua.national.tasks.national_reconcile": 3600,
    # Online payments: close expired attempts, ask the gateway about unconfirmed ones, execute
    # gateway refunds, and compare yesterday with the gateway's report (once a day).
    "motcua.payments.tasks.payments_sweep_due": env_int("MOTCUA_PAYMENT_SWEEP_SECONDS", 60),
    "motcua.payments.tasks.payments_reconcile_yesterday": 3600,
    # Asks the postal carrier about shipments it sent no news of; flags those silent for days.
    "motcua.delivery.tasks.shipments_poll_due": env_int("MOTCUA_CARRIER_POLL_SECONDS", 900),
    # Renews the archive time stamps of issued results before their TSA certificate expires.
    "motcua.documents.tasks.archive_timestamps_renew_due": 24 * 3600,
    # Recomputes the demand forecasts (the first run of the day does it, the others stop).
    "motcua.forecast.tasks.demand_forecasts_nightly": 3600,
    # Sends the report templates' reports due today to their leaders (the first run of the day).
    "motcua.report_templates.tasks.report_templates_send_due": 3600,
}
# Key that signs the audit chain's anchors in the object store; empty: derived from DJANGO_SECRET_KEY.
MOTCUA_AUDIT_ANCHOR_KEY = env_str("MOTCUA_AUDIT_ANCHOR_KEY", "")
MOTCUA_PROVINCE_CODE = env_str("MOTCUA_PROVINCE_CODE", "H15")
# Office hours in Asia/Ho_Chi_Minh; submissions after the cut-off count from the next working day.
MOTCUA_OFFICE_HOURS = env_list("MOTCUA_OFFICE_HOURS", "07:30-11:30,13:30-17:00")
MOTCUA_SUBMISSION_CUTOFF = env_str("MOTCUA_SUBMISSION_CUTOFF", "16:00")
# Dossier code, national format: agency electronic ID, date of reception, daily sequence.
MOTCUA_DOSSIER_CODE_FORMAT = env_str("MOTCUA_DOSSIER_CODE_FORMAT", "{agency}-{date:%y%m%d}-{seq:04d}")
# How often each web process reads the maintenance switch (manage.py maintenance on|off).
MOTCUA_MAINTENANCE_CHECK_SECONDS = env_int("MOTCUA_MAINTENANCE_CHECK_SECONDS", 2)
# Minutes a counter officer takes to receive one dossier, for procedures without their own norm
# (admin: "Định mức tiếp nhận tại quầy"); a counter works the office hours above each day.
MOTCUA_COUNTER_MINUTES_PER_DOSSIER = env_int("MOTCUA_COUNTER_MINUTES_PER_DOSSIER", 15)
# Seconds after which a silent worker counts as down in /healthz.
MOTCUA_WORKER_STALE_SECONDS = env_int("MOTCUA_WORKER_STALE_SECONDS", 90)
# Bearer token that shows a monitoring system the detail of /healthz (empty: staff only).
MOTCUA_HEALTHZ_TOKEN = env_str("MOTCUA_HEALTHZ_TOKEN", "")

# --- Outside systems: which plugin each registry uses, and the real adapters' addresses. ---
MOTCUA_PLUGINS = {
    "sms": env_str("MOTCUA_SMS_PLUGIN", "demo"),
    "population": env_str("MOTCUA_POPULATION_PLUGIN", "demo"),
    "signing": env_str("MOTCUA_SIGNING_PLUGIN", "dev-ca"),
    "email": env_str("MOTCUA_EMAIL_PLUGIN", "demo"),
    "zalo": env_str("MOTCUA_ZALO_PLUGIN", "demo"),
    "exchange": env_str("MOTCUA_EXCHANGE_PLUGIN", "demo"),
    "national": env_str("MOTCUA_NATIONAL_PLUGIN", "demo"),
    "payments": env_str("MOTCUA_PAYMENTS_PLUGIN", "demo"),
    # "manual": the officer posts the result and types the parcel number; "http": a carrier API.
    "carrier": env_str("MOTCUA_CARRIER_PLUGIN", "manual"),
}
# Signing with the officer's own certificate (docs/signing.md#hardware-tokens-pkcs11 and
# #remote-signing-csc-api-v2): the PKCS#11 library with the leader's token and key labels and
# the agency's (the seal), and the remote signing service's address and our access token.
MOTCUA_PKCS11 = {
    "library": env_str("MOTCUA_PKCS11_LIBRARY", "/usr/lib/softhsm/libsofthsm2.so"),
    "token": env_str("MOTCUA_PKCS11_TOKEN", ""),
    "key": env_str("MOTCUA_PKCS11_KEY", ""),
    "seal_token": env_str("MOTCUA_PKCS11_SEAL_TOKEN", ""),
    "seal_key": env_str("MOTCUA_PKCS11_SEAL_KEY", ""),
}
MOTCUA_CSC = {
    "url": env_str("MOTCUA_CSC_URL", ""),
    "token": env_str("MOTCUA_CSC_TOKEN", ""),
}
# Signed results (docs/signing.md): the RFC 3161 time-stamping authority every signature gets
# its trusted time from; whether a signature without one is refused (default: when a TSA is set);
# the trust list (PEM/DER files or directories of root certificates; empty: the signing plugin's
# roots); and, outside production, trust in the test hierarchy (its TSA serves the demo).
MOTCUA_SIGNING_TSA_URL = env_str("MOTCUA_SIGNING_TSA_URL", "")
MOTCUA_SIGNING_TIMESTAMP_REQUIRED = env_bool("MOTCUA_SIGNING_TIMESTAMP_REQUIRED", bool(MOTCUA_SIGNING_TSA_URL))
MOTCUA_SIGNING_TRUST_ROOTS = env_list("MOTCUA_SIGNING_TRUST_ROOTS", "")
MOTCUA_SIGNING_TRUST_TEST_PKI = True
# The postal carrier's API for the "http" plugin (docs/delivery.md#carrier-protocol): its
# address, API token, the secret that signs its tracking webhooks, its name on shipments, and
# the phone number of the sending one-stop units it asks for.
MOTCUA_CARRIER_HTTP_URL = env_str("MOTCUA_CARRIER_HTTP_URL", "")
MOTCUA_CARRIER_HTTP_TOKEN = env_str("MOTCUA_CARRIER_HTTP_TOKEN", "")
MOTCUA_CARRIER_WEBHOOK_SECRET = env_str("MOTCUA_CARRIER_WEBHOOK_SECRET", "")
MOTCUA_CARRIER_NAME = env_str("MOTCUA_CARRIER_NAME", "Bưu điện (VNPost)")
MOTCUA_CARRIER_SENDER_PHONE = env_str("MOTCUA_CARRIER_SENDER_PHONE", "")
# A shipment with no news from the carrier for this many days is flagged for staff as lost.
MOTCUA_CARRIER_LOST_DAYS = env_int("MOTCUA_CARRIER_LOST_DAYS", 10)
# How long a started online payment waits for the gateway before it expires.
MOTCUA_PAYMENT_MINUTES = env_int("MOTCUA_PAYMENT_MINUTES", 15)
# Gateway notifications one address may send per minute: a flood is refused before any signature.
MOTCUA_PAYMENT_IPNS_PER_MINUTE = env_int("MOTCUA_PAYMENT_IPNS_PER_MINUTE", 600)
# VNPay (docs/payments.md#vnpay): the merchant's website code and hash secret, the payment page,
# the merchant API (querydr, refund), the daily report, and our server's address sent in API calls.
MOTCUA_VNPAY_TMN_CODE = env_str("MOTCUA_VNPAY_TMN_CODE", "")
MOTCUA_VNPAY_HASH_SECRET = env_str("MOTCUA_VNPAY_HASH_SECRET", "")
MOTCUA_VNPAY_PAY_URL = env_str("MOTCUA_VNPAY_PAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
MOTCUA_VNPAY_API_URL = env_str("MOTCUA_VNPAY_API_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
MOTCUA_VNPAY_REPORT_URL = env_str("MOTCUA_VNPAY_REPORT_URL", "")
MOTCUA_VNPAY_SERVER_IP = env_str("MOTCUA_VNPAY_SERVER_IP", "127.0.0.1")
# The national payment platform (provisional wire format, payments/national_platform.py).
MOTCUA_NATIONAL_PAY_URL = env_str("MOTCUA_NATIONAL_PAY_URL", "")
MOTCUA_NATIONAL_PAY_MERCHANT = env_str("MOTCUA_NATIONAL_PAY_MERCHANT", "")
MOTCUA_NATIONAL_PAY_SECRET = env_str("MOTCUA_NATIONAL_PAY_SECRET", "")
MOTCUA_SMS_HTTP_URL = env_str("MOTCUA_SMS_HTTP_URL", "")
MOTCUA_SMS_HTTP_TOKEN = env_str("MOTCUA_SMS_HTTP_TOKEN", "")
MOTCUA_POPULATION_HTTP_URL = env_str("MOTCUA_POPULATION_HTTP_URL", "")
MOTCUA_POPULATION_HTTP_TOKEN = env_str("MOTCUA_POPULATION_HTTP_TOKEN", "")
# The national portal's interface (docs/national-portal.md) for the "http" plugin.
MOTCUA_NATIONAL_HTTP_URL = env_str("MOTCUA_NATIONAL_HTTP_URL", "")
MOTCUA_NATIONAL_HTTP_TOKEN = env_str("MOTCUA_NATIONAL_HTTP_TOKEN", "")
# A record the portal could not take is tried again after 1, 2, 4… minutes, at most this far
# apart, and never given up: a portal down for a day is caught up within this long of its return.
MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS = env_int("MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS", 3600)
# Dossiers with events in this many days are compared with the portal by the daily reconciliation.
MOTCUA_NATIONAL_RECONCILE_DAYS = env_int("MOTCUA_NATIONAL_RECONCILE_DAYS", 30)
MOTCUA_HTTP_TIMEOUT_SECONDS = env_int("MOTCUA_HTTP_TIMEOUT_SECONDS", 10)
# The province's data-exchange platform (LGSP), docs/data-exchange.md: its address, the ids of
# this system and of the platform, and the shared key that signs requests and answers.
MOTCUA_EXCHANGE_URL = env_str("MOTCUA_EXCHANGE_URL", "")
MOTCUA_EXCHANGE_SYSTEM_ID = env_str("MOTCUA_EXCHANGE_SYSTEM_ID", "MOTCUA-H15")
MOTCUA_EXCHANGE_PLATFORM_ID = env_str("MOTCUA_EXCHANGE_PLATFORM_ID", "LGSP-DAKLAK")
MOTCUA_EXCHANGE_SECRET = env_str("MOTCUA_EXCHANGE_SECRET", "")
# Procedure field code → the sector system's service that receives its results.
MOTCUA_EXCHANGE_RESULT_SERVICES = {"G15-TP07": "HOTICH.CAPNHAT_KETQUA", "CUTRU": "CUTRU.CAPNHAT_KETQUA"}
# Procedure fields about businesses: their reception officers may look a tax code up.
MOTCUA_EXCHANGE_BUSINESS_FIELDS = frozenset({"DKDN", "HKD"})
# Zalo Notification Service (ZNS) API of the province's Zalo Official Account.
MOTCUA_ZALO_HTTP_URL = env_str("MOTCUA_ZALO_HTTP_URL", "")
# OA access tokens expire after 25 hours. With an app id, its secret key and a first refresh
# token, the plugin renews them and keeps the rotating pair in the database (ZaloOaToken); the
# refresh token here is used only while nothing is stored. Without an app id, the access token
# below is used as is (until it expires).
MOTCUA_ZALO_APP_ID = env_str("MOTCUA_ZALO_APP_ID", "")
MOTCUA_ZALO_SECRET_KEY = env_str("MOTCUA_ZALO_SECRET_KEY", "")
MOTCUA_ZALO_REFRESH_TOKEN = env_str("MOTCUA_ZALO_REFRESH_TOKEN", "")
MOTCUA_ZALO_OAUTH_URL = env_str("MOTCUA_ZALO_OAUTH_URL", "https://oauth.zaloapp.com/v4/oa/access_token")
MOTCUA_ZALO_ACCESS_TOKEN = env_str("MOTCUA_ZALO_ACCESS_TOKEN", "")

# --- Notifications to citizens (docs/notifications.md). ---
# Channels in use in this deployment; a citizen's own choices narrow them further.
MOTCUA_NOTIFICATION_CHANNELS = env_list("MOTCUA_NOTIFICATION_CHANNELS", "email,sms,zalo")
# A failed message is tried again after 60 s, 120 s, 240 s… (at most an hour apart), and given up
# ("dead", shown in the admin) after this many attempts: about six hours with the defaults.
MOTCUA_OUTBOX_MAX_ATTEMPTS = env_int("MOTCUA_OUTBOX_MAX_ATTEMPTS", 12)
MOTCUA_OUTBOX_BACKOFF_SECONDS = env_int("MOTCUA_OUTBOX_BACKOFF_SECONDS", 60)
MOTCUA_OUTBOX_BACKOFF_MAX_SECONDS = env_int("MOTCUA_OUTBOX_BACKOFF_MAX_SECONDS", 3600)
# How long a worker owns a message it is sending; longer than any provider call can take.
MOTCUA_OUTBOX_LEASE_SECONDS = env_int("MOTCUA_OUTBOX_LEASE_SECONDS", 120)
# Messages each channel sends at most per dispatch pass, and seconds of sending it may spend:
# channels are served in turn, so one slow or refusing provider never holds up another.
MOTCUA_OUTBOX_BATCH_SIZE = env_int("MOTCUA_OUTBOX_BATCH_SIZE", 200)
MOTCUA_OUTBOX_CHANNEL_BUDGET_SECONDS = env_int("MOTCUA_OUTBOX_CHANNEL_BUDGET_SECONDS", 20)
# A channel whose provider is down, or refuses this many messages in a row, is paused for every
# worker (its messages keep their attempts): first for PAUSE seconds, doubling up to PAUSE_MAX.
MOTCUA_OUTBOX_CHANNEL_FAILURE_THRESHOLD = env_int("MOTCUA_OUTBOX_CHANNEL_FAILURE_THRESHOLD", 5)
MOTCUA_OUTBOX_CHANNEL_PAUSE_SECONDS = env_int("MOTCUA_OUTBOX_CHANNEL_PAUSE_SECONDS", 30)
MOTCUA_OUTBOX_CHANNEL_PAUSE_MAX_SECONDS = env_int("MOTCUA_OUTBOX_CHANNEL_PAUSE_MAX_SECONDS", 300)
# No notification SMS in these local hours ("" for none): they wait for the end of the period.
MOTCUA_SMS_QUIET_HOURS = env_str("MOTCUA_SMS_QUIET_HOURS", "21:00-07:00")
# Character set of each SMS route: "gsm7" routes get the text without accents, "ucs2" as written.
MOTCUA_SMS_ROUTES = {
    "brandname": env_str("MOTCUA_SMS_BRANDNAME_ENCODING", "gsm7"),
    "unicode": "ucs2",
}
MOTCUA_SMS_NOTIFICATION_ROUTE = env_str("MOTCUA_SMS_NOTIFICATION_ROUTE", "brandname")
# Shared secrets the providers sign their webhooks with (HMAC-SHA256); empty refuses every call.
MOTCUA_SMS_WEBHOOK_SECRET = env_str("MOTCUA_SMS_WEBHOOK_SECRET", "")
MOTCUA_ZALO_WEBHOOK_SECRET = env_str("MOTCUA_ZALO_WEBHOOK_SECRET", "")
MOTCUA_WEBHOOK_MAX_AGE_SECONDS = env_int("MOTCUA_WEBHOOK_MAX_AGE_SECONDS", 300)
# Answers to "HS <mã hồ sơ>" texts, per sender and hour (beyond it, texts are recorded unanswered).
MOTCUA_INBOUND_REPLIES_PER_HOUR = env_int("MOTCUA_INBOUND_REPLIES_PER_HOUR", 10)

# --- One-time codes (SMS) for phone verification and submission confirmation. ---
MOTCUA_OTP_TTL_SECONDS = env_int("MOTCUA_OTP_TTL_SECONDS", 300)
MOTCUA_OTP_MAX_ATTEMPTS = env_int("MOTCUA_OTP_MAX_ATTEMPTS", 5)
MOTCUA_OTP_LOCK_SECONDS = env_int("MOTCUA_OTP_LOCK_SECONDS", 900)
MOTCUA_OTP_SENDS_PER_HOUR = env_int("MOTCUA_OTP_SENDS_PER_HOUR", 5)

# --- Uploads. ---
MOTCUA_UPLOAD_MAX_BYTES = env_int("MOTCUA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Each upload is inspected (PDF parsing, image decoding) in a child process limited to this
# much CPU time and this much memory on top of what the child starts with; beyond them the file
# is refused, so a parser flaw costs one refusal instead of a blocked web worker.
MOTCUA_UPLOAD_INSPECT_CPU_SECONDS = env_int("MOTCUA_UPLOAD_INSPECT_CPU_SECONDS", 5)
MOTCUA_UPLOAD_INSPECT_MEMORY_MB = env_int("MOTCUA_UPLOAD_INSPECT_MEMORY_MB", 512)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail. ---
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_str("EMAIL_USE_TLS", "false").lower() == "true"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cổng Dịch vụ công <no-reply@dichvucong.local>")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Right-hand side of the Message-ID of notification e-mails (<reference@domain>).
MOTCUA_EMAIL_MESSAGE_ID_DOMAIN = env_str("MOTCUA_EMAIL_MESSAGE_ID_DOMAIN", "dichvucong.local")

# --- Single sign-on (national identity / national portal) through OpenID Connect. ---
MOTCUA_OIDC_ISSUER = env_str("MOTCUA_OIDC_ISSUER", "")
MOTCUA_OIDC_CLIENT_ID = env_str("MOTCUA_OIDC_CLIENT_ID", "")
MOTCUA_OIDC_CLIENT_SECRET = env_str("MOTCUA_OIDC_CLIENT_SECRET", "")
# The claim carrying the 12-digit personal identification number; "cccd" and "so_dinh_danh" are also read.
MOTCUA_OIDC_ID_NUMBER_CLAIM = env_str("MOTCUA_OIDC_ID_NUMBER_CLAIM", "citizen_id")

# django-allauth carries the OIDC protocol only (authorization code + PKCE, no nonce: identities are
# keyed by issuer and subject). Citizens sign up with a phone number (motcua.accounts), staff log in
# through the back office: allauth's own signup, e-mail and password pages are never used or routed.
SOCIALACCOUNT_PROVIDERS: dict = {}
if MOTCUA_OIDC_ISSUER:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APP": {
            "provider_id": "vneid",
            "name": "VNeID / Cổng Dịch vụ công quốc gia",
            "client_id": MOTCUA_OIDC_CLIENT_ID,
            "secret": MOTCUA_OIDC_CLIENT_SECRET,
            "settings": {
                "server_url": MOTCUA_OIDC_ISSUER,
                "scope": env_list("MOTCUA_OIDC_SCOPES", "openid,profile,email,phone"),
            },
        },
    }
SOCIALACCOUNT_ADAPTER = "motcua.accounts.sso.CitizenSocialAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("MOTCUA_HTTP_TIMEOUT_SECONDS", 10)
ACCOUNT_ADAPTER = "motcua.accounts.sso.SsoOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every line passes a filter that masks ID numbers, whichever library logged it.
    "filters": {"mask_ids": {"()": "motcua.core.privacy.MaskIdNumbersFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_ids"]}},
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "INFO")},
    # PDF libraries narrate every step at INFO; only their problems are worth a line.
    "loggers": {
        "fontTools": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # pyHanko logs a traceback for each revocation source it cannot reach while validating;
        # the verdict (and its reason) is what the verification page and API report.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}
