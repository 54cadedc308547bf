"""The acknowledgement a citizen gets after submitting: a PDF receipt, also sent by e-mail.

Handing the dossier in records the `acknowledged` domain event in its transaction; the
notifications app, its consumer, records the e-mail in the outbox (sent after commit with the
outbox's retries and exactly-once rules) and renders this PDF when the e-mail is sent.
"""

from motcua.documents.pdf import render_pdf
from motcua.dossiers.models import Dossier
from motcua.dossiers.tracking import tracking_qr
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record, domain_events_of


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


def acknowledgement_record(*, dossier: Dossier) -> None:
    """Record that the applicant is sent the receipt of a dossier just handed in (inside that
    transaction): the `acknowledged` event, whose consumers send the e-mail.

    Once per dossier. A linked dossier of an interconnected submission gets none: its lead's
    acknowledgement lists it (the lead's is recorded after the linked dossiers were opened).
    """
    from motcua.dossiers.models import DossierGroup

    linked: list[str] = []
    if dossier.group_id is not None:
        dossier_group = DossierGroup.objects.get(pk=dossier.group_id)
        if dossier_group.lead_id != dossier.pk:
            return
        others = dossier_group.dossiers.exclude(pk=dossier.pk).order_by("id")
        linked = [str(code) for code in others.values_list("code", flat=True)]
    if domain_events_of(dossier.pk, kinds=[EventKind.ACKNOWLEDGED]).exists():
        return
    domain_event_record(
        dossier=dossier, kind=EventKind.ACKNOWLEDGED, actor=None, payload={"code": dossier.code, "linked": linked}
    )
