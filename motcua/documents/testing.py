"""Test helpers for documents: read the QR codes printed in a PDF as a phone camera would."""

import pypdfium2
import zxingcpp


def qr_links_in_pdf(pdf: bytes, *, scale: float = 3.0) -> list[str]:
    """The texts of every QR code on every page, rendered to pixels and decoded."""
    links: list[str] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=scale).to_pil().convert("L")
            links += [result.text for result in zxingcpp.read_barcodes(image)]
    finally:
        document.close()
    return links
