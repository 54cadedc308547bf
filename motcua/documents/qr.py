"""QR codes for printed results and pages (segno: pure Python, no image library needed)."""

import segno


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An inline `<svg>` element encoding `url` (error correction M), for HTML and WeasyPrint."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2))


def qr_png_data_uri(url: str, *, scale: int = 4) -> str:
    """A `data:image/png;base64,…` URI encoding `url`, for places an inline SVG cannot go."""
    return str(segno.make(url, error="m").png_data_uri(scale=scale, border=2))
