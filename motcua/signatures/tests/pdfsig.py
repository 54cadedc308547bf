"""Poppler's pdfsig as an independent validator: an NSS database trusting the test hierarchy."""

import subprocess
from pathlib import Path

from asn1crypto import pem

from motcua.signatures.pki_simulator import PkiSimulator


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
