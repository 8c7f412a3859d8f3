"""Tags for the treatment summary PDF (templates/treatments/pdf/)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from treatments.models import InjectionPoint
from treatments.templatetags.treatments_tags import injection_map

register = template.Library()


@register.inclusion_tag("treatments/pdf/_map.html")
def print_map(diagram: str, points: Iterable[InjectionPoint]) -> dict[str, Any]:
    """The session page's read-only injection map (same drawing, same numbered sites), with
    markers sized to stay legible on a map a few centimetres wide."""
    return injection_map(diagram, points)


class JoinedNode(template.Node):
    def __init__(self, separator: str, parts: list[template.NodeList]) -> None:
        self.separator = separator
        self.parts = parts

    def render(self, context: template.Context) -> SafeString:
        rendered = (part.render(context).strip() for part in self.parts)
        # Rendered parts are already escaped; the separator is escaped here.
        separator = f" {conditional_escape(self.separator)} "
        return mark_safe(separator.join(part for part in rendered if part))  # noqa: S308


@register.tag
def joined(parser: Parser, token: Token) -> JoinedNode:
    """Parts of a line, separated by `separator`, leaving out the parts that render empty, so
    a line never shows a stray separator ("· Pain 4/10 ·")::

        {% joined "·" %}{{ a }}{% part %}{% if b %}{{ b }}{% endif %}{% endjoined %}

    renders "a · b", or "a" alone when b is empty.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("{% joined %} takes one quoted separator.")
    parts = []
    while True:
        parts.append(parser.parse(("part", "endjoined")))
        if parser.next_token().contents == "endjoined":
            break
    return JoinedNode(bits[1][1:-1], parts)
