"""Test fixtures for signatures.

* `pki_simulator`: the test hierarchy's CRL, OCSP, CA-certificate and time-stamping services
  on a free port, for the whole session (its certificates carry that port in their URLs).
  `pki_simulator.down = True` makes every service unreachable; reset it in the test.
* `hierarchy_signing`: the signing plugin is "test-pki" (`HierarchySigner`: the hierarchy's
  leader, agency, revoked and expired signers, chosen by the name signed in) and every
  signature gets its time stamp from the simulator.
* `nss_database(directory, simulator)`: an NSS database trusting the test root, for poppler's
  `pdfsig -nssdir sql:DIRECTORY`.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem
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


def nss_database(directory: Path, simulator: PkiSimulator) -> Path:
    """An NSS database trusting the test root, with the issuing CA and the CRLs of both CAs.

    The CRLs are certomancer's, re-signed without their (critical) issuing distribution point
    extension, which NSS does not understand, and with the encoding NSS insists on (UTCTime
    dates, no empty list of revoked certificates). They must be there: poppler 22's pdfsig reads
    NSS's last error after a successful verification, and a CRL it looked for in vain shows
    as "Unknown issue with Certificate" on a valid chain.
    """
    from asn1crypto import crl as asn1_crl
    from asn1crypto import x509 as asn1_x509
    from certomancer.registry import ServiceLabel
    from certomancer.services import CRLBuilder

    arch = simulator.arch
    directory.mkdir(parents=True, exist_ok=True)
    nssdb = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", nssdb], check=True, capture_output=True)
    for label, trust in (("root", "CT,C,C"), ("issuing", ",,")):
        path = directory / f"{label}.pem"
        path.write_bytes(pem.armor("CERTIFICATE", arch.get_cert(label).dump()))
        subprocess.run(["certutil", "-A", "-n", label, "-t", trust, "-i", str(path), "-d", nssdb], check=True)
    for label in ("root", "issuing"):
        served = arch.service_registry.get_crl(ServiceLabel(label))
        tbs = served["tbs_cert_list"].copy()
        tbs["crl_extensions"] = asn1_crl.TBSCertListExtensions(
            [ext for ext in tbs["crl_extensions"] if ext["extn_id"].native != "issuing_distribution_point"]
        )
        # RFC 5280: dates until 2049 as UTCTime; no list of revoked certificates rather than an empty one.
        for field in ("this_update", "next_update"):
            tbs[field] = asn1_x509.Time({"utc_time": tbs[field].native})
        revoked = [entry.copy() for entry in tbs["revoked_certificates"]]
        for entry in revoked:
            entry["revocation_date"] = asn1_x509.Time({"utc_time": entry["revocation_date"].native})
        tbs["revoked_certificates"] = asn1_crl.RevokedCertificates(revoked) if revoked else None
        issuer = arch.get_cert(label)
        builder = CRLBuilder(
            issuer_name=issuer.subject,
            issuer_key=arch.key_set.get_private_key(label),
            signature_algo=served["signature_algorithm"],
            authority_key_identifier=issuer.key_identifier_value,
        )
        path = directory / f"{label}.crl"
        path.write_bytes(builder.sign_crl(tbs).dump())
        subprocess.run(["crlutil", "-I", "-i", str(path), "-d", nssdb], check=True, capture_output=True)
    return directory


def pdfsig(pdf: Path, nss: Path) -> list[str]:
    """pdfsig's report, one block of lines per signature (without OCSP: the NSS database holds
    the CRLs)."""
    result = subprocess.run(["pdfsig", "-no-ocsp", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True)
    return result.stdout.split("Signature #")[1:]
