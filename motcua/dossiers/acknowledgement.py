"""The acknowledgement a citizen gets after submitting: a PDF, also sent by e-mail."""

from django.conf import settings
from django.core.mail import EmailMessage

from motcua.documents.pdf import render_pdf
from motcua.dossiers.models import Dossier
from motcua.dossiers.tracking import tracking_qr


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


def acknowledgement_send(*, dossier_id: int) -> bool:
    """E-mail the acknowledgement when the citizen gave an address; True when a mail went out."""
    dossier = Dossier.objects.select_related("procedure_version__procedure", "agency", "applicant__citizen").get(
        pk=dossier_id
    )
    profile = getattr(dossier.applicant, "citizen", None)
    email = (profile.email if profile else "") or dossier.applicant.email
    if not email:
        return False
    linked = _linked_lines(dossier)
    if linked is None:
        return False  # a linked dossier of an interconnected submission: its lead's mail lists it
    message = EmailMessage(
        subject=f"Đã nhận hồ sơ {dossier.code}",
        body=(
            f"Hệ thống đã nhận hồ sơ {dossier.code} – {dossier.procedure_version.name}.\n"
            f"Ngày hẹn trả kết quả dự kiến: {dossier.expected_due_at:%d/%m/%Y}.\n"
            + linked
            + "Giấy xác nhận đính kèm thư này.\n\n"
            + settings.MOTCUA_SITE_NAME
        ),
        to=[email],
    )
    message.attach(f"xac-nhan-{dossier.code}.pdf", acknowledgement_pdf(dossier=dossier), "application/pdf")
    message.send()
    return True


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
    return "\n".join(lines) + "\n"
