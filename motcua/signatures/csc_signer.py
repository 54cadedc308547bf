"""The "csc" signing plugin: a remote signing service speaking the Cloud Signature Consortium
API v2, which holds the officers' and the agency's keys; our server only sends the digest to
sign (pyhanko's `CSCSigner`) and never sees a private key.

A signature goes: `credentials/list` and `credentials/info` (the credential whose certificate
names the signer), then the officer's confirmation: on "send me the code" the service texts a
one-time code to the officer's phone (`credentials/sendOTP`); the officer types it, and at
signing time `credentials/authorize` exchanges it for a signature activation data (SAD) bound
to the digest; then `signatures/signHash`. `settings.MOTCUA_CSC` gives the service's address
and our OAuth access token.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.signatures.signing import (
    DEFAULT_FIELD_NAME,
    Confirmation,
    Signer,
    SigningFailed,
    VisibleStamp,
    _outside_event_loop,
    sign_with,
    signers,
)
from motcua.signatures.trust import certificate_in_force, certificate_names, configured_trust_roots

if TYPE_CHECKING:
    import aiohttp
    from asn1crypto.x509 import Certificate
    from pyhanko.sign.signers.csc_signer import CSCCredentialInfo, CSCServiceSessionInfo

CSC_API_VERSION = "v2"


class ServiceAnswer(Exception):
    """A CSC endpoint answered with an error (`status`, CSC `error` code) or not at all
    (`status` 0)."""

    def __init__(self, *, endpoint: str, status: int, error: str = ""):
        super().__init__(f"{endpoint}: {status} {error}")
        self.endpoint, self.status, self.error = endpoint, status, error


def _unavailable() -> SigningFailed:
    return SigningFailed(
        _("Dịch vụ ký số từ xa đang không liên lạc được; kết quả chưa được ký. Hãy thử lại sau ít phút."),
        code="signing_service_down",
    )


def _refusal(answer: ServiceAnswer) -> SigningFailed:
    """The officer's message for what the service said."""
    if answer.status == 0 or answer.status >= 500:
        return _unavailable()
    if answer.endpoint == "credentials/authorize" and answer.error == "invalid_otp":
        return SigningFailed(
            _("Mã xác nhận không đúng hoặc đã hết hạn. Hãy bấm “Gửi mã xác nhận” để nhận mã mới rồi ký lại."),
            code="signing_code_incorrect",
        )
    if answer.endpoint == "signatures/signHash":
        return SigningFailed(
            _("Phiên cho phép ký đã hết hạn trước khi ký xong. Hãy nhận mã xác nhận mới và ký lại."),
            code="signing_authorisation_expired",
        )
    return SigningFailed(
        _("Dịch vụ ký số từ xa đã từ chối cho phép ký (người ký không xác nhận hoặc tài khoản ký số bị khóa)."),
        code="signing_refused",
    )


async def _post(session: aiohttp.ClientSession, info: CSCServiceSessionInfo, endpoint: str, body: dict) -> Any:
    import aiohttp

    try:
        async with session.post(
            info.endpoint_url(endpoint), json=body, headers=info.auth_headers, timeout=aiohttp.ClientTimeout(total=30)
        ) as response:
            if response.status >= 400:
                error = ""
                if response.content_type == "application/json":
                    error = str((await response.json()).get("error", ""))
                raise ServiceAnswer(endpoint=endpoint, status=response.status, error=error)
            return await response.json() if response.content_type == "application/json" else {}
    except (aiohttp.ClientError, TimeoutError):
        raise ServiceAnswer(endpoint=endpoint, status=0) from None


def _authorization_manager(session_info: CSCServiceSessionInfo, credential: CSCCredentialInfo, code: str) -> Any:
    from pyhanko.sign.signers.csc_signer import CSCAuthorizationInfo, CSCAuthorizationManager

    class CodeAuthorization(CSCAuthorizationManager):
        """Exchanges the officer's one-time code for a SAD bound to the digests to sign."""

        async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
            import aiohttp

            body = self.format_csc_auth_request(otp=code, hash_b64s=hash_b64s)
            async with aiohttp.ClientSession() as session:
                answer = await _post(session, self.csc_session_info, "credentials/authorize", body)
            return self.parse_csc_auth_response(answer)

    return CodeAuthorization(session_info, credential)


