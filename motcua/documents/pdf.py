"""HTML templates rendered to PDF with WeasyPrint, fetching only our own static files."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_PREFIX = "static:"


def _url_fetcher(url: str) -> dict[str, Any]:
    # Only files of our own static tree: a template can never make the renderer reach out.
    if not url.startswith(STATIC_PREFIX):
        raise ValueError(f"refused to fetch {url!r} while rendering a PDF")
    path = finders.find(url.removeprefix(STATIC_PREFIX))
    if not path:
        raise ValueError(f"no static file {url!r}")
    return {"string": Path(str(path)).read_bytes(), "filename": str(path)}


def render_pdf(*, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported lazily: it takes half a second

    html = render_to_string(template, {**context, "site_name": settings.MOTCUA_SITE_NAME})
    return bytes(HTML(string=html, url_fetcher=_url_fetcher, base_url=STATIC_PREFIX).write_pdf())
