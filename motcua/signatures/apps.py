from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "motcua.signatures"
    label = "signatures"
    verbose_name = _("Chữ ký số")

    def ready(self) -> None:
        # The signing plugins register themselves with `signatures.signing.signers`.
        from motcua.signatures import csc_signer, pkcs11_signer  # noqa: F401
