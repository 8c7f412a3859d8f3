"""Rendering a Django template to PDF with WeasyPrint.

PDF templates load their CSS, fonts and logo with `{% load pdf %}{% pdf_static "path" %}`,
which gives a file:// URL from the static finders. The fetcher allows only file: and data:
URLs, so rendering never reaches the network (the clinic's network may be offline).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.template.loader import render_to_string


def pdf_render(
    *, template: str, context: Mapping[str, Any], target: str | Path | IO[bytes] | None = None
) -> bytes | None:
    """Render `template` to PDF; write it to `target` (a path or file) or return the bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, {"clinic_name": settings.CLINIC_NAME, **context})
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return document.write_pdf(target)
