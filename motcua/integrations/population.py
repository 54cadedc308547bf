"""The national population database (Cơ sở dữ liệu quốc gia về dân cư), behind a plugin registry.

Forms are pre-filled from it: a citizen's own particulars and those of their father, mother,
spouse and children. Two plugins:

* "demo" (the default) answers from fictional sample citizens in `demo_data/population.json`;
* "http" asks a population service over HTTP+JSON (the shape is in docs/population-registry.md);
  tests run it against `motcua.integrations.simulator.PopulationSimulator`.

A registry answers `None` when it does not know the number and raises `PopulationUnavailable`
when it cannot answer at all, so callers can tell "not registered" from "try again later".
Nothing here logs an ID number unmasked, a name, or a response body.
"""

import functools
import json
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol, cast

import httpx
from django.conf import settings
from django.utils.translation import gettext

from motcua.core.outbound import unanswered_raises
from motcua.core.plugins import Registry
from motcua.core.privacy import install_log_masking, mask_id

logger = logging.getLogger(__name__)

# httpx logs each request URL at INFO level, and our URL ends with the ID number.
install_log_masking("httpx")

Gender = Literal["nam", "nữ"]
GENDERS: tuple[Gender, ...] = ("nam", "nữ")
RELATIONS = ("father", "mother", "spouse")
DEMO_DATA_PATH = Path(__file__).resolve().parent / "demo_data" / "population.json"
DEMO_FORMAT = "motcua.population-demo/1"

# A personal identification number: 12 digits (Circular 59/2021/TT-BCA).
ID_NUMBER_RE = re.compile(r"\d{12}")


class PopulationUnavailable(Exception):
    """The population service is down, slow, refuses us or answers something unusable."""

    def __init__(self, message: str | None = None):
        self.message = message or gettext("Không kết nối được Cơ sở dữ liệu quốc gia về dân cư.")
        super().__init__(self.message)


@dataclass(frozen=True)
class Person:
    """One person as the population database knows them.

    The looked-up citizen always has an ID number, a birth date and a gender; a relative may be
    known only by name (a parent who died before identification numbers existed), so those
    fields are optional.
    """

    id_number: str | None
    full_name: str
    birth_date: date | None = None
    gender: Gender | None = None
    ethnicity: str | None = None  # dân tộc, e.g. "Kinh", "Ê Đê", "M'nông"
    nationality: str | None = None  # quốc tịch, e.g. "Việt Nam"
    permanent_address: str | None = None  # nơi thường trú, as one line of text
    permanent_unit_code: str | None = None  # code of the commune/ward of permanent residence


@dataclass(frozen=True)
class PopulationRecord:
    """A citizen and their closest relations (quan hệ nhân thân)."""

    person: Person
    father: Person | None = None
    mother: Person | None = None
    spouse: Person | None = None
    children: list[Person] = field(default_factory=list)

    def relation(self, name: str) -> Person | None:
        """The father, mother or spouse; None for any other name."""
        if name not in RELATIONS:
            return None
        return cast(Person | None, getattr(self, name))


class PopulationRegistry(Protocol):
    def lookup(self, *, id_number: str) -> PopulationRecord | None:
        """The record for `id_number`; None when unknown; raises PopulationUnavailable."""
        ...


population_registries = Registry[PopulationRegistry]("population")


def is_id_number(value: str) -> bool:
    return bool(ID_NUMBER_RE.fullmatch(value))


# --- JSON shape (shared by the HTTP plugin, the simulator and docs/population-registry.md). ---


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {key}")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    # Services differ in Unicode normalisation; compare and display the composed form.
    return unicodedata.normalize("NFC", value).strip()


def person_from_json(data: Any, *, main: bool = False) -> Person:
    """Parse one person; `main` (the looked-up citizen) requires ID, birth date and gender."""
    if not isinstance(data, dict):
        raise ValueError("person is not an object")
    id_number = _text(data, "id_number", required=main)
    if id_number is not None and not is_id_number(id_number):
        raise ValueError("id_number is not 12 digits")
    birth_text = _text(data, "birth_date", required=main)
    birth_date = date.fromisoformat(birth_text) if birth_text else None
    gender = _text(data, "gender", required=main)
    if gender is not None and gender not in GENDERS:
        raise ValueError("unknown gender")
    return Person(
        id_number=id_number,
        full_name=cast(str, _text(data, "full_name", required=True)),
        birth_date=birth_date,
        gender=cast(Gender | None, gender),
        ethnicity=_text(data, "ethnicity"),
        nationality=_text(data, "nationality"),
        permanent_address=_text(data, "permanent_address"),
        permanent_unit_code=_text(data, "permanent_unit_code"),
    )


def record_from_json(data: Any) -> PopulationRecord:
    """Parse a record in the documented shape; ValueError when it is not that shape."""
    if not isinstance(data, dict):
        raise ValueError("record is not an object")
    relations: dict[str, Person | None] = {}
    for name in RELATIONS:
        value = data.get(name)
        relations[name] = None if value is None else person_from_json(value)
    children = data.get("children") or []
    if not isinstance(children, list):
        raise ValueError("children is not a list")
    return PopulationRecord(
        person=person_from_json(data, main=True),
        father=relations["father"],
        mother=relations["mother"],
        spouse=relations["spouse"],
        children=[person_from_json(child) for child in children],
    )


def person_to_json(person: Person) -> dict[str, Any]:
    return {
        "id_number": person.id_number,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "nationality": person.nationality,
        "permanent_address": person.permanent_address,
        "permanent_unit_code": person.permanent_unit_code,
    }


