"""Dossier codes follow the national format and stay unique when many submit at once."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from motcua.core.testing import directory_minimal
from motcua.dossiers.codes import dossier_code_issue


@pytest.mark.django_db
def test_code_has_agency_id_date_and_daily_sequence() -> None:
    agencies = directory_minimal()
    day = datetime.date(2026, 11, 25)
    with transaction.atomic():
        first = dossier_code_issue(agency=agencies["UBND-24121"], day=day)
        second = dossier_code_issue(agency=agencies["UBND-24121"], day=day)
        other_agency = dossier_code_issue(agency=agencies["STP"], day=day)
        next_day = dossier_code_issue(agency=agencies["UBND-24121"], day=day + datetime.timedelta(days=1))
    assert first == "000.01.50.H15-261125-0001"
    assert second == "000.01.50.H15-261125-0002"
    assert other_agency == "000.00.01.H15-261125-0001"
    assert next_day == "000.01.50.H15-261126-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_share_a_code() -> None:
    """Eight threads issuing codes at once for the same agency and day get eight codes."""
    agency = directory_minimal()["UBND-24121"]
    day = datetime.date(2026, 11, 25)
    codes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def issue() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    codes.append(dossier_code_issue(agency=agency, day=day))
        except BaseException as error:  # reported below, so a failure is visible
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(codes) == 40 and len(set(codes)) == 40
    assert max(codes).endswith("-0040")
