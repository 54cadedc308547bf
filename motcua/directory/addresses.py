"""Addresses as people read them: place names, never unit codes, in the order Vietnamese
addresses are written (số nhà, đường/thôn, phường/xã, [quận/huyện,] tỉnh/thành phố).

An address is stored as a commune/ward code plus a detail line (e-form answers
``{"unit": code, "detail": …}``, the citizen profile's unit and detail). Every page, slip,
result and register line shows it through `address_text`.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.text import fold
from motcua.directory.models import AdministrativeUnit

# The kind words unit names start with, longest first ("Thành phố" before a bare "Thành").
UNIT_PREFIXES = ("Thành phố ", "Tỉnh ", "Thị trấn ", "Thị xã ", "Đặc khu ", "Huyện ", "Quận ", "Phường ", "Xã ")
# Units named after a person keep their kind word capitalised (Decree 30/2020, appendix II).
_NAMED_AFTER_PEOPLE = frozenset({"Thành phố Hồ Chí Minh"})


def unit_kind_prefix(name: str) -> str:
    """The kind word a unit's name starts with ("Phường Tân Lập" → "Phường "), or ""."""
    return next((prefix for prefix in UNIT_PREFIXES if name.startswith(prefix)), "")


def unit_name_in_text(name: str) -> str:
    """A unit's name as written inside a sentence or an address: "Tỉnh Đắk Lắk" → "tỉnh Đắk
    Lắk". The kind word stays capitalised before a number ("Phường 5") or a person's name."""
    name = " ".join(name.split())
    prefix = unit_kind_prefix(name)
    if not prefix or name[len(prefix) :][:1].isdigit() or name in _NAMED_AFTER_PEOPLE:
        return name
    return prefix.lower() + name[len(prefix) :]


def units_by_code(codes: Iterable[str]) -> dict[str, AdministrativeUnit]:
    """The units of `codes`, current or abolished, with their district and province, in one query."""
    wanted = {str(code) for code in codes if code}
    if not wanted:
        return {}
    found = AdministrativeUnit.objects.filter(code__in=wanted).select_related("parent__parent")
    return {unit.code: unit for unit in found}


def _chain(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit and the units above it, smallest first (ward, [district,] province)."""
    chain = [unit]
    while chain[-1].parent is not None and len(chain) < 4:
        chain.append(chain[-1].parent)
    return chain


def _without_repeated_units(detail: str, chain: list[AdministrativeUnit]) -> str:
    """The detail line without the unit names it ends with: the population registry writes the
    whole address ("Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk") where only the part
    below the ward belongs."""
    names = set()
    for unit in chain:
        name = " ".join(unit.name.split())
        names.add(fold(name))
        names.add(fold(name[len(unit_kind_prefix(name)) :]))
    parts = [part.strip() for part in detail.split(",")]
    while parts and (not parts[-1] or fold(parts[-1]) in names):
        parts.pop()
    return ", ".join(parts)


def detail_below_unit(detail: str, code: str) -> str:
    """A detail line without the names of unit `code` and the units above it that it ends
    with: what the population registry's one-line address pre-fills next to the chosen ward."""
    unit = units_by_code([code]).get(code)
    return _without_repeated_units(" ".join(detail.split()), _chain(unit)) if unit else detail


def address_text(
    value: Any,
    *,
    units: dict[str, AdministrativeUnit] | None = None,
    today: datetime.date | None = None,
) -> str:
    """One address as a line of text with names in Vietnamese order.

    `value` is a stored address (``{"unit": code or None, "detail": …}``; a name or text kept
    beside it is ignored, the code decides) or plain text. `units` are units already loaded
    (`units_by_code`); a code not among them is looked up and added to them, so a caller
    showing many addresses (the register) asks once per unit. An abolished unit is named with
    a marker; a code no list knows is shown as a code, marked, rather than dropped.
    """
    if not isinstance(value, Mapping):
        return " ".join(str(value or "").split())
    detail = " ".join(str(value.get("detail") or "").split())
    code = str(value.get("unit") or "").strip()
    if not code or code.startswith("_"):  # no unit, or "outside the province": written in full
        return detail
    if units is None:
        units = {}
    if code not in units:
        units.update(units_by_code([code]))
    unit = units.get(code)
    if unit is None:
        place = _("xã, phường mã %(code)s (không có trong danh mục đơn vị hành chính)") % {"code": code}
        return ", ".join(part for part in (detail, place) if part)
    chain = _chain(unit)
    parts = [_without_repeated_units(detail, chain), *(unit_name_in_text(u.name) for u in chain)]
    text = ", ".join(part for part in parts if part)
    text = text[:1].upper() + text[1:]
    if unit.valid_to is not None and unit.valid_to < (today or timezone.localdate()):
        text += " " + _("(đơn vị hành chính cũ, đến %(day)s)") % {"day": unit.valid_to.strftime("%d/%m/%Y")}
    return text