def record_to_json(record: PopulationRecord) -> dict[str, Any]:
    data = person_to_json(record.person)
    for name in RELATIONS:
        relative = record.relation(name)
        data[name] = person_to_json(relative) if relative else None
    data["children"] = [person_to_json(child) for child in record.children]
    return data


# --- Demo plugin. ---


@functools.cache
def load_demo_records(path: Path = DEMO_DATA_PATH) -> dict[str, PopulationRecord]:
    """Records keyed by ID number, built from the demo file's people and their references.

    The file lists each person once, with `father_id`, `mother_id` and `spouse_id` pointing at
    other people; children are derived from those references, so the links always agree.
    """
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != DEMO_FORMAT:
        raise ValueError(f"{path} is not a {DEMO_FORMAT} document")
    rows: dict[str, dict[str, Any]] = {}
    people: dict[str, Person] = {}
    for row in document["people"]:
        person = person_from_json(row, main=True)
        assert person.id_number is not None  # guaranteed by main=True
        if person.id_number in people:
            raise ValueError(f"duplicate person {mask_id(person.id_number)} in {path}")
        rows[person.id_number] = row
        people[person.id_number] = person

    def linked(row: dict[str, Any], key: str) -> Person | None:
        target = row.get(key)
        if target is None:
            return None
        if target not in people:
            raise ValueError(f"{key} {mask_id(target)} is not in {path}")
        return people[target]

    records: dict[str, PopulationRecord] = {}
    for id_number, row in rows.items():
        spouse = linked(row, "spouse_id")
        if spouse is not None and rows[cast(str, spouse.id_number)].get("spouse_id") != id_number:
            raise ValueError(f"spouse link of {mask_id(id_number)} is not mutual")
        children = [
            people[other]
            for other, other_row in rows.items()
            if id_number in (other_row.get("father_id"), other_row.get("mother_id"))
        ]
        records[id_number] = PopulationRecord(
            person=people[id_number],
            father=linked(row, "father_id"),
            mother=linked(row, "mother_id"),
            spouse=spouse,
            children=sorted(children, key=lambda child: child.birth_date or date.min),
        )
    return records


class DemoPopulationRegistry:
    """Answers from the fictional sample citizens; never unavailable."""

    def __init__(self, path: Path = DEMO_DATA_PATH):
        self.path = path

    def lookup(self, *, id_number: str) -> PopulationRecord | None:
        return load_demo_records(self.path).get(id_number)


@population_registries.register("demo")
def _demo_registry() -> PopulationRegistry:
    return DemoPopulationRegistry()


# --- HTTP plugin. ---


class HttpPopulationRegistry:
    """GET {base_url}/citizens/{id_number} with a bearer token; see docs/population-registry.md."""

    def __init__(self, *, base_url: str, token: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> "HttpPopulationRegistry":
        return cls(
            base_url=settings.MOTCUA_POPULATION_HTTP_URL,
            token=settings.MOTCUA_POPULATION_HTTP_TOKEN,
            timeout=float(settings.MOTCUA_HTTP_TIMEOUT_SECONDS),
        )

    def lookup(self, *, id_number: str) -> PopulationRecord | None:
        masked = mask_id(id_number)
        if not is_id_number(id_number):
            # Nothing else can be registered, and it must not reach the URL path unchecked.
            return None
        if not self.base_url:
            logger.error("Population registry: MOTCUA_POPULATION_HTTP_URL is not set")
            raise PopulationUnavailable(gettext("Chưa cấu hình kết nối Cơ sở dữ liệu quốc gia về dân cư."))
        started = time.monotonic()
        # The URL ends with the ID number: unanswered_raises logs and raises without it.
        with unanswered_raises(
            timed_out=PopulationUnavailable(
                gettext("Cơ sở dữ liệu quốc gia về dân cư không phản hồi kịp thời; vui lòng thử lại sau.")
            ),
            unreachable=PopulationUnavailable(),
            log=logger,
            call=f"Population lookup {masked}",
            timeout=self.timeout,
        ):
            response = httpx.get(
                f"{self.base_url}/citizens/{id_number}",
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        elapsed_ms = round((time.monotonic() - started) * 1000)
        status = response.status_code
        if status == httpx.codes.NOT_FOUND:
            logger.info("Population lookup %s: not found (%sms)", masked, elapsed_ms)
            return None
        if status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            logger.error("Population lookup %s: the service refused our credentials (HTTP %s)", masked, status)
            raise PopulationUnavailable(gettext("Cơ sở dữ liệu quốc gia về dân cư từ chối yêu cầu tra cứu."))
        if status != httpx.codes.OK:
            logger.warning("Population lookup %s: HTTP %s (%sms)", masked, status, elapsed_ms)
            raise PopulationUnavailable()
        try:
            record = record_from_json(response.json())
        except (ValueError, TypeError):
            # The body is personal data: log that it was unusable, never what it said.
            logger.warning("Population lookup %s: unusable response body (%sms)", masked, elapsed_ms)
            raise PopulationUnavailable(
                gettext("Cơ sở dữ liệu quốc gia về dân cư trả về dữ liệu không hợp lệ.")
            ) from None
        if record.person.id_number != id_number:
            logger.warning("Population lookup %s: the answer is about someone else", masked)
            raise PopulationUnavailable(gettext("Cơ sở dữ liệu quốc gia về dân cư trả về dữ liệu không hợp lệ."))
        logger.info("Population lookup %s: found (%sms)", masked, elapsed_ms)
        return record


@population_registries.register("http")
def _http_registry() -> PopulationRegistry:
    return HttpPopulationRegistry.from_settings()
