"""Legal slips and records of the one-stop mechanism, with the form set in force.

Dossiers received before 1 July 2025 are still audited under Circular 01/2018/TT-VPCP; later
ones use Circular 03/2025/TT-VPCP (Decree 118/2025/NĐ-CP). Which set applies is decided by
the date of reception, so both stay producible. The two sets number their forms differently
from form 05 on (03/2025 inserts "Thông báo dừng giải quyết hồ sơ" as 05) and renamed the
apology slip, so each set carries both the number and the title of every form.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.documents.pdf import render_pdf
from motcua.dossiers.constants import SlipKind
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.tracking import tracking_qr

# Records that are not slips handed to the applicant, but forms of the same circulars.
CONTROL_SHEET = "control_sheet"
REGISTER = "register"

RECEIPT_TITLE = _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
SUPPLEMENT_TITLE = _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
REFUSAL_TITLE = _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
CONTROL_SHEET_TITLE = _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
REGISTER_TITLE = _("Sổ theo dõi hồ sơ")


@dataclass(frozen=True)
class FormSet:
    valid_from: datetime.date
    legal_basis: str
    numbers: dict[str, str]
    # The title each form bears under this circular (the apology slip was renamed in 2025).
    titles: dict[str, str | Promise]

    def title(self, kind: str) -> str:
        return str(self.titles[kind])


FORM_SETS = [
    FormSet(
        datetime.date(2025, 7, 1),
        "Thông tư số 03/2025/TT-VPCP",
        {
            SlipKind.RECEIPT: "01",
            SlipKind.SUPPLEMENT: "02",
            SlipKind.REFUSAL: "03",
            SlipKind.APOLOGY: "04",
            SlipKind.STOP_NOTICE: "05",
            CONTROL_SHEET: "06",
            REGISTER: "07",
        },
        {
            SlipKind.RECEIPT: RECEIPT_TITLE,
            SlipKind.SUPPLEMENT: SUPPLEMENT_TITLE,
            SlipKind.REFUSAL: REFUSAL_TITLE,
            SlipKind.APOLOGY: _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
            SlipKind.STOP_NOTICE: _("Thông báo dừng giải quyết hồ sơ"),
            CONTROL_SHEET: CONTROL_SHEET_TITLE,
            REGISTER: REGISTER_TITLE,
        },
    ),
    FormSet(
        datetime.date(2018, 12, 1),
        "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018",
        {
            SlipKind.RECEIPT: "01",
            SlipKind.SUPPLEMENT: "02",
            SlipKind.REFUSAL: "03",
            SlipKind.APOLOGY: "04",
            CONTROL_SHEET: "05",
            REGISTER: "06",
        },
        {
            SlipKind.RECEIPT: RECEIPT_TITLE,
            SlipKind.SUPPLEMENT: SUPPLEMENT_TITLE,
            SlipKind.REFUSAL: REFUSAL_TITLE,
            SlipKind.APOLOGY: _("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
            CONTROL_SHEET: CONTROL_SHEET_TITLE,
            REGISTER: REGISTER_TITLE,
        },
    ),
]


def form_set_for(day: datetime.date) -> FormSet:
    """The form set in force on `day` (the newest whose start is not after it)."""
    for form_set in FORM_SETS:
        if day >= form_set.valid_from:
            return form_set
    return FORM_SETS[-1]


def form_set_for_dossier(dossier: Dossier) -> FormSet:
    """The form set of a dossier: the one in force on its (local) reception day."""
    return form_set_for(timezone.localdate(dossier.received_at or timezone.now()))


def applicant_name(dossier: Dossier) -> str:
    profile = getattr(dossier.applicant, "citizen", None)
    return profile.full_name if profile else dossier.applicant.get_full_name() or dossier.applicant.get_username()


def _stored(value: Any) -> str:
    # Instants are kept as ISO 8601 so they can be read back (datetime.fromisoformat).
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def slip_issue(*, dossier: Dossier, kind: str, officer: Any, content: dict[str, Any]) -> DossierSlip:
    """Render and keep a slip; runs inside the transaction of the action it records."""
    form_set = form_set_for_dossier(dossier)
    if kind not in form_set.numbers:
        # A form the older circular lacks (the stop notice): the set in force on the day of issue.
        form_set = form_set_for(timezone.localdate())
    context = {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "kind": SlipKind(kind),
        "form_set": form_set,
        "form_number": form_set.numbers[kind],
        "form_title": form_set.title(kind),
        "applicant_name": applicant_name(dossier),
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
        content={key: _stored(value) for key, value in content.items()},
        issued_by=officer,
    )
    digest = hashlib.sha256(pdf).hexdigest()[:12]
    slip.file.save(f"{kind}-{digest}.pdf", ContentFile(pdf), save=False)
    slip.save()
    return slip
