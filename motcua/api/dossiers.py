"""The citizen's submission journey over the API, for mobile and Zalo mini-app clients."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api.errors import ErrorSerializer
from motcua.catalog.eforms import form_json_schema
from motcua.catalog.selectors import procedure_get_published
from motcua.dossiers import services
from motcua.dossiers.closing import withdrawal_request_submit
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.models import Dossier, DossierAttachment, DossierStatusChange, WithdrawalRequest
from motcua.dossiers.selectors import dossier_get_for_applicant, dossier_list_for_applicant

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bị từ chối, kèm mã lỗi và thông báo"),
    401: OpenApiResponse(ErrorSerializer, description="Chưa đăng nhập, hoặc mã truy cập sai, hết hạn hay đã thu hồi"),
    403: OpenApiResponse(ErrorSerializer, description="Không có quyền (ví dụ thiếu mã CSRF khi dùng phiên đăng nhập)"),
    404: OpenApiResponse(ErrorSerializer, description="Không tìm thấy"),
    409: OpenApiResponse(ErrorSerializer, description="Hồ sơ đã thay đổi từ lần đọc trước (revision cũ)"),
}


class AttachmentSerializer(serializers.ModelSerializer[DossierAttachment]):
    class Meta:
        model = DossierAttachment
        fields = ["id", "component", "original_name", "content_type", "size", "sha256", "source", "created_at"]


class HistorySerializer(serializers.ModelSerializer[DossierStatusChange]):
    class Meta:
        model = DossierStatusChange
        fields = ["from_status", "to_status", "note", "created_at"]


@extend_schema_serializer(component_name="Dossier")
class DossierSerializer(serializers.ModelSerializer[Dossier]):
    procedure = serializers.CharField(source="procedure_version.procedure.code", read_only=True)
    procedure_version = serializers.IntegerField(source="procedure_version.number", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    history = HistorySerializer(many=True, read_only=True)
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, allow_blank=True, read_only=True, help_text="Rỗng khi người nộp chưa chọn"
    )
    form = serializers.SerializerMethodField(
        help_text="Mô tả tờ khai điện tử (JSON Schema) để ứng dụng hiển thị và điền; null nếu thủ tục không có tờ khai"
    )
    problems = serializers.SerializerMethodField(help_text="Những chỗ còn thiếu trước khi nộp, theo vị trí")

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_form(self, dossier: Dossier) -> dict[str, Any] | None:
        form = getattr(dossier.procedure_version, "form", None)
        return form_json_schema(form.schema) if form is not None else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_problems(self, dossier: Dossier) -> dict[str, str]:
        return services.dossier_problems(dossier=dossier) if dossier.status == DossierStatus.DRAFT else {}

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "procedure",
            "procedure_version",
            "agency",
            "channel",
            "status",
            "form_data",
            "delivery_method",
            "delivery_address",
            "submitted_at",
            "expected_due_at",
            "revision",
            "attachments",
            "history",
            "form",
            "problems",
        ]
        read_only_fields = fields


class DossierCreateSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text="Mã thủ tục quốc gia, ví dụ 1.001193")
    unit = serializers.CharField(required=False, allow_blank=True, help_text="Mã xã, phường nơi nộp (thủ tục cấp xã)")


class DossierUpdateSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="Phiên bản hồ sơ đã đọc; sai thì bị từ chối (409)")
    form_data = serializers.DictField(required=False)
    delivery_method = serializers.CharField(required=False)
    delivery_address = serializers.CharField(required=False, allow_blank=True)


class AttachmentUploadSerializer(serializers.Serializer):
    component = serializers.IntegerField()
    file = serializers.FileField()


class SubmitSerializer(serializers.Serializer):
    declaration = serializers.BooleanField(help_text="Người nộp cam đoan thông tin đúng sự thật")
    revision = serializers.IntegerField(required=False)


class ConfirmSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=6)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class WithdrawalRequestCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, allow_blank=True)
    revision = serializers.IntegerField(required=False, min_value=0)


class WithdrawalRequestSerializer(serializers.ModelSerializer[WithdrawalRequest]):
    class Meta:
        model = WithdrawalRequest
        fields = ["id", "status", "reason", "created_at", "decided_at", "decision_note"]


def _dossier_data(dossier: Dossier) -> dict[str, Any]:
    fresh = dossier_get_for_applicant(user=dossier.applicant, pk=dossier.pk)
    return dict(DossierSerializer(fresh).data)


class CitizenAPIView(APIView):
    permission_classes = [IsAuthenticated]


@extend_schema(tags=["Hồ sơ"])
class DossierListCreateView(CitizenAPIView, generics.GenericAPIView[Dossier]):
    serializer_class = DossierSerializer

    def get_queryset(self) -> QuerySet[Dossier]:
        return dossier_list_for_applicant(user=self.request.user).prefetch_related("attachments", "history")

    @extend_schema(summary="Hồ sơ của tôi", responses={200: DossierSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DossierSerializer(page, many=True).data)

    @extend_schema(
        summary="Tạo hồ sơ nháp cho một thủ tục",
        request=DossierCreateSerializer,
        responses={201: DossierSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        payload = DossierCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        procedure = procedure_get_published(code=payload.validated_data["procedure"])
        assert procedure.current_version is not None
        dossier = services.dossier_start(
            applicant=request.user,
            version=procedure.current_version,
            unit_code=payload.validated_data.get("unit") or None,
        )
        return Response(_dossier_data(dossier), status=status.HTTP_201_CREATED)


@extend_schema(tags=["Hồ sơ"])
class DossierDetailView(CitizenAPIView):
    @extend_schema(summary="Chi tiết hồ sơ", responses={200: DossierSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_dossier_data(dossier_get_for_applicant(user=request.user, pk=pk)))

    @extend_schema(
        summary="Lưu tờ khai và cách nhận kết quả",
        request=DossierUpdateSerializer,
        responses={200: DossierSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payload = DossierUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        revision = data["revision"]
        if "form_data" in data:
            dossier = services.dossier_save_form(
                dossier=dossier, actor=request.user, data=data["form_data"], revision=revision
            )
            revision = dossier.revision
        if "delivery_method" in data:
            dossier = services.dossier_set_delivery(
                dossier=dossier,
                actor=request.user,
                method=data["delivery_method"],
                address=data.get("delivery_address", ""),
                revision=revision,
            )
        return Response(_dossier_data(dossier))


@extend_schema(tags=["Hồ sơ"])
class DossierAttachmentView(CitizenAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Đính kèm giấy tờ", request=AttachmentUploadSerializer, responses={201: AttachmentSerializer, **ERRORS}
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        attachment = services.dossier_attach(
            dossier=dossier,
            actor=request.user,
            component_id=payload.validated_data["component"],
            name=upload.name,
            data=upload,
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["Hồ sơ"])
class DossierAttachmentDeleteView(CitizenAPIView):
    @extend_schema(summary="Gỡ giấy tờ đã đính kèm", responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int, attachment_id: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        services.dossier_detach(dossier=dossier, actor=request.user, attachment_id=attachment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["Hồ sơ"])
class DossierSubmitView(CitizenAPIView):
    @extend_schema(
        summary="Nộp hồ sơ: kiểm tra và gửi mã xác nhận qua SMS",
        description=(
            "Nếu hồ sơ chưa đủ, trả 400 với `code` = `dossier_incomplete` và `errors` liệt kê từng chỗ cần hoàn thiện."
        ),
        request=SubmitSerializer,
        responses={202: DossierSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payload = SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dossier = services.dossier_submit(
            dossier=dossier,
            actor=request.user,
            declaration=payload.validated_data["declaration"],
            revision=payload.validated_data.get("revision"),
        )
        return Response(_dossier_data(dossier), status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["Hồ sơ"])
class DossierConfirmView(CitizenAPIView):
    @extend_schema(
        summary="Xác nhận nộp bằng mã SMS; trả về mã hồ sơ",
        request=ConfirmSerializer,
        responses={200: DossierSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payload = ConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dossier = services.dossier_confirm(dossier=dossier, actor=request.user, code=payload.validated_data["code"])
        return Response(_dossier_data(dossier))


@extend_schema(tags=["Hồ sơ"])
class DossierWithdrawView(CitizenAPIView):
    @extend_schema(
        summary="Rút hồ sơ chưa được tiếp nhận",
        request=WithdrawSerializer,
        responses={200: DossierSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dossier = services.dossier_withdraw(
            dossier=dossier, actor=request.user, reason=payload.validated_data["reason"]
        )
        return Response(_dossier_data(dossier))


@extend_schema(tags=["Hồ sơ"])
class DossierWithdrawalRequestView(CitizenAPIView):
    @extend_schema(
        summary="Đề nghị rút hồ sơ đã được tiếp nhận (cơ quan giải quyết xem xét, quyết định)",
        request=WithdrawalRequestCreateSerializer,
        responses={201: WithdrawalRequestSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        dossier = dossier_get_for_applicant(user=request.user, pk=pk)
        payload = WithdrawalRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = withdrawal_request_submit(
            dossier=dossier,
            actor=request.user,
            reason=payload.validated_data["reason"],
            revision=payload.validated_data.get("revision"),
        )
        return Response(WithdrawalRequestSerializer(created).data, status=status.HTTP_201_CREATED)
