"""The hand-over note (biên bản giao nhận kết quả) printed for the officer and the recipient
to sign at the counter, rendered from the recorded hand-over whenever it is asked for."""

from django.utils import timezone

from motcua.delivery.models import HandOver
from motcua.directory.addresses import address_text
from motcua.documents.pdf import render_pdf
from motcua.dossiers.records import local_time_text
from motcua.dossiers.slips import applicant_name


def _applicant_address(hand_over: HandOver) -> str:
    profile = getattr(hand_over.dossier.applicant, "citizen", None)
    if profile is None:
        return ""
    unit = profile.address_unit.code if profile.address_unit_id else None
    return address_text({"unit": unit, "detail": profile.address_detail})


def handover_note_pdf(*, hand_over: HandOver) -> bytes:
    dossier = hand_over.dossier
    context = {
        "hand_over": hand_over,
        "dossier": dossier,
        "version": dossier.procedure_version,
        "document": dossier.result_document,
        "applicant_name": applicant_name(dossier),
        "applicant_address": _applicant_address(hand_over),
        "officer_name": hand_over.officer.get_full_name() or hand_over.officer.get_username(),
        "handed_text": local_time_text(hand_over.handed_at),
        "handed_on": timezone.localtime(hand_over.handed_at),
    }
    return render_pdf(template="delivery/handover_note.html", context=context)
