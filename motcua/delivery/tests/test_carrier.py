"""The result sent by post through the "http" carrier plugin, against the carrier simulator over
real HTTP: quote, order creation, signed tracking webhooks (delivered with a proof image closes
the dossier, returned to sender puts the result back at the counter, lost flags it), replays,
tampered signatures and unknown shipments change nothing and are recorded, polling catches what
no webhook said, and a carrier that is down leaves nothing half-done."""

import datetime
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.catalog.constants import LineKind
from motcua.delivery.carrier_simulator import BASE_CHARGE, PATH_CONTROL, CarrierSimulator
from motcua.delivery.carrier_wire import SIGNATURE_HEADER, sign
from motcua.delivery.carriers import CarrierUnavailable, carriers
from motcua.delivery.constants import CarrierNoticeVerdict, ShipmentEventKind, ShipmentStatus
from motcua.delivery.models import CarrierNotice, PostageQuote, Shipment
from motcua.delivery.services import shipment_send
from motcua.delivery.testing import processed_dossier
from motcua.delivery.tracking import shipments_poll
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_set_delivery, dossier_start
from motcua.dossiers.testing import officer
from motcua.payments.models import ReceiptLine

pytestmark = pytest.mark.django_db
SECRET = "test-carrier-secret"
WEBHOOK = "/buu-chinh/thong-bao/"


@pytest.fixture
def carrier(settings: Any) -> Iterator[CarrierSimulator]:
    with CarrierSimulator(token="test-carrier-token", secret=SECRET) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "carrier": "http"}
        settings.MOTCUA_CARRIER_HTTP_URL = simulator.url
        settings.MOTCUA_CARRIER_HTTP_TOKEN = "test-carrier-token"
        settings.MOTCUA_CARRIER_WEBHOOK_SECRET = SECRET
        settings.MOTCUA_CARRIER_SENDER_PHONE = "02053871234"
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 2
        yield simulator


@pytest.fixture
def posted(hung: Any, birth_version: Any, carrier: CarrierSimulator) -> Shipment:
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    return shipment_send(
        dossier=dossier,
        officer=officer("xa.tn"),
        carrier="",
        tracking_number="",
        sent_on=None,
        revision=Dossier.objects.get(pk=dossier.pk).revision,
    )


def _deliver(body: bytes, signature: str) -> Any:
    return Client().post(WEBHOOK, body, content_type="application/json", headers={SIGNATURE_HEADER: signature})


def _advance(carrier: CarrierSimulator, shipment: Shipment, status: str) -> Any:
    _event, body, signature = carrier.advance(shipment.carrier_reference, status, push=False)
    return _deliver(body, signature)


def test_quote_by_destination(carrier: CarrierSimulator) -> None:
    assert carriers.get().quote(to_address="Số 1 đường Trần Hưng Đạo, phường Tân Lập") == BASE_CHARGE


def test_send_creates_the_carrier_order(posted: Shipment, carrier: CarrierSimulator) -> None:
    order = carrier.orders[posted.carrier_reference]
    assert posted.tracking_number == order.tracking_number
    assert posted.charge == BASE_CHARGE
    assert order.request["recipient"]["phone"] == "0912345678"
    assert order.request["recipient"]["name"] == "Nguyễn Văn Hùng"
    assert order.request["cod_amount"] == 0
    assert order.request["callback_url"].endswith(WEBHOOK)
    assert posted.status == ShipmentStatus.SENT


