"""A local stand-in for a certification authority's public services: CRLs, OCSP, CA
certificates and an RFC 3161 time-stamping authority, for the test hierarchy
(`motcua.signatures.hierarchy`). Tests start it in a thread; the demo runs it as a process:

    python -m motcua.signatures.pki_simulator --port 8767

It is certomancer's Animator (the services pyhanko's own tests use) behind a WSGI server,
with an outage switch: `down = True` answers every request with 503, as a TSA or OCSP
responder that is unreachable would leave the signer without an answer.
"""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any, Self

from werkzeug.serving import BaseWSGIServer, make_server

from motcua.signatures.hierarchy import TEST_ARCH, hierarchy_load, tsa_url

# werkzeug logs every request at INFO; the requests are counted in `requests` instead.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


class PkiSimulator:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.down = False
        self.requests: list[str] = []  # paths asked for, in order
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.arch: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def tsa_url(self) -> str:
        return tsa_url(self.url)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.requests.append(environ.get("PATH_INFO", ""))
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"unavailable"]
        return self._animator(environ, start_response)

    def start(self) -> Self:
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from certomancer.registry import ArchLabel

        # The port must be known before the certificates are made: their URLs point here.
        self._server = make_server(self.host, self.port, self._app, threaded=True)
        self.port = int(self._server.server_port)
        self.arch = hierarchy_load(self.url)
        self._animator = Animator(AnimatorArchStore({ArchLabel(TEST_ARCH): self.arch}), with_web_ui=False)
        self._thread = threading.Thread(target=self._server.serve_forever, name="pki-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use and the demo
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args()
    simulator = PkiSimulator(host=args.host, port=args.port).start()
    print(f"PKI simulator on {simulator.url} (time stamps: {simulator.tsa_url})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
