"""Which root certificates the platform trusts, for signing (the validation material embedded
in every signature) and for verifying results (the verification page and API).

`MOTCUA_SIGNING_TRUST_ROOTS` names PEM or DER files, or directories of them: in production the
national root CAs (the government's specialised CA system and the public CA system, see
docs/signing.md); nothing is shipped. Left empty, the active signing plugin's roots are trusted,
plus, outside production (`MOTCUA_SIGNING_TRUST_TEST_PKI`), the root of the test hierarchy whose
time-stamping authority the demo and the tests use.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from pathlib import Path

from asn1crypto import pem
from asn1crypto.x509 import Certificate
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from motcua.signatures.errors import SigningFailed

CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


@functools.cache
def test_root() -> Certificate:
    """The test hierarchy's root (it carries no service URLs, so any URL prefix gives it)."""
    from certomancer.registry import CertLabel

    from motcua.signatures.hierarchy import hierarchy_load

    return hierarchy_load("http://127.0.0.1").get_cert(CertLabel("root"))


def certificates_read(path: Path) -> list[Certificate]:
    """Every certificate in a PEM (one or more) or DER file."""
    data = path.read_bytes()
    if pem.detect(data):
        return [
            Certificate.load(der) for kind, _headers, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"
        ]
    return [Certificate.load(data)]


@functools.cache
def _configured_roots(paths: tuple[str, ...]) -> tuple[Certificate, ...]:
    roots: list[Certificate] = []
    for name in paths:
        path = Path(name)
        files = (
            sorted(p for p in path.iterdir() if p.suffix.lower() in CERTIFICATE_SUFFIXES) if path.is_dir() else [path]
        )
        for file in files:
            try:
                roots.extend(certificates_read(file))
            except (OSError, ValueError) as error:
                raise ImproperlyConfigured(f"MOTCUA_SIGNING_TRUST_ROOTS: cannot read {file}: {error}") from error
    if not roots:
        raise ImproperlyConfigured(f"MOTCUA_SIGNING_TRUST_ROOTS names no certificate: {', '.join(paths)}")
    return tuple(roots)


def configured_trust_roots() -> list[Certificate]:
    """The roots named in `MOTCUA_SIGNING_TRUST_ROOTS` (none when it is empty): what the
    pkcs11 and csc plugins' certificates chain up to."""
    if not settings.MOTCUA_SIGNING_TRUST_ROOTS:
        return []
    return list(_configured_roots(tuple(settings.MOTCUA_SIGNING_TRUST_ROOTS)))


def trust_roots() -> list[Certificate]:
    """The trust list: the configured roots, or the active plugin's (and the test root)."""
    if settings.MOTCUA_SIGNING_TRUST_ROOTS:
        return configured_trust_roots()
    from motcua.signatures.signing import signers

    roots = list(signers.get().trust_roots())
    if settings.MOTCUA_SIGNING_TRUST_TEST_PKI:
        roots.append(test_root())
    return roots


def certificate_in_force(cert: Certificate, *, now: dt.datetime | None = None) -> None:
    """Refuse a certificate that is expired or not yet valid: a signature made with it
    would not verify, so the result is not signed at all."""
    now = now or dt.datetime.now(dt.UTC)
    if now < cert.not_valid_before:
        raise SigningFailed(
            _("Chứng thư số của %(name)s chưa đến ngày có hiệu lực (%(day)s): chưa thể ký.")
            % {"name": cert.subject.native.get("common_name", ""), "day": cert.not_valid_before.strftime("%d/%m/%Y")},
            code="signing_certificate_not_yet_valid",
        )
    if now > cert.not_valid_after:
        raise SigningFailed(
            _("Chứng thư số của %(name)s đã hết hạn ngày %(day)s: hãy gia hạn chứng thư số rồi ký lại.")
            % {"name": cert.subject.native.get("common_name", ""), "day": cert.not_valid_after.strftime("%d/%m/%Y")},
            code="signing_certificate_expired",
        )


def certificate_names(cert: Certificate, name: str) -> bool:
    """Whether `cert` is `name`'s (a leader's full name or an agency's name), by its subject's
    common name, compared Unicode-normalised and case-folded: how a remote-signing service's
    credential or a shared token's key is found for the officer signing."""
    common_name = str(cert.subject.native.get("common_name", ""))
    return _folded(common_name) == _folded(name)


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold().strip()
