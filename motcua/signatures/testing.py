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
* `hierarchy_signing`: the signing plugin is "test-pki" (`HierarchySigner`: the hierarchy's
  leader, agency, revoked, revoked-later and expired signers, chosen by the name signed in) and every
  signature gets its time stamp from the simulator.
"""

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto.x509 import Certificate

from motcua.signatures.csc_simulator import CscSimulator
from motcua.signatures.hierarchy import TEST_PKI_DIR
from motcua.signatures.pki_simulator import PkiSimulator
from motcua.signatures.signing import (
    DEFAULT_FIELD_NAME,
    Confirmation,
    VisibleStamp,
    confirmation_not_needed,
    sign_with,
    signers,
)

SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"
SIGNER_LABELS = ("leader", "agency", "revoked", "revoked-later", "expired")


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


def hierarchy_pyhanko_signer(simulator: PkiSimulator, label: str) -> Any:
    """A pyhanko signer with the key and certificate `label` of the test hierarchy."""
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    arch = simulator.arch
    return SimpleSigner(
        signing_cert=arch.get_cert(label),
        signing_key=arch.key_set.get_private_key(label),
        cert_registry=SimpleCertificateStore.from_certs([arch.get_cert("issuing")]),
    )


class HierarchySigner:
    """The `Signer` protocol over the test hierarchy's keys (test material only)."""

    confirmation = Confirmation.NONE

    def __init__(self, simulator: PkiSimulator):
        self.simulator = simulator

    def label(self, signer_name: str) -> str:
        for label in SIGNER_LABELS:
            if self.simulator.arch.get_cert(label).subject.native["common_name"] == signer_name:
                return label
        raise LookupError(f"no test certificate for {signer_name!r}")

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
        return sign_with(
            hierarchy_pyhanko_signer(self.simulator, self.label(signer_name)),
            pdf=pdf,
            signer_name=signer_name,
            reason=reason,
            location=location,
            field_name=field_name,
            stamp=stamp,
        )

    def confirmation_send(self, *, signer_name: str, seal: bool = False) -> None:
        raise confirmation_not_needed()

    def trust_roots(self) -> list[Certificate]:
        return [self.simulator.arch.get_cert("root")]


_simulators: list[PkiSimulator] = []


@signers.register("test-pki")
def _test_pki() -> HierarchySigner:
    return HierarchySigner(_simulators[-1])


@pytest.fixture
def hierarchy_signing(settings: Any, pki_simulator: PkiSimulator) -> Iterator[PkiSimulator]:
    _simulators.append(pki_simulator)
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "signing": "test-pki"}
    settings.MOTCUA_SIGNING_TSA_URL = pki_simulator.tsa_url
    settings.MOTCUA_SIGNING_TIMESTAMP_REQUIRED = True
    try:
        yield pki_simulator
    finally:
        pki_simulator.down = False
        _simulators.remove(pki_simulator)