def test_delivered_with_proof_closes_the_dossier(posted: Shipment, carrier: CarrierSimulator) -> None:
    assert _advance(carrier, posted, "in_transit").status_code == 200
    response = _advance(carrier, posted, "delivered")
    assert response.status_code == 200, response.content
    posted.refresh_from_db()
    assert posted.status == ShipmentStatus.DELIVERED
    assert posted.delivered_to == "Nguyễn Văn Hùng"
    assert posted.closed_by is None
    with posted.proof_image.open("rb") as proof:
        assert proof.read(8) == b"\x89PNG\r\n\x1a\n"
    dossier = Dossier.objects.get(pk=posted.dossier_id)
    assert dossier.status == DossierStatus.RETURNED
    kinds = list(posted.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [ShipmentEventKind.SENT, ShipmentEventKind.IN_TRANSIT, ShipmentEventKind.DELIVERED]
    # Staff see the proof; the public tracking page lists the events without notes or parcel number.
    staff = Client()
    staff.force_login(officer("xa.tn"))
    proof_page = staff.get(f"/can-bo/buu-gui/{posted.pk}/bang-chung-giao/")
    assert proof_page.status_code == 200
    assert proof_page["Content-Type"] == "image/png"
    public = Client().get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Đang vận chuyển" in public and "Đã giao" in public
    assert posted.tracking_number not in public and "Phát thành công" not in public
    # The public API gives the same events, as the page's selector makes them.
    api = Client().get(f"/api/v1/tracking/{dossier.code}")
    shipment = api.json()["shipment"]
    assert shipment["status"] == ShipmentStatus.DELIVERED and shipment["delivered_at"]
    # (Sorted: the carrier's times drop the microseconds, so "sent" may tie with "in transit".)
    assert sorted((event["kind"], event["label"]) for event in shipment["events"]) == [
        ("delivered", "Đã giao"),
        ("in_transit", "Đang vận chuyển"),
        ("sent", "Đã gửi"),
    ]
    assert all(event["occurred_at"] for event in shipment["events"])
    for secret in (posted.tracking_number, "Phát thành công", "Nguyễn Văn Hùng", "0912345678"):
        assert secret not in api.content.decode()


def test_replay_changes_nothing(posted: Shipment, carrier: CarrierSimulator) -> None:
    _event, body, signature = carrier.advance(posted.carrier_reference, "delivered", push=False)
    assert _deliver(body, signature).json() == {"result": CarrierNoticeVerdict.APPLIED}
    events = posted.events.count()
    revision = Dossier.objects.get(pk=posted.dossier_id).revision
    assert _deliver(body, signature).json() == {"result": CarrierNoticeVerdict.DUPLICATE}
    assert posted.events.count() == events
    assert Dossier.objects.get(pk=posted.dossier_id).revision == revision


def test_tampered_signature_is_refused(posted: Shipment, carrier: CarrierSimulator) -> None:
    _event, body, signature = carrier.advance(posted.carrier_reference, "delivered", push=False)
    tampered = body.replace(b"delivered", b"returned")
    response = _deliver(tampered, signature)
    assert response.status_code == 401
    assert _deliver(body, "0" * 64).status_code == 401
    posted.refresh_from_db()
    assert posted.status == ShipmentStatus.SENT
    assert Dossier.objects.get(pk=posted.dossier_id).status == DossierStatus.PROCESSED
    # Logged, not stored: anyone may post to the webhook.
    assert not CarrierNotice.objects.exists()


def test_unknown_shipment_is_answered_and_recorded(posted: Shipment) -> None:
    event = {
        "event_id": "X-1",
        "order_code": "KHONGCO123",
        "status": "delivered",
        "occurred_at": timezone.now().isoformat(),
    }
    body = json.dumps(event).encode()
    response = _deliver(body, sign(body, SECRET))
    assert response.status_code == 404
    assert "Không có bưu gửi nào với mã đơn KHONGCO123" in response.json()["error"]["message"]
    notice = CarrierNotice.objects.get(order_code="KHONGCO123")
    assert notice.verdict == CarrierNoticeVerdict.UNKNOWN_SHIPMENT
    malformed = b'{"event_id": 1}'
    assert _deliver(malformed, sign(malformed, SECRET)).status_code == 400
    assert CarrierNotice.objects.filter(verdict=CarrierNoticeVerdict.MALFORMED).exists()


def test_the_simulators_control_refuses_in_vietnamese(posted: Shipment, carrier: CarrierSimulator) -> None:
    """The demo's control endpoint: an unknown order, a bad status or a finished order are
    clear Vietnamese JSON errors, not a Python repr."""

    def move(order_code: str, status: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{carrier.url}{PATH_CONTROL}{order_code}/chuyen",
            data=json.dumps({"to": status}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as refused:
            return refused.code, json.load(refused)

    assert move("NOPE", "delivered") == (
        404,
        {"error": {"code": "ORDER_NOT_FOUND", "message": "Không có đơn hàng mã “NOPE” trong trình mô phỏng."}},
    )
    status, answer = move(posted.carrier_reference, "flying")
    assert status == 400 and answer["error"]["code"] == "INVALID_STATUS"
    assert answer["error"]["message"].startswith("Trạng thái “flying” không hợp lệ; chọn một trong: ")
    carrier.advance(posted.carrier_reference, "delivered", push=False)
    status, answer = move(posted.carrier_reference, "in_transit")
    assert (status, answer["error"]["code"]) == (409, "ORDER_FINISHED")
    assert answer["error"]["message"] == (
        f"Đơn hàng “{posted.carrier_reference}” đã kết thúc (delivered), không chuyển sang trạng thái khác được."
    )


def test_failed_then_returned_to_sender(posted: Shipment, carrier: CarrierSimulator) -> None:
    _advance(carrier, posted, "delivery_failed")
    posted.refresh_from_db()
    assert posted.status == ShipmentStatus.SENT  # an attempt: the carrier tries again
    assert _advance(carrier, posted, "returned").status_code == 200
    posted.refresh_from_db()
    assert posted.status == ShipmentStatus.FAILED
    assert posted.failure_reason.startswith("Bưu chính chuyển hoàn")
    assert Dossier.objects.get(pk=posted.dossier_id).status == DossierStatus.PROCESSED


def test_a_report_contradicting_a_closed_shipment_is_kept_and_flagged(
    posted: Shipment, carrier: CarrierSimulator
) -> None:
    assert _advance(carrier, posted, "delivered").status_code == 200
    late = {
        "event_id": f"{posted.carrier_reference}-late",
        "order_code": posted.carrier_reference,
        "status": "returned",
        "occurred_at": timezone.now().isoformat(),
    }
    body = json.dumps(late).encode()
    assert _deliver(body, sign(body, SECRET)).json() == {"result": CarrierNoticeVerdict.APPLIED}
    posted.refresh_from_db()
    assert posted.status == ShipmentStatus.DELIVERED  # the delivery stands
    assert "sau khi bưu gửi đã ở trạng thái “Đã giao qua bưu chính”" in posted.attention
    assert Dossier.objects.get(pk=posted.dossier_id).status == DossierStatus.RETURNED
    assert posted.events.order_by("-id").first().carrier_event_id == late["event_id"]


def test_lost_shipment_is_flagged(posted: Shipment, carrier: CarrierSimulator) -> None:
    _advance(carrier, posted, "lost")
    posted.refresh_from_db()
    assert posted.status == ShipmentStatus.SENT
    assert "thất lạc" in posted.attention
    staff = Client()
    staff.force_login(officer("xa.tn"))
    page = staff.get(f"/can-bo/ho-so/{posted.dossier_id}/").content.decode()
    assert "thất lạc" in page
    # The carrier's order code, which its staff and the simulator's control ask for.
    assert f'data-testid="carrier-reference">{posted.carrier_reference}<' in page


def test_polling_catches_events_and_flags_silence(posted: Shipment, carrier: CarrierSimulator, settings: Any) -> None:
    carrier.advance(posted.carrier_reference, "in_transit", push=False)  # no webhook arrives
    Shipment.objects.filter(pk=posted.pk).update(last_event_at=timezone.now() - datetime.timedelta(hours=2))
    assert shipments_poll()["applied"] == 1
    assert posted.events.filter(kind=ShipmentEventKind.IN_TRANSIT).count() == 1
    settings.MOTCUA_CARRIER_LOST_DAYS = 10
    Shipment.objects.filter(pk=posted.pk).update(
        last_event_at=timezone.now() - datetime.timedelta(days=11), polled_at=timezone.now()
    )
    assert shipments_poll() == {"applied": 0, "flagged": 1}
    posted.refresh_from_db()
    assert "quá 10 ngày" in posted.attention


def test_carrier_down_leaves_nothing_half_done(hung: Any, birth_version: Any, carrier: CarrierSimulator) -> None:
    dossier = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    carrier.fail("down")
    with pytest.raises(CarrierUnavailable) as error:
        shipment_send(
            dossier=dossier, officer=officer("xa.tn"), carrier="", tracking_number="", sent_on=None, revision=None
        )
    assert "chưa gửi được, hãy thử lại sau" in error.value.message
    assert not Shipment.objects.filter(dossier=dossier).exists()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
    carrier.recover()
    shipment = shipment_send(
        dossier=dossier, officer=officer("xa.tn"), carrier="", tracking_number="", sent_on=None, revision=None
    )
    assert shipment.carrier_reference in carrier.orders


def test_postage_is_quoted_before_choosing_and_owed_as_its_own_line(
    hung: Any, birth_version: Any, carrier: CarrierSimulator
) -> None:
    dossier = dossier_start(applicant=hung, version=birth_version, unit_code="24121")
    citizen = Client()
    citizen.force_login(hung)
    page = citizen.get(f"/ho-so/{dossier.pk}/nhan-ket-qua/").content.decode()
    assert "Cước gửi kết quả qua bưu chính: 16.500" in page
    carrier.fail("down")
    with pytest.raises(CarrierUnavailable):
        dossier_set_delivery(
            dossier=dossier,
            actor=hung,
            method=DeliveryMethod.POST,
            address="Số 1 Lê Duẩn, phường Tân Lập",
            revision=None,
        )
    assert Dossier.objects.get(pk=dossier.pk).delivery_method != DeliveryMethod.POST
    assert not PostageQuote.objects.filter(dossier=dossier).exists()
    carrier.recover()
    processed = processed_dossier(hung, birth_version, delivery=DeliveryMethod.POST)
    postage = [line for line in processed.fee_lines if line["kind"] == LineKind.POSTAGE]
    assert [line["amount"] for line in postage] == [BASE_CHARGE]
    assert processed.fees_due == BASE_CHARGE + sum(
        line["amount"] for line in processed.fee_lines if line["kind"] != LineKind.POSTAGE
    )
    # Paid with the fees (processed_dossier pays at the counter): the receipt keeps it apart.
    assert ReceiptLine.objects.filter(receipt__dossier=processed, kind=LineKind.POSTAGE, amount=BASE_CHARGE).exists()
