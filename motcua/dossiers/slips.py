"""Legal slips of the one-stop mechanism, rendered to PDF with the form set in force.

Dossiers received before 1 July 2025 are still audited under Circular 01/2018/TT-VPCP; later
ones use Circular 03/2025/TT-VPCP (Decree 118/2025/NĐ-CP). Which set applies is decided by
the date of reception, so both stay producible.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from motcua.documents.pdf import render_pdf
from motcua.dossiers.constants import SlipKind
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.tracking import tracking_qr


@dataclass(frozen=True)
class FormSet:
    valid_from: datetime.date
    legal_basis: str
    numbers: dict[str, str]


FORM_SETS = [
    FormSet(
        datetime.date(2025, 7, 1),
        "Thông tư số 03/2025/TT-VPCP",
        {SlipKind.RECEIPT: "01", SlipKind.SUPPLEMENT: "02", SlipKind.REFUSAL: "03"},
    ),
    FormSet(
        datetime.date(2018, 12, 1),
        "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018",
        {SlipKind.RECEIPT: "01", SlipKind.SUPPLEMENT: "02", SlipKind.REFUSAL: "03"},
    ),
]


def form_set_for(day: datetime.date) -> FormSet:
    """The form set in force on `day` (the newest whose start is not after it)."""
    for form_set in FORM_SETS:
        if day >= form_set.valid_from:
            return form_set
    return FORM_SETS[-1]


def slip_issue(*, dossier: Dossier, kind: str, officer: Any, content: dict[str, Any]) -> DossierSlip:
    """Render and keep a slip; runs inside the transaction of the action it records."""
    day = timezone.localdate(dossier.received_at or timezone.now())
    form_set = form_set_for(day)
    profile = getattr(dossier.applicant, "citizen", None)
    context = {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "kind": SlipKind(kind),
        "form_set": form_set,
        "form_number": form_set.numbers[kind],
        "applicant_name": profile.full_name if profile else dossier.applicant.get_full_name(),
        "officer_name": officer.get_full_name() or officer.get_username(),
        "issued_at": timezone.now(),
        "tracking_qr": tracking_qr(dossier),
        **content,
    }
    pdf = render_pdf(template=f"documents/slip_{kind}.html", context=context)
    slip = DossierSlip(
        dossier=dossier,
        kind=kind,
        form_set=form_set.legal_basis,
        form_number=form_set.numbers[kind],
        content={key: str(value) for key, value in content.items()},
        issued_by=officer,
    )
    digest = hashlib.sha256(pdf).hexdigest()[:12]
    slip.file.save(f"{kind}-{digest}.pdf", ContentFile(pdf), save=False)
    slip.save()
    return slip
