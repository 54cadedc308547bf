"""Pre-filling forms from the citizen's profile and from the population database."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.accounts.models import CitizenProfile, User
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit
from motcua.integrations.population import PopulationRecord, PopulationUnavailable, load_demo_records
from motcua.integrations.prefill import SOURCE_PATHS, Prefill
from motcua.integrations.simulator import PopulationSimulator
from motcua.integrations.testing import HUNG, MAI

pytestmark = pytest.mark.django_db

DOWN_WARNING = "Không kết nối được Cơ sở dữ liệu quốc gia về dân cư; vui lòng tự nhập các thông tin còn thiếu."


def _citizen(id_number: str | None = HUNG, **overrides: Any) -> User:
    province = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    ward = AdministrativeUnit.objects.create(code="24121", name="Phường Tân Lập", kind=UnitKind.WARD, parent=province)
    user = User.objects.create_user(username=f"citizen-{id_number}", password="x")
    fields: dict[str, Any] = {
        "full_name": "Nguyễn Văn Hùng",
        "birth_date": date(1994, 3, 15),
        "id_number": id_number,
        "phone": "0912345678",
        "email": "hung@example.vn",
        "address_unit": ward,
        "address_detail": "Số 18, tổ dân phố 5",
    }
    fields.update(overrides)
    CitizenProfile.objects.create(user=user, **fields)
    return user


class CountingRegistry:
    def __init__(self, record: PopulationRecord | None = None, *, fail: bool = False):
        self.record = record
        self.fail = fail
        self.calls: list[str] = []

    def lookup(self, *, id_number: str) -> PopulationRecord | None:
        self.calls.append(id_number)
        if self.fail:
            raise PopulationUnavailable()
        return self.record


def test_profile_paths() -> None:
    """Profile values pre-fill forms: dates as ISO strings, the address as commune code and detail."""
    prefill = Prefill.for_user(_citizen(), registry=CountingRegistry())
    assert prefill.value("profile.full_name") == "Nguyễn Văn Hùng"
    assert prefill.value("profile.id_number") == HUNG
    assert prefill.value("profile.birth_date") == "1994-03-15"
    assert prefill.value("profile.phone") == "0912345678"
    assert prefill.value("profile.email") == "hung@example.vn"
    assert prefill.value("profile.address") == {"unit": "24121", "detail": "Số 18, tổ dân phố 5"}


def test_blank_profile_values_are_none() -> None:
    """A value the citizen never gave pre-fills nothing (None), not an empty string."""
    prefill = Prefill.for_user(_citizen(email="", phone=None, address_unit=None, address_detail=""))
    assert prefill.values(["profile.email", "profile.phone", "profile.address"]) == {
        "profile.email": None,
        "profile.phone": None,
        "profile.address": None,
    }


def test_population_paths_from_demo(population_demo: dict) -> None:
    """The citizen's own particulars and their father's, mother's and spouse's come from the registry."""
    prefill = Prefill.for_user(_citizen())
    assert prefill.value("population.full_name") == "Nguyễn Văn Hùng"
    assert prefill.value("population.birth_date") == "1994-03-15"
    assert prefill.value("population.gender") == "nam"
    assert prefill.value("population.ethnicity") == "Kinh"
    assert prefill.value("population.nationality") == "Việt Nam"
    assert prefill.value("population.permanent_address") == "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk"
    assert prefill.value("population.spouse.full_name") == "Trần Thị Mai"
    assert prefill.value("population.spouse.id_number") == MAI
    assert prefill.value("population.spouse.birth_date") == "1996-08-22"
    assert prefill.value("population.spouse.ethnicity") == "Kinh"
    assert prefill.value("population.spouse.nationality") == "Việt Nam"
    assert prefill.value("population.spouse.permanent_address") == "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk"
    # The ward too, or an address pre-filled for the other parent fails validation.
    assert prefill.value("population.spouse.permanent_unit_code") == "24121"
    assert prefill.value("population.mother.permanent_unit_code") == "24121"
    assert prefill.value("population.father.full_name") == "Nguyễn Văn Thành"
    assert prefill.value("population.mother.birth_date") == "1968-09-03"
    assert prefill.warnings == []


def test_missing_relation_is_none(population_demo: dict) -> None:
    """A relation the registry does not hold (Trần Thị Mai's father) pre-fills nothing."""
    prefill = Prefill.for_user(_citizen(MAI, full_name="Trần Thị Mai"))
    assert prefill.value("population.father.full_name") is None
    assert prefill.value("population.mother.full_name") == "Đỗ Thị Ngọc Lan"


def test_population_paths_over_http(population_simulator: PopulationSimulator) -> None:
    """With the http plugin the same paths are answered by the population service."""
    prefill = Prefill.for_user(_citizen())
    assert prefill.value("population.spouse.full_name") == "Trần Thị Mai"
    assert prefill.value("population.gender") == "nam"
    assert population_simulator.request_count == 1


@pytest.mark.parametrize(
    "path",
    [
        "profile.password",
        "profile.user",
        "population.phone",
        "population.cousin.full_name",
        "population.father.phone",
        "population.spouse",
        "population.spouse.full_name.extra",
        "population.children",
        "business.tax_code",
        "",
    ],
)
def test_unknown_paths_are_none(path: str) -> None:
    """A path the pre-fill does not know gives None, never an attribute of some object."""
    registry = CountingRegistry(load_demo_records()[HUNG])
    assert Prefill.for_user(_citizen(), registry=registry).value(path) is None


def test_every_listed_path_answers(population_demo: dict) -> None:
    """Every advertised source path gives a value for a well-documented demo citizen."""
    prefill = Prefill.for_user(_citizen())
    missing = [path for path in SOURCE_PATHS if prefill.value(path) is None]
    assert missing == []


def test_registry_down_keeps_profile_and_warns(population_simulator: PopulationSimulator) -> None:
    """When the population service is down, profile values still pre-fill and the citizen is told why
    the rest is empty; the service is not asked again for every field."""
    population_simulator.fail("down")
    prefill = Prefill.for_user(_citizen())
    assert prefill.value("population.full_name") is None
    assert prefill.value("population.spouse.full_name") is None
    assert prefill.value("profile.full_name") == "Nguyễn Văn Hùng"
    assert prefill.value("profile.address") == {"unit": "24121", "detail": "Số 18, tổ dân phố 5"}
    assert prefill.warnings == [DOWN_WARNING]
    assert population_simulator.request_count == 1


def test_population_is_looked_up_once() -> None:
    """However many population paths a form asks for, the registry is asked once, and only then."""
    registry = CountingRegistry(load_demo_records()[HUNG])
    prefill = Prefill.for_user(_citizen(), registry=registry)
    prefill.values(["profile.full_name", "profile.phone", "profile.address"])
    assert registry.calls == []
    prefill.values(["population.full_name", "population.spouse.full_name", "population.father.birth_date"])
    prefill.value("population.gender")
    assert registry.calls == [HUNG]


def test_failed_lookup_is_not_repeated() -> None:
    """An unavailable registry is asked once per pre-fill and warns once."""
    registry = CountingRegistry(fail=True)
    prefill = Prefill.for_user(_citizen(), registry=registry)
    prefill.values(["population.full_name", "population.mother.full_name"])
    assert registry.calls == [HUNG]
    assert prefill.warnings == [DOWN_WARNING]


def test_no_id_number_no_lookup() -> None:
    """Without an ID number in the profile the registry is not asked and nothing is wrong."""
    registry = CountingRegistry(load_demo_records()[HUNG])
    prefill = Prefill.for_user(_citizen(None), registry=registry)
    assert prefill.value("population.full_name") is None
    assert prefill.value("profile.full_name") == "Nguyễn Văn Hùng"
    assert registry.calls == []
    assert prefill.warnings == []


def test_user_without_profile() -> None:
    """Officers and anonymous visitors have no profile: every path is None and nothing is looked up."""
    registry = CountingRegistry(load_demo_records()[HUNG])
    officer = User.objects.create_user(username="officer", password="x")
    for user in (officer, AnonymousUser()):
        prefill = Prefill.for_user(user, registry=registry)
        assert prefill.value("profile.full_name") is None
        assert prefill.value("population.full_name") is None
    assert registry.calls == []
