"""Streaming CSV files to the browser, row by row, whatever their length."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# A cell starting with one of these would run as a formula in a spreadsheet.
_FORMULA_START = {"=", "+", "-", "@", "\t", "\r"}


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in _FORMULA_START else text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header, then each row, as CSV lines with formula-like cells defused: what a
    StreamingHttpResponse sends."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
