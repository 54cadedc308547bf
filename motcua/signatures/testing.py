"""Test fixtures for signatures.

* `pki_simulator`: the test hierarchy's CRL, OCSP, CA-certificate and time-stamping services
  on a free port, for the whole session (its certificates carry that port in their URLs).
  `pki_simulator.down = True` makes every service unreachable; reset it in the test.
* `hierarchy_signing`: the signing plugin is "test-pki" (`HierarchySigner`: the hierarchy's
  leader, agency, revoked and expired signers, chosen by the name signed in) and every
  signature gets its time stamp from the simulator.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from asn1crypto.x509 import Certificate

from motcua.documents.signing import DEFAULT_FIELD_NAME, VisibleStamp, sign_with, signers
from motcua.signatures.pki_simulator import PkiSimulator

SIGNER_LABELS = ("leader", "agency", "revoked", "expired")


@pytest.fixture(scope="session")
def pki_simulator() -> Iterator[PkiSimulator]:
    with PkiSimulator() as simulator:
        yield simulator
    simulator.down = False


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
