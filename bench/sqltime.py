"""Each SQL statement's own time, to the microsecond: Django's query log rounds to the
millisecond, which on a page of twenty sub-millisecond statements says little."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    seconds: float


@dataclass
class StatementTimer:
    """An execute wrapper: ``with connection.execute_wrapper(timer := StatementTimer()): ...``
    then ``timer.statements``, ``timer.count`` and ``timer.ms``."""

    statements: list[Statement] = field(default_factory=list)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append(Statement(sql, params, time.perf_counter() - t0))

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def ms(self) -> float:
        return sum(statement.seconds for statement in self.statements) * 1000

    def slowest(self, n: int) -> list[Statement]:
        return sorted(self.statements, key=lambda statement: statement.seconds, reverse=True)[:n]
