"""The heading of the printed national forms (slips, acknowledgement, control sheet).

The agency's name is set on the left in capitals, one name part a line as the forms write it
("ỦY BAN NHÂN DÂN" / "PHƯỜNG TUY HÒA"): a place name is never broken (its spaces become
non-breaking), a name too wide for the column is set a step smaller, and only a part still too
wide then is cut in two between words ("TRUNG TÂM PHỤC VỤ" / "HÀNH CHÍNH CÔNG").

    {% load pdf_forms %}
    {% agency_heading dossier.agency.name dossier.agency.unit %}
    {{ dossier.agency.unit.name|unbroken }}, ngày …
"""

import re
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NBSP = "\xa0"
# The left column of the heading (form_style.html: 44% of the 165 mm between the margins) and
# the width of a capital of Noto Serif per point of font size, measured on WeasyPrint's layout.
COLUMN_MM = 72.6
CAPITAL_MM_PER_PT = 0.225
FONT_SIZES_PT = (12, 11)


def _place_pattern(unit: Any) -> re.Pattern[str]:
    # The whole name, kind word included: a bare "An" would also be found in "phường Tân An".
    words = r"\s+".join(re.escape(word) for word in unit.name.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def name_parts(name: str, unit: Any) -> list[str]:
    """`name` cut around the names of `unit` and its parents, which keep non-breaking spaces:
    "Ủy ban nhân dân phường Tuy Hòa" -> ["Ủy ban nhân dân", "phường Tuy Hòa"]."""
    parts = [" ".join(name.split())]
    while unit is not None:
        pattern, cut = _place_pattern(unit), []
        for part in parts:
            match = None if NBSP in part else pattern.search(part)
            if match is None:
                cut.append(part)
                continue
            place = match.group().replace(" ", NBSP)
            cut += [text for text in (part[: match.start()].strip(), place, part[match.end() :].strip()) if text]
        parts, unit = cut, unit.parent
    return parts


def _fits(part: str, size: int) -> bool:
    return len(part) * CAPITAL_MM_PER_PT * size <= COLUMN_MM


def _halves(part: str, size: int) -> list[str]:
    """`part` cut in two lines between words: after a comma or before "và" if both halves fit
    there ("SỞ VĂN HÓA, THỂ THAO" / "VÀ DU LỊCH"), else where the longer half is shortest."""
    words = part.split(" ")
    cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    joints = [
        cut
        for cut in cuts
        if (cut[0].endswith(",") or cut[1].lower().startswith("và ")) and _fits(cut[0], size) and _fits(cut[1], size)
    ]
    return list(min(joints or cuts, key=lambda cut: max(len(cut[0]), len(cut[1])), default=(part,)))


def heading_lines(name: str, unit: Any) -> tuple[list[str], int]:
    """The lines of the agency's name in the heading and their font size in points."""
    parts = name_parts(name, unit)
    for size in FONT_SIZES_PT:
        if all(_fits(part, size) for part in parts):
            return parts, size
    size = FONT_SIZES_PT[-1]
    return [line for part in parts for line in ([part] if _fits(part, size) else _halves(part, size))], size


@register.simple_tag
def agency_heading(name: str, unit: Any) -> SafeString:
    """The agency's name as the heading's left column sets it."""
    lines, size = heading_lines(name, unit)
    return render_to_string("documents/agency_heading.html", {"lines": lines, "size": size})


@register.filter
def unbroken(text: str) -> SafeString:
    """`text` that a line never breaks (a place name)."""
    return mark_safe(str(conditional_escape(text)).replace(" ", "&nbsp;"))  # noqa: S308 - escaped above
