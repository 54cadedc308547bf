"""The demo population registry: fictional, realistic sample citizens of Đắk Lắk and their families."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from motcua.integrations.population import DEMO_DATA_PATH, load_demo_records, population_registries
from motcua.integrations.testing import H_LAN, HUNG, MAI, TAM, UNKNOWN

DIRECTORY = Path(__file__).resolve().parents[2] / "directory" / "demo_data" / "dak_lak.json"


def _circular_59_digit(gender: str | None, birth_date: date) -> str:
    """4th digit of an ID number per Circular 59/2021/TT-BCA: century and gender."""
    century = (birth_date.year - 1900) // 100  # 0 for 1900–1999, 1 for 2000–2099
    return str(century * 2 + (1 if gender == "nữ" else 0))


def test_demo_file_is_marked_fictional_and_large_enough() -> None:
    """The demo file says its people are fictional and holds at least 12 citizens in 4–5 families."""
    document = json.loads(DEMO_DATA_PATH.read_text(encoding="utf-8"))
    assert "FICTIONAL" in document["notice"]
    assert "HƯ CẤU" in document["notice"]
    assert len(document["people"]) >= 12
    assert 4 <= len({row["family"] for row in document["people"]}) <= 5


def test_id_numbers_follow_circular_59() -> None:
    """Every ID is 12 digits: 066 (Đắk Lắk), gender/century digit, then the birth year's last two digits."""
    records = load_demo_records()
    for id_number, record in records.items():
        person = record.person
        assert person.birth_date is not None
        assert len(id_number) == 12 and id_number.isdigit()
        assert id_number[:3] == "066"
        assert id_number[3] == _circular_59_digit(person.gender, person.birth_date), person.full_name
        assert id_number[4:6] == f"{person.birth_date.year % 100:02d}", person.full_name
    # Both centuries and both genders appear, so all four values of the 4th digit are exercised.
    assert {id_number[3] for id_number in records} == {"0", "1", "2", "3"}


def test_addresses_are_current_communes_of_dak_lak() -> None:
    """Permanent addresses point at communes and wards of Đắk Lắk in force since 1 July 2025."""
    units = json.loads(DIRECTORY.read_text(encoding="utf-8"))["units"]
    current = {unit["code"] for unit in units if unit["kind"] in ("commune", "ward") and unit["valid_to"] is None}
    for record in load_demo_records().values():
        assert record.person.permanent_unit_code in current, record.person.full_name
        assert record.person.permanent_address and "Đắk Lắk" in record.person.permanent_address


def test_ethnic_groups_of_the_province_are_represented() -> None:
    """Kinh, Ê Đê and M'nông citizens are among the samples, with names in their own tradition."""
    records = load_demo_records()
    ethnicities = {record.person.ethnicity for record in records.values()}
    assert {"Kinh", "Ê Đê", "M'nông"} <= ethnicities
    assert records[H_LAN].person.full_name == "H'Lan Niê"
    assert all(record.person.nationality == "Việt Nam" for record in records.values())


def test_family_links_agree_both_ways() -> None:
    """A parent lists the child who names them; a spouse names the spouse who names them."""
    records = load_demo_records()
    for id_number, record in records.items():
        for parent in (record.father, record.mother):
            if parent is not None:
                assert parent.id_number is not None
                assert id_number in [child.id_number for child in records[parent.id_number].children]
        if record.spouse is not None:
            assert record.spouse.id_number is not None
            spouse_record = records[record.spouse.id_number]
            assert spouse_record.spouse is not None and spouse_record.spouse.id_number == id_number


def test_expecting_couple_shows_spouse_and_parents() -> None:
    """The demo login Nguyễn Văn Hùng has his wife (expecting) and both parents; she has her mother only."""
    registry = population_registries.get("demo")
    hung = registry.lookup(id_number=HUNG)
    assert hung is not None
    assert hung.person.full_name == "Nguyễn Văn Hùng" and hung.person.gender == "nam"
    assert hung.spouse is not None and hung.spouse.id_number == MAI
    assert hung.spouse.full_name == "Trần Thị Mai" and hung.spouse.birth_date == date(1996, 8, 22)
    assert hung.father is not None and hung.father.full_name == "Nguyễn Văn Thành"
    assert hung.mother is not None and hung.mother.full_name == "Lê Thị Hoa"
    assert hung.children == []
    mai = registry.lookup(id_number=MAI)
    assert mai is not None and mai.father is None and mai.mother is not None


def test_couple_with_newborn() -> None:
    """Lê Văn Tâm's record shows his wife and their newborn, who already has an ID number."""
    tam = population_registries.get("demo").lookup(id_number=TAM)
    assert tam is not None and tam.spouse is not None
    assert [child.full_name for child in tam.children] == ["Lê Gia Bảo"]
    assert tam.children[0].birth_date is not None and tam.children[0].birth_date.year == 2025


@pytest.mark.parametrize("id_number", [UNKNOWN, "", "06609400010", "not-a-number"])
def test_unknown_numbers_are_not_found(id_number: str) -> None:
    """A number nobody holds gives None (not found), not an error."""
    assert population_registries.get("demo").lookup(id_number=id_number) is None


def test_demo_is_the_default_plugin(settings: Any) -> None:
    """Without a configured population plugin the demo registry answers."""
    settings.MOTCUA_PLUGINS = {key: value for key, value in settings.MOTCUA_PLUGINS.items() if key != "population"}
    record = population_registries.get().lookup(id_number=HUNG)
    assert record == load_demo_records()[HUNG]
