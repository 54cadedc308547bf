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
from motcua.catalog.eforms import FieldDef, condition_errors, condition_holds
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
    except (ArithmeticError, ValueError):  # not a number, "NaN", "Infinity": nothing asked for
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
    if fee.amount == 0:
        # Free by law: the applicant is told which law (the line's exemption text), not just "no".
        return _("Không thu: %(reason)s") % {"reason": fee.exemption} if fee.exemption else _("Không thu")
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


def fee_rule_errors(fee: Mapping[str, Any], *, fields: Mapping[str, FieldDef] | None) -> dict[str, list[str]]:
    """What is wrong with a fee's rule, per key, in Vietnamese. With `fields` (the top-level
    fields of the version's e-form) the names the rule reads are checked against the form too;
    without (a catalogue file, whose forms come separately) only the shape is."""
    errors: dict[str, list[str]] = {}

    def lookup(name: str) -> FieldDef | None:
        return fields.get(name) if fields is not None else None

    basis, quantity_field = fee.get("basis", FeeBasis.FIXED), fee.get("quantity_field", "")
    if basis == FeeBasis.PER_UNIT and not quantity_field:
        errors["quantity_field"] = [_("Khi tính theo số bản, hãy chọn trường của tờ khai cho biết số bản.")]
    elif basis != FeeBasis.PER_UNIT and quantity_field:
        errors["quantity_field"] = [_("Chỉ khai trường số lượng khi tính theo số bản, số đơn vị.")]
    elif quantity_field and fields is not None and (lookup(quantity_field) or {}).get("type") != "number":
        errors["quantity_field"] = [
            _("Tờ khai không có trường số “%(name)s” để đếm số bản.") % {"name": quantity_field}
        ]
    condition = fee.get("condition") or {}
    if condition:
        problems = condition_errors(condition, lookup=lookup if fields is not None else None, key="condition")
        if problems:
            errors["condition"] = problems
    reductions = fee.get("reductions") or []
    problems = []
    if not isinstance(reductions, list):
        problems.append(_("Miễn, giảm phải là một danh sách."))
        reductions = []
    for number, rule in enumerate(reductions, start=1):
        where = _("Mức miễn, giảm thứ %(n)s") % {"n": number}
        if not isinstance(rule, dict) or set(rule) - {"when", "percent", "reason"} or "when" not in rule:
            problems.append(
                _('%(where)s phải có dạng {"when": điều kiện, "percent": 50, "reason": "…"}.') % {"where": where}
            )
            continue
        percent = rule.get("percent")
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            problems.append(_("%(where)s: “percent” phải là số nguyên từ 0 đến 100.") % {"where": where})
        if not str(rule.get("reason", "")).strip():
            problems.append(_("%(where)s: hãy ghi lý do (đối tượng được miễn, giảm).") % {"where": where})
        problems += [
            f"{where}: {problem}"
            for problem in condition_errors(rule["when"], lookup=lookup if fields is not None else None, key="when")
        ]
    if problems:
        errors["reductions"] = problems
    return errors


def fee_rule_text(fee: Fee) -> str:
    """The rule in words, for the public procedure page."""
    if fee.basis == FeeBasis.PER_UNIT:
        parts = [_("%(amount)s mỗi bản") % {"amount": format_amount(fee.amount)}]
    else:
        parts = [format_amount(fee.amount)]
    if fee.channel == FeeChannel.ONLINE:
        parts.append(_("áp dụng khi nộp trực tuyến"))
    elif fee.channel == FeeChannel.OFFLINE:
        parts.append(_("áp dụng khi nộp trực tiếp hoặc qua bưu chính"))
    for rule in fee.reductions or []:
        if rule.get("percent") == 100:
            parts.append(_("miễn cho %(reason)s") % {"reason": rule.get("reason", "")})
        else:
            parts.append(
                _("giảm %(percent)s%% cho %(reason)s")
                % {"percent": rule.get("percent"), "reason": rule.get("reason", "")}
            )
    return "; ".join(str(part) for part in parts)
