"""The "http" population plugin against the local simulator: found, not found, and every failure."""

import logging
import time
from typing import Any

import pytest

from motcua.core.privacy import mask_id
from motcua.integrations.population import (
    HttpPopulationRegistry,
    PopulationUnavailable,
    load_demo_records,
    population_registries,
)
from motcua.integrations.simulator import PopulationSimulator
from motcua.integrations.testing import HUNG, UNKNOWN


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def _assert_no_personal_data(caplog: pytest.LogCaptureFixture, id_number: str = HUNG) -> None:
    text = caplog.text
    assert id_number not in text
    assert "Nguyễn Văn Hùng" not in text and "Trần Thị Mai" not in text


def test_found(population_simulator: PopulationSimulator, caplog: pytest.LogCaptureFixture) -> None:
    """A registered citizen comes back with their relations, exactly as the registry holds them."""
    record = population_registries.get().lookup(id_number=HUNG)
    assert record == load_demo_records()[HUNG]
    assert record is not None and record.spouse is not None and record.spouse.full_name == "Trần Thị Mai"
    assert population_simulator.request_count == 1
    assert mask_id(HUNG) in caplog.text
    _assert_no_personal_data(caplog)


def test_not_found(population_simulator: PopulationSimulator, caplog: pytest.LogCaptureFixture) -> None:
    """HTTP 404 means the number is not registered: None, not an error."""
    assert population_registries.get().lookup(id_number=UNKNOWN) is None
    assert population_simulator.request_count == 1
    _assert_no_personal_data(caplog, UNKNOWN)


def test_malformed_number_is_not_sent(population_simulator: PopulationSimulator) -> None:
    """A value that is not 12 digits cannot be registered and never reaches the URL."""
    assert population_registries.get().lookup(id_number="../admin") is None
    assert population_simulator.request_count == 0


def test_wrong_token(
    population_simulator: PopulationSimulator, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused bearer token makes the registry unavailable, with a Vietnamese message."""
    settings.MOTCUA_POPULATION_HTTP_TOKEN = "not-the-token"
    with pytest.raises(PopulationUnavailable, match="từ chối"):
        population_registries.get().lookup(id_number=HUNG)
    assert population_simulator.request_count == 1
    _assert_no_personal_data(caplog)
    assert "not-the-token" not in caplog.text


def test_service_down(population_simulator: PopulationSimulator, caplog: pytest.LogCaptureFixture) -> None:
    """HTTP 503 makes the registry unavailable."""
    population_simulator.fail("down")
    with pytest.raises(PopulationUnavailable, match="Không kết nối được Cơ sở dữ liệu quốc gia về dân cư"):
        population_registries.get().lookup(id_number=HUNG)
    _assert_no_personal_data(caplog)


def test_nobody_listening(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A refused connection (service stopped) makes the registry unavailable."""
    with PopulationSimulator() as simulator:
        url = simulator.url
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "population": "http"}
    settings.MOTCUA_POPULATION_HTTP_URL = url
    with pytest.raises(PopulationUnavailable):
        population_registries.get().lookup(id_number=HUNG)
    _assert_no_personal_data(caplog)


def test_not_configured(settings: Any) -> None:
    """The http plugin without a URL is unavailable rather than guessing an address."""
    settings.MOTCUA_POPULATION_HTTP_URL = ""
    with pytest.raises(PopulationUnavailable, match="Chưa cấu hình"):
        population_registries.get("http").lookup(id_number=HUNG)


def test_slow_service_times_out(
    population_simulator: PopulationSimulator, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An answer slower than MOTCUA_HTTP_TIMEOUT_SECONDS is abandoned: the citizen is not kept waiting."""
    settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 1
    population_simulator.fail("slow", delay=10)
    started = time.monotonic()
    with pytest.raises(PopulationUnavailable, match="không phản hồi kịp thời"):
        population_registries.get().lookup(id_number=HUNG)
    assert time.monotonic() - started < 5
    _assert_no_personal_data(caplog)


def test_slow_but_within_timeout(population_simulator: PopulationSimulator) -> None:
    """A slow answer that arrives before the timeout is still used."""
    population_simulator.fail("slow", delay=0.2)
    assert population_registries.get().lookup(id_number=HUNG) is not None


@pytest.mark.parametrize("mode", ["invalid_json", "wrong_shape"])
def test_garbage(population_simulator: PopulationSimulator, mode: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A 200 answer that is not JSON, or not the documented shape, makes the registry unavailable."""
    population_simulator.fail(mode)
    with pytest.raises(PopulationUnavailable, match="không hợp lệ"):
        population_registries.get().lookup(id_number=HUNG)
    _assert_no_personal_data(caplog)


def test_answer_about_someone_else_is_rejected(settings: Any) -> None:
    """A service answering with another person's record is treated as garbage, never shown."""
    records = load_demo_records()
    with PopulationSimulator({HUNG: records["066196000104"]}, token="t") as simulator:
        registry = HttpPopulationRegistry(base_url=simulator.url, token="t", timeout=2)
        with pytest.raises(PopulationUnavailable):
            registry.lookup(id_number=HUNG)


def test_simulator_recovers(population_simulator: PopulationSimulator) -> None:
    """After a failure is switched off the simulator answers normally again (tests can script outages)."""
    population_simulator.fail("down")
    with pytest.raises(PopulationUnavailable):
        population_registries.get().lookup(id_number=HUNG)
    population_simulator.recover()
    assert population_registries.get().lookup(id_number=HUNG) is not None


def test_mask_id() -> None:
    """Logs carry ID numbers masked to their last three digits; short values are masked entirely."""
    assert mask_id(HUNG) == "*********103"
    assert mask_id("12345") == "*****"
    assert mask_id(None) == "<empty>"
