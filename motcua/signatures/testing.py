"""Test fixtures for signatures.

* `pki_simulator`: the test hierarchy's CRL, OCSP, CA-certificate and time-stamping services
  on a free port, for the whole session (its certificates carry that port in their URLs).
  `pki_simulator.down = True` makes every service unreachable; reset it in the test.
* `softhsm_token`: a SoftHSM2 token (`SoftHsmToken.LABEL`, user PIN `SoftHsmToken.PIN`) in a
  temporary directory holding the keys and certificates of the hierarchy's leader, agency and
  expired signers (key and certificate labelled alike), and the CA certificates.
* `csc_simulator`: the remote signing service (`motcua.signatures.csc_simulator`) over the
  same hierarchy; tests reset its switches (`down`, `refusing`, `code_seconds`, `sad_seconds`).
* `test_trust_roots`: a PEM file with the hierarchy's root, for `MOTCUA_SIGNING_TRUST_ROOTS`.
"""

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from motcua.signatures.csc_simulator import CscSimulator
from motcua.signatures.hierarchy import TEST_PKI_DIR
from motcua.signatures.pki_simulator import PkiSimulator

SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"


@dataclass(frozen=True)
class SoftHsmToken:
    LABEL = "motcua-test"
    PIN = "123456"
    library: str = SOFTHSM_LIBRARY


@pytest.fixture(scope="session")
def pki_simulator() -> Iterator[PkiSimulator]:
    with PkiSimulator() as simulator:
        yield simulator
    simulator.down = False


@pytest.fixture(scope="session")
def test_trust_roots(pki_simulator: PkiSimulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "root.pem"
    path.write_bytes(_pem(pki_simulator.arch.get_cert("root").dump()))
    return path


def _pem(der: bytes) -> bytes:
    from asn1crypto import pem

    return bytes(pem.armor("CERTIFICATE", der))


@pytest.fixture(scope="session")
def softhsm_token(pki_simulator: PkiSimulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    token = SoftHsmToken()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)  # noqa: S603 - fixed test commands

    run("softhsm2-util", "--init-token", "--free", "--label", token.LABEL, "--so-pin", "12345678", "--pin", token.PIN)
    for index, label in enumerate(("leader", "agency", "expired", "issuing", "root"), start=1):
        object_id = f"{index:02x}"
        if label in {"leader", "agency", "expired"}:
            key = TEST_PKI_DIR / "keys" / f"{label}.key.pem"
            run("softhsm2-util", "--import", str(key), "--token", token.LABEL,
                "--label", label, "--id", object_id, "--pin", token.PIN)  # fmt: skip
        cert = directory / f"{label}.der"
        cert.write_bytes(pki_simulator.arch.get_cert(label).dump())
        run("pkcs11-tool", "--module", token.library, "--token-label", token.LABEL, "--login", "--pin", token.PIN,
            "--write-object", str(cert), "--type", "cert", "--label", label, "--id", object_id)  # fmt: skip
    yield token
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session")
def csc_simulator(pki_simulator: PkiSimulator) -> Iterator[CscSimulator]:
    with CscSimulator(pki_url=pki_simulator.url) as simulator:
        yield simulator
