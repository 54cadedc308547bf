"""An officer finds any dossier they may read with one search: by code, by the applicant's name
typed with or without accents, by ID number or phone, and by submission date, status, procedure
and agency. A foreign agency's dossier never appears; a consulted agency sees the dossier it was
asked about, as it may read it."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from motcua.accounts.models import CitizenProfile
from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, DEATH, citizen, load_catalog
from motcua.directory.constants import AgencyKind, Role, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.dossiers import search
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.search import DossierSearch, dossier_search_for_officer
from motcua.dossiers.testing import consulted_dossier, officer, submitted_dossier

pytestmark = pytest.mark.django_db


def _codes(user, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.code for d in dossier_search_for_officer(user=user, search=DossierSearch(**filters))]


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    load_catalog(BIRTH, DEATH)
    version = Procedure.objects.get(code="1.001193").current_version
    ward = AdministrativeUnit.objects.create(
        code="24122", name="Phường Tự An", kind=UnitKind.WARD, parent=AdministrativeUnit.objects.get(code="66")
    )
    Agency.objects.create(
        code="UBND-24122",
        electronic_id="000.02.50.H15",
        name="UBND phường Tự An",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        unit=ward,
    )
    hung = submitted_dossier(citizen(), version)
    lan = citizen(phone="0987654321", id_number="066194000777")
    CitizenProfile.objects.filter(user=lan).update(full_name="Trần Thị Lan")
    lan_dossier = submitted_dossier(lan, version)
    foreign = submitted_dossier(citizen(phone="0977000111", id_number="066094000555"), version, unit_code="24122")
    return {
        "hung": hung,
        "lan": lan_dossier,
        "foreign": foreign,
        "officer": officer("xa.tn"),
        "supervisor": officer("tinh.gs", agency="", role=Role.SUPERVISOR),
    }


def test_a_name_typed_without_accents_finds_the_accented_applicant(world) -> None:
    assert world["hung"].applicant_folded == "nguyen van hung"
    assert _codes(world["officer"], text="hung") == [world["hung"].code]
    assert _codes(world["officer"], text="Nguyễn Văn Hùng") == [world["hung"].code]
    assert _codes(world["officer"], text="van hu") == [world["hung"].code]
    assert _codes(world["officer"], text="lan tran") == [world["lan"].code]
    assert _codes(world["officer"], text="ung") == []  # a word's start, not any part of it
    assert _codes(world["officer"], text='"*!') == []


def test_by_code_id_number_and_phone(world) -> None:
    code = world["lan"].code
    assert _codes(world["officer"], text=code.lower()) == [code]
    assert _codes(world["officer"], text=code[:-2]) == sorted([code, world["hung"].code], reverse=True)
    assert _codes(world["officer"], text="0661 9400 0777") == [code]
    assert _codes(world["officer"], text="+84 987 654 321") == [code]
    assert _codes(world["officer"], text="066194000778") == []


def test_by_date_range_status_procedure_and_agency(world) -> None:
    hung, lan = world["hung"], world["lan"]
    Dossier.objects.filter(pk=hung.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=10))
    today = timezone.localdate()
    assert _codes(world["officer"], submitted_from=today) == [lan.code]
    assert _codes(world["officer"], submitted_to=today - datetime.timedelta(days=5)) == [hung.code]
    Dossier.objects.filter(pk=lan.pk).update(status=DossierStatus.IN_PROGRESS)
    assert _codes(world["officer"], status=DossierStatus.IN_PROGRESS) == [lan.code]
    procedure = Procedure.objects.get(code="1.001193")
    assert _codes(world["officer"], procedure_id=procedure.pk) == [lan.code, hung.code]
    stp = Agency.objects.get(code="STP")
    assert _codes(world["officer"], agency_id=stp.pk) == []


def test_a_foreign_agency_dossier_never_appears_but_province_wide_roles_see_all(world) -> None:
    foreign = world["foreign"].code
    assert foreign not in _codes(world["officer"])
    assert _codes(world["officer"], text=foreign) == []
    assert _codes(world["officer"], text="0977000111") == []
    assert foreign in _codes(world["supervisor"], text="hung")
    assert len(_codes(world["supervisor"])) == 3


def test_a_consulted_agency_finds_the_dossier_it_was_asked_about() -> None:
    load_catalog(BIRTH)
    version = Procedure.objects.get(code="1.001193").current_version
    consulted = consulted_dossier(applicant=citizen(), version=version)
    code = consulted["dossier"].code
    assert _codes(consulted["stp_specialist"], text="hung") == [code]
    outsider = officer("ttpv.tn", agency="TTPVHCC")
    assert _codes(outsider, text="hung") == []


def test_the_word_index_follows_a_dossier_moved_to_another_agency(world, monkeypatch) -> None:
    """On SQLite the index holds each dossier's agencies: a moved dossier is found by the officers
    of its new agency only, by a rare name as by a common one."""
    foreign_officer = officer("phuong.ta", agency="UBND-24122")
    Dossier.objects.filter(pk=world["hung"].pk).update(agency=world["foreign"].agency)
    for common_from in (search.COMMON_NAME_HITS, 1):
        monkeypatch.setattr(search, "COMMON_NAME_HITS", common_from)
        assert _codes(world["officer"], text="hung") == []
        assert _codes(foreign_officer, text="hung") == [world["foreign"].code, world["hung"].code]
        assert _codes(foreign_officer, text="lan") == []


def test_a_name_within_a_procedure_follows_a_dossier_moved_to_another_procedure(world, monkeypatch) -> None:
    """On PostgreSQL the word index holds each dossier's procedure: a dossier moved to another
    procedure is found by a name within the new one only, by a rare name as by a common one."""
    birth, death = Procedure.objects.get(code="1.001193"), Procedure.objects.get(code="1.000656")
    Dossier.objects.filter(pk=world["hung"].pk).update(procedure_version=death.current_version)
    for common_from in (search.COMMON_NAME_HITS, 1):
        monkeypatch.setattr(search, "COMMON_NAME_HITS", common_from)
        assert _codes(world["officer"], text="hung", procedure_id=death.pk) == [world["hung"].code]
        assert _codes(world["officer"], text="hung", procedure_id=birth.pk) == []
        assert _codes(world["officer"], text="tran l", procedure_id=birth.pk) == [world["lan"].code]


def test_the_word_index_follows_a_changed_name(world) -> None:
    """The SQLite word index is kept by triggers that Django drops when a migration rebuilds the
    dossier table: this fails if a later migration lost them."""
    Dossier.objects.filter(pk=world["hung"].pk).update(applicant_folded="le van tam")
    assert _codes(world["officer"], text="tam") == [world["hung"].code]
    assert _codes(world["officer"], text="hung") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'dossiers_dossier_fts_%'"
            )
            assert cursor.fetchone()[0] == 6


def test_the_search_page(client, world) -> None:
    client.force_login(world["officer"])
    page = client.get("/can-bo/tra-cuu-ho-so/", {"q": "hung"}).content.decode()
    assert world["hung"].code in page and f"/can-bo/ho-so/{world['hung'].pk}/" in page
    assert world["lan"].code not in page
    empty = client.get("/can-bo/tra-cuu-ho-so/", {"q": "khong co ai"}).content.decode()
    assert "Không tìm thấy hồ sơ nào phù hợp" in empty
    stp = Agency.objects.get(code="STP")
    bad = client.get(
        "/can-bo/tra-cuu-ho-so/",
        {"tu_ngay": "2026-12-07", "den_ngay": "2026-12-01", "co_quan": stp.pk, "thu_tuc": "9.9"},
    ).content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu." in bad
    assert "Cơ quan này không thuộc phạm vi bạn được xem." in bad
    assert "Không có thủ tục mã 9.9." in bad
    assert world["hung"].code not in bad
    forged = client.get("/can-bo/tra-cuu-ho-so/", {"q": "hung", "page": "9" * 30})
    assert forged.status_code == 200 and world["hung"].code not in forged.content.decode()
    home = client.get("/can-bo/").content.decode()
    assert "/can-bo/tra-cuu-ho-so/" in home


def test_a_common_name_word_finds_the_same_dossiers_newest_first(world, monkeypatch) -> None:
    """Past COMMON_NAME_HITS matches SQLite walks the dossiers newest first instead: same answer."""
    monkeypatch.setattr(search, "COMMON_NAME_HITS", 1)
    assert _codes(world["supervisor"], text="hung") == [world["foreign"].code, world["hung"].code]
    assert _codes(world["officer"], text="hung") == [world["hung"].code]
    assert _codes(world["officer"], text="lan") == [world["lan"].code]
