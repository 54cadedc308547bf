"""The portal's contract, run against the simulator in process (the demo plugin) and over HTTP
(the real adapter against the local simulator): both must answer alike. The `portal` fixture
is in conftest.py."""

from typing import Any

import pytest

from motcua.national import wire
from motcua.national.portal import HttpNationalPortal, PortalRefused, PortalUnavailable
from motcua.national.simulator import NationalPortalSimulator


def _record(key: str = "H15.1.1", seq: int = 1, status: int = 1) -> dict[str, Any]:
    return {"KhoaDongBo": key, "MaHoSo": "000.00.20.H15-261207-0001", "STT": seq, "HoSo": {"TrangThaiHoSo": status}}


def test_a_record_is_kept_once_however_often_it_arrives(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    adapter.deliver(key="H15.1.1", record=_record())
    adapter.deliver(key="H15.1.1", record=_record())
    assert state.stream("000.00.20.H15-261207-0001") == [_record()]
    assert state.deliveries["H15.1.1"] == 2


def test_a_key_reused_for_another_record_is_refused(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    adapter.deliver(key="H15.1.1", record=_record())
    with pytest.raises(PortalRefused, match="409"):
        adapter.deliver(key="H15.1.1", record=_record(status=2))
    assert state.stream("000.00.20.H15-261207-0001") == [_record()]


def test_a_malformed_record_is_refused(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    with pytest.raises(PortalRefused, match="400"):
        adapter.deliver(key="H15.1.1", record={"KhoaDongBo": "H15.1.1", "MaHoSo": "X"})
    assert not state.records


@pytest.mark.parametrize("mode", ["down", "error", "slow"])
def test_a_portal_down_failing_or_silent_is_unavailable(portal, mode) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    state.fail(mode)
    with pytest.raises(PortalUnavailable):
        adapter.deliver(key="H15.1.1", record=_record())
    with pytest.raises(PortalUnavailable):
        adapter.submissions()
    state.recover()
    adapter.deliver(key="H15.1.1", record=_record())
    assert len(state.records) == 1


def test_an_answer_that_contradicts_the_record_is_refused(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    state.fail("contradict")
    with pytest.raises(PortalRefused, match="bản ghi khác"):
        adapter.deliver(key="H15.1.1", record=_record())


def test_submissions_wait_until_acknowledged_with_one_code(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, state = portal
    first = state.submit()
    second = state.submit(procedure_code="1.000656")
    waiting = adapter.submissions()
    assert [wire.portal_id_of(record) for record in waiting] == [first, second]
    assert waiting[1]["MaTTHC"] == "1.000656"
    body = {"KetQua": "DaTiepNhan", "MaHoSo": "CODE-1"}
    adapter.acknowledge(portal_id=first, dossier_code="CODE-1", body=body)
    adapter.acknowledge(portal_id=first, dossier_code="CODE-1", body=body)  # again: same answer
    assert [wire.portal_id_of(record) for record in adapter.submissions()] == [second]
    with pytest.raises(PortalRefused):
        adapter.acknowledge(portal_id=first, dossier_code="CODE-2", body={**body, "MaHoSo": "CODE-2"})
    with pytest.raises(PortalRefused, match="404"):
        adapter.acknowledge(portal_id="G22.99-unknown", dossier_code="CODE-3", body={**body, "MaHoSo": "CODE-3"})


def test_states_give_each_known_dossier_its_records_and_state(portal) -> None:  # type: ignore[no-untyped-def]
    adapter, _state = portal
    adapter.deliver(key="H15.1.1", record=_record())
    adapter.deliver(key="H15.1.2", record=_record(key="H15.1.2", seq=2, status=2))
    states = adapter.states(codes=["000.00.20.H15-261207-0001", "UNKNOWN"])
    assert states == {"000.00.20.H15-261207-0001": wire.PortalDossierState(status=2, records=2)}


def test_the_http_interface_refuses_a_wrong_token() -> None:
    with NationalPortalSimulator(token="contract-token") as simulator:
        adapter = HttpNationalPortal(base_url=simulator.url, token="wrong", timeout=1)
        with pytest.raises(PortalUnavailable, match="401"):
            adapter.deliver(key="H15.1.1", record=_record())
        assert not simulator.state.records
