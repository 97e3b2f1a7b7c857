"""Why a minimal change is what it is, said deductively: digits transposed, one digit wrong, ×10 / ÷10,
sign lost, value in the neighbouring column or row (one figure typed into the 0 beside it: one slip), two
neighbouring figures swapped (both misplaced: less likely), total left blank, a row left out of its total.
Among minimal changes of the same size the best explained one is shown."""

from __future__ import annotations

import numpy as np

from validator.engine.blame.system import Problem, Solution
from validator.engine.holds import TOLERANCE as TOL

#: how plausible each explanation is, to choose among minimal solutions of the same size
KIND_SCORE = {
    "blank_total": 6,
    "sign_lost": 6,
    "transposed": 5,
    "neighbour_column": 5,
    "neighbour_row": 5,
    "swapped": 4,
    "times_ten": 4,
    "tenth": 4,
    "row_left_out": 4,
    "one_digit": 3,
    "off_by_one": 2,
    "other": 0,
}


def classify(reported: float, suggested: float, blank: bool = False, total: bool = False) -> str:
    """The slip that turns the suggested value into the reported one."""
    if blank:
        return "blank_total" if total else "other"
    if suggested != 0 and reported == -suggested:
        return "sign_lost"
    if reported == int(reported) and suggested == int(suggested):
        a, b = str(abs(int(reported))), str(abs(int(suggested)))
        if len(a) == len(b) and a != b and sorted(a) == sorted(b):
            diff = [i for i in range(len(a)) if a[i] != b[i]]
            if len(diff) == 2 and diff[1] == diff[0] + 1:
                return "transposed"
    if suggested != 0 and reported == suggested * 10:
        return "times_ten"
    if reported != 0 and reported * 10 == suggested:
        return "tenth"
    if abs(reported - suggested) == 1:
        return "off_by_one"
    if reported == int(reported) and suggested == int(suggested):
        a, b = str(abs(int(reported))), str(abs(int(suggested)))
        if len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1:
            return "one_digit"
    return "other"


def explain(p: Problem, s: Solution) -> None:
    """Root causes of a solution: neighbouring pairs first, then cells one by one."""
    cells = sorted(s.change)
    causes = []
    used: set[int] = set()
    pos = p.system.position
    for a in cells:
        for b in cells:
            if a >= b or a in used or b in used:
                continue
            ta, ra, ca = pos[p.cols[a]]
            tb, rb, cb = pos[p.cols[b]]
            va, vb, na, nb = p.x[a], p.x[b], s.change[a], s.change[b]
            swapped = na == vb and nb == va
            adjacent = (ra == rb and abs(ca - cb) == 1) or (ca == cb and abs(ra - rb) == 1)
            if ta == tb and swapped and adjacent:
                # one figure typed one cell off leaves its own cell at 0 (one slip); two figures that
                # both hold a value trade places only if both were typed in the wrong cell
                moved = va == 0 or vb == 0
                kind = ("neighbour_column" if ra == rb else "neighbour_row") if moved else "swapped"
                causes.append((kind, [a, b] if na != 0 else [b, a]))
                used |= {a, b}
    total_of = p.system.total[p.cols]
    for a in cells:  # a part and its row's 总计 changed alike: one slip, carried into the total
        for b in cells:
            if a in used or b in used or a == b or total_of[a] or not total_of[b]:
                continue
            ta, ra, _ = pos[p.cols[a]]
            tb, rb, _ = pos[p.cols[b]]
            if ta == tb and ra == rb and abs((s.change[a] - p.x[a]) - (s.change[b] - p.x[b])) < TOL:
                causes.append((classify(p.x[a], s.change[a]), [a, b]))
                used |= {a, b}
    for a in cells:
        if a not in used:
            kind = classify(p.x[a], s.change[a], bool(p.blank[a]), bool(p.system.total[p.cols[a]]))
            total = bool(p.system.total[p.cols[a]])
            if total and p.x[a] == 0 and s.change[a] > 0:
                kind = "blank_total"  # a total left at 0 while its parts have figures
            elif kind in ("other", "off_by_one", "one_digit") and total and _row_left_out(p, a, s.change[a]):
                kind = "row_left_out"
            causes.append((kind, [a]))
    s.kinds = causes
    s.score = sum(KIND_SCORE[k] for k, _ in causes) / max(1, len(causes))


def _row_left_out(p: Problem, a: int, new: float) -> bool:
    """The total misses exactly one of the cells it adds up (reported = new − that cell)."""
    gap = new - p.x[a]
    for i in np.nonzero((p.ops == "==") & (p.A[:, a] != 0))[0]:
        parts = np.nonzero((p.A[i] != 0) & (np.sign(p.A[i]) != np.sign(p.A[i, a])))[0]
        if any(abs(p.x[k] - gap) < TOL and p.x[k] > 0 for k in parts):
            return True
    return False
