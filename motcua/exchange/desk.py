"""The other side of the exchange: how the platform's services answer, for the simulator and demos.

`ExchangeDesk.answer` takes a verified request's service code and body and gives the status and
body the sector system would send: the population database (the demo citizens of
motcua.integrations), the business registry (demo_data/businesses.json) and the civil-status and
residence databases that accept results, recording each idempotency key once.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from motcua.exchange.constants import PUSH_SERVICES, ExchangeService
from motcua.integrations.population import PopulationRecord, is_id_number, load_demo_records, record_to_json

BUSINESS_DATA_PATH = Path(__file__).resolve().parent / "demo_data" / "businesses.json"
BUSINESS_FORMAT = "motcua.business-demo/1"
# Prefixes of the references the sector systems give a result they accepted.
_REFERENCE_PREFIX = {ExchangeService.CIVIL_STATUS_RESULT: "HT", ExchangeService.RESIDENCE_RESULT: "CT"}


@functools.cache
def load_demo_businesses(path: Path = BUSINESS_DATA_PATH) -> dict[str, dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != BUSINESS_FORMAT:
        raise ValueError(f"{path} is not a {BUSINESS_FORMAT} document")
    return {row["tax_code"]: row for row in document["businesses"]}


class ExchangeDesk:
    """The answers of the services behind the platform; thread-safe, state kept in memory."""

    def __init__(
        self,
        *,
        population: Mapping[str, PopulationRecord] | None = None,
        businesses: Mapping[str, dict[str, Any]] | None = None,
    ):
        self.population = dict(load_demo_records() if population is None else population)
        self.businesses = dict(load_demo_businesses() if businesses is None else businesses)
        # idempotency key → (reference, body) of the first accepted push.
        self.accepted: dict[str, tuple[str, dict[str, Any]]] = {}
        # idempotency key → pushes received with it (a retry of a lost answer counts again).
        self.received: Counter[str] = Counter()
        self._lock = threading.Lock()

    def answer(self, service: str, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return 400, {"error": "invalid_request"}
        if service == ExchangeService.POPULATION_LOOKUP:
            id_number = body.get("id_number")
            if not isinstance(id_number, str) or not is_id_number(id_number):
                return 400, {"error": "invalid_request"}
            record = self.population.get(id_number)
            return 200, {"found": True, "record": record_to_json(record)} if record else {"found": False}
        if service == ExchangeService.BUSINESS_LOOKUP:
            business = self.businesses.get(str(body.get("tax_code")))
            return 200, {"found": True, "business": business} if business else {"found": False}
        if service in PUSH_SERVICES:
            return self._accept(service, body)
        return 404, {"error": "unknown_service"}

    def _accept(self, service: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        key = body.get("idempotency_key")
        if not isinstance(key, str) or not key or not isinstance(body.get("dossier_code"), str):
            return 400, {"error": "invalid_request"}
        with self._lock:
            self.received[key] += 1
            if key in self.accepted:
                return 200, {"accepted": True, "duplicate": True, "reference": self.accepted[key][0]}
            reference = f"{_REFERENCE_PREFIX[ExchangeService(service)]}-{len(self.accepted) + 1:06d}"
            self.accepted[key] = (reference, body)
        return 200, {"accepted": True, "duplicate": False, "reference": reference}
