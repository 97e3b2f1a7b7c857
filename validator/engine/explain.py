"""Which cell is wrong: the single cell whose correction makes every violated equality hold at once.

Fellegi–Holt in its simplest, most useful form: with the equalities as rows of a matrix A and the
residuals r, cell j explains the failures when r + A[:, j]·d = 0 for one d. Only a unique explanation
becomes a suggestion; several are listed as possibilities, none is chosen silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fix:
    cell: str
    current: float
    value: float


def single_cell_fixes(
    A: np.ndarray,
    residual: np.ndarray,
    values: np.ndarray,
    cells: list[str],
    integer: np.ndarray,
    tol: float = 1e-6,
) -> list[Fix]:
    """A: relations × cells coefficients; residual: relations (NaN = not assessable, ignored)."""
    usable = ~np.isnan(residual)
    A = A[usable]
    r = residual[usable]
    if not (np.abs(r) > tol).any():
        return []
    involved = A != 0
    # relations not involving j must already hold
    untouched_ok = ((np.abs(r)[:, None] > tol) & ~involved).sum(axis=0) == 0
    fixes = []
    for j in np.nonzero(untouched_ok & involved.any(axis=0))[0]:
        rows = involved[:, j]
        deltas = -r[rows] / A[rows, j]
        if np.ptp(deltas) > tol or abs(deltas[0]) <= tol:
            continue
        current = values[j]
        if np.isnan(current):
            continue
        new = current + deltas[0]
        if new < -tol or (integer[j] and abs(new - round(new)) > tol):
            continue
        fixes.append(Fix(cells[j], float(current), float(round(new, 6))))
    return fixes
