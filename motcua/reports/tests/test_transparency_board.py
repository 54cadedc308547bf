"""The public board counts dossiers per agency and field with the national on-time rule (the
same answer as `dossier_timeliness`), lists late dossiers by code and agency only, and shows no
personal data."""

import datetime

import pytest
from django.utils import timezone

from motcua.dossiers.constants import Channel, DossierStatus, SlipKind, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.models import Dossier, DossierPause, DossierSlip
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.reports.selectors import board_rows, late_dossiers

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))


def _dossier(hung, version, *, due: datetime.datetime, processed: datetime.datetime | None, **extra):  # type: ignore[no-untyped-def]
    dossier = submitted_dossier(hung, version)
    Dossier.objects.filter(pk=dossier.pk).update(
        status=DossierStatus.PROCESSED if processed else DossierStatus.IN_PROGRESS,
        received_at=datetime.datetime(2026, 12, 1, 8, 0, tzinfo=VN),
        due_at=due,
        processed_at=processed,
        **extra,
    )
    return Dossier.objects.get(pk=dossier.pk)


def test_board_counts_follow_the_national_rule(hung, birth_version) -> None:
    due = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=VN)
    early = _dossier(hung, birth_version, due=due, processed=due - datetime.timedelta(days=1))
    on_time = _dossier(hung, birth_version, due=due, processed=due - datetime.timedelta(minutes=30))
    late = _dossier(hung, birth_version, due=due, processed=due + datetime.timedelta(hours=1), channel=Channel.COUNTER)
    apologised = _dossier(hung, birth_version, due=due, processed=due - datetime.timedelta(days=1))
    DossierSlip.objects.create(
        dossier=apologised, kind=SlipKind.APOLOGY, form_set="x", form_number="04", issued_by=officer("a")
    )
    twice_paused = _dossier(hung, birth_version, due=due, processed=due - datetime.timedelta(days=1))
    for _ in range(2):
        DossierPause.objects.create(dossier=twice_paused, reason="x", requested_by=hung, started_at=due)
    _dossier(hung, birth_version, due=due, processed=None)  # open and overdue
    expected = {
        early.pk: Timeliness.EARLY,
        on_time.pk: Timeliness.ON_TIME,
        late.pk: Timeliness.LATE,
        apologised.pk: Timeliness.LATE,
        twice_paused.pk: Timeliness.LATE,
    }
    assert {pk: dossier_timeliness(Dossier.objects.get(pk=pk)) for pk in expected} == expected
    now = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=VN)
    (row,) = board_rows(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31), now=now)
    assert (row.name, row.received, row.finished, row.early, row.on_time, row.late) == (
        "UBND phường Tân Lập",
        6,
        5,
        1,
        1,
        3,
    )
    assert (row.open, row.overdue_open, row.online) == (1, 1, 5)
    (by_field,) = board_rows(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31), grouping="linh-vuc")
    assert by_field.name == "Hộ tịch" and by_field.received == 6
    late_codes = {
        row["code"] for row in late_dossiers(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31), now=now)
    }
    assert len(late_codes) == 4 and early.code not in late_codes


def test_public_board_page_has_no_personal_data(client, hung, birth_version) -> None:
    due = timezone.now() - datetime.timedelta(days=1)
    dossier = _dossier(hung, birth_version, due=due, processed=None)
    Dossier.objects.filter(pk=dossier.pk).update(received_at=timezone.now() - datetime.timedelta(days=3))
    today = timezone.localdate()
    query = f"?tu={today - datetime.timedelta(days=10)}&den={today}"
    board = client.get(f"/cong-khai/{query}").content.decode()
    assert "UBND phường Tân Lập" in board and "Hồ sơ trễ hạn" in board
    late = client.get(f"/cong-khai/tre-han/{query}").content.decode()
    assert dossier.code in late
    for page in (board, late):
        assert "Nguyễn Văn Hùng" not in page and "066094000103" not in page and "0912345678" not in page
