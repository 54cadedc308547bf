"""VNPay's public merchant protocol, version 2.1.0 (docs/payments.md#vnpay).

- Payment URL: the vnp_* parameters sorted by name, each name and value URL-encoded (spaces as
  "+"), joined with "&"; vnp_SecureHash is the HMAC-SHA512 of that same string with the merchant's
  hash secret, in hex. Amounts are đồng × 100; dates are yyyyMMddHHmmss in GMT+7.
- Return URL (the browser) and IPN (VNPay's server, a GET) carry the result signed the same way,
  without vnp_SecureHash and vnp_SecureHashType in the signed string.
- querydr and refund are JSON posts to the merchant API; their vnp_SecureHash is the HMAC-SHA512
  of fixed fields joined with "|", and so is the answer's.
- The daily transaction report is the reconciliation file VNPay gives merchants; its delivery is
  agreed per merchant contract, so its format is ours: vnpay_wire.REPORT_COLUMNS.

Only this module, vnpay_wire and the simulator know these names; the app sees the Gateway interface.
"""

import csv
import datetime
import hmac
import io
import json
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.utils import timezone

from motcua.payments.constants import NoticeVerdict
from motcua.payments.gateways import (
    GatewayError,
    GatewayNotice,
    NoticeRejected,
    RefundOutcome,
    ReportedTransaction,
    gateway_json_object,
    gateways,
)
from motcua.payments.models import Payment
from motcua.payments.vnpay_wire import (
    IPN_ANSWERS,
    NOT_FOUND,
    QUERY_ANSWER_FIELDS,
    QUERY_FIELDS,
    REFUND_ANSWER_FIELDS,
    REFUND_FIELDS,
    REPORT_COLUMNS,
    SUCCESS,
    VERSION,
    report_signature,
    vnp_date,
    vnp_parse_date,
    vnp_pipe_hash,
    vnp_sign_query,
    vnp_signature_ok,
)


def report_parse(text: str) -> list[ReportedTransaction]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != REPORT_COLUMNS:
        raise GatewayError(f"VNPay report header is {reader.fieldnames}, expected {REPORT_COLUMNS}")
    try:
        return [
            ReportedTransaction(
                reference=row["TxnRef"],
                amount=int(row["Amount"]) // 100,
                succeeded=row["ResponseCode"] == SUCCESS and row["TransactionStatus"] == SUCCESS,
                transaction_no=row["TransactionNo"],
                paid_at=vnp_parse_date(row["PayDate"]),
            )
            for row in reader
        ]
    except (KeyError, ValueError) as error:
        raise GatewayError(f"VNPay report line unreadable: {error}") from None


