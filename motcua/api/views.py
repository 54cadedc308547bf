from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from motcua.accounts.services import client_ip
from motcua.api import serializers as api_serializers
from motcua.api.errors import ErrorSerializer
from motcua.catalog.constants import OnlineLevel, ProcedureLevel
from motcua.catalog.models import Field, Procedure
from motcua.catalog.selectors import (
    ProcedureFilters,
    RankedProcedures,
    field_list_with_counts,
    procedure_get_published,
    procedure_search,
    procedure_version_detail,
)
from motcua.core.errors import ApplicationError
from motcua.directory.models import AdministrativeUnit, Agency
from motcua.documents.selectors import issued_document_for_verification, issued_document_report
from motcua.dossiers.tracking import dossier_track, tracking_public_data

NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Không tìm thấy")}
BAD_REQUEST = {400: OpenApiResponse(ErrorSerializer, description="Tham số không hợp lệ")}


class PublicAPIView(generics.GenericAPIView[Any]):
    throttle_classes = [AnonRateThrottle]


class ProcedureQuerySerializer(serializers.Serializer):
    """The list's filters, checked like any input (a NUL character or an unknown level is a 400)."""

    search = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Từ khóa, không phân biệt dấu và hoa thường"
    )
    field = serializers.CharField(required=False, default="", allow_blank=True, help_text="Mã lĩnh vực")
    agency = serializers.CharField(required=False, default="", allow_blank=True, help_text="Mã cơ quan")
    level = serializers.ChoiceField(choices=ProcedureLevel.choices, required=False, default="", allow_blank=True)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices, required=False, default="", allow_blank=True)


@extend_schema(
    summary="Danh sách thủ tục hành chính",
    parameters=[ProcedureQuerySerializer],
    responses={200: api_serializers.ProcedureListSerializer(many=True), **BAD_REQUEST},
)
class ProcedureListView(PublicAPIView, generics.ListAPIView[Procedure]):
    serializer_class = api_serializers.ProcedureListSerializer

    def get_queryset(self) -> RankedProcedures:  # type: ignore[override]
        query = ProcedureQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return procedure_search(
            filters=ProcedureFilters(
                query=params["search"][:200],
                field=params["field"],
                agency=params["agency"],
                level=params["level"],
                online_level=params["online_level"],
            )
        )


@extend_schema(
    summary="Chi tiết thủ tục theo mã quốc gia", responses={200: api_serializers.ProcedureDetailSerializer, **NOT_FOUND}
)
class ProcedureDetailView(PublicAPIView):
    serializer_class = api_serializers.ProcedureDetailSerializer

    def get(self, request: Request, code: str) -> Response:
        procedure = procedure_get_published(code=code)
        assert procedure.current_version is not None
        procedure.current_version = procedure_version_detail(version=procedure.current_version)
        return Response(self.get_serializer(procedure).data)


@extend_schema(summary="Danh sách lĩnh vực")
class FieldListView(PublicAPIView, generics.ListAPIView[Field]):
    serializer_class = api_serializers.FieldSerializer

    def get_queryset(self) -> list[Field]:  # type: ignore[override]
        return field_list_with_counts()


@extend_schema(summary="Danh sách cơ quan")
class AgencyListView(PublicAPIView, generics.ListAPIView[Agency]):
    serializer_class = api_serializers.AgencySerializer
    queryset = Agency.objects.filter(is_active=True).select_related("unit").order_by("code")


@extend_schema(summary="Danh sách đơn vị hành chính")
class AdministrativeUnitListView(PublicAPIView, generics.ListAPIView[AdministrativeUnit]):
    serializer_class = api_serializers.AdministrativeUnitSerializer
    queryset = AdministrativeUnit.objects.select_related("parent").order_by("code")


class TrackingTimelineSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()


class TrackingLinkedSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField()
    agency = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()


class TimelinessSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=["early", "on_time", "late"])
    label = serializers.CharField()


class TrackingStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    timeliness = TimelinessSerializer(allow_null=True, help_text="Trước hạn / đúng hạn / quá hạn khi đã xong")
    overdue = serializers.BooleanField(help_text="Đang làm và đã quá hạn")


class TrackingShipmentEventSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="sent, in_transit, attempt_failed, delivered, failed hoặc lost (không có ghi chú của bưu chính)"
    )
    label = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class TrackingShipmentSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="sent, delivered hoặc failed")
    label = serializers.CharField()
    carrier = serializers.CharField(help_text="Đơn vị bưu chính")
    sent_on = serializers.DateField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = TrackingShipmentEventSerializer(many=True)


class TrackingSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField()
    agency = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    next_step = serializers.CharField()
    timeline = TrackingTimelineSerializer(many=True)
    steps = TrackingStepSerializer(many=True)
    timeliness = TimelinessSerializer(allow_null=True, help_text="Kết quả giải quyết so với ngày hẹn, khi đã có")
    verified = serializers.BooleanField()
    group_code = serializers.CharField(help_text="Mã hồ sơ liên thông; rỗng nếu hồ sơ không thuộc nhóm liên thông")
    linked = TrackingLinkedSerializer(many=True, help_text="Các hồ sơ khác của cùng hồ sơ liên thông")
    shipment = TrackingShipmentSerializer(
        allow_null=True,
        help_text="Lần gửi kết quả qua bưu chính mới nhất, như trang tra cứu: không có số bưu gửi, "
        "địa chỉ hay tên người nhận; null nếu kết quả không gửi qua bưu chính",
    )
    applicant = serializers.CharField(required=False, help_text="Chỉ có khi xác minh đúng")
    delivery_method = serializers.CharField(required=False)
    notes = serializers.ListField(child=serializers.CharField(), required=False)


