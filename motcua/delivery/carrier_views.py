"""The carrier's tracking webhook, and the delivery proof it sent, shown to staff."""

import logging
from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.delivery import carrier_wire as wire
from motcua.delivery.constants import CarrierNoticeVerdict
from motcua.delivery.models import Shipment
from motcua.delivery.tracking import carrier_webhook_receive
from motcua.documents.files import private_file_response
from motcua.dossiers.selectors import dossier_get_for_officer

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 512 * 1024  # an event with its proof image

# The HTTP status each outcome is answered with: the carrier retries only on 5xx.
_STATUS = {
    CarrierNoticeVerdict.APPLIED: 200,
    CarrierNoticeVerdict.DUPLICATE: 200,
    CarrierNoticeVerdict.UNKNOWN_SHIPMENT: 404,
    CarrierNoticeVerdict.BAD_SIGNATURE: 401,
    CarrierNoticeVerdict.MALFORMED: 400,
}


@csrf_exempt  # called by the carrier's server, authenticated by the body's HMAC signature
@require_POST
def carrier_webhook(request: HttpRequest) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_WEBHOOK_BYTES:
        return JsonResponse(wire.error_body("TOO_LARGE", _("Thông báo quá lớn.")), status=413)
    notice = carrier_webhook_receive(body=request.body, signature=request.headers.get(wire.SIGNATURE_HEADER, ""))
    status = _STATUS[CarrierNoticeVerdict(notice.verdict)]
    if status == 200:
        return JsonResponse({"result": notice.verdict})
    message = notice.detail if notice.verdict == CarrierNoticeVerdict.UNKNOWN_SHIPMENT else notice.get_verdict_display()
    return JsonResponse(wire.error_body(notice.verdict.upper(), str(message)), status=status)


@login_required
@require_GET
def shipment_proof(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The delivery proof, to the officers who may see the dossier."""
    shipment = get_object_or_404(Shipment, pk=pk)
    dossier = dossier_get_for_officer(user=request.user, pk=shipment.dossier_id)
    if not shipment.proof_image:
        raise Http404(_("Bưu gửi này không có bằng chứng giao."))
    extension = PurePosixPath(shipment.proof_image.name).suffix
    return private_file_response(
        file=shipment.proof_image, download_name=f"bang-chung-giao-{dossier.code}{extension}", inline=True
    )
