"""Building the clinic's emails from templates, in the recipient's language.

An email named NAME is three templates: `emails/NAME-subject.txt`, `emails/NAME-body.txt` and
`emails/NAME-body.html`. Each is rendered with the recipient's language active.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


def email_build(
    *,
    name: str,
    to: Sequence[str],
    context: Mapping[str, Any],
    language: str | None = None,
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """Render the email NAME for `to` as plain text with an HTML alternative."""
    full_context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_address": settings.CLINIC_ADDRESS,
        "clinic_phone": settings.CLINIC_PHONE,
        **context,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", full_context)
        text = render_to_string(f"emails/{name}-body.txt", full_context)
        html = render_to_string(f"emails/{name}-body.html", full_context)
    message = EmailMultiAlternatives(
        # A subject is one line, whatever the template's trailing newline.
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message
