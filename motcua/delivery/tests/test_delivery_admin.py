"""Support staff read hand-overs and shipments in the admin, never edit them, and see the
identity paper's number masked."""

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.delivery.constants import IdPaperKind, RecipientKind
from motcua.delivery.models import HandOver
from motcua.delivery.testing import processed_dossier
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db


def test_hand_overs_are_read_only_and_masked(client, hung, birth_version) -> None:  # type: ignore[no-untyped-def]
    dossier = processed_dossier(hung, birth_version)
    record = HandOver.objects.create(
        dossier=dossier,
        recipient_kind=RecipientKind.APPLICANT,
        recipient_name="Nguyễn Văn Hùng",
        id_paper_kind=IdPaperKind.CITIZEN_ID,
        id_paper_number="066094000103",
        officer=officer("xa.tn"),
        handed_at=timezone.now(),
    )
    client.force_login(User.objects.create_superuser(username="qt", password="x", email="qt@example.vn"))
    for url in ("/quan-tri/delivery/handover/", f"/quan-tri/delivery/handover/{record.pk}/change/"):
        html = client.get(url).content.decode()
        assert "*********103" in html and "066094000103" not in html, url
    assert client.get("/quan-tri/delivery/handover/add/").status_code == 403
    posted = client.post(f"/quan-tri/delivery/handover/{record.pk}/change/", {"recipient_name": "X"})
    assert posted.status_code == 403 and HandOver.objects.get().recipient_name == "Nguyễn Văn Hùng"
    assert client.get("/quan-tri/delivery/shipment/").status_code == 200
