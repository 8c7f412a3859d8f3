"""Pages of a record's history read newest first, each asking for what is older than the
last one it showed (``?before=<its moment>``): the patient's timeline and change history
merge several tables, which a page number and an offset cannot page through."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

T = TypeVar("T")


def newest_page(
    items: list[T], *, limit: int, when: Callable[[T], datetime.datetime]
) -> tuple[list[T], datetime.datetime | None]:
    """The first `limit` of `items` (newest first, read with one more than a page holds, so
    that any left over says something is older), and the moment the next page asks for what
    is older than: None when nothing is.

    Items sharing the moment at the cut would fall between two pages, since the next page
    asks for what is strictly older: the page ends before them instead. Only more than
    `limit` items at one moment would still lose some."""
    if len(items) <= limit:
        return items, None
    cut = when(items[limit])
    shown = [item for item in items[:limit] if when(item) > cut] or items[:limit]
    return shown, when(shown[-1])


def before_param(value: str | None) -> datetime.datetime | None:
    """A page's ``before``: an ISO datetime (a naive one is the clinic's time); anything else
    asks for the newest page, as a link typed wrong would expect."""
    try:
        # A "+" of the offset that was not escaped arrives as a space.
        before = datetime.datetime.fromisoformat((value or "").replace(" ", "+"))
    except ValueError:
        return None
    before = before if timezone.is_aware(before) else timezone.make_aware(before)
    try:
        # A moment the database or the clinic's calendar cannot hold (the first day of year
        # 1, east of UTC) asks for no page either.
        before.astimezone(datetime.UTC)
        timezone.localtime(before)
    except OverflowError:
        return None
    return before
