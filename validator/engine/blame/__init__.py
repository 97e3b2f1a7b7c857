"""Which cells are wrong: the minimal change over every error relation of a report, all tables at once.

Fellegi–Holt as an integer program (scipy's HiGHS ``milp``): the fewest, cheapest certain cells whose
change makes every equality and inequality of the report's error rules hold. Per failing report only
(a handful in a batch); the broken reports are found for all reports at once with one matrix product.

- Variables: the change y_j of each certain cell (integer, in the cell's unit: counts 1, amounts such as
  万元 scaled ×100 so that a cent is one step) with a binary z_j "cell j changes"; |y_j| ≤ M_j z_j where
  M_j is what the cell can hold in this report (0 … twice the largest figure plus the broken residuals),
  never a blanket big-M under which a small typo could hide in the integrality tolerance. Counts stay
  ≥ 0; signed cells (本年增/减) may go negative.
- Cells not read with certainty (MISSING, AMBIGUOUS, UNPLACED) and certain cells with no number (TEXT)
  are free unknowns: no cost, never blamed. A blank or marker counts as 0 and may be blamed (a total
  left blank).
- Cost: 1 per changed cell, minus a little for totals and for cells only one relation names, plus a
  little per further relation that confirms the cell (tie-breaks only: the count always comes first).
- All single-cell solutions are enumerated exactly with numpy (that is the program at cost 1, solved in
  closed form); the solver runs when no single cell can explain the report, and is re-run with the
  found support excluded to learn whether another support of the same size exists.
- Every solution is explained (blame/explain.py) deductively (digits transposed, one digit wrong, ×10 /
  ÷10, sign lost, value in the neighbouring column or row, two figures swapped, total left blank, a row
  left out of its total); among minimal solutions the one with the best explanation is shown, the rest as
  alternatives.
- Relations that share no cell are solved apart (one program per connected component).
- Cross-year relations (X-01, X-02) take part when last year's report is in the run: last year's figures
  are constants (its published report is not this year's to change), so a slipped 上年结转 that breaks
  both 表三's column sum and the chain to last year is the one cell that explains both.
- ``certain`` only when the minimal support (of its component) is unique, its values are determined by
  the equalities, and it makes every broken relation hold; or, among every change of that size (listed in
  closed form), it alone is one slip — a figure typed into the 0 beside it — and each other needs two or
  more; else ``candidate``. Nothing is ever applied to the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from validator.engine.blame.explain import KIND_SCORE, classify, explain
from validator.engine.blame.solve import milp_solutions, pairs, single_cell
from validator.engine.blame.system import Problem, Solution, System, build_system, system_for
from validator.engine.frame import BLANK, NA_MARKER, UNCERTAIN, ReportFrame
from validator.engine.holds import violates
from validator.engine.rules import RuleSet
from validator.model import Blame, Finding, ReportResult

#: one figure typed in the neighbouring cell: one slip that changes two cells
MOVED = ("neighbour_column", "neighbour_row")

#: the rule a blank total whose parts have figures breaks (engine/checks/blanks.py)
BLANK_TOTAL_RULE = "M-09"

__all__ = [
    "KIND_SCORE",
    "Advice",
    "advice",
    "blame_frame",
    "blame_report",
    "build_system",
    "classify",
    "findings_by_cause",
]


def blame_frame(
    frame: ReportFrame, ruleset: RuleSet, only: np.ndarray | None = None
) -> dict[int, list[Blame]]:
    """Report row → its root causes, for every report with a broken error relation on certain cells
    (``only``: the rows to look at, e.g. those the vectorised pass found an error in)."""
    out: dict[int, list[Blame]] = {}
    templates = frame.meta["template"].to_numpy()
    values = frame.resolved()
    look = np.ones(len(templates), dtype=bool)
    if only is not None:
        look[:] = False
        look[np.asarray(only, dtype=np.int64)] = True
    for template_id in {t for t in templates[look] if isinstance(t, str)}:
        system = system_for(frame, ruleset, template_id)
        if system is None:
            continue
        rows = np.nonzero((templates == template_id) & look)[0]
        X = values[np.ix_(rows, system.idx)]
        S = frame.states[np.ix_(rows, system.idx)]
        blank = np.isnan(X) & ((S == BLANK) | (S == NA_MARKER))
        X = np.where(blank, 0.0, X)
        free = np.isin(S, UNCERTAIN) | np.isnan(X)
        # relations name a handful of cells each: a sparse product; last year's figures per report
        residual = system.residuals(frame, rows, np.where(free, 0.0, X))
        touches_free = (system.pattern @ free.T.astype(np.float64)).T > 0
        broken = violates(residual, system.ops) & ~touches_free
        for k in np.nonzero(broken.any(axis=1))[0]:
            found = blame_report(system, X[k], free[k], blank[k], residual[k], broken[k])
            if found:
                out[int(rows[k])] = found
    return out


def blame_report(system: System, x, free, blank, residual, broken) -> list[Blame]:
    """The root causes of one report's broken relations (empty when nothing explains them). Relations
    that share no cell are independent: each connected component is its own minimal change, with its own
    confidence and alternatives (a doubt in 表四 does not make a clear slip in 表三 a candidate). A
    relation whose residual is NaN (a cross-year one without last year's report) is left out.

    Cross-year relations take part in full when one of them is broken together with a relation of this
    year's; otherwise only if one or two cells explain everything (the closed-form search), else the
    component is solved without them, as within one year (the program over both years costs ~20 ms a
    report: paid only where both years' relations fail)."""
    out: list[Blame] = []
    active = ~np.isnan(residual)
    cross = system.cross if system.cross is not None else np.zeros(len(system.rules), dtype=bool)
    for component in np.unique(system.component[broken]).tolist():
        rel = np.nonzero((system.component == component) & active)[0]
        found = None
        if cross[rel].any():
            # this year's own relations broken together with last year's: one problem, solved whole; when
            # only last year's disagree, this year's figures hold together and the slip may as well be
            # last year's (its own report is blamed there); when they all hold, they only constrain
            whole = bool((broken[rel] & cross[rel]).any() and (broken[rel] & ~cross[rel]).any())
            problem = _problem(system, rel, x, free, blank, residual, broken)
            found = _component_blame(problem, search=whole)
            if not whole:
                rel = rel[~cross[rel]]
        if found is None and broken[rel].any():
            found = _component_blame(_problem(system, rel, x, free, blank, residual, broken))
        out += found or []
    return out


def _problem(system: System, rel, x, free, blank, residual, broken) -> Problem:
    """One component of a report: its relations ``rel`` and the cells they name."""
    cols = np.nonzero((system.A[rel] != 0).any(axis=0))[0]
    return Problem(
        system,
        rel,
        cols,
        system.A[np.ix_(rel, cols)],
        system.ops[rel],
        residual[rel],
        np.where(free[cols], np.nan, x[cols]),
        free[cols],
        blank[cols],
        broken[rel],
    )


def _component_blame(problem: Problem, search: bool = True) -> list[Blame] | None:
    """The minimal change of one connected component, explained; certain only when it is the only one.
    ``search``: also run the integer program when no one or two cells explain it (else None then)."""
    solutions = []
    if not problem.free.any():
        solutions = single_cell(problem) or pairs(problem)
    exhaustive = bool(solutions)  # the closed forms list every solution of their size; the program a few
    if not solutions and not search:
        return None
    if not solutions:
        solutions = milp_solutions(problem)
    if not solutions:
        return []
    for s in solutions:
        explain(problem, s)
    solutions.sort(key=lambda s: (-s.score, s.cost, sorted(s.change.items())))  # ties: a fixed order
    best = solutions[0]
    size = len(best.change)
    same_size = [s for s in solutions if len(s.change) == size]
    unique = best.determined and (len(same_size) == 1 or (exhaustive and _only_one_slip(best, same_size[1:])))
    return _as_blame(problem, best, same_size[1:], "certain" if unique else "candidate")


def _only_one_slip(best: Solution, others: list[Solution]) -> bool:
    """Several cells changed by one known slip (a figure typed in the neighbouring cell, leaving its own at
    0), while every other minimal change needs two slips or more (say, two figures of one row each off by
    the same amount in opposite directions): the one slip is the explanation, the others stay listed.
    Two one-slip explanations (another row holds the same pair of figures) remain a tie: candidate."""
    one = len(best.kinds) == 1 and len(best.change) > 1 and best.kinds[0][0] in MOVED
    return one and all(len(s.kinds) > 1 for s in others)


def _as_blame(p: Problem, best: Solution, others: list[Solution], confidence: str) -> list[Blame]:
    system = p.system
    rules_broken = [system.rules[i] for i in p.rel[p.broken]]
    out = []
    alternatives = [{system.cells[p.cols[j]]: v for j, v in sorted(s.change.items())} for s in others]
    orphans: dict[str, tuple[float, float]] = {}  # parts of the change that only keep a relation holding
    for kind, cells in best.kinds:
        touched = (p.A[:, cells] != 0).any(axis=1) & p.broken
        explains = sorted({system.rules[i] for i in p.rel[touched]}, key=rules_broken.index)
        main = cells[0]
        if p.blank[main] and system.total[p.cols[main]]:
            # the checks read a blank total as the sum of its parts (engine/blank_policy): what staff see
            # is the M-09 error, not the relations through the total, which hold that way
            explains = [BLANK_TOTAL_RULE]
        if not explains:
            orphans.update({system.cells[p.cols[j]]: (float(p.x[j]), float(best.change[j])) for j in cells})
            continue
        out.append(
            Blame(
                cell=system.cells[p.cols[main]],
                reported=float(p.x[main]),
                suggested=float(best.change[main]),
                kind=kind,
                confidence=confidence,
                explains=tuple(explains),
                also={system.cells[p.cols[j]]: (float(p.x[j]), float(best.change[j])) for j in cells[1:]},
                alternatives=tuple(alternatives),
                blank=bool(p.blank[main]),
            )
        )
    if orphans and out:  # changed only so that another relation still holds: part of the first cause
        out[0] = replace(out[0], also={**out[0].also, **orphans})
    return out


# ------------------------------------------------------------------------------ per finding


@dataclass(frozen=True)
class Advice:
    """What the finding of one broken relation says about its cells most likely wrong. Taken from the
    report's root causes, so the finding's 「最可能出错的是…，应为 N」 and the root-cause lines never disagree."""

    certain: bool  # one explanation: the finding carries it as its suggestion
    cells: tuple[tuple[str, float | None, float], ...]  # (cell, reported, suggested); candidates: the options


def advice(
    causes: Iterable[Blame], rule_id: str, cells: Iterable[str], parts: dict[str, list[str]]
) -> Advice | None:
    """The root causes that explain this relation (rule id, and a changed cell among the relation's
    cells; ``parts``: aggregate cell → its sub-row cells, as the blame names them), as the finding's advice:
    certain → the changes; candidate → the changed cells of every minimal change, this relation's part."""
    named = {part for c in cells for part in parts.get(c, [c])}
    certain = True
    out: dict[tuple[str, float], tuple[str, float | None, float]] = {}
    for cause in causes:
        if rule_id not in cause.explains:
            continue
        changes = {cause.cell: (cause.reported, cause.suggested), **cause.also}
        mine = [(c, r, s) for c, (r, s) in changes.items() if c in named]
        if not mine:
            continue
        certain &= cause.confidence == "certain"
        for c, r, s in mine:
            out.setdefault((c, s), (c, r, s))
        for other in cause.alternatives:
            for c, s in other.items():
                if c in named:
                    out.setdefault((c, s), (c, None, s))
    if not out:
        return None
    if certain:
        return Advice(True, tuple(v for v in out.values() if v[1] is not None))
    return Advice(False, tuple(out.values()))


def findings_by_cause(result: ReportResult, catalogue) -> list[tuple[Blame, list[Finding]]]:
    """Each root cause of a report with the findings it explains, for "one row per root cause": a broken
    relation whose rule it explains and whose cells it changes (as the finding's advice), or another error
    naming one of its cells (a total left blank). A finding goes to the first such cause only."""
    template = result.meta.get("template")
    parts = catalogue.templates[template].aggregate_cells() if template in catalogue.templates else {}
    out: list[tuple[Blame, list[Finding]]] = [(cause, []) for cause in result.blame]
    for finding in result.findings:
        if finding.severity != "error":
            continue
        named = {part for c in finding.cells for part in parts.get(c, [c])}
        for cause, mine in out:
            changed = {cause.cell, *cause.also}
            if changed & named and (finding.rule in cause.explains or len(named) == 1):
                mine.append(finding)
                break
    return out
