"""Test fixtures for signatures.

* `pki_simulator`: the test hierarchy's CRL, OCSP, CA-certificate and time-stamping services
  on a free port, for the whole session (its certificates carry that port in their URLs).
  `pki_simulator.down = True` makes every service unreachable; reset it in the test.
"""

from collections.abc import Iterator

import pytest

from motcua.signatures.pki_simulator import PkiSimulator


@pytest.fixture(scope="session")
def pki_simulator() -> Iterator[PkiSimulator]:
    with PkiSimulator() as simulator:
        yield simulator
    simulator.down = False
