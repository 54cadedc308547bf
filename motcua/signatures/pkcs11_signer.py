"""The "pkcs11" signing plugin: a hardware token (the USB tokens officials use) or an HSM,
through PKCS#11 and pyhanko's `PKCS11Signer`; the private key never leaves the token.

`settings.MOTCUA_PKCS11` names the PKCS#11 library and, for each kind of signature, the token
(by label) and the key and certificate on it (by label): the leader's own certificate, and
the agency's organisation certificate used for the seal at issue. Without a key label (an HSM
or a shared token holding every leader's key) the certificate is the one whose common name is
the signer's (the leader's full name, the agency's name), and the key the one with its CKA_ID. The officer types the
token's PIN at signing time; it goes to the token and nowhere else (not stored, not logged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.signatures.signing import (
    DEFAULT_FIELD_NAME,
    Confirmation,
    Signer,
    SigningFailed,
    VisibleStamp,
    confirmation_not_needed,
    sign_with,
    signers,
)
from motcua.signatures.trust import certificate_in_force, certificate_names, configured_trust_roots

if TYPE_CHECKING:
    from asn1crypto.x509 import Certificate


class Pkcs11Signer:
    confirmation = Confirmation.PIN

    def __init__(self, *, library: str, token: str, key: str, seal_token: str, seal_key: str):
        self.library = library
        self.token, self.key = token, key
        self.seal_token, self.seal_key = seal_token or token, seal_key

    def confirmation_send(self, *, signer_name: str, seal: bool = False) -> None:
        raise confirmation_not_needed()

    def sign_pdf(
        self,
        *,
        pdf: bytes,
        signer_name: str,
        reason: str,
        location: str,
        field_name: str = DEFAULT_FIELD_NAME,
        stamp: VisibleStamp | None = None,
        seal: bool = False,
        confirmation: str = "",
    ) -> bytes:
        from pkcs11 import exceptions as p11
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

        token_label, key_label = (self.seal_token, self.seal_key) if seal else (self.token, self.key)
        if not confirmation:
            raise SigningFailed(_("Hãy nhập mã PIN của thiết bị ký số (token)."), code="signing_pin_missing")
        try:
            session = open_pkcs11_session(
                self.library, token_criteria=TokenCriteria(label=token_label), user_pin=confirmation
            )
        except p11.PinIncorrect:
            raise SigningFailed(
                _("Mã PIN của thiết bị ký số không đúng. Nhập sai nhiều lần thiết bị sẽ bị khóa."),
                code="signing_pin_incorrect",
            ) from None
        except p11.PinLocked:
            raise SigningFailed(
                _(
                    "Thiết bị ký số đã bị khóa do nhập sai mã PIN quá số lần cho phép: "
                    "hãy liên hệ nơi cấp chứng thư số để mở khóa."
                ),
                code="signing_pin_locked",
            ) from None
        except (p11.PKCS11Error, SigningError, OSError, RuntimeError):
            raise SigningFailed(
                _("Không tìm thấy thiết bị ký số “%(token)s”: hãy cắm thiết bị (USB token) vào máy rồi ký lại.")
                % {"token": token_label},
                code="signing_token_absent",
            ) from None
        try:
            if key_label:
                signer = PKCS11Signer(session, cert_label=key_label, key_label=key_label, other_certs_to_pull=None)
            else:
                object_id = _certificate_id(session, signer_name)
                signer = PKCS11Signer(session, cert_id=object_id, key_id=object_id, other_certs_to_pull=None)
            try:
                cert = signer.signing_cert
            except (p11.PKCS11Error, SigningError):
                raise SigningFailed(
                    _("Thiết bị ký số không có khóa và chứng thư số “%(label)s”.")
                    % {"label": key_label or signer_name},
                    code="signing_key_missing",
                ) from None
            certificate_in_force(cert)
            return sign_with(
                signer,
                pdf=pdf,
                signer_name=signer_name,
                reason=reason,
                location=location,
                field_name=field_name,
                stamp=stamp,
            )
        finally:
            session.close()

    def trust_roots(self) -> list[Certificate]:
        return configured_trust_roots()


def _certificate_id(session: Any, signer_name: str) -> bytes:
    """The CKA_ID of the certificate on the token whose common name is `signer_name`'s; a key
    and its certificate share their CKA_ID by the PKCS#11 convention."""
    from asn1crypto.x509 import Certificate
    from pkcs11 import Attribute, ObjectClass

    for found in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
        if certificate_names(Certificate.load(found[Attribute.VALUE]), signer_name):
            return bytes(found[Attribute.ID])
    raise SigningFailed(
        _("Thiết bị ký số không có chứng thư số mang tên “%(name)s”.") % {"name": signer_name},
        code="signing_key_missing",
    )


@signers.register("pkcs11")
def _pkcs11() -> Signer:
    config = settings.MOTCUA_PKCS11
    return Pkcs11Signer(
        library=config["library"],
        token=config["token"],
        key=config["key"],
        seal_token=config["seal_token"],
        seal_key=config["seal_key"],
    )
