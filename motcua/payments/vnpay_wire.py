"""VNPay's wire format, version 2.1.0, in one place: shared by the adapter (vnpay.py) and the
simulator (vnpay_simulator.py), standard library only so the simulator runs without Django.
See vnpay.py and docs/payments.md#vnpay for the protocol."""

import csv
import datetime
import hashlib
import hmac
import io
import zoneinfo
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

VERSION = "2.1.0"
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"
SUCCESS = "00"

# IPN answers (RspCode) VNPay expects, with the messages of its specification.
IPN_ANSWERS = {
    "00": "Confirm Success",
    "01": "Order not found",
    "02": "Order already confirmed",
    "04": "Invalid amount",
    "97": "Invalid signature",
    "99": "Unknown error",
}

# The fields of each merchant API call, in the order their "|"-joined HMAC data takes them.
QUERY_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
REFUND_ANSWER_FIELDS = QUERY_ANSWER_FIELDS[:13]
# querydr/refund vnp_ResponseCode: 91 the order is unknown to VNPay, 94 the same refund is
# already being processed.
NOT_FOUND = "91"
DUPLICATE_REQUEST = "94"

# The daily reconciliation file: CSV, UTF-8, this header, one line per transaction of the day,
# amounts in đồng × 100, PayDate as DATE_FORMAT. Fetched by GET from MOTCUA_VNPAY_REPORT_URL with
# vnp_TmnCode, vnp_ReportDate (yyyyMMdd) and vnp_SecureHash = HMAC-SHA512("TmnCode|ReportDate").
REPORT_COLUMNS = ("TxnRef", "TransactionNo", "Amount", "PayDate", "ResponseCode", "TransactionStatus", "BankCode")


def vnp_hmac(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def vnp_canonical(params: Mapping[str, str]) -> str:
    """The signed string: vnp_* parameters but the hash, sorted, URL-encoded, joined with "&"."""
    return "&".join(
        f"{quote_plus(key)}={quote_plus(str(params[key]))}"
        for key in sorted(params)
        if key.startswith("vnp_") and key not in ("vnp_SecureHash", "vnp_SecureHashType") and params[key] != ""
    )


def vnp_sign_query(params: Mapping[str, str], secret: str) -> str:
    """The query string with its vnp_SecureHash appended."""
    canonical = vnp_canonical(params)
    return f"{canonical}&vnp_SecureHash={vnp_hmac(secret, canonical)}"


def vnp_signature_ok(params: Mapping[str, str], secret: str) -> bool:
    return hmac.compare_digest(params.get("vnp_SecureHash", "").lower(), vnp_hmac(secret, vnp_canonical(params)))


def vnp_pipe_hash(payload: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> str:
    return vnp_hmac(secret, "|".join(str(payload.get(name, "")) for name in fields))


def vnp_date(moment: datetime.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime(DATE_FORMAT)


def vnp_parse_date(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=VIETNAM)
    except ValueError:
        return None


def report_signature(tmn_code: str, day: datetime.date, secret: str) -> str:
    return vnp_hmac(secret, f"{tmn_code}|{day:%Y%m%d}")


def report_render(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
