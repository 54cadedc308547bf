"""The citizen's side of fees: "Hồ sơ của tôi" marks what is owed with the way to pay, and the
timelines (the dossier's page, the tracking page) record the payment with its amount."""

from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.testing import fees_owed, officer, submitted_dossier
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record
from motcua.payments.tests.helpers import owing

pytestmark = pytest.mark.django_db


def test_my_dossiers_marks_fees_owed_until_paid_and_the_timeline_shows_the_payment(
    hung: Any, birth_version: Any
) -> None:
    dossier = owing(submitted_dossier(hung, birth_version))
    free = fees_owed(submitted_dossier(hung, birth_version), 0, [])
    client = Client()
    client.force_login(hung)
    mine = client.get("/ho-so/cua-toi/").content.decode()
    assert f'data-testid="fees-owed-{dossier.pk}"' in mine and "Chưa nộp phí, lệ phí: 8.000 đồng" in mine
    assert f'href="/ho-so/{dossier.pk}/#nop-phi"' in mine
    assert f'data-testid="fees-owed-{free.pk}"' not in mine
    assert 'id="nop-phi"' in client.get(f"/ho-so/{dossier.pk}/").content.decode()

    counter_payment_record(dossier=dossier, officer=officer("xa.tn"), method=PaymentMethod.CASH, revision=None)
    mine = client.get("/ho-so/cua-toi/").content.decode()
    assert "Chưa nộp phí" not in mine
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Đã nộp phí, lệ phí: 8.000 đồng" in page
    # After the submission in the timeline, in time order.
    timeline = page[page.index('class="mc-timeline"') :]
    assert timeline.index("– Chờ tiếp nhận") < timeline.index("– Đã nộp phí, lệ phí: 8.000 đồng")
    tracked = Client().get(f"/tra-cuu/{dossier.code}/", follow=True).content.decode()
    assert "Đã nộp phí, lệ phí: 8.000 đồng" in tracked
