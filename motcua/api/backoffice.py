"""The back-office API for other systems (sector software, the officers' mobile app server).

Every request acts as the calling client's service account (motcua.api.clients), through the
same selectors and services as the staff pages: the account's roles at its one agency decide what
it reads (404 for any other dossier) and what it may do (the services refuse and audit the rest).
Writes carry the dossier's `revision`: a write based on an older state, or sent twice, is refused
with 409 and changes nothing.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api.clients import ApiClientAuthentication, HasClientScope
from motcua.api.dossiers import ERRORS, AttachmentSerializer, HistorySerializer
from motcua.catalog.models import Procedure
from motcua.documents.files import private_file_response
from motcua.dossiers.constants import Channel, DeliveryMethod, DossierStatus, Outcome, QueueView, StepStatus
from motcua.dossiers.models import Dossier, DossierSlip, DossierStep
from motcua.dossiers.processing import officer_holds_step, step_forward, step_return, step_take
from motcua.dossiers.reception import dossier_accept, dossier_refuse, dossier_request_supplement
from motcua.dossiers.search import DossierSearch, dossier_search_for_officer
from motcua.dossiers.selectors import (
    NOT_YET_SUBMITTED,
    agency_list_for_officer,
    dossier_get_for_officer,
    dossier_reception_queue,
    step_get_for_officer,
    step_queue,
)

# As the back office's search: offset pages without a total, and a last page that keeps the
# offset inside SQL's integers.
SEARCH_PAGE_SIZE = 50
SEARCH_MAX_PAGE = 1000
TAG = "Nghiệp vụ cơ quan (hệ thống kết nối)"
ERRORS_WITH_SCOPE = {
    **ERRORS,
    401: OpenApiResponse(ERRORS[401].response, description="Thiếu mã truy cập Bearer, mã sai hoặc hết hạn"),
    403: OpenApiResponse(ERRORS[403].response, description="Mã truy cập thiếu phạm vi (scope) cần cho thao tác"),
    404: OpenApiResponse(ERRORS[404].response, description="Không có hồ sơ này trong phạm vi cơ quan của hệ thống"),
}


def _applicant_name(dossier: Dossier) -> str:
    profile = getattr(dossier.applicant, "citizen", None)
    return profile.full_name if profile is not None else dossier.applicant.get_full_name()


@extend_schema_serializer(component_name="BackofficeDossierRow")
class DossierRowSerializer(serializers.ModelSerializer[Dossier]):
    procedure = serializers.CharField(source="procedure_version.procedure.code", read_only=True)
    procedure_name = serializers.CharField(source="procedure_version.name", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    applicant_name = serializers.SerializerMethodField()

    def get_applicant_name(self, dossier: Dossier) -> str:
        return _applicant_name(dossier)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "procedure",
            "procedure_name",
            "agency",
            "channel",
            "status",
            "applicant_name",
            "submitted_at",
            "received_at",
            "due_at",
            "revision",
        ]
        read_only_fields = fields


class SlipSerializer(serializers.ModelSerializer[DossierSlip]):
    class Meta:
        model = DossierSlip
        fields = ["id", "kind", "form_number", "issued_at"]


@extend_schema_serializer(component_name="BackofficeStep")
class StepSerializer(serializers.ModelSerializer[DossierStep]):
    code = serializers.CharField(source="process_step.code", default="", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True, read_only=True)
    return_to = serializers.SerializerMethodField(help_text="Mã các bước có thể trả hồ sơ về (thao tác return)")
    may_act = serializers.SerializerMethodField(help_text="Hệ thống gọi được take/forward/return ở bước này")

    def get_return_to(self, step: DossierStep) -> list[str]:
        return list(step.process_step.return_to) if step.process_step is not None else []

    def get_may_act(self, step: DossierStep) -> bool:
        return (
            step.status == StepStatus.ACTIVE
            and step.dossier.status == DossierStatus.IN_PROGRESS
            and officer_holds_step(officer=self.context["officer"], step=step)
        )

    class Meta:
        model = DossierStep
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "status",
            "agency",
            "role",
            "assignee",
            "started_at",
            "due_at",
            "finished_at",
            "note",
            "return_to",
            "may_act",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    signed_by_name = serializers.CharField()
    verification_code = serializers.CharField(help_text="Mã tra cứu tính xác thực của văn bản")


@extend_schema_serializer(component_name="BackofficeDossier")
class DossierDetailSerializer(DossierRowSerializer):
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices, allow_blank=True, read_only=True, help_text="Rỗng khi người nộp chưa chọn"
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, read_only=True, help_text="Rỗng khi chưa phê duyệt"
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    history = HistorySerializer(many=True, read_only=True)
    slips = SlipSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField(help_text="Kết quả đã ký; null khi chưa có (tải tại …/result/)")

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, dossier: Dossier) -> Any:
        steps = dossier.steps.select_related("agency", "assignee", "process_step", "dossier").order_by(
            "started_at", "id"
        )
        return StepSerializer(steps, many=True, context=self.context).data

    @extend_schema_field(ResultSerializer(allow_null=True))
    def get_result(self, dossier: Dossier) -> Any:
        return ResultSerializer(dossier.result_document).data if dossier.result_document is not None else None

    class Meta(DossierRowSerializer.Meta):
        fields = [
            *DossierRowSerializer.Meta.fields,
            "delivery_method",
            "form_data",
            "outcome",
            "processed_at",
            "returned_at",
            "attachments",
            "history",
            "slips",
            "steps",
            "result",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="BackofficeWorkItem")
class WorkItemSerializer(StepSerializer):
    dossier = DossierRowSerializer(read_only=True)

    class Meta(StepSerializer.Meta):
        fields = [*StepSerializer.Meta.fields, "dossier"]
        read_only_fields = fields


class ReceptionQueueQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Mã hồ sơ (đầu hoặc số cuối) hoặc tên người nộp"
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class WorkQueueQuerySerializer(serializers.Serializer):
    view = serializers.ChoiceField(choices=QueueView.choices, default=QueueView.MINE)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Mã hồ sơ, tên người nộp, số định danh hoặc số điện thoại"
    )
    submitted_from = serializers.DateField(required=False)
    submitted_to = serializers.DateField(required=False)
    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in DossierStatus.choices if value not in NOT_YET_SUBMITTED],
        required=False,
    )
    procedure = serializers.CharField(required=False, max_length=40, help_text="Mã thủ tục")
    agency = serializers.CharField(required=False, max_length=40, help_text="Mã cơ quan tiếp nhận")
    page = serializers.IntegerField(required=False, min_value=1, max_value=SEARCH_MAX_PAGE, default=1)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            raise serializers.ValidationError({"submitted_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
        return data

    def search(self, *, officer: Any) -> DossierSearch:
        """The search the back office runs, with codes resolved within what the officer reads."""
        data = self.validated_data
        procedure = agency = None
        if data.get("procedure"):
            procedure = Procedure.objects.filter(code=data["procedure"]).first()
            if procedure is None:
                raise serializers.ValidationError(
                    {"procedure": _("Không có thủ tục mã %(code)s.") % {"code": data["procedure"]}}
                )
        if data.get("agency"):
            agency = agency_list_for_officer(user=officer).filter(code=data["agency"]).first()
            if agency is None:
                raise serializers.ValidationError({"agency": _("Cơ quan này không thuộc phạm vi bạn được xem.")})
        return DossierSearch(
            text=data.get("q", ""),
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            status=data.get("status", ""),
            procedure_id=procedure.pk if procedure is not None else None,
            agency_id=agency.pk if agency is not None else None,
        )


class SearchPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField(help_text="Còn trang sau (không đếm tổng số để tìm nhanh)")
    results = DossierRowSerializer(many=True)


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=0, help_text="Phiên bản hồ sơ đã đọc; hồ sơ đã đổi (hoặc gửi lặp) thì bị từ chối với 409"
    )


class ReasonsSerializer(RevisionSerializer):
    reasons = serializers.CharField(max_length=2000, help_text="Lý do, ít nhất 10 ký tự; mỗi dòng một ý")


class ForwardSerializer(RevisionSerializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    draft = serializers.CharField(
        max_length=8000, required=False, allow_blank=True, default="", help_text="Dự thảo nội dung kết quả"
    )


class ReturnSerializer(RevisionSerializer):
    to = serializers.CharField(max_length=40, help_text="Mã bước nhận lại hồ sơ, một trong `return_to` của bước")
    reason = serializers.CharField(max_length=4000)


class PDFRenderer(BaseRenderer):
    """Lets a client ask for the result with `Accept: application/pdf` (the file is sent as is)."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class BackofficeAPIView(APIView):
    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasClientScope]

    def dossier(self, pk: int) -> Dossier:
        return dossier_get_for_officer(user=self.request.user, pk=pk)

    def dossier_response(self, pk: int) -> Response:
        """The dossier as it is now, after a write (read again: the service changed it)."""
        context = {"officer": self.request.user}
        return Response(DossierDetailSerializer(self.dossier(pk), context=context).data)

    def payload(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        payload = serializer_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)


