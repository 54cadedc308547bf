"""Trusted time and long-term validation material for every signature (PAdES B-T, B-LT, B-LTA).

Every signature made by `signatures.signing.sign_with` carries an RFC 3161 time stamp from the
time-stamping authority at `MOTCUA_SIGNING_TSA_URL` and, in the document security store, the
chain and the revocation information (CRL, OCSP) fetched at signing time; the issued result then
gets a document time stamp (`archive_timestamp_add`) that seals that material. A result so signed
still verifies after the signer's certificate expired or was revoked: the time stamps prove the
signature and the revocation answers existed before.

A certificate without revocation services (the "dev-ca" demo plugin's) is embedded with its
chain only: there is nothing to fetch, and the validation context soft-fails on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.signatures.errors import SigningFailed
from motcua.signatures.trust import trust_roots

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

TSA_TIMEOUT_SECONDS = 10


class TimestampUnavailable(Exception):
    """The time-stamping authority did not answer with a time stamp."""


def timestamper() -> TimeStamper | None:
    """The configured TSA's client, or None when signatures go without a time stamp."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    if settings.MOTCUA_SIGNING_TSA_URL:
        return HTTPTimeStamper(settings.MOTCUA_SIGNING_TSA_URL, timeout=TSA_TIMEOUT_SECONDS)
    if settings.MOTCUA_SIGNING_TIMESTAMP_REQUIRED:
        raise SigningFailed(
            _("Chưa cấu hình máy chủ cấp dấu thời gian (TSA) nên không thể ký số. Hãy báo quản trị hệ thống."),
            code="signing_tsa_missing",
        )
    return None


def signing_validation_context() -> ValidationContext:
    """Validates the signer's (and the TSA's) certificate before signing and collects the
    chain and revocation answers to embed. Revocation services that cannot be reached
    soft-fail (a certificate found revoked still fails)."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=trust_roots(), allow_fetching=True, revocation_mode="soft-fail")


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


@contextmanager
def signing_errors_explained() -> Iterator[None]:
    """Turn pyhanko's refusals (TSA down or answering garbage, a certificate that does not
    validate) into `TimestampUnavailable` or a `SigningFailed` with a Vietnamese message."""
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import ExpiredError, PathBuildingError, PathValidationError, RevokedError

    try:
        yield
    except ApplicationError:
        raise
    except Exception as error:
        causes = list(_causes(error))
        if any(isinstance(cause, TimestampRequestError) for cause in causes):
            logger.warning("time-stamping authority unavailable", exc_info=True)
            raise TimestampUnavailable(str(error)) from error
        if any(isinstance(cause, RevokedError) for cause in causes):
            raise SigningFailed(
                _("Chứng thư số của người ký đã bị thu hồi: không thể ký số bằng chứng thư này."),
                code="signing_certificate_revoked",
            ) from error
        if any(isinstance(cause, ExpiredError) for cause in causes):
            raise SigningFailed(
                _("Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực: không thể ký số."),
                code="signing_certificate_expired",
            ) from error
        if any(isinstance(cause, PathBuildingError | PathValidationError) for cause in causes):
            raise SigningFailed(
                _("Chứng thư số của người ký không do tổ chức được tin cậy cấp: không thể ký số."),
                code="signing_certificate_untrusted",
            ) from error
        if isinstance(error, SigningError):
            logger.warning("signing refused", exc_info=True)
            raise SigningFailed(
                _("Không ký số được văn bản: %(reason)s") % {"reason": error}, code="signing_failed"
            ) from error
        raise


def timestamp_refused() -> SigningFailed:
    return SigningFailed(
        _(
            "Máy chủ cấp dấu thời gian (TSA) không phản hồi hoặc trả lời không hợp lệ, nên văn bản chưa được ký "
            "và chưa được ban hành. Hãy thử lại sau ít phút."
        ),
        code="signing_tsa_unavailable",
    )
