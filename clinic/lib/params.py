"""Values read straight from a page's address or a posted field outside a form (``?q=``,
``?patient=``): cleaned as a form field would clean them, so that a typed or tampered
address shows the page's default rather than a 500."""

from __future__ import annotations

# The largest primary key the tables hold (a BigAutoField): a longer number is no record.
MAX_ID = 2**63 - 1


def int_param(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number from `minimum` to `maximum` written in ASCII digits ("²" and "٣" are
    digits to ``str.isdigit`` but no number to type), anything else None."""
    text = str(value) if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def id_param(value: object) -> int | None:
    """A primary key, or None."""
    return int_param(value, minimum=1)


def text_param(value: str | None, *, max_length: int = 100) -> str:
    """Words typed in a search box: NUL characters (PostgreSQL refuses them in text, and no
    keyboard types them) dropped, spaces trimmed, at most `max_length` characters."""
    return (value or "").replace("\x00", "").strip()[:max_length]
