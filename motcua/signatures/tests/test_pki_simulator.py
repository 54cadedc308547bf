import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
from asn1crypto import crl as asn1_crl

from motcua.signatures.pki_simulator import PkiSimulator


def test_the_simulator_serves_time_stamps_and_a_crl_listing_the_revoked_certificate(
    pki_simulator: PkiSimulator,
) -> None:
    from pyhanko.sign.timestamps import HTTPTimeStamper

    request = HTTPTimeStamper(pki_simulator.tsa_url).async_timestamp(b"\0" * 32, "sha256")
    # In a thread of its own: a browser test earlier in the run may leave an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        token = pool.submit(asyncio.run, request).result()
    assert token["content_type"].native == "signed_data"

    leader = pki_simulator.arch.get_cert("leader")
    url = leader.crl_distribution_points[0]["distribution_point"].native[0]
    assert url.startswith(pki_simulator.url)
    crl = asn1_crl.CertificateList.load(httpx.get(url).content)
    revoked = {entry["user_certificate"].native for entry in crl["tbs_cert_list"]["revoked_certificates"]}
    assert pki_simulator.arch.get_cert("revoked").serial_number in revoked
    assert leader.serial_number not in revoked


def test_a_simulator_that_is_down_answers_503(pki_simulator: PkiSimulator) -> None:
    pki_simulator.down = True
    try:
        assert httpx.get(f"{pki_simulator.url}/motcua-test/crls/issuing/latest.crl").status_code == 503
    finally:
        pki_simulator.down = False
