"""The post office's page lists, for that office only, the dossiers to hand over (grouped by
receiving agency), the records the unit has not confirmed, the results to take for delivery by
post, the shipments on their way and those that failed; another office's clerk and the agencies'
officers get 403. The clerk makes a record from the page (two posts, one record); the ward's
one-stop officer sees its dossiers "đang chuyển" and confirms it with a discrepancy."""

import datetime
import re

import pytest
from django.urls import reverse

from motcua.delivery.constants import ShipmentStatus
from motcua.delivery.models import Shipment
from motcua.delivery.testing import processed_dossier
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.testing import officer
from motcua.postal.models import PaperHandOver
from motcua.postal.services import hand_over_create
from motcua.postal.testing import post_office, postal_clerk, posted_dossier

pytestmark = pytest.mark.django_db


def _shipment(dossier, status: str, by) -> Shipment:  # type: ignore[no-untyped-def]
    return Shipment.objects.create(
        dossier=dossier,
        status=status,
        carrier="Bưu điện (VNPost)",
        tracking_number=f"EB{dossier.pk:07d}VN",
        address="Số 1 Lê Duẩn",
        sent_on=datetime.date(2026, 12, 1),
        sent_by=by,
        failure_reason="Không có người nhận" if status == ShipmentStatus.FAILED else "",
    )


