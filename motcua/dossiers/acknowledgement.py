"""The acknowledgement a citizen gets after submitting: a PDF receipt, also sent by e-mail.

The e-mail is an outbox message (notifications event "acknowledgement") recorded in the
transaction that hands the dossier in, so it is sent after commit with the outbox's retries and
exactly-once rules; the PDF is rendered when the e-mail is sent (`acknowledgement_attachment`).
"""

from motcua.documents.pdf import render_pdf
from motcua.dossiers.models import Dossier
from motcua.dossiers.tracking import tracking_qr
from motcua.notifications.mail import Attachment


def acknowledgement_pdf(*, dossier: Dossier) -> bytes:
    version = dossier.procedure_version
    papers = [
        {"name": component.name, "count": dossier.attachments.filter(component=component).count()}
        for component in version.components.all()
        if dossier.attachments.filter(component=component).exists()
    ]
    profile = getattr(dossier.applicant, "citizen", None)
    return render_pdf(
        template="documents/acknowledgement.html",
        context={
            "dossier": dossier,
            "version": version,
            "papers": papers,
            "applicant_name": profile.full_name if profile else dossier.applicant.get_full_name(),
            "tracking_qr": tracking_qr(dossier),
        },
    )


def acknowledgement_attachment(*, dossier_id: int) -> Attachment:
    """The PDF receipt as the acknowledgement e-mail carries it."""
    dossier = Dossier.objects.select_related("procedure_version__procedure", "agency", "applicant__citizen").get(
        pk=dossier_id
    )
    return Attachment(f"xac-nhan-{dossier.code}.pdf", acknowledgement_pdf(dossier=dossier), "application/pdf")


def acknowledgement_record(*, dossier: Dossier) -> None:
    """Record the acknowledgement e-mail of a dossier just handed in (inside that transaction).

    One per dossier (its code names the occurrence), sent to the addresses the applicant gets
    notifications on. A linked dossier of an interconnected submission gets none: its lead's
    e-mail lists it.
    """
    from motcua.notifications.constants import NotificationEvent
    from motcua.notifications.services import notifications_enqueue_for_dossier

    linked = _linked_lines(dossier)
    if linked is None:
        return
    notifications_enqueue_for_dossier(
        dossier=dossier,
        event=NotificationEvent.ACKNOWLEDGEMENT,
        ref=f"code-{dossier.code}",
        context={"linked_dossiers": linked},
    )


def _linked_lines(dossier: Dossier) -> str | None:
    """For the lead of an interconnected submission, the lines listing the other dossiers it
    opened, so the citizen gets one mail for the whole submission; None for those dossiers
    themselves (no mail of their own); empty for a lone dossier."""
    from motcua.dossiers.models import DossierGroup

    if dossier.group_id is None:
        return ""
    dossier_group = DossierGroup.objects.get(pk=dossier.group_id)
    if dossier_group.lead_id != dossier.pk:
        return None
    others = dossier_group.dossiers.exclude(pk=dossier.pk).select_related("procedure_version", "agency").order_by("id")
    lines = [f"Hồ sơ liên thông {dossier_group.code}; các hồ sơ đã được gửi tới cơ quan giải quyết:"]
    lines += [f"- {other.code} – {other.procedure_version.name} – {other.agency.name}" for other in others]
    return "\n".join(lines)
