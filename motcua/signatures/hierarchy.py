"""The test certificate hierarchy (testpki/certomancer.yml), loaded with certomancer.

Certificates are generated from the committed test keys when the hierarchy is loaded; the
CRL, OCSP and CA-issuer URLs inside them start with `url_prefix`, the address the PKI
simulator serves them from. TEST MATERIAL ONLY: the keys are public.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certomancer.registry import PKIArchitecture

TEST_PKI_DIR = Path(__file__).resolve().parent / "testpki"
TEST_PKI_CONFIG = TEST_PKI_DIR / "certomancer.yml"
TEST_ARCH = "motcua-test"


def hierarchy_load(url_prefix: str) -> PKIArchitecture:
    """The hierarchy with its service URLs under `url_prefix` (no trailing slash)."""
    from certomancer.registry import ArchLabel, CertomancerConfig

    config = CertomancerConfig.from_file(
        str(TEST_PKI_CONFIG), key_search_dir=str(TEST_PKI_DIR), external_url_prefix=url_prefix
    )
    return config.get_pki_arch(ArchLabel(TEST_ARCH))


def tsa_url(url_prefix: str, label: str = "tsa") -> str:
    """Where the simulator answers RFC 3161 time-stamp requests (with the certificate `label`:
    "tsa", or "tsa-next" valid from 2038)."""
    return f"{url_prefix}/{TEST_ARCH}/tsa/{label}"
