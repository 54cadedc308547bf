"""Every population look-up is logged, whichever plugin answers: through the exchange platform
("lgsp", signed), the direct HTTP adapter or the demo; a failed one is logged as failed."""

import pytest

from motcua.exchange.constants import ExchangeOutcome, ExchangePurpose, ExchangeService
from motcua.exchange.models import ExchangeLog
from motcua.exchange.services import ExchangeContext, population_lookup
from motcua.integrations.population import PopulationUnavailable
from motcua.integrations.prefill import Prefill
from motcua.integrations.testing import HUNG, UNKNOWN, population_simulator  # noqa: F401

pytestmark = pytest.mark.django_db

CONTEXT = ExchangeContext(purpose=ExchangePurpose.PROCESSING_CHECK)


def test_through_the_platform_found_unknown_and_down(exchange_simulator):
    record = population_lookup(id_number=HUNG, context=CONTEXT)
    assert record is not None and record.person.full_name == "Nguyễn Văn Hùng"
    assert record.spouse is not None and record.spouse.full_name == "Trần Thị Mai"
    assert population_lookup(id_number=UNKNOWN, context=CONTEXT) is None
    exchange_simulator.fail("down")
    with pytest.raises(PopulationUnavailable, match="đang gặp sự cố"):
        population_lookup(id_number=HUNG, context=CONTEXT)
    assert exchange_simulator.requests == 3
    rows = list(ExchangeLog.objects.order_by("id").values_list("service", "outcome", "error_code"))
    assert rows == [
        (ExchangeService.POPULATION_LOOKUP, ExchangeOutcome.FOUND, ""),
        (ExchangeService.POPULATION_LOOKUP, ExchangeOutcome.NOT_FOUND, ""),
        (ExchangeService.POPULATION_LOOKUP, ExchangeOutcome.FAILED, "population_unavailable"),
    ]
    assert {"full_name", "birth_date", "spouse", "father", "mother"} <= set(
        ExchangeLog.objects.order_by("id").first().response_fields
    )


def test_garbled_record_from_the_platform_is_unavailable(exchange_simulator):
    exchange_simulator.fail("garbage")
    with pytest.raises(PopulationUnavailable, match="không hợp lệ"):
        population_lookup(id_number=HUNG, context=CONTEXT)
    assert ExchangeLog.objects.get().outcome == ExchangeOutcome.FAILED


def test_direct_http_plugin_logged_too(population_simulator):  # noqa: F811
    assert population_lookup(id_number=HUNG, context=CONTEXT) is not None
    population_simulator.fail("down")
    with pytest.raises(PopulationUnavailable):
        population_lookup(id_number=HUNG, context=CONTEXT)
    assert list(ExchangeLog.objects.order_by("id").values_list("outcome", flat=True)) == [
        ExchangeOutcome.FOUND,
        ExchangeOutcome.FAILED,
    ]


def test_prefill_logs_the_citizens_own_lookup(exchange_simulator, hung):
    """Pre-filling a form asks once, logged as the applicant's own request for pre-filling."""
    prefill = Prefill.for_user(hung)
    assert prefill.value("population.full_name") == "Nguyễn Văn Hùng"
    assert prefill.value("population.spouse.full_name") == "Trần Thị Mai"
    entry = ExchangeLog.objects.get()
    assert (entry.purpose, entry.actor, entry.subject_user, entry.actor_role) == (
        ExchangePurpose.PREFILL,
        hung,
        hung,
        "Người nộp hồ sơ",
    )


def test_prefill_when_the_platform_is_down_warns_and_logs(exchange_simulator, hung):
    exchange_simulator.fail("slow", delay=3)
    prefill = Prefill.for_user(hung)
    assert prefill.value("population.full_name") is None
    assert any("vui lòng tự nhập" in warning for warning in prefill.warnings)
    assert ExchangeLog.objects.get().outcome == ExchangeOutcome.FAILED
