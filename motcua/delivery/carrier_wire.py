"""The postal carrier's HTTP protocol in one place, shared by the "http" adapter (carriers.py)
and the simulator (carrier_simulator.py); standard library only so the simulator runs without
Django. Modelled on what Vietnamese carriers' public APIs do (VNPost, ViettelPost): the public
postal service's own API is not published. See docs/delivery.md#carrier-protocol.

* Every call carries `Token: <api key>`; bodies are JSON objects; errors are
  `{"error": {"code": ..., "message": ...}}` with a 4xx/5xx status.
* POST /v1/quote: the charge for one letter-sized parcel to a destination.
* POST /v1/orders: create a shipment order; idempotent on `client_order_code`.
* GET /v1/orders/<order_code>: the order with every tracking event so far.
* Webhook: the carrier POSTs one event to the callback URL given at creation, signed in the
  `X-Carrier-Signature` header: hex HMAC-SHA256 of the raw body with the shared secret.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

PATH_QUOTE = "/v1/quote"
PATH_ORDERS = "/v1/orders"
SIGNATURE_HEADER = "X-Carrier-Signature"
SERVICE_DOCUMENT = "BK"  # registered letter service (bưu kiện / thư bảo đảm)
DEFAULT_WEIGHT_GRAMS = 100  # the result: a few sheets in an envelope

# Order statuses, the carrier's vocabulary.
CREATED = "created"
PICKED_UP = "picked_up"
IN_TRANSIT = "in_transit"
DELIVERED = "delivered"
DELIVERY_FAILED = "delivery_failed"  # an attempt failed; the carrier tries again or returns it
RETURNED = "returned"  # returned to the sender
LOST = "lost"
STATUSES = (CREATED, PICKED_UP, IN_TRANSIT, DELIVERED, DELIVERY_FAILED, RETURNED, LOST)
FINAL_STATUSES = (DELIVERED, RETURNED, LOST)


def order_path(order_code: str) -> str:
    return f"{PATH_ORDERS}/{order_code}"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, secret: str, signature: str) -> bool:
    return bool(secret) and hmac.compare_digest(sign(body, secret), signature.strip().lower())


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_message(answer: Any) -> str:
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')}: {error.get('message', '')}"[:300]
    return ""


def format_time(moment: datetime.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_time(value: Any) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a carrier time needs its offset")
    return moment


def quote_request(*, to_address: str, weight_grams: int = DEFAULT_WEIGHT_GRAMS) -> dict[str, Any]:
    return {"service": SERVICE_DOCUMENT, "weight_grams": weight_grams, "to_address": to_address}


def order_request(
    *,
    client_order_code: str,
    sender: dict[str, str],
    recipient: dict[str, str],
    callback_url: str,
    content: str,
    weight_grams: int = DEFAULT_WEIGHT_GRAMS,
) -> dict[str, Any]:
    """`sender` and `recipient`: name, phone, address."""
    return {
        "client_order_code": client_order_code,
        "service": SERVICE_DOCUMENT,
        "sender": sender,
        "recipient": recipient,
        "weight_grams": weight_grams,
        "items": [{"name": content, "quantity": 1}],
        "cod_amount": 0,
        "callback_url": callback_url,
    }


@dataclass(frozen=True)
class CreatedOrder:
    order_code: str
    tracking_number: str
    charge: int  # đồng


@dataclass(frozen=True)
class DeliveryProof:
    recipient_name: str
    delivered_at: datetime.datetime
    image: bytes
    image_type: str  # "image/png" or "image/jpeg"


@dataclass(frozen=True)
class TrackingEvent:
    event_id: str
    order_code: str
    status: str
    occurred_at: datetime.datetime
    note: str
    raw: dict[str, Any]
    proof: DeliveryProof | None = None


def parse_created(answer: Any) -> CreatedOrder:
    """ValueError when the answer is not a created order."""
    if not isinstance(answer, dict):
        raise ValueError("not an object")
    order_code, tracking, charge = answer.get("order_code"), answer.get("tracking_number"), answer.get("charge")
    if not isinstance(order_code, str) or not order_code or not isinstance(tracking, str) or not tracking:
        raise ValueError("no order code or tracking number")
    if not isinstance(charge, int) or charge < 0:
        raise ValueError("no charge")
    return CreatedOrder(order_code=order_code, tracking_number=tracking, charge=charge)


def parse_quote(answer: Any) -> int:
    charge = answer.get("charge") if isinstance(answer, dict) else None
    if not isinstance(charge, int) or charge < 0:
        raise ValueError("no charge")
    return charge


def _proof(value: Any) -> DeliveryProof | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("proof is not an object")
    image_type = value.get("image_type")
    if image_type not in ("image/png", "image/jpeg"):
        raise ValueError("proof image must be PNG or JPEG")
    return DeliveryProof(
        recipient_name=str(value.get("recipient_name") or "").strip()[:200],
        delivered_at=parse_time(value.get("delivered_at")),
        image=base64.b64decode(str(value.get("image_base64") or ""), validate=True),
        image_type=image_type,
    )


def parse_event(value: Any) -> TrackingEvent:
    """One event (a webhook body, or an item of an order's `events`); ValueError if malformed."""
    if not isinstance(value, dict):
        raise ValueError("event is not an object")
    event_id, order_code, status = value.get("event_id"), value.get("order_code"), value.get("status")
    if not isinstance(event_id, str) or not event_id or not isinstance(order_code, str) or not order_code:
        raise ValueError("event without event_id or order_code")
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return TrackingEvent(
        event_id=event_id[:100],
        order_code=order_code,
        status=status,
        occurred_at=parse_time(value.get("occurred_at")),
        note=str(value.get("note") or "")[:300],
        raw={key: item for key, item in value.items() if key != "proof"},
        proof=_proof(value.get("proof")),
    )


def parse_order(answer: Any) -> list[TrackingEvent]:
    events = answer.get("events") if isinstance(answer, dict) else None
    if not isinstance(events, list):
        raise ValueError("order without events")
    return [parse_event(event) for event in events]
