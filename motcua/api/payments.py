"""The applicant's fees over the API, for the mobile and Zalo mini-app clients: what is owed and
when, paying it online (the checkout address of the open payment), its status and the receipts.

Only the applicant reaches these (the same 404 for a dossier that is not theirs as for one that
does not exist); the amount is always the dossier's frozen fees, never the client's."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from motcua.accounts.services import client_ip
from motcua.api.dossiers import ERRORS, CitizenAPIView
from motcua.catalog.constants import LineKind, PaymentTiming
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_applicant
from motcua.payments.gateways import GatewayError
from motcua.payments.models import Payment, Receipt, ReceiptLine, Refund
from motcua.payments.online import payment_checkout_url, payment_start
from motcua.payments.receipt_pdf import receipt_pdf, receipt_verify_url
from motcua.payments.views import online_return_url

TAGS = ["Phí, lệ phí"]


class FeeLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=LineKind.choices,
        help_text="fee: lệ phí; charge: phí; postage: cước bưu chính (các tài khoản thu khác nhau)",
    )
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_amount = serializers.IntegerField(help_text="Đơn giá (đồng)")
    reduction_percent = serializers.IntegerField(help_text="Mức miễn, giảm (%)")
    reduction_reason = serializers.CharField(allow_blank=True)
    amount = serializers.IntegerField(help_text="Thành tiền (đồng)")
    explanation = serializers.CharField(help_text="Cách tính, để hiển thị cho người nộp")


class RefundSerializer(serializers.ModelSerializer[Refund]):
    status_label = serializers.CharField(source="get_status_display")
    method_label = serializers.CharField(source="get_method_display")

    class Meta:
        model = Refund
        fields = ["amount", "status", "status_label", "method", "method_label", "requested_at", "done_at"]
        read_only_fields = fields
        extra_kwargs = {
            "method": {"help_text": "gateway: hoàn qua cổng thanh toán; counter: nhận tiền mặt tại Bộ phận Một cửa"},
            "done_at": {"help_text": "Ngày đã hoàn tiền; null khi chưa hoàn"},
        }


class FeesSerializer(serializers.Serializer):
    lines = FeeLineSerializer(many=True, help_text="Các khoản phải nộp, tính từ tờ khai khi nộp hồ sơ")
    total = serializers.IntegerField(help_text="Tổng phải nộp (đồng)")
    paid = serializers.BooleanField(help_text="Đã nộp đủ")
    paid_at = serializers.DateTimeField(allow_null=True)
    owed = serializers.IntegerField(help_text="Còn phải nộp (đồng); 0 khi đã nộp hoặc không phải nộp")
    timing = serializers.ChoiceField(choices=PaymentTiming.choices, help_text="Thời điểm phải nộp")
    timing_label = serializers.CharField()
    refunds = RefundSerializer(
        many=True, help_text="Các khoản hoàn trả phí, lệ phí đã nộp (hồ sơ bị từ chối, rút hoặc dừng xử lý)"
    )


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    class Meta:
        model = Payment
        fields = ["reference", "method", "amount", "status", "created_at", "expires_at", "paid_at"]
        read_only_fields = fields


class PaymentStateSerializer(PaymentSerializer):
    refund = serializers.SerializerMethodField(
        help_text="Khoản hoàn trả của giao dịch đã thanh toán (hồ sơ bị từ chối, rút, dừng xử lý); null khi không có"
    )

    @extend_schema_field(RefundSerializer(allow_null=True))
    def get_refund(self, payment: Payment) -> dict[str, Any] | None:
        # A failed refund is followed by a new one: the latest tells where the money stands.
        refund = payment.refunds.order_by("-requested_at", "-pk").first()
        return RefundSerializer(refund).data if refund is not None else None

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "refund"]
        read_only_fields = fields


class CheckoutSerializer(PaymentSerializer):
    checkout_url = serializers.CharField(help_text="Địa chỉ trang thanh toán của cổng, mở trong trình duyệt")

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "checkout_url"]
        read_only_fields = fields


class ReceiptLineSerializer(serializers.ModelSerializer[ReceiptLine]):
    class Meta:
        model = ReceiptLine
        fields = ["kind", "name", "quantity", "unit_amount", "amount"]
        read_only_fields = fields


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    template_code = serializers.CharField(source="series.template_code", help_text="Ký hiệu mẫu biên lai")
    symbol = serializers.CharField(source="series.symbol", help_text="Ký hiệu biên lai")
    agency = serializers.CharField(source="agency.name", help_text="Cơ quan thu")
    lines = ReceiptLineSerializer(many=True)
    replaces = serializers.IntegerField(source="replaces_id", allow_null=True, help_text="Biên lai bị thay thế")
    verify_url = serializers.SerializerMethodField(help_text="Trang xác minh công khai (mã QR in trên biên lai)")

    def get_verify_url(self, receipt: Receipt) -> str:
        return receipt_verify_url(receipt)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "template_code",
            "symbol",
            "number",
            "issued_at",
            "agency",
            "payer_name",
            "amount",
            "method",
            "status",
            "cancel_reason",
            "replaces",
            "lines",
            "verify_url",
        ]
        read_only_fields = fields


def _receipts(dossier: Dossier) -> QuerySet[Receipt]:
    return (
        Receipt.objects.filter(dossier=dossier)
        .select_related("series", "agency")
        .prefetch_related("lines")
        .order_by("issued_at", "pk")
    )


def fees_data(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    paid = dossier.fees_paid_at is not None
    return {
        "lines": dossier.fee_lines,
        "total": dossier.fees_due,
        "paid": paid,
        "paid_at": dossier.fees_paid_at,
        "owed": 0 if paid else dossier.fees_due,
        "timing": version.payment_timing,
        "timing_label": version.get_payment_timing_display(),
        "refunds": Refund.objects.filter(payment__dossier=dossier).order_by("requested_at", "pk"),
    }


@extend_schema(tags=TAGS)
class DossierFeesView(CitizenAPIView):
    @extend_schema(
        summary="Phí, lệ phí của hồ sơ: các khoản, tổng, đã nộp hay còn nợ", responses={200: FeesSerializer, **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        return Response(FeesSerializer(fees_data(dossier)).data)


@extend_schema(tags=TAGS)
class DossierPayView(CitizenAPIView):
    @extend_schema(
        summary="Thanh toán trực tuyến: trả về địa chỉ trang thanh toán",
        description=(
            "Gọi lại (bấm hai lần, hai thiết bị) trả về cùng giao dịch đang chờ cho đến khi hết hạn. "
            "Đã nộp: 400 `fees_already_paid`; không phải nộp: 400 `fees_none`. Kết quả thanh toán chỉ "
            "được ghi nhận theo thông báo của cổng: xem lại trạng thái bằng GET …/payment/."
        ),
        request=None,
        responses={200: CheckoutSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payment = payment_start(dossier=dossier, user=request.user, client_ip=client_ip(request))
        # The browser comes back to the gateway's return page, which shows the status; only the
        # gateway's notice (or our query to it) settles the payment.
        try:
            checkout = payment_checkout_url(payment=payment, return_url=online_return_url(request, payment.gateway))
        except GatewayError:
            raise ApplicationError(
                _("Cổng thanh toán đang không phản hồi; xin thử lại sau ít phút."), code="gateway_unavailable"
            ) from None
        # A mobile app opens it in a browser: always an absolute address.
        return Response({**PaymentSerializer(payment).data, "checkout_url": request.build_absolute_uri(checkout)})


@extend_schema(tags=TAGS)
class DossierPaymentView(CitizenAPIView):
    @extend_schema(
        summary="Trạng thái thanh toán gần nhất của hồ sơ",
        description=(
            "Một giao dịch đã thanh toán rồi được hoàn trả vẫn là `paid`; `refund` cho biết khoản hoàn "
            "(trạng thái, số tiền, hình thức). 404 `not_found` khi hồ sơ chưa có lần thanh toán nào."
        ),
        responses={200: PaymentStateSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payment = Payment.objects.filter(dossier=dossier).order_by("-created_at", "-pk").first()
        if payment is None:
            raise Http404(_("Hồ sơ chưa có giao dịch thanh toán nào."))
        return Response(PaymentStateSerializer(payment).data)


@extend_schema(tags=TAGS)
class DossierReceiptListView(CitizenAPIView):
    @extend_schema(
        summary="Biên lai điện tử của hồ sơ (kể cả biên lai đã hủy và biên lai thay thế)",
        responses={200: ReceiptSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        return Response(ReceiptSerializer(_receipts(dossier), many=True).data)


@extend_schema(tags=TAGS)
class DossierReceiptView(CitizenAPIView):
    @extend_schema(summary="Một biên lai điện tử của hồ sơ", responses={200: ReceiptSerializer, **ERRORS})
    def get(self, request: Request, pk: int, receipt_id: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        return Response(ReceiptSerializer(_receipt(dossier, receipt_id)).data)


def _receipt(dossier: Dossier, receipt_id: int) -> Receipt:
    receipt = _receipts(dossier).filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404(_("Không tìm thấy biên lai."))
    return receipt


@extend_schema(tags=TAGS)
class DossierReceiptPdfView(CitizenAPIView):
    @extend_schema(
        summary="Biên lai điện tử dạng PDF (để in hoặc lưu)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
    )
    def get(self, request: Request, pk: int, receipt_id: int) -> HttpResponse:
        receipt = _receipt(dossier_get_for_applicant(user=request.user, pk=pk), receipt_id)
        response = HttpResponse(receipt_pdf(receipt=receipt), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="bien-lai-{receipt.series.symbol}-{receipt.number:07d}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        return response
