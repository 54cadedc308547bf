"""The hand-over record (biên bản bàn giao hồ sơ) printed for the post office and the one-stop
unit to sign, rendered from the stored record whenever it is asked for: once confirmed it also
shows what the unit counted."""

from django.utils import timezone

from motcua.documents.pdf import render_pdf
from motcua.dossiers.slips import applicant_name
from motcua.postal.models import PaperHandOver
from motcua.postal.selectors import record_items, record_totals


def hand_over_pdf(*, record: PaperHandOver) -> bytes:
    items = record_items(record)
    context = {
        "record": record,
        "rows": [{"item": item, "applicant": applicant_name(item.dossier)} for item in items],
        "totals": record_totals(record, items),
        "has_discrepancy": any(item.discrepancy for item in items),
        "created_on": timezone.localtime(record.created_at),
        "confirmed_on": timezone.localtime(record.confirmed_at) if record.confirmed_at else None,
    }
    return render_pdf(template="postal/hand_over_pdf.html", context=context)
