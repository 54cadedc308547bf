"""The population database reached through the exchange platform: the "lgsp" population plugin.

Set MOTCUA_PLUGINS["population"] (MOTCUA_POPULATION_PLUGIN) to "lgsp" and the look-ups that
pre-fill forms go to the service DANCU.TRACUU_CONGDAN of the platform, signed both ways, instead
of the direct "http" adapter. Whatever the plugin, services.population_lookup logs each look-up.
"""

from django.utils.translation import gettext as _

from motcua.exchange.client import ExchangeError, exchange_transports
from motcua.exchange.constants import ExchangeService
from motcua.integrations.population import (
    PopulationRecord,
    PopulationRegistry,
    PopulationUnavailable,
    is_id_number,
    population_registries,
    record_from_json,
)


class LgspPopulationRegistry:
    def lookup(self, *, id_number: str) -> PopulationRecord | None:
        if not is_id_number(id_number):
            return None
        try:
            answer = exchange_transports.get().call(ExchangeService.POPULATION_LOOKUP, {"id_number": id_number})
        except ExchangeError as error:
            raise PopulationUnavailable(error.message) from None
        if answer.get("found") is False:
            return None
        try:
            record = record_from_json(answer.get("record"))
        except (ValueError, TypeError):
            record = None
        if answer.get("found") is not True or record is None or record.person.id_number != id_number:
            raise PopulationUnavailable(_("Cơ sở dữ liệu quốc gia về dân cư trả về dữ liệu không hợp lệ."))
        return record


@population_registries.register("lgsp")
def _lgsp_registry() -> PopulationRegistry:
    return LgspPopulationRegistry()
