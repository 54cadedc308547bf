"""The amount a dossier owes, computed on the server from the procedure version's fee rules and
the form's answers (never taken from the client). Rules are data on `Fee` (docs/fees.md):

* ``basis``: fixed per dossier, or per unit with the count read from ``quantity_field``;
* ``condition``: the line applies only when an answer holds (same shape as ``visible_if``);
* ``channel``: the line applies only to online or to counter/postal submissions;
* ``reductions``: ``[{"when": condition, "percent": 0..100, "reason": "…"}]``, the largest
  reduction whose condition holds applies (100 = exempt).

Fees (lệ phí) and charges (phí) stay apart in the quote because they go to different accounts.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.constants import FeeBasis, FeeChannel
from motcua.catalog.eforms import condition_holds
from motcua.catalog.models import Fee, ProcedureVersion
from motcua.core.money import format_amount

# The channels of dossiers.constants.Channel that count as online for fee rules.
ONLINE_CHANNELS = frozenset({"online", "national_portal"})


@dataclass(frozen=True)
class FeeLine:
    fee_id: int
    kind: str
    name: str
    unit_amount: int
    quantity: int
    reduction_percent: int
    reduction_reason: str
    amount: int
    explanation: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def total_of(self, kind: str) -> int:
        return sum(line.amount for line in self.lines if line.kind == kind)

    def as_json(self) -> list[dict[str, Any]]:
        return [line.as_json() for line in self.lines]


def _answer(answers: Mapping[str, Any], condition: Mapping[str, Any]) -> Any:
    value = answers.get(str(condition.get("field", "")))
    return value.strip() if isinstance(value, str) else value


def _holds(answers: Mapping[str, Any], condition: Mapping[str, Any] | None) -> bool:
    if not condition:
        return True
    return condition_holds(condition, _answer(answers, condition))


def _quantity(fee: Fee, answers: Mapping[str, Any]) -> int:
    if fee.basis != FeeBasis.PER_UNIT:
        return 1
    raw = answers.get(fee.quantity_field)
    try:
        return max(int(Decimal(str(raw or 0))), 0)
    except ArithmeticError:
        return 0


def _reduction(fee: Fee, answers: Mapping[str, Any]) -> tuple[int, str]:
    best = (0, "")
    for rule in fee.reductions or []:
        percent = min(max(int(rule.get("percent", 0)), 0), 100)
        if percent > best[0] and _holds(answers, rule.get("when")):
            best = (percent, str(rule.get("reason", "")))
    return best


def _applies(fee: Fee, answers: Mapping[str, Any], *, online: bool) -> bool:
    if fee.channel == FeeChannel.ONLINE and not online:
        return False
    if fee.channel == FeeChannel.OFFLINE and online:
        return False
    return _holds(answers, fee.condition)


def _explanation(fee: Fee, quantity: int, percent: int, reason: str) -> str:
    if fee.basis == FeeBasis.PER_UNIT:
        text = _("%(unit)s × %(n)s") % {"unit": format_amount(fee.amount), "n": quantity}
    else:
        text = format_amount(fee.amount)
    if percent == 100:
        return _("%(text)s, miễn do %(reason)s") % {"text": text, "reason": reason}
    if percent:
        return _("%(text)s, giảm %(percent)s%% do %(reason)s") % {"text": text, "percent": percent, "reason": reason}
    return text


def fee_quote(*, fees: Iterable[Fee], answers: Mapping[str, Any], channel: str) -> FeeQuote:
    """Every line that applies, with how it was reached. Lines that come to 0 đ are kept when
    the fee itself is free or exempted (the applicant sees why), dropped when nothing was asked
    for (no copies, no line)."""
    online = channel in ONLINE_CHANNELS
    lines = []
    for fee in fees:
        if not _applies(fee, answers, online=online):
            continue
        quantity = _quantity(fee, answers)
        if quantity == 0:
            continue
        percent, reason = _reduction(fee, answers)
        gross = Decimal(fee.amount) * quantity
        amount = int((gross * (100 - percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        lines.append(
            FeeLine(
                fee_id=fee.pk,
                kind=str(fee.kind),
                name=fee.name,
                unit_amount=fee.amount,
                quantity=quantity,
                reduction_percent=percent,
                reduction_reason=reason,
                amount=amount,
                explanation=_explanation(fee, quantity, percent, reason),
            )
        )
    return FeeQuote(lines=tuple(lines))


def version_fee_quote(*, version: ProcedureVersion, answers: Mapping[str, Any], channel: str) -> FeeQuote:
    return fee_quote(fees=version.fees.all(), answers=answers, channel=channel)
