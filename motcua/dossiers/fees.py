"""What a dossier owes and when it must be paid (docs/fees.md).

Before submission the amount is quoted live from the saved answers (catalog/fees.py); when the
dossier is handed in (online, at the counter, by post or from the national portal) the quote is
frozen into `Dossier.fees_due` / `fee_lines`, so a later change of the catalogue or of the form
does not change what the applicant was told. The version's `payment_timing` says which step
waits for the payment: acceptance (pay at submission), issuing the result (pay after
acceptance) or returning it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.constants import LineKind, PaymentTiming
from motcua.catalog.fees import FeeQuote, version_fee_quote
from motcua.core.errors import ApplicationError
from motcua.core.money import format_amount
from motcua.dossiers.models import Dossier
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record

# The order of the moments a payment can be due at: a payment due at one moment blocks that
# step and every later one.
_TIMING_ORDER = (PaymentTiming.SUBMISSION, PaymentTiming.ACCEPTANCE, PaymentTiming.RETURN)


def dossier_fee_quote(dossier: Dossier, *, answers: Mapping[str, Any] | None = None) -> FeeQuote:
    """The live quote from the dossier's saved answers (or `answers` not yet saved)."""
    return version_fee_quote(
        version=dossier.procedure_version,
        answers=dossier.form_data if answers is None else answers,
        channel=dossier.channel,
    )


def _postage_lines(dossier: Dossier) -> list[dict[str, Any]]:
    from motcua.delivery.postage import postage_lines  # delivery builds on dossiers

    return postage_lines(dossier)


def dossier_fees_freeze(dossier: Dossier) -> FeeQuote:
    """Fix what the dossier owes from its answers, and the postal charge quoted when the
    applicant chose post (its own line kind); the caller saves the (locked) dossier."""
    quote = dossier_fee_quote(dossier)
    postage = _postage_lines(dossier)
    dossier.fees_due = quote.total + sum(line["amount"] for line in postage)
    dossier.fee_lines = quote.as_json() + postage
    return quote


def payment_timing(dossier: Dossier) -> PaymentTiming:
    return PaymentTiming(dossier.procedure_version.payment_timing)


def fees_when_text(timing: str) -> str:
    """When and how the applicant pays, in words for pages and messages."""
    return {
        PaymentTiming.SUBMISSION: _(
            "Nộp ngay sau khi nộp hồ sơ (thanh toán trực tuyến trên trang hồ sơ hoặc tại Bộ phận Một cửa); "
            "hồ sơ chỉ được tiếp nhận khi đã nộp đủ."
        ),
        PaymentTiming.ACCEPTANCE: _(
            "Nộp sau khi hồ sơ được tiếp nhận (thanh toán trực tuyến trên trang hồ sơ hoặc tại Bộ phận Một cửa); "
            "kết quả được phát hành khi đã nộp đủ."
        ),
        PaymentTiming.RETURN: _(
            "Nộp trước khi nhận kết quả (thanh toán trực tuyến trên trang hồ sơ hoặc tại Bộ phận Một cửa)."
        ),
    }[PaymentTiming(timing)]


def fees_unpaid(dossier: Dossier) -> int:
    """What the dossier still owes in fees and charges, in đồng (0 once paid)."""
    if dossier.fees_paid_at is not None:
        return 0
    return int(dossier.fees_due)


_BLOCKED = {
    PaymentTiming.SUBMISSION: _(
        "Thủ tục này phải nộp phí, lệ phí (%(amount)s) khi nộp hồ sơ; chưa thể tiếp nhận cho tới khi "
        "người nộp đã nộp đủ."
    ),
    PaymentTiming.ACCEPTANCE: _("Hồ sơ chưa nộp phí, lệ phí (%(amount)s), chưa thể phát hành kết quả."),
    PaymentTiming.RETURN: _("Hồ sơ chưa nộp phí, lệ phí (%(amount)s), chưa thể trả kết quả."),
}


def fees_paid_guard(dossier: Dossier, *, before: PaymentTiming) -> None:
    """Refuse the step `before` stands for (SUBMISSION: accepting, ACCEPTANCE: issuing the
    result, RETURN: returning it) while fees due at or before it are unpaid."""
    owed = fees_unpaid(dossier)
    if owed and _TIMING_ORDER.index(payment_timing(dossier)) <= _TIMING_ORDER.index(before):
        raise ApplicationError(str(_BLOCKED[before]) % {"amount": format_amount(owed)}, code="fees_unpaid")


def fees_blocking(dossier: Dossier, *, before: PaymentTiming) -> bool:
    try:
        fees_paid_guard(dossier, before=before)
    except ApplicationError:
        return True
    return False


def fees_due_record(*, dossier: Dossier, actor: Any, on_submission: bool) -> None:
    """Tell the applicant what they owe at the moment it becomes payable: when the dossier is
    handed in for procedures paid at submission, on acceptance for the others (inside the
    transaction; the consumers send the messages)."""
    if (payment_timing(dossier) == PaymentTiming.SUBMISSION) != on_submission:
        return
    if total := fees_unpaid(dossier):
        domain_event_record(
            dossier=dossier,
            kind=EventKind.FEES_DUE,
            actor=actor,
            payload={
                "amount": total,
                "lines": dossier.fee_lines,
                "timing": str(payment_timing(dossier)),
                "agency_code": dossier.agency.code,
                "agency_name": dossier.agency.name,
            },
        )


@dataclass(frozen=True)
class FeesShown:
    """A dossier's fee lines as the citizen's pages show them, amounts already in words."""

    lines: list[dict[str, Any]]
    fees_total: str
    charges_total: str
    postage_total: str  # empty when the result is not returned by post for a charge
    total: str
    owed: int
    when: str
    frozen: bool


def fees_shown(dossier: Dossier, *, answers: Mapping[str, Any] | None = None) -> FeesShown | None:
    """The frozen lines once the dossier is handed in, the live quote from the (saved or given)
    answers before; None when the procedure has no fee at all."""
    frozen = dossier.submitted_at is not None and answers is None
    if frozen:
        lines = list(dossier.fee_lines)
    elif dossier.procedure_version.fees.exists():
        lines = dossier_fee_quote(dossier, answers=answers).as_json() + _postage_lines(dossier)
    elif postage := _postage_lines(dossier):
        lines = postage
    else:
        return None

    def total(kind: str | None = None) -> int:
        return sum(int(line["amount"]) for line in lines if kind is None or line["kind"] == kind)

    return FeesShown(
        lines=[
            {**line, "kind_label": LineKind(line["kind"]).label, "amount_text": format_amount(int(line["amount"]))}
            for line in lines
        ],
        fees_total=format_amount(total(LineKind.FEE)),
        charges_total=format_amount(total(LineKind.CHARGE)),
        postage_total=format_amount(total(LineKind.POSTAGE)) if total(LineKind.POSTAGE) else "",
        total=format_amount(total()),
        owed=fees_unpaid(dossier) if frozen else total(),
        when=fees_when_text(dossier.procedure_version.payment_timing),
        frozen=frozen,
    )