@extend_schema(tags=[TAG])
class ReceptionQueueView(BackofficeAPIView, generics.GenericAPIView[Dossier]):
    serializer_class = DossierRowSerializer

    @extend_schema(
        summary="Hàng chờ tiếp nhận của cơ quan (cũ nhất trước)",
        parameters=[ReceptionQueueQuerySerializer],
        responses={200: DossierRowSerializer(many=True), **ERRORS_WITH_SCOPE},
    )
    def get(self, request: Request) -> Response:
        query = ReceptionQueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dossiers: QuerySet[Dossier] = dossier_reception_queue(
            user=request.user, query=query.validated_data.get("q", ""), channel=query.validated_data.get("channel", "")
        ).select_related("applicant__citizen", "procedure_version__procedure")
        page = self.paginate_queryset(dossiers)
        return self.get_paginated_response(DossierRowSerializer(page, many=True).data)


@extend_schema(tags=[TAG])
class WorkQueueView(BackofficeAPIView, generics.GenericAPIView[DossierStep]):
    serializer_class = WorkItemSerializer

    @extend_schema(
        summary="Các bước xử lý đang mở của hệ thống: được giao, của đơn vị, sắp đến hạn, quá hạn",
        parameters=[WorkQueueQuerySerializer],
        responses={200: WorkItemSerializer(many=True), **ERRORS_WITH_SCOPE},
    )
    def get(self, request: Request) -> Response:
        query = WorkQueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        steps = step_queue(user=request.user, view=query.validated_data["view"], now=timezone.now()).select_related(
            "process_step", "dossier__agency", "dossier__applicant__citizen", "dossier__procedure_version__procedure"
        )
        page = self.paginate_queryset(steps)
        return self.get_paginated_response(WorkItemSerializer(page, many=True, context={"officer": request.user}).data)