def _papers_states(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Dossier code → where its papers are, as the reception queue says."""
    html = client.get(reverse("backoffice:reception_queue")).content.decode()
    rows = html.split("<tr>")[2:]
    return {
        re.search(r">([^<]+)</a></td>", row).group(1): re.search(
            r'data-testid="papers-state"[^>]*>([^<]+)<', row
        ).group(1)  # type: ignore[union-attr]
        for row in rows
        if "papers-state" in row
    }


def test_the_office_page_lists_its_own_work_and_refuses_others(client, hung, birth_version) -> None:
    office = post_office()
    clerk = postal_clerk("bd.tanlap", office)
    ward = Agency.objects.get(code="UBND-24121")
    waiting = posted_dossier(hung, birth_version, clerk=clerk)
    sent = posted_dossier(hung, birth_version, clerk=clerk)
    record = hand_over_create(clerk=clerk, post_office=office, agency_id=ward.pk, dossier_ids=[sent.pk])
    to_pick_up = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    on_its_way = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    failed = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    reception = officer("xa.tn")
    _shipment(on_its_way, ShipmentStatus.SENT, reception)
    _shipment(failed, ShipmentStatus.FAILED, reception)
    lost = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    Shipment.objects.filter(pk=_shipment(lost, ShipmentStatus.SENT, reception).pk).update(
        attention="Bưu chính báo bưu gửi bị thất lạc"
    )
    elsewhere = post_office("BD-KHAC", serves=("STP",))
    theirs = posted_dossier(hung, birth_version, clerk=postal_clerk("bd.khac", elsewhere))

    client.force_login(clerk)
    home = client.get(reverse("backoffice:home"))
    assert reverse("postal:office", args=[office.code]) in home.content.decode()
    assert client.get(reverse("postal:my_office")).url == reverse("postal:office", args=[office.code])
    page = client.get(reverse("postal:office", args=[office.code]))
    assert page.status_code == 200
    html = page.content.decode()
    section = {
        key: html.split(f'id="{key}"')[1].split('<h2 class="mc-heading-m"')[0]
        for key in ("to-hand-over", "awaiting", "to-pick-up", "out", "failed")
    }
    assert waiting.code in section["to-hand-over"] and ward.name in section["to-hand-over"]
    assert sent.code not in section["to-hand-over"] and theirs.code not in html
    assert record.label in section["awaiting"] and "Đang chuyển" in section["awaiting"]
    assert to_pick_up.code in section["to-pick-up"]
    assert on_its_way.code not in section["to-pick-up"] and failed.code in section["to-pick-up"]
    assert on_its_way.code in section["out"] and "Không có người nhận" in section["failed"]
    # Lost (or otherwise flagged) while still "sent": among those needing action, not on its way.
    assert lost.code in section["failed"] and lost.code not in section["out"]
    assert "Cần xử lý" in section["failed"] and "thất lạc" in section["failed"]

    # Another office's page, and the ward's officers: 403.
    assert client.get(reverse("postal:office", args=[elsewhere.code])).status_code == 403
    client.force_login(reception)
    assert client.get(reverse("postal:office", args=[office.code])).status_code == 403
    assert client.get(reverse("postal:my_office")).status_code == 404


def test_the_clerk_makes_one_record_from_the_page_and_the_ward_confirms_it(client, hung, birth_version) -> None:
    office = post_office()
    clerk = postal_clerk("bd.tanlap", office)
    ward = Agency.objects.get(code="UBND-24121")
    first, second = (posted_dossier(hung, birth_version, clerk=clerk) for _ in range(2))
    form = {"agency": str(ward.pk), "dossier": [str(first.pk), str(second.pk)]}
    client.force_login(clerk)
    url = reverse("postal:hand_over_new", args=[office.code])
    responses = [client.post(url, form) for _ in range(2)]  # a double click
    record = PaperHandOver.objects.get()
    assert [r.url for r in responses] == [reverse("postal:record", args=[record.pk])] * 2
    assert client.get(reverse("postal:record_pdf", args=[record.pk]))["Content-Type"] == "application/pdf"
    # Nothing chosen: the page says so, nothing is made.
    empty = client.post(url, {"agency": str(ward.pk)}, follow=True)
    assert "Hãy chọn ít nhất một hồ sơ để bàn giao." in empty.content.decode()
    # A stranger posting to this office: 403, nothing made.
    stranger = postal_clerk("bd.khac", post_office("BD-KHAC"))
    third = posted_dossier(hung, birth_version, clerk=clerk)
    client.force_login(stranger)
    assert client.post(url, {"agency": str(ward.pk), "dossier": [str(third.pk)]}).status_code == 403
    assert client.get(reverse("postal:record", args=[record.pk])).status_code == 404
    assert PaperHandOver.objects.count() == 1

    reception = officer("xa.tn")
    client.force_login(reception)
    incoming = client.get(reverse("postal:incoming")).content.decode()
    assert _papers_states(client) == {
        first.code: "Đang chuyển",
        second.code: "Đang chuyển",
        third.code: "Giấy tờ còn ở bưu điện",
    }
    assert reverse("postal:record", args=[record.pk]) in incoming and "Đang chuyển" in incoming
    sent = record.items.get(dossier=first).papers_sent
    confirm = reverse("postal:record_confirm", args=[record.pk])
    refused = client.post(confirm, {f"received-{first.pk}": str(sent + 1), f"received-{second.pk}": str(sent)})
    assert "hãy ghi rõ sai lệch" in client.get(refused.url).content.decode()
    client.post(
        confirm,
        {
            f"received-{first.pk}": str(sent + 1),
            f"note-{first.pk}": "Thừa một bản sao",
            f"received-{second.pk}": str(sent),
        },
    )
    record.refresh_from_db()
    assert record.confirmed_by == reception
    assert _papers_states(client)[first.code] == "Đã nhận giấy tờ"
    assert record.items.get(dossier=first).discrepancy == "Thừa một bản sao"
    assert reverse("postal:record", args=[record.pk]) not in client.get(reverse("postal:incoming")).content.decode()
    # The specialist of the ward reads no record and confirms nothing.
    client.force_login(officer("xa.cv", role=Role.SPECIALIST))
    assert client.post(confirm, {}).status_code == 404


def test_a_province_supervisor_reads_any_offices_page_and_makes_no_record(client, hung, birth_version) -> None:
    office = post_office()
    posted_dossier(hung, birth_version, clerk=postal_clerk("bd.tanlap", office))
    supervisor = officer("giamsat", agency="", role=Role.SUPERVISOR)
    client.force_login(supervisor)
    page = client.get(reverse("postal:office", args=[office.code]))
    assert page.status_code == 200 and "Lập biên bản bàn giao" not in page.content.decode()