class VNPayGateway:
    key = "vnpay"
    label = "VNPay"

    def __init__(self, *, tmn_code: str, hash_secret: str, pay_url: str, api_url: str, report_url: str, timeout: float):
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.pay_url = pay_url
        self.api_url = api_url
        self.report_url = report_url
        self.timeout = timeout

    # --- the browser's way there ---

    def checkout_url(self, payment: Payment, *, return_url: str) -> str:
        created = payment.created_at
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            # VNPay asks for plain ASCII here.
            "vnp_OrderInfo": f"Thanh toan phi le phi ho so {payment.dossier.code or payment.dossier_id}",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": payment.client_ip or "127.0.0.1",
            "vnp_CreateDate": vnp_date(created),
            "vnp_ExpireDate": vnp_date(payment.expires_at or created),
        }
        return f"{self.pay_url}?{vnp_sign_query(params, self.hash_secret)}"

    # --- what VNPay tells us ---

    def notice_verify(self, params: dict[str, str]) -> GatewayNotice:
        if not vnp_signature_ok(params, self.hash_secret):
            raise NoticeRejected(NoticeVerdict.BAD_SIGNATURE, "97")
        if params.get("vnp_TmnCode") != self.tmn_code or params.get("vnp_CurrCode", "VND") != "VND":
            raise NoticeRejected(NoticeVerdict.BAD_AMOUNT, "99", "another merchant or currency")
        try:
            amount, cents = divmod(int(params["vnp_Amount"]), 100)
        except (KeyError, ValueError):
            raise NoticeRejected(NoticeVerdict.BAD_AMOUNT, "04") from None
        if cents:
            raise NoticeRejected(NoticeVerdict.BAD_AMOUNT, "04")
        code = params.get("vnp_ResponseCode", "")
        return GatewayNotice(
            reference=params.get("vnp_TxnRef", ""),
            amount=amount,
            succeeded=code == SUCCESS and params.get("vnp_TransactionStatus") == SUCCESS,
            transaction_no=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            response_code=code,
            paid_at=vnp_parse_date(params.get("vnp_PayDate", "")),
            params=dict(params),
        )

    def notice_answer(self, *, verdict: str, answer: str) -> tuple[str, str]:
        return json.dumps({"RspCode": answer, "Message": IPN_ANSWERS.get(answer, "Unknown error")}), "application/json"

    # --- what we ask VNPay ---

    def _call(self, payload: dict[str, Any], fields: tuple[str, ...], answer_fields: tuple[str, ...]) -> dict:
        payload["vnp_SecureHash"] = vnp_pipe_hash(payload, fields, self.hash_secret)
        try:
            response = httpx.post(self.api_url, json=payload, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise GatewayError(f"VNPay API unreachable: {error.__class__.__name__}") from None
        answer = gateway_json_object(response, who="VNPay API")
        expected = vnp_pipe_hash(answer, answer_fields, self.hash_secret)
        if not hmac.compare_digest(str(answer.get("vnp_SecureHash", "")).lower(), expected):
            raise GatewayError("VNPay API answer has a bad signature")
        return answer

    def _request_base(self, command: str, payment: Payment) -> dict[str, Any]:
        return {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.reference,
            "vnp_TransactionDate": vnp_date(payment.created_at),
            "vnp_CreateDate": vnp_date(timezone.now()),
            "vnp_IpAddr": settings.MOTCUA_VNPAY_SERVER_IP,
        }

    def query(self, payment: Payment) -> GatewayNotice | None:
        payload = self._request_base("querydr", payment)
        payload["vnp_OrderInfo"] = f"Tra cuu giao dich {payment.reference}"
        answer = self._call(payload, QUERY_FIELDS, QUERY_ANSWER_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == NOT_FOUND:
            return None
        if code != SUCCESS:
            raise GatewayError(f"VNPay querydr answered {code}: {answer.get('vnp_Message', '')}")
        try:
            amount = int(answer["vnp_Amount"]) // 100
        except (KeyError, ValueError):
            raise GatewayError("VNPay querydr answer has no amount") from None
        status = str(answer.get("vnp_TransactionStatus", ""))
        return GatewayNotice(
            reference=str(answer.get("vnp_TxnRef", "")),
            amount=amount,
            succeeded=status == SUCCESS,
            transaction_no=str(answer.get("vnp_TransactionNo", "")),
            bank_code=str(answer.get("vnp_BankCode", "")),
            response_code=status,
            paid_at=vnp_parse_date(str(answer.get("vnp_PayDate", ""))),
            params={key: str(value) for key, value in answer.items()},
        )

    def refund(self, payment: Payment, *, amount: int, reason: str, actor_name: str) -> RefundOutcome:
        payload = self._request_base("refund", payment)
        payload |= {
            # 02 gives the whole amount back, 03 part of it.
            "vnp_TransactionType": "02" if amount == payment.amount else "03",
            "vnp_Amount": str(amount * 100),
            "vnp_TransactionNo": payment.transaction_no,
            "vnp_CreateBy": actor_name[:250] or "motcua",
            "vnp_OrderInfo": f"Hoan tien giao dich {payment.reference}",
        }
        answer = self._call(payload, REFUND_FIELDS, REFUND_ANSWER_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundOutcome(
            succeeded=code == SUCCESS,
            gateway_reference=str(answer.get("vnp_TransactionNo", "")),
            message=f"{code}: {answer.get('vnp_Message', '')}",
        )

    def transactions(self, day: datetime.date) -> list[ReportedTransaction]:
        query = {
            "vnp_TmnCode": self.tmn_code,
            "vnp_ReportDate": f"{day:%Y%m%d}",
            "vnp_SecureHash": report_signature(self.tmn_code, day, self.hash_secret),
        }
        try:
            response = httpx.get(f"{self.report_url}?{urlencode(query)}", timeout=self.timeout)
        except httpx.HTTPError as error:
            raise GatewayError(f"VNPay report unreachable: {error.__class__.__name__}") from None
        if response.status_code != 200:
            raise GatewayError(f"VNPay report answered HTTP {response.status_code}")
        return report_parse(response.text)


def vnpay_from_settings() -> VNPayGateway:
    return VNPayGateway(
        tmn_code=settings.MOTCUA_VNPAY_TMN_CODE,
        hash_secret=settings.MOTCUA_VNPAY_HASH_SECRET,
        pay_url=settings.MOTCUA_VNPAY_PAY_URL,
        api_url=settings.MOTCUA_VNPAY_API_URL,
        report_url=settings.MOTCUA_VNPAY_REPORT_URL,
        timeout=float(settings.MOTCUA_HTTP_TIMEOUT_SECONDS),
    )


@gateways.register("vnpay")
def _vnpay_gateway() -> VNPayGateway:
    return vnpay_from_settings()