@extend_schema(tags=[TAG])
class SearchView(BackofficeAPIView):
    @extend_schema(
        summary="Tìm hồ sơ trong phạm vi cơ quan (mới nhất trước, 50 hồ sơ một trang)",
        operation_id="v1_backoffice_dossiers_search",
        parameters=[SearchQuerySerializer],
        responses={200: SearchPageSerializer, **ERRORS_WITH_SCOPE},
    )
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page, size = query.validated_data["page"], SEARCH_PAGE_SIZE
        found = dossier_search_for_officer(user=request.user, search=query.search(officer=request.user))
        rows = list(
            found.select_related("applicant__citizen", "procedure_version__procedure")[
                (page - 1) * size : page * size + 1
            ]
        )
        data = {
            "page": page,
            "has_next": len(rows) > size,
            "results": DossierRowSerializer(rows[:size], many=True).data,
        }
        return Response(data)


@extend_schema(tags=[TAG])
class DossierView(BackofficeAPIView):
    @extend_schema(
        summary="Chi tiết hồ sơ, các bước xử lý và kết quả",
        responses={200: DossierDetailSerializer, **ERRORS_WITH_SCOPE},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.dossier_response(pk)


def _write(summary: str, request: type[serializers.Serializer]) -> Any:
    """The schema of a write: its body, and the dossier afterwards or a documented error."""
    responses = {200: DossierDetailSerializer, **ERRORS_WITH_SCOPE}
    return extend_schema_view(post=extend_schema(summary=summary, request=request, responses=responses, tags=[TAG]))


class DossierActionView(BackofficeAPIView):
    """A write on a dossier by one service, answered with the dossier as it is afterwards."""

    payload_class: type[serializers.Serializer] = RevisionSerializer

    def post(self, request: Request, pk: int, step_id: int | None = None) -> Response:
        dossier = self.dossier(pk)
        target = (
            dossier if step_id is None else step_get_for_officer(user=request.user, dossier=dossier, step_id=step_id)
        )
        self.act(target, request.user, self.payload(self.payload_class))
        return self.dossier_response(pk)

    def act(self, target: Any, officer: Any, data: dict[str, Any]) -> None:
        raise NotImplementedError


@_write("Tiếp nhận hồ sơ (giấy tiếp nhận, hẹn trả kết quả)", RevisionSerializer)
class AcceptView(DossierActionView):
    def act(self, target: Dossier, officer: Any, data: dict[str, Any]) -> None:
        dossier_accept(dossier=target, officer=officer, revision=data["revision"])


@_write("Yêu cầu bổ sung, hoàn thiện hồ sơ (phiếu yêu cầu)", ReasonsSerializer)
class RequestSupplementView(DossierActionView):
    payload_class = ReasonsSerializer

    def act(self, target: Dossier, officer: Any, data: dict[str, Any]) -> None:
        dossier_request_supplement(dossier=target, officer=officer, reasons=data["reasons"], revision=data["revision"])


@_write("Từ chối tiếp nhận hồ sơ (phiếu từ chối)", ReasonsSerializer)
class RefuseView(DossierActionView):
    payload_class = ReasonsSerializer

    def act(self, target: Dossier, officer: Any, data: dict[str, Any]) -> None:
        dossier_refuse(dossier=target, officer=officer, reasons=data["reasons"], revision=data["revision"])


@_write("Nhận xử lý bước (giao cho tài khoản hệ thống)", RevisionSerializer)
class StepTakeView(DossierActionView):
    def act(self, target: DossierStep, officer: Any, data: dict[str, Any]) -> None:
        step_take(step=target, officer=officer, revision=data["revision"])


@_write("Hoàn thành bước thụ lý và chuyển hồ sơ sang bước sau", ForwardSerializer)
class StepForwardView(DossierActionView):
    payload_class = ForwardSerializer

    def act(self, target: DossierStep, officer: Any, data: dict[str, Any]) -> None:
        step_forward(step=target, officer=officer, note=data["note"], draft=data["draft"], revision=data["revision"])


@_write("Trả hồ sơ về một bước trước mà quy trình cho phép", ReturnSerializer)
class StepReturnView(DossierActionView):
    payload_class = ReturnSerializer

    def act(self, target: DossierStep, officer: Any, data: dict[str, Any]) -> None:
        step_return(step=target, officer=officer, to_code=data["to"], reason=data["reason"], revision=data["revision"])


@extend_schema(tags=[TAG])
class ResultDownloadView(BackofficeAPIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="Tải văn bản kết quả đã ký (PDF)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS_WITH_SCOPE},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        dossier = self.dossier(pk)
        if dossier.result_document is None:
            raise Http404(_("Hồ sơ chưa có kết quả."))
        return private_file_response(
            file=dossier.result_document.file, download_name=f"ket-qua-{dossier.code}.pdf", inline=False
        )
