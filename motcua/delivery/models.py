"""How a result left the one-stop unit: handed over at the counter or sent by post.

Kept apart from the dossier's status: "processed" is when the result exists (the national
on-time indicator uses it), these rows are the evidence of who received it and when.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.privacy import mask_id
from motcua.delivery.constants import (
    CarrierNoticeVerdict,
    IdPaperKind,
    RecipientKind,
    ShipmentEventKind,
    ShipmentStatus,
)


class HandOver(models.Model):
    """The result handed over at the counter, against an identity paper (biên bản giao nhận)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="hand_over")
    recipient_kind = models.CharField(_("người nhận là"), max_length=20, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("họ và tên người nhận"), max_length=200)
    # For an authorised person: the relation and the paper (giấy ủy quyền số…, ngày…).
    authorisation = models.CharField(_("quan hệ, giấy ủy quyền"), max_length=300, blank=True)
    id_paper_kind = models.CharField(_("loại giấy tờ tùy thân"), max_length=20, choices=IdPaperKind.choices)
    # Personal data (Decree 13/2023/NĐ-CP): shown masked on pages, printed only on the note.
    id_paper_number = models.CharField(_("số giấy tờ tùy thân"), max_length=20)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handed_at = models.DateTimeField(_("giao lúc"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("biên bản giao nhận kết quả")
        verbose_name_plural = _("biên bản giao nhận kết quả")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.recipient_name}"

    @property
    def id_paper_masked(self) -> str:
        return mask_id(self.id_paper_number)


class Shipment(models.Model):
    """A result sent by post. One dossier may have several: a failed one is followed by a new
    one (or by the counter). Fields a carrier adapter fills later (its own reference, events)
    are here from the start so that officer-recorded and carrier-reported shipments look alike."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.SENT
    )
    carrier = models.CharField(_("đơn vị bưu chính"), max_length=100)
    tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=50)
    # The carrier's own identifier of the order, when an adapter created it (empty when typed).
    carrier_reference = models.CharField(_("mã đơn của bưu chính"), max_length=100, blank=True)
    address = models.CharField(_("địa chỉ nhận"), max_length=500)
    sent_on = models.DateField(_("ngày gửi"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(_("giao lúc"), null=True, blank=True)
    delivered_to = models.CharField(_("người nhận"), max_length=200, blank=True)
    failure_reason = models.CharField(_("lý do không giao được"), max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    # The carrier's charge for this order (đồng), as it answered when the order was created.
    charge = models.PositiveIntegerField(_("cước bưu chính"), default=0)
    # The delivery proof the carrier sent (the recipient's signature or a photo), kept as evidence.
    proof_image = models.FileField(_("bằng chứng giao"), upload_to="delivery-proofs/%Y/%m/", blank=True)
    # When the carrier last told us anything, and when we last asked it (the polling task).
    last_event_at = models.DateTimeField(_("tin gần nhất lúc"), null=True, blank=True)
    polled_at = models.DateTimeField(_("hỏi bưu chính lúc"), null=True, blank=True)
    # Why staff must look at this shipment (lost, no news for days, a delivery the system could
    # not record); empty when all is well.
    attention = models.CharField(_("cần xử lý"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bưu gửi kết quả")
        verbose_name_plural = _("bưu gửi kết quả")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one shipment on its way per dossier: the result is one paper.
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(status=ShipmentStatus.SENT), name="one_shipment_in_transit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class ShipmentEvent(models.Model):
    """One thing that happened to a shipment, as the officer recorded it or a carrier reported it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("sự kiện"), max_length=20, choices=ShipmentEventKind.choices)
    occurred_at = models.DateTimeField(_("lúc"))
    description = models.CharField(_("mô tả"), max_length=500, blank=True)
    # None when a carrier adapter reported it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the carrier sent (its status code, proof of delivery reference), kept as received.
    payload = models.JSONField(_("dữ liệu của bưu chính"), default=dict, blank=True)
    # The carrier's id of the event: a webhook replayed or also seen by polling is kept once.
    carrier_event_id = models.CharField(_("mã sự kiện của bưu chính"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("diễn biến bưu gửi")
        verbose_name_plural = _("diễn biến bưu gửi")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "carrier_event_id"],
                condition=~models.Q(carrier_event_id=""),
                name="one_carrier_event_per_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"


class PostageQuote(models.Model):
    """The postal charge quoted to the citizen when they chose to receive the result by post;
    frozen into what the dossier owes at hand-in (dossiers/fees.py)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="postage_quote")
    amount = models.PositiveIntegerField(_("cước bưu chính"))
    address = models.CharField(_("địa chỉ nhận"), max_length=500)
    quoted_at = models.DateTimeField(_("báo cước lúc"), auto_now=True)

    class Meta:
        verbose_name = _("báo cước bưu chính")
        verbose_name_plural = _("báo cước bưu chính")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.amount}"


class CarrierNotice(models.Model):
    """Every tracking webhook the carrier sent, whatever became of it: a refused or unknown one
    is kept too, for the staff and the carrier to sort out."""

    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    verdict = models.CharField(_("kết quả"), max_length=20, choices=CarrierNoticeVerdict.choices)
    order_code = models.CharField(_("mã đơn của bưu chính"), max_length=100, blank=True)
    shipment = models.ForeignKey(Shipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The body as received (without the proof image), or the reason it could not be read.
    payload = models.JSONField(_("dữ liệu nhận được"), default=dict, blank=True)
    detail = models.CharField(_("chi tiết"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thông báo của bưu chính")
        verbose_name_plural = _("thông báo của bưu chính")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_code} {self.verdict}"
