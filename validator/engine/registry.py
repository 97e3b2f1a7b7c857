"""Built-in checks as registered pure functions (pandera's ``register_builtin_check`` shape).

A built-in check is a function ``(Context) -> Iterable[Hit | Skip]`` registered under the name a rule
names in ``check:``, together with the outcomes it can emit. It reads the frame and returns what it
found; the evaluator words hits as findings (from the rule's outcomes in rules/checks) and records skips
as not assessable. The rule loader compares each rule's declared outcomes with the registered ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Hit:
    """One outcome of a check for one report; worded by the rule's outcome of that name."""

    outcome: str
    row: int
    params: dict
    cells: tuple[str, ...] = ()
    values: dict | None = None
    suggestion: dict | None = None
    absent: bool = False  # the cells are named because they are absent (M-02), not as read values


@dataclass(frozen=True, slots=True)
class Skip:
    """Reports for which the check cannot be assessed, the cells (or what) it lacks, and why (zh)."""

    rows: np.ndarray
    cells: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Context:
    """What a check receives: the frame, its rule, the catalogue, each report's template id and the
    reports the rule applies to (its templates; text-only checks without table-only workbooks)."""

    frame: Any  # ReportFrame
    rule: Any  # Rule
    catalogue: Any  # Catalogue
    templates: np.ndarray
    applies: np.ndarray

    @property
    def readable(self) -> np.ndarray:
        return self.frame.meta["machine_readable"].to_numpy(dtype=bool)


@dataclass(frozen=True)
class BuiltinCheck:
    name: str
    func: Callable[[Context], Iterable[Hit | Skip]]
    params: dict[str, frozenset[str]]  # outcome → the message parameters it provides
    narrative: bool = False  # reads the report's text: not assessable for a workbook of tables only

    @property
    def outcomes(self) -> frozenset[str]:
        return frozenset(self.params)


REGISTRY: dict[str, BuiltinCheck] = {}


def check(name: str, *, outcomes: dict[str, Iterable[str]], narrative: bool = False):
    """Register a built-in check under ``name`` with the outcomes it may emit, each with the message
    parameters it provides (the rule loader checks the rule's messages use no others)."""

    def register(func: Callable[[Context], Iterable[Hit | Skip]]):
        if name in REGISTRY:
            raise ValueError(f"built-in check {name!r} registered twice")
        params = {outcome: frozenset(names) for outcome, names in outcomes.items()}
        REGISTRY[name] = BuiltinCheck(name, func, params, narrative)
        return func

    return register
