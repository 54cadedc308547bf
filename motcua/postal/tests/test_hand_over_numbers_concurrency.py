"""Record numbers stay gapless and unique when clerks of one office hand over at the same
moment, a record rolled back gives its number back, and clerks sending the same dossiers at
once make one record (PostgreSQL: SQLite runs one writer at a time)."""

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from motcua.core.errors import ApplicationError
from motcua.directory.models import Agency
from motcua.postal.models import PaperHandOver, PaperHandOverItem
from motcua.postal.services import hand_over_create
from motcua.postal.testing import post_office, postal_clerk, posted_dossier

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time"),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 8


class RolledBack(Exception):
    pass


def _run(workers: list[Any]) -> None:
    threads = [threading.Thread(target=work) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def test_clerks_handing_over_at_once_number_records_without_gaps_or_twins(hung, birth_version) -> None:
    office = post_office()
    clerks = [postal_clerk(f"bd.{index}", office) for index in range(2)]
    ward = Agency.objects.get(code="UBND-24121").pk
    dossiers = [posted_dossier(hung, birth_version, clerk=clerks[0]) for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def hand_over(index: int) -> None:
        try:
            start.wait(10)
            create = {"clerk": clerks[index % 2], "post_office": office, "agency_id": ward}
            if index % 4 == 3:  # every fourth record fails after it was numbered
                with transaction.atomic():
                    hand_over_create(**create, dossier_ids=[dossiers[index].pk])
                    raise RolledBack
            hand_over_create(**create, dossier_ids=[dossiers[index].pk])
        except RolledBack:
            pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    _run([lambda index=index: hand_over(index) for index in range(WORKERS)])  # type: ignore[misc]
    assert not errors
    kept = WORKERS - WORKERS // 4
    assert sorted(PaperHandOver.objects.values_list("number", flat=True)) == list(range(1, kept + 1))
    again = hand_over_create(clerk=clerks[0], post_office=office, agency_id=ward, dossier_ids=[dossiers[3].pk])
    assert again.number == kept + 1


def test_clerks_sending_the_same_dossiers_at_once_make_one_record(hung, birth_version) -> None:
    office = post_office()
    clerks = [postal_clerk(f"bd.{index}", office) for index in range(3)]
    ward = Agency.objects.get(code="UBND-24121").pk
    ids = [posted_dossier(hung, birth_version, clerk=clerks[0]).pk for _ in range(2)]
    start = threading.Barrier(len(clerks))
    made: list[int] = []
    errors: list[BaseException] = []

    def hand_over(clerk: Any) -> None:
        try:
            start.wait(10)
            made.append(hand_over_create(clerk=clerk, post_office=office, agency_id=ward, dossier_ids=ids).pk)
        except ApplicationError as error:
            errors.append(error)
        finally:
            connection.close()

    _run([lambda clerk=clerk: hand_over(clerk) for clerk in clerks])  # type: ignore[misc]
    assert not errors
    assert len(set(made)) == 1 and len(made) == len(clerks)
    assert PaperHandOver.objects.count() == 1 and PaperHandOverItem.objects.count() == 2