class TrackingFactorSerializer(serializers.Serializer):
    xac_minh = serializers.CharField(
        max_length=40, help_text="Số điện thoại hoặc số định danh đầy đủ của người nộp, như khi nộp hồ sơ"
    )


@extend_schema_view(
    get=extend_schema(
        summary="Tra cứu hồ sơ theo mã",
        description="Không có thông tin cá nhân. Để xem đầy đủ, gửi `xac_minh` bằng POST; "
        "`xac_minh` trên địa chỉ (query string) bị từ chối vì lọt vào nhật ký truy cập.",
        responses={200: TrackingSerializer, **BAD_REQUEST, **NOT_FOUND},
    ),
    post=extend_schema(
        summary="Tra cứu hồ sơ theo mã, kèm xác minh người nộp",
        description="Có thông tin cá nhân khi `xac_minh` đúng (`verified` cho biết). Một địa chỉ được "
        "thử sai 5 lần cho mỗi hồ sơ trong 10 phút.",
        request=TrackingFactorSerializer,
        responses={200: TrackingSerializer, **BAD_REQUEST, **NOT_FOUND},
    ),
)
class TrackingView(PublicAPIView):
    serializer_class = TrackingSerializer

    def get(self, request: Request, code: str) -> Response:
        if "xac_minh" in request.query_params:
            raise ApplicationError(
                _("Không gửi thông tin xác minh trên địa chỉ: hãy gửi trường xac_minh trong thân yêu cầu POST."),
                code="tracking_factor_in_query",
            )
        return self._track(request, code, second_factor="")

    def post(self, request: Request, code: str) -> Response:
        factor = TrackingFactorSerializer(data=request.data)
        factor.is_valid(raise_exception=True)
        return self._track(request, code, second_factor=factor.validated_data["xac_minh"])

    def _track(self, request: Request, code: str, *, second_factor: str) -> Response:
        tracking = dossier_track(code=code, client_ip=client_ip(request), second_factor=second_factor)
        if tracking is None:
            raise Http404("Không tìm thấy hồ sơ với mã này.")
        return Response(TrackingSerializer(tracking_public_data(tracking)).data)


class SignatureCheckSerializer(serializers.Serializer):
    signer_name = serializers.CharField(help_text="Người ký (tên trên chứng thư số); với dấu thời gian: tên TSA")
    organisation = serializers.CharField(help_text="Cơ quan, tổ chức ghi trên chứng thư số")
    signed_at = serializers.DateTimeField(allow_null=True, help_text="Thời điểm ký, theo dấu thời gian nếu có")
    timestamped = serializers.BooleanField(help_text="Thời điểm ký được chứng minh bằng dấu thời gian RFC 3161")
    tsa_name = serializers.CharField(help_text="Tổ chức cấp dấu thời gian")
    document_timestamp = serializers.BooleanField(help_text="Dấu thời gian lưu trữ của cả tệp (PAdES B-LTA)")
    changed = serializers.BooleanField(help_text="Tệp đã bị thay đổi sau chữ ký này")
    verdict = serializers.CharField(
        help_text="trusted, tampered, invalid, untrusted, revoked, expired hoặc revocation_unknown"
    )
    verdict_text = serializers.CharField(help_text="Kết luận bằng tiếng Việt")


SIGNATURE_CHECK_FIELDS = ("signer_name", "organisation", "signed_at", "timestamped", "tsa_name", "document_timestamp")


class VerificationSerializer(serializers.Serializer):
    title = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    agency = serializers.CharField()
    sha256 = serializers.CharField()
    valid = serializers.BooleanField(help_text="Mọi chữ ký số hợp lệ, do tổ chức được tin cậy cấp, tệp không bị sửa")
    problem = serializers.CharField(help_text="Vấn đề đầu tiên tìm thấy; rỗng khi hợp lệ")
    signatures = SignatureCheckSerializer(many=True)


@extend_schema(
    summary="Xác thực văn bản đã cấp theo mã xác thực (mã QR)",
    description="Chữ ký số của tệp đã lưu, kiểm tra theo danh sách tin cậy, có kiểm tra thu hồi (CRL/OCSP) "
    "và dấu thời gian. Không có thông tin cá nhân.",
    responses={200: VerificationSerializer, **NOT_FOUND},
)
class VerificationView(PublicAPIView):
    serializer_class = VerificationSerializer

    def get(self, request: Request, code: str) -> Response:
        document = issued_document_for_verification(code)
        if document is None:
            raise Http404("Không tìm thấy văn bản với mã xác thực này.")
        report = issued_document_report(document)
        signatures = [
            {
                **{field: getattr(check, field) for field in SIGNATURE_CHECK_FIELDS},
                "changed": not check.intact or check.changed_after,
                "verdict": str(check.verdict),
                "verdict_text": check.verdict_text,
            }
            for check in report.checks
        ]
        return Response(
            VerificationSerializer(
                {
                    "title": document.title,
                    "number": document.number,
                    "issued_at": document.issued_at,
                    "agency": document.issuer_agency.name,
                    "sha256": document.sha256,
                    "valid": report.valid,
                    "problem": report.problem,
                    "signatures": signatures,
                }
            ).data
        )
