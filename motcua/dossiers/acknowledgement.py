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
    message = EmailMessage(
        subject=f"Đã nhận hồ sơ {dossier.code}",
        body=(
            f"Hệ thống đã nhận hồ sơ {dossier.code} – {dossier.procedure_version.name}.\n"
            f"Ngày hẹn trả kết quả dự kiến: {dossier.expected_due_at:%d/%m/%Y}.\n"
            "Giấy xác nhận đính kèm thư này.\n\n" + settings.MOTCUA_SITE_NAME
        ),
        to=[email],
    )
    message.attach(f"xac-nhan-{dossier.code}.pdf", acknowledgement_pdf(dossier=dossier), "application/pdf")
    message.send()
    return True
