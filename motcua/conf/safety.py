"""Refusals of unsafe production settings, and the one explicit, loud allowance for a loopback stack.

The production profile calls `secret_key_refuse_weak` first and `production_refuse_unsafe` once
every setting is read; each refusal names the variable and the fix. `MOTCUA_ALLOW_INSECURE`
waives named checks only (WAIVERS): it exists for the project's own loopback stack
(motcua.core.stack: plain HTTP, a database that trusts loopback connections), and every process
that starts with it says so on standard error.
"""

import sys
from typing import Any

from django.core.checks.security.base import SECRET_KEY_INSECURE_PREFIX, SECRET_KEY_MIN_LENGTH
from django.core.exceptions import ImproperlyConfigured

WAIVERS = {
    # The site itself is served without TLS: the SSL redirect and HSTS both off, an http:// public URL.
    "plain-http": "served over plain HTTP (no SSL redirect, no HSTS, http:// public URL)",
    # A database role without a password over TCP (a server that trusts loopback connections).
    "empty-db-password": "empty POSTGRES_PASSWORD over TCP",
}
# Django's own floor (`check --deploy`, W009) is 5 distinct characters, which "abcde" * 10 passes;
# a random key of 50 characters from any usual alphabet (hexadecimal included) has far more than 12.
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 12
# Our embedded profile's default key and Django's startproject keys announce themselves.
INSECURE_PREFIXES = ("insecure-", SECRET_KEY_INSECURE_PREFIX)


def insecure_waivers(names: list[str]) -> set[str]:
    """The checks MOTCUA_ALLOW_INSECURE waives; an unknown name is refused rather than ignored."""
    unknown = sorted(set(names) - set(WAIVERS))
    if unknown:
        raise ImproperlyConfigured(
            f"MOTCUA_ALLOW_INSECURE names unknown checks: {', '.join(unknown)}. "
            f"Known: {', '.join(sorted(WAIVERS))} (docs/operations.md); leave it empty on a real site."
        )
    if names:
        waived = "; ".join(f"{name}: {WAIVERS[name]}" for name in sorted(set(names)))
        print(f"WARNING: MOTCUA_ALLOW_INSECURE waives production safety checks ({waived}).", file=sys.stderr)
    return set(names)


def secret_key_refuse_weak(key: str) -> None:
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(INSECURE_PREFIXES)
    ):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is missing or weak: set at least {SECRET_KEY_MIN_LENGTH} random characters "
            f"with at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )


def production_refuse_unsafe(
    *,
    allowed_hosts: list[str],
    ssl_redirect: bool,
    hsts_seconds: int,
    public_url: str,
    database: dict[str, Any],
    oidc_issuer: str,
    waivers: set[str],
) -> None:
    """Raise ImproperlyConfigured with the operator's fix for the first unsafe value found."""
    if not allowed_hosts or "*" in allowed_hosts:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names, e.g. dichvucong.example.vn; "
            "'*' (or nothing) lets any Host header through into links and e-mails."
        )
    plain_http = "plain-http" in waivers
    # One of the two alone is allowed: the proxy may do the redirect (HSTS then keeps browsers on
    # HTTPS), or HSTS may be off while HTTPS is being tried out (the redirect still applies).
    if not ssl_redirect and hsts_seconds <= 0 and not plain_http:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_SSL_REDIRECT=false together with DJANGO_HSTS_SECONDS=0 leaves nothing that "
            "keeps browsers on HTTPS: keep the redirect on (the default), or set DJANGO_HSTS_SECONDS "
            "(e.g. 3600) when the proxy does the redirect."
        )
    if not public_url.startswith("https://") and not (plain_http and public_url.startswith("http://")):
        raise ImproperlyConfigured(
            "MOTCUA_PUBLIC_URL must be the portal's public https:// address, e.g. https://dichvucong.example.vn "
            f"(it is printed into the QR code of every result); it is {public_url!r}."
        )
    # A socket directory as host means peer authentication: the operating system vouches for the role.
    if not database["PASSWORD"] and not database["HOST"].startswith("/") and "empty-db-password" not in waivers:
        raise ImproperlyConfigured(
            "POSTGRES_PASSWORD is empty: give the runtime role a password (docs/operations.md), or "
            "connect through the server's socket directory (POSTGRES_HOST=/var/run/postgresql) with peer "
            "authentication."
        )
    if oidc_issuer and not oidc_issuer.startswith("https://"):
        raise ImproperlyConfigured(
            "MOTCUA_OIDC_ISSUER must be an https:// address: identity tokens and keys fetched over plain "
            "HTTP can be forged on the way, and anyone could then log in as any citizen."
        )
