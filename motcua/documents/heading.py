"""The number and the date of issue in a result's heading, as PDF text fields.

Decree 30/2020/NĐ-CP (appendix I) puts the number ("Số: 12/TLKS") under the issuing agency
and the place and date ("Tân Lập, ngày 26 tháng 11 năm 2026") under the motto; for an
electronic document the clerk fills both in at release, after the leader has signed. A
signature freezes every byte before it, but PDF lets a signed document's form fields be
filled afterwards (modification level "form filling", which `signing.validate_signed_pdf`
accepts between two signatures). So the two lines of the heading are read-only text fields:
`heading_fields_add` creates them, blank ("Số:      /TLKS", "Tân Lập, ngày … tháng … năm
…"), in the PDF the leader signs; `heading_fields_fill` sets the clerk's values in an
incremental update that the agency's signature then covers.

The fields sit on boxes the frame (`documents/result.html`) reserves, found through the
named destinations WeasyPrint writes for element ids; their appearance is drawn here, in
the document's own typeface.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
# Read-only (bit 1): a reader cannot type into them; only the clerk's release fills them.
READ_ONLY = 1
PRINT = 4


@dataclass(frozen=True)
class HeadingField:
    """A text field over the box of the element `anchor` (its top-left corner), `width` ×
    `height` points, showing `value` centred in `font` at `size` points."""

    anchor: str
    width: int
    height: int
    value: str
    font: str = "NotoSerif-Regular.ttf"
    # Decree 30/2020/NĐ-CP, appendix I: the number and the date in 13 pt.
    size: int = 13


def _appearance(writer: object, field: HeadingField, value: str) -> object:
    """A form XObject showing `value` centred in the field's box, without border."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStamp, TextStampStyle

    style = TextStampStyle(
        # pyhanko %-formats the stamp text: keep a "%" literal.
        stamp_text=value.replace("%", "%%"),
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(FONT_DIR / field.font)),
            font_size=field.size,
            box_layout_rule=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(0)
            ),
        ),
        border_width=0,
        background=None,
    )
    stamp = TextStamp(writer, style, text_params={}, box=BoxConstraints(width=field.width, height=field.height))  # type: ignore[arg-type]
    return stamp.register()


def heading_fields_add(pdf: bytes, fields: list[HeadingField]) -> bytes:
    """`pdf` with a read-only text field named after each field's anchor, showing its value."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name, pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pypdf import PdfReader

    destinations = PdfReader(io.BytesIO(pdf)).named_destinations
    reader_pages = PdfReader(io.BytesIO(pdf))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    root = writer.root
    acroform = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
    root[pdf_name("/AcroForm")] = writer.add_object(acroform)
    writer.update_root()
    for field in fields:
        destination = destinations.get(field.anchor)
        page_number = reader_pages.get_destination_page_number(destination) if destination is not None else None
        if destination is None or page_number is None or destination.left is None or destination.top is None:
            raise RuntimeError(f"the document has no {field.anchor!r} box for its heading field")
        left, top = float(destination.left), float(destination.top)
        page_ref, _path = writer.find_page_for_modification(page_number)
        widget = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): pdf_string(field.anchor),
                pdf_name("/V"): pdf_string(field.value),
                pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
                pdf_name("/F"): generic.NumberObject(PRINT),
                pdf_name("/Q"): generic.NumberObject(1),  # centred
                pdf_name("/DA"): pdf_string(f"/Helv {field.size} Tf 0 g"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (left, top - field.height, left + field.width, top)]
                ),
                pdf_name("/P"): page_ref,
            }
        )
        widget[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _appearance(writer, field, field.value)})
        widget_ref = writer.add_object(widget)
        acroform[pdf_name("/Fields")].append(widget_ref)
        page = page_ref.get_object()
        annotations = page.get("/Annots")
        if annotations is None:
            page[pdf_name("/Annots")] = generic.ArrayObject([widget_ref])
        else:
            annotations.get_object().append(widget_ref)
        writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def heading_fields_fill(pdf: bytes, fields: list[HeadingField], values: Mapping[str, str]) -> bytes:
    """`pdf` with the heading fields named in `values` set to them (value and appearance), in
    an incremental update: signatures already in `pdf` stay valid ("form filling").

    A PDF without a form at all (a result signed before heading fields existed) is returned
    unchanged; one with a form that lacks a field of `values` raises RuntimeError."""
    from pyhanko.pdf_utils.generic import pdf_name, pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    by_name = {field.anchor: field for field in fields}
    acroform = writer.root.get("/AcroForm")
    if acroform is None:
        return pdf  # signed before results had heading fields: the agency's stamp carries both
    filled = set()
    for field_ref in acroform.get_object()["/Fields"]:
        widget = field_ref.get_object()
        name = str(widget.get("/T", ""))
        if name not in values or name not in by_name:
            continue
        widget[pdf_name("/V")] = pdf_string(values[name])
        widget[pdf_name("/AP")][pdf_name("/N")] = _appearance(writer, by_name[name], values[name])
        writer.update_container(widget)
        filled.add(name)
    missing = set(values) - filled
    if missing:
        raise RuntimeError(f"the document has no heading fields {sorted(missing)}")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
