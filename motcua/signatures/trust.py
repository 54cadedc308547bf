"""The root certificates the real signing plugins chain up to, from the files named in
`settings.MOTCUA_SIGNING_TRUST_ROOTS` (PEM or DER): in production the national root CAs
(the government's and the public CA system's), in tests and the demo the test hierarchy's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.documents.signing import SigningFailed

if TYPE_CHECKING:
    from asn1crypto.x509 import Certificate


def configured_trust_roots() -> list[Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    paths = [str(Path(path)) for path in settings.MOTCUA_SIGNING_TRUST_ROOTS if path]
    return list(load_certs_from_pemder(paths)) if paths else []


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
