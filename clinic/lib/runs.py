"""Cutting a sorted sequence into runs of consecutive values (site numbers 1, 2, 3; days
Monday, Tuesday, Wednesday)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def consecutive_runs(values: Iterable[T], step: Any) -> list[list[T]]:
    """`values` (sorted) cut where one does not follow the previous by `step`:
    ``consecutive_runs([1, 2, 3, 5], 1) == [[1, 2, 3], [5]]``."""
    runs: list[list[T]] = []
    for value in values:
        if runs and value - runs[-1][-1] == step:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs
