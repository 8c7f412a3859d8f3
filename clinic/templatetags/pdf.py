from __future__ import annotations

from pathlib import Path

from django import template
from django.contrib.staticfiles import finders

register = template.Library()


@register.simple_tag
def pdf_static(path: str) -> str:
    """A file:// URL for a static file, for WeasyPrint (which must not fetch over HTTP)."""
    found = finders.find(path)
    if found is None:
        raise template.TemplateSyntaxError(f"no static file {path!r}")
    return Path(found).resolve().as_uri()
