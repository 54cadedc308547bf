"""The postal charge of returning a result by post: quoted by the carrier plugin when the
citizen chooses post, shown before they choose, and owed with the fees as its own line kind
(catalog.constants.LineKind.POSTAGE, "cước bưu chính"). The manual plugin quotes nothing:
then no line is added (the charge is settled with the post office as before)."""

from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.constants import LineKind
from motcua.core.money import format_amount
from motcua.delivery.carriers import CarrierUnavailable, carriers
from motcua.delivery.models import PostageQuote


def postage_quote(*, address: str) -> int | None:
    """The carrier's charge to `address` in đồng; None when the carrier quotes none. Raises
    CarrierUnavailable (a Vietnamese message) when the carrier cannot answer."""
    return carriers.get().quote(to_address=address)


def postage_estimate_text(dossier: Any) -> str:
    """What the delivery choice page says about the postal charge before the citizen chooses:
    the carrier's quote to the address given (or within the agency's area), or why there is none."""
    try:
        amount = postage_quote(address=dossier.delivery_address or dossier.agency.unit.name)
    except CarrierUnavailable:
        return str(_("Chưa tính được cước bưu chính lúc này; hãy thử lại sau hoặc chọn nhận tại cơ quan."))
    if amount is None:
        return ""
    return str(
        _("Cước gửi kết quả qua bưu chính: %(amount)s, nộp cùng phí, lệ phí khi nộp hồ sơ.")
        % {"amount": format_amount(amount)}
    )


def postage_quote_keep(*, dossier: Any, amount: int | None, address: str) -> None:
    """Keep (or drop) the quote with the citizen's choice; inside the caller's transaction."""
    if amount is None:
        PostageQuote.objects.filter(dossier=dossier).delete()
    else:
        PostageQuote.objects.update_or_create(dossier=dossier, defaults={"amount": amount, "address": address})


def postage_lines(dossier: Any) -> list[dict[str, Any]]:
    """The postal charge as a line shaped like a fee line (catalog.fees.FeeLine.as_json)."""
    quote = PostageQuote.objects.filter(dossier=dossier).first()
    if quote is None or dossier.delivery_method != "post":
        return []
    return [
        {
            "fee_id": None,
            "kind": LineKind.POSTAGE.value,
            "name": str(_("Cước gửi kết quả qua bưu chính")),
            "unit_amount": quote.amount,
            "quantity": 1,
            "reduction_percent": 0,
            "reduction_reason": "",
            "amount": quote.amount,
            "explanation": str(_("Theo báo cước của bưu chính đến địa chỉ nhận")),
        }
    ]
