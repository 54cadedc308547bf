"""The statistics generator: deterministic for a seed, the distributions it claims, the board
from the daily counts equal to the naive board on its data, and its refusal of a real database."""

import collections
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from motcua.catalog.models import Procedure
from motcua.catalog.services import catalog_import
from motcua.core.testing import BIRTH, DEATH, catalog_document, citizen, procedure
from motcua.directory.services import directory_load
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import submitted_dossier
from motcua.payments.models import Payment
from motcua.reports.datagen import GeneratedDataRefused, statistics_generate
from motcua.reports.models import SatisfactionRating
from motcua.reports.selectors import board_rows, board_rows_from_counts

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)
COUNT = 2000


@pytest.fixture
def province(db: Any) -> None:
    """The demo province's directory and three procedures: two at the commune, one provincial."""
    demo = Path(settings.PACKAGE_DIR) / "directory" / "demo_data" / "dak_lak.json"
    directory_load(actor="test", document=json.loads(demo.read_text()))
    permit = procedure(
        "1.009994", "Cấp giấy phép xây dựng", field="XD", level="province", managing_agency="SXD", processing_time=15
    )
    catalog_import(actor="test", document=catalog_document(BIRTH, DEATH, permit))


def _fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Dossier.objects.order_by("id").values_list(
            "code", "agency__code", "channel", "status", "submitted_at", "received_at", "due_at", "processed_at"
        )
    )


def test_same_seed_same_data_and_realistic_shares(province: None) -> None:
    statistics_generate(dossiers=COUNT, seed=7, today=TODAY)
    first = _fingerprint()
    Payment.objects.all().delete()
    SatisfactionRating.objects.all().delete()
    Dossier.objects.all().delete()
    statistics_generate(dossiers=COUNT, seed=7, today=TODAY)
    again = _fingerprint()
    assert [row[1:] for row in again] == [row[1:] for row in first]  # ids (in the codes) move on
    assert len(again) == COUNT

    channels = collections.Counter(row[2] for row in again)
    assert 0.45 < (channels[Channel.ONLINE] + channels[Channel.NATIONAL_PORTAL]) / COUNT < 0.75
    assert 0.2 < channels[Channel.COUNTER] / COUNT < 0.55
    assert channels[Channel.POST_OFFICE] > 0
    statuses = collections.Counter(row[3] for row in again)
    assert statuses[DossierStatus.RETURNED] > COUNT / 2
    assert statuses[DossierStatus.REJECTED] > 0 and statuses[DossierStatus.WITHDRAWN] > 0
    assert statuses[DossierStatus.IN_PROGRESS] > 0
    finished = [row for row in again if row[7] is not None]
    late = sum(1 for row in finished if row[7] > row[6])
    assert 0.01 < late / len(finished) < 0.3
    # No dossier received on a Sunday, only handed in online on one.
    assert all(row[5].astimezone(datetime.UTC).weekday() != 6 for row in again if row[5] is not None)

    sizes = sorted(collections.Counter(row[1] for row in again).values())
    assert len(sizes) > 50 and sizes[-1] > 10 * sizes[len(sizes) // 2]
    assert SatisfactionRating.objects.exists() and Payment.objects.exists()
    assert SatisfactionRating.objects.filter(agency_level="dissatisfied").exists()


def test_board_from_counts_equals_naive_board(province: None) -> None:
    statistics_generate(dossiers=COUNT, seed=3, today=TODAY)
    for start, end in [(TODAY - datetime.timedelta(days=29), TODAY), (TODAY - datetime.timedelta(days=364), TODAY)]:
        for grouping in ["co-quan", "linh-vuc"]:
            naive = board_rows(start=start, end=end, grouping=grouping)
            assert naive and sum(row.late for row in naive) > 0
            assert board_rows_from_counts(start=start, end=end, grouping=grouping) == naive


def test_refuses_a_database_with_real_dossiers(province: None) -> None:
    submitted_dossier(citizen(), Procedure.objects.get(code=BIRTH["code"]).current_version)
    with pytest.raises(GeneratedDataRefused, match="hồ sơ thật"):
        statistics_generate(dossiers=10, seed=1, today=TODAY)
    with pytest.raises(CommandError, match="real dossiers"):
        call_command("statistics_generate", dossiers=10)
    assert Dossier.objects.count() == 1
    statistics_generate(dossiers=10, seed=1, today=TODAY, force=True)
    assert Dossier.objects.count() == 11
