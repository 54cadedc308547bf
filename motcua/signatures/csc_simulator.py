"""A local remote-signing service speaking the CSC API v2, holding the test hierarchy's keys
(`motcua.signatures.hierarchy`). Tests start it in a thread; the demo runs it as a process:

    python -m motcua.signatures.csc_simulator --port 8768 --pki-url http://127.0.0.1:8767

It is certomancer's CSC dummy server (credentials/list, credentials/info, credentials/authorize,
signatures/signHash) with what a real service adds for the officer's confirmation:

- `credentials/sendOTP` draws a six-digit code for the credential, valid `code_seconds`, keeps
  it in `sent` (and prints it when run as a process) and, as a real service does, texts it to
  the phone enrolled for the credential: `phones` maps a credential's label ("leader") to a
  number, `sms_url`/`sms_token` name an SMS provider speaking the protocol of our "http" SMS
  plugin (the SMS simulator, `motcua.notifications.simulator`); a provider that fails makes
  sendOTP answer 503;
- `credentials/authorize` refuses without that code (`invalid_otp`), uses it once, and the SAD
  it gives expires after `sad_seconds` (`signatures/signHash` then refuses it);
- switches: `refusing = True` refuses every authorisation (`access_denied`, as when the
  officer declines on the phone); `down = True` answers every request with 503.

TEST MATERIAL ONLY: the keys are public, and the service authenticates nobody.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from motcua.signatures.hierarchy import TEST_PKI_CONFIG, TEST_PKI_DIR

# aiohttp logs every request at INFO; the endpoints called are in `requests` instead.
logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


@dataclass(frozen=True)
class SentCode:
    credential_id: str
    code: str


def _error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


class CscSimulator:
    def __init__(self, *, pki_url: str, host: str = "127.0.0.1", port: int = 0):
        self.pki_url = pki_url
        self.host, self.port = host, port
        self.down = False
        self.refusing = False
        self.code_seconds = 300.0
        self.sad_seconds = 300.0
        self.sent: list[SentCode] = []
        self.phones: dict[str, str] = {}  # credential label → the officer's enrolled phone
        self.sms_url = ""
        self.sms_token = ""
        self.requests: list[str] = []  # endpoints called, in order
        self._codes: dict[str, tuple[str, float]] = {}  # credential → (code, expiry)
        self._sads: dict[str, float] = {}  # SAD → expiry
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def last_code(self, credential_suffix: str = "") -> str:
        """The last code sent, for a credential ending in `credential_suffix` ("leader")."""
        return next(sent.code for sent in reversed(self.sent) if sent.credential_id.endswith(credential_suffix))

    async def _text(self, phone: str, code: str, number: int) -> bool:
        """Text `code` to `phone` through the SMS provider; False when it did not take it."""
        minutes = max(1, int(self.code_seconds // 60))
        message = {
            "to": phone,
            "text": f"Ma xac nhan ky so: {code}. Hieu luc {minutes} phut. Khong cung cap ma nay cho bat ky ai.",
            "client_ref": f"csc-otp-{number}",
        }
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=10)) as session,
                session.post(
                    f"{self.sms_url}/messages", json=message, headers={"Authorization": f"Bearer {self.sms_token}"}
                ) as response,
            ):
                return response.status < 300
        except (ClientError, TimeoutError):
            return False

    def _app(self) -> web.Application:
        from certomancer.registry import CertomancerConfig
        from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

        config = CertomancerConfig.from_file(
            str(TEST_PKI_CONFIG), key_search_dir=str(TEST_PKI_DIR), external_url_prefix=self.pki_url
        )
        with warnings.catch_warnings():  # csc_dummy keys its app's state with strings
            warnings.simplefilter("ignore")
            dummy = CSCWithCertomancer(config, service_params=DummyServiceParams(hash_pinning_required=True))

        @web.middleware
        async def outage(request: web.Request, handler: Any) -> web.StreamResponse:
            self.requests.append(request.path.rsplit("/v2/", 1)[-1])
            if self.down:
                return _error(503, "temporarily_unavailable", "The service is down")
            return await handler(request)

        async def send_otp(request: web.Request) -> web.Response:
            credential_id = str((await request.json()).get("credentialID", ""))
            dummy._parse_credential_id(credential_id)  # 404 for an unknown credential
            code = f"{secrets.randbelow(10**6):06d}"
            self._codes[credential_id] = (code, time.monotonic() + self.code_seconds)
            self.sent.append(SentCode(credential_id=credential_id, code=code))
            phone = self.phones.get(credential_id.rsplit("/", 1)[-1])
            if self.sms_url and phone and not await self._text(phone, code, len(self.sent)):
                return _error(503, "temporarily_unavailable", "The code could not be sent")
            return web.Response(status=204)

        async def authorize(request: web.Request) -> web.StreamResponse:
            params = await request.json()
            credential_id = str(params.get("credentialID", ""))
            if self.refusing:
                return _error(400, "access_denied", "The user refused the authorisation")
            code, expiry = self._codes.get(credential_id, ("", 0.0))
            if not code or not secrets.compare_digest(code, str(params.get("OTP", ""))) or time.monotonic() > expiry:
                return _error(400, "invalid_otp", "The OTP is invalid or expired")
            del self._codes[credential_id]
            response = await dummy.credentials_authorize(request)
            assert isinstance(response, web.Response) and response.body is not None
            answer = json.loads(bytes(response.body))  # type: ignore[arg-type]
            self._sads[answer["SAD"]] = time.monotonic() + self.sad_seconds
            return web.json_response({**answer, "expiresIn": int(self.sad_seconds)})

        async def sign_hash(request: web.Request) -> web.StreamResponse:
            expiry = self._sads.get(str((await request.json()).get("SAD", "")))
            if expiry is None or time.monotonic() > expiry:
                return _error(400, "invalid_request", "The SAD is invalid or expired")
            return await dummy.signatures_sign_hash(request)

        app = web.Application(middlewares=[outage])
        app.add_routes(
            [
                web.post("/csc/v2/info", dummy.info),
                web.post("/csc/v2/credentials/list", dummy.credentials_list),
                web.post("/csc/v2/credentials/info", dummy.credentials_info),
                web.post("/csc/v2/credentials/sendOTP", send_otp),
                web.post("/csc/v2/credentials/authorize", authorize),
                web.post("/csc/v2/signatures/signHash", sign_hash),
            ]
        )
        return app

    def start(self) -> Self:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(self._app())
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, self.host, self.port)
        loop.run_until_complete(site.start())
        self.port = int(runner.addresses[0][1])  # the port the system chose for port 0
        self._loop, self._runner = loop, runner
        threading.Thread(target=loop.run_forever, name="csc-simulator", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._loop is not None and self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop = self._runner = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use and the demo
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8768)
    parser.add_argument("--pki-url", default="http://127.0.0.1:8767", help="the PKI simulator's address")
    parser.add_argument("--sms-url", default="", help="an SMS provider (e.g. the SMS simulator) to text codes")
    parser.add_argument("--sms-token", default="")
    parser.add_argument("--phone", action="append", default=[], help="LABEL=PHONE, e.g. leader=0912345678")
    args = parser.parse_args()
    simulator = CscSimulator(pki_url=args.pki_url, host=args.host, port=args.port)
    simulator.sms_url, simulator.sms_token = args.sms_url, args.sms_token
    simulator.phones = dict(phone.split("=", 1) for phone in args.phone)
    simulator.start()
    print(f"CSC simulator on {simulator.url} (codes sent are printed here)", flush=True)
    printed = 0
    try:
        while True:
            for sent in simulator.sent[printed:]:
                print(f"code for {sent.credential_id}: {sent.code}", flush=True)
            printed = len(simulator.sent)
            time.sleep(1)
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