def _remote_signer(auth_manager: Any) -> Any:
    from pyhanko.sign.signers.csc_signer import CSCSigner

    class RemoteSigner(CSCSigner):
        """pyhanko's CSC signer, with an HTTP session opened in the loop that signs and the
        service's error answers kept (pyhanko's own commit turns them into a generic error)."""

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            import aiohttp

            if dry_run:
                return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
            async with aiohttp.ClientSession() as self.session:
                return await super().async_sign_raw(data, digest_algorithm)

        async def _do_commit(self, batch: Any) -> None:
            import base64

            try:
                body = await self.format_csc_signing_req(batch.b64_hashes, batch.md_algorithm)
                answer = await _post(self.session, self.auth_manager.csc_session_info, "signatures/signHash", body)
                batch.results = [base64.b64decode(value) for value in answer["signatures"]]
            finally:
                self._current_batch = None
                batch.notifier.set()

    # The session is opened per signature in `async_sign_raw`.
    return RemoteSigner(session=None, auth_manager=auth_manager)  # type: ignore[arg-type]


class CscSigner:
    confirmation = Confirmation.CODE

    def __init__(self, *, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token

    def _session_info(self, credential_id: str = "") -> CSCServiceSessionInfo:
        from pyhanko.sign.signers.csc_signer import CSCServiceSessionInfo

        return CSCServiceSessionInfo(
            service_url=self.url, credential_id=credential_id, oauth_token=self.token or None, api_ver=CSC_API_VERSION
        )

    async def _credential(self, session: aiohttp.ClientSession, signer_name: str) -> tuple[str, CSCCredentialInfo]:
        """The credential (its ID and details) whose certificate is `signer_name`'s: the
        leader's own, or the agency's organisation certificate."""
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.signers.csc_signer import fetch_certs_in_csc_credential

        listed = await _post(session, self._session_info(), "credentials/list", {})
        for credential_id in listed.get("credentialIDs", []):
            try:
                credential = await fetch_certs_in_csc_credential(session, self._session_info(str(credential_id)))
            except SigningError:
                raise ServiceAnswer(endpoint="credentials/info", status=0) from None
            if certificate_names(credential.signing_cert, signer_name):
                return str(credential_id), credential
        raise SigningFailed(
            _("Dịch vụ ký số từ xa không có chứng thư số mang tên “%(name)s”.") % {"name": signer_name},
            code="signing_key_missing",
        )

    @_outside_event_loop
    def confirmation_send(self, *, signer_name: str, seal: bool = False) -> None:
        import aiohttp

        async def send() -> None:
            async with aiohttp.ClientSession() as session:
                credential_id, _credential = await self._credential(session, signer_name)
                body = {"credentialID": credential_id}
                await _post(session, self._session_info(credential_id), "credentials/sendOTP", body)

        try:
            asyncio.run(send())
        except ServiceAnswer as answer:
            raise _refusal(answer) from None

    @_outside_event_loop
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
        import aiohttp

        code = confirmation.strip()
        if not code:
            raise SigningFailed(
                _("Hãy nhập mã xác nhận được gửi đến điện thoại của bạn (bấm “Gửi mã xác nhận” nếu chưa có)."),
                code="signing_code_missing",
            )

        async def find() -> tuple[str, CSCCredentialInfo]:
            async with aiohttp.ClientSession() as session:
                return await self._credential(session, signer_name)

        try:
            credential_id, credential = asyncio.run(find())
            certificate_in_force(credential.signing_cert)
            auth = _authorization_manager(self._session_info(credential_id), credential, code)
            return sign_with(
                _remote_signer(auth),
                pdf=pdf,
                signer_name=signer_name,
                reason=reason,
                location=location,
                field_name=field_name,
                stamp=stamp,
            )
        except ServiceAnswer as answer:
            raise _refusal(answer) from None

    def trust_roots(self) -> list[Certificate]:
        return configured_trust_roots()


@signers.register("csc")
def _csc() -> Signer:
    return CscSigner(url=settings.MOTCUA_CSC["url"], token=settings.MOTCUA_CSC["token"])
