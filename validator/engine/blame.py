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
- Every solution is explained deductively (digits transposed, one digit wrong, ×10 / ÷10, sign lost,
  value in the neighbouring column or row, total left blank, a row left out of its total); among
  minimal solutions the one with the best explanation is shown, the rest as alternatives.
- ``certain`` only when the minimal support is unique, its values are determined by the equalities,
  and it makes every broken relation hold; else ``candidate``. Nothing is ever applied to the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from validator.engine.frame import BLANK, NA_MARKER, UNCERTAIN, ReportFrame
from validator.engine.rules import RuleSet
from validator.model import Blame

TOL = 1e-6
MAX_ALTERNATIVES = 4  # solutions of the minimal size looked at (the first is the one shown)
MAX_SIZE = 6  # more cells than this changed: not one explanation any more, nothing is blamed
#: how plausible each explanation is, to choose among minimal solutions of the same size
KIND_SCORE = {
    "blank_total": 6,
    "sign_lost": 6,
    "transposed": 5,
    "neighbour_column": 5,
    "neighbour_row": 5,
    "times_ten": 4,
    "tenth": 4,
    "row_left_out": 4,
    "one_digit": 3,
    "off_by_one": 2,
    "other": 0,
}


@dataclass
class System:
    """One template's error relations as a matrix (built once per template)."""

    template: str
    rules: list[str]  # rule id per relation
    ops: np.ndarray  # "==", "<=", ">=" per relation (coeffs·x + const op 0)
    A: np.ndarray  # relations × cells
    const: np.ndarray
    cells: list[str]
    idx: np.ndarray  # frame columns of the cells
    scale: np.ndarray  # 100 for amounts, 1 for counts
    signed: np.ndarray
    total: np.ndarray
    aggregate: np.ndarray
    weight: np.ndarray  # cost of changing each cell
    component: np.ndarray  # per relation: its connected component (relations sharing cells)
    position: dict = field(default_factory=dict)  # (table, row, column) of each cell index

    @property
    def sparse(self):
        if getattr(self, "_sparse", None) is None:
            from scipy.sparse import csr_matrix

            self._sparse = csr_matrix(self.A)
            self._pattern = csr_matrix((self.A != 0).astype(np.float64))
        return self._sparse

    @property
    def pattern(self):
        self.sparse  # noqa: B018 - builds both
        return self._pattern


def build_system(frame: ReportFrame, ruleset: RuleSet, template_id: str) -> System | None:
    catalogue = frame.catalogue
    template = catalogue.templates[template_id]
    relations = [
        cr
        for cr in ruleset.relations
        if cr.template == template_id
        and cr.rule.severity == "error"
        and cr.alternatives == 1
        and not cr.rule.cross_year
        and not any(c in catalogue.claim_ids for c in cr.coeffs)
        and cr.relation.op in ("==", "<=", ">=")
    ]
    if not relations:
        return None
    # an aggregate row (gb2021 （六）其他处理) stands for its sub-rows: a slip in a sub-row shows in it
    parts = template.aggregate_cells()

    def expand(coeffs: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for c, coeff in coeffs.items():
            for part in parts.get(c, [c]):
                out[part] = out.get(part, 0.0) + coeff
        return {c: v for c, v in out.items() if v != 0}

    expanded = [expand(cr.coeffs) for cr in relations]
    cells = sorted({c for coeffs in expanded for c in coeffs}, key=frame.col.get)
    at = {c: i for i, c in enumerate(cells)}
    A = np.zeros((len(relations), len(cells)))
    for i, coeffs in enumerate(expanded):
        for c, coeff in coeffs.items():
            A[i, at[c]] = coeff
    info = [template.cells[c] for c in cells]
    named = (A != 0).sum(axis=0)
    total = np.array([c.total for c in info])
    weight = 1.0 + 0.01 * (named - 1) - 0.005 * total
    # connected components of relations through shared cells
    parent = list(range(len(relations)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for j in range(len(cells)):
        rows = np.nonzero(A[:, j])[0]
        for r in rows[1:]:
            parent[find(int(r))] = find(int(rows[0]))
    return System(
        template_id,
        [cr.rule.id for cr in relations],
        np.array([cr.relation.op for cr in relations]),
        A,
        np.array([cr.constant for cr in relations]),
        cells,
        np.array([frame.col[c] for c in cells]),
        np.array([100.0 if c.kind == "amount" else 1.0 for c in info]),
        np.array([c.kind == "signed" for c in info]),
        total,
        np.array([c.aggregate for c in info]),
        weight,
        np.array([find(i) for i in range(len(relations))]),
        {i: (c.table, *_order(template, c)) for i, c in enumerate(info)},
    )


def _order(template, cell) -> tuple[int, int]:
    """Row and column of a cell as numbers, so that neighbours differ by one."""
    table = template.table(cell.table)
    rows = [r.path for r in table.rows if r.is_leaf]
    cols = [c.id for c in table.columns]
    return (
        rows.index(cell.row) if cell.row in rows else -10,
        cols.index(cell.column) if cell.column in cols else -10,
    )


def violated(residual: np.ndarray, ops: np.ndarray) -> np.ndarray:
    """Relations broken (residual = coeffs·x + const), elementwise over any leading shape."""
    eq = ops == "=="
    le = ops == "<="
    ge = ops == ">="
    with np.errstate(invalid="ignore"):
        return (
            (eq & (np.abs(residual) > TOL)) | (le & (residual > TOL)) | (ge & (residual < -TOL))
        ) & ~np.isnan(residual)


@dataclass
class Problem:
    """One failing report restricted to the components of its broken relations."""

    system: System
    rel: np.ndarray  # relation indices in the system
    cols: np.ndarray  # cell indices in the system
    A: np.ndarray  # rel × cols
    ops: np.ndarray
    residual: np.ndarray  # over certain cells (free cells at 0)
    x: np.ndarray  # reported values (blank → 0); NaN for free cells
    free: np.ndarray  # unknown cells: no cost, never blamed
    fixed: np.ndarray  # derived aggregates: read as they are, never changed
    blank: np.ndarray
    broken: np.ndarray  # per relation in rel


@dataclass
class Solution:
    change: dict[int, float]  # local cell index → new value
    determined: bool
    kinds: list = field(default_factory=list)  # root causes: (kind, [local cells], score)
    score: float = 0.0
    cost: float = 0.0


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
        system = _system(frame, ruleset, template_id)
        if system is None:
            continue
        rows = np.nonzero((templates == template_id) & look)[0]
        X = values[np.ix_(rows, system.idx)]
        S = frame.states[np.ix_(rows, system.idx)]
        blank = np.isnan(X) & ((S == BLANK) | (S == NA_MARKER))
        X = np.where(blank, 0.0, X)
        free = np.isin(S, UNCERTAIN) | np.isnan(X)
        sparse = system.sparse  # relations name a handful of cells each: a sparse product
        residual = (sparse @ np.where(free, 0.0, X).T).T + system.const
        touches_free = (system.pattern @ free.T.astype(np.float64)).T > 0
        broken = violated(residual, system.ops) & ~touches_free
        for k in np.nonzero(broken.any(axis=1))[0]:
            found = blame_report(system, X[k], free[k], blank[k], S[k], residual[k], broken[k])
            if found:
                out[int(rows[k])] = found
    return out


_SYSTEMS: dict[tuple[int, int, str], tuple] = {}


def _system(frame: ReportFrame, ruleset: RuleSet, template_id: str) -> System | None:
    """build_system once per ruleset, catalogue and template (the objects are kept to rule out id reuse)."""
    key = (id(ruleset), id(frame.catalogue), template_id)
    hit = _SYSTEMS.get(key)
    if hit is None or hit[0] is not ruleset or hit[1] is not frame.catalogue:
        if len(_SYSTEMS) > 32:
            _SYSTEMS.clear()
        hit = _SYSTEMS[key] = (ruleset, frame.catalogue, build_system(frame, ruleset, template_id))
    return hit[2]


def blame_report(system, x, free, blank, states, residual, broken) -> list[Blame]:
    """The root causes of one report's broken relations (empty when nothing explains them)."""
    components = np.unique(system.component[broken])
    rel = np.nonzero(np.isin(system.component, components))[0]
    cols = np.nonzero((system.A[rel] != 0).any(axis=0))[0]
    fixed = system.aggregate[cols] & (states[cols] != 1)
    problem = Problem(
        system,
        rel,
        cols,
        system.A[np.ix_(rel, cols)],
        system.ops[rel],
        residual[rel],
        np.where(free[cols], np.nan, x[cols]),
        free[cols] & ~fixed,
        fixed,
        blank[cols],
        broken[rel],
    )
    solutions = []
    if not problem.free.any():
        solutions = _single_cell(problem) or _pairs(problem)
    if not solutions:
        solutions = _milp_solutions(problem)
    if not solutions:
        return []
    for s in solutions:
        _explain(problem, s)
    solutions.sort(key=lambda s: (-s.score, s.cost, sorted(s.change.items())))  # ties: a fixed order
    best = solutions[0]
    size = len(best.change)
    same_size = [s for s in solutions if len(s.change) == size]
    unique = len(same_size) == 1 and best.determined
    return _as_blame(problem, best, same_size[1:], "certain" if unique else "candidate")


# ------------------------------------------------------------------------------ cost 1, closed form


def _single_cell(p: Problem) -> list[Solution]:
    """Every single cell whose change alone makes every relation hold (no free unknowns)."""
    A, r, ops = p.A, p.residual, p.ops
    eq = ops == "=="
    bad_eq = eq & p.broken
    out = []
    candidates = np.nonzero((A[p.broken] != 0).all(axis=0) & ~p.fixed & ~np.isnan(p.x))[
        0
    ]  # a single cell must be in every broken relation
    for j in candidates:
        a = A[:, j]
        in_eq = eq & (a != 0)
        if bad_eq.any():
            deltas = -r[bad_eq] / a[bad_eq]
            if np.ptp(deltas) > TOL or not (in_eq == bad_eq).all():
                continue  # an equality that holds would break, or the broken ones disagree
            lo = hi = float(deltas[0])
        else:
            if in_eq.any():
                continue
            lo, hi = -np.inf, np.inf
        lo, hi = _interval(p, j, a, lo, hi)
        if lo > hi + TOL:
            continue
        value = _pick(p, j, lo, hi)
        if value is None:
            continue
        out.append(Solution({int(j): value}, determined=bad_eq.any(), cost=float(p.system.weight[p.cols[j]])))
    return out


def _interval(p: Problem, j: int, a: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """The changes d of cell j alone that keep every inequality and the cell's own domain."""
    r = p.residual
    for i in np.nonzero((p.ops != "==") & (a != 0))[0]:
        bound = -r[i] / a[i]  # residual + a d  (<= or >=) 0
        if (p.ops[i] == "<=") == (a[i] > 0):
            hi = min(hi, bound)
        else:
            lo = max(lo, bound)
    if not p.system.signed[p.cols[j]]:
        lo = max(lo, -p.x[j])
    return lo, hi


def _pick(p: Problem, j: int, lo: float, hi: float) -> float | None:
    """The new value of cell j: determined (lo == hi), else the most plausible slip in [lo, hi]."""
    current = p.x[j]
    step = 1.0 / p.system.scale[p.cols[j]]
    if hi - lo <= TOL:
        new = current + lo
        if abs(new / step - round(new / step)) > 1e-6:
            return None
        return round(new, 6)
    for value in _slip_values(current):
        if lo - TOL <= value - current <= hi + TOL:
            return value
    # the smallest change that makes it hold
    d = lo if lo > 0 else (hi if hi < 0 else 0.0)
    d = np.ceil(d / step - 1e-9) * step if d > 0 else np.floor(d / step + 1e-9) * step
    return round(current + d, 6) if abs(d) > TOL else None


def _slip_values(current: float) -> list[float]:
    """Values the reported one could be a slip of, most plausible first."""
    out = [-current]
    if current == int(current):
        text = str(abs(int(current)))
        sign = -1 if current < 0 else 1
        for i in range(len(text) - 1):
            swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
            out.append(sign * float(swapped))
    out += [current * 10, current / 10]
    return [v for v in out if v != current]


def _pairs(p: Problem) -> list[Solution]:
    """Every pair of cells whose changes make every relation hold, when the broken relations include an
    equality (the program at cost 2, solved in closed form: a 2-unknown system per pair that covers
    every broken equality)."""
    eq = p.ops == "=="
    bad = eq & p.broken
    if not bad.any():
        return []
    usable = ~p.fixed & ~np.isnan(p.x)
    B = p.A[eq] != 0
    missing = (~B[bad[eq]]).astype(np.int32)  # broken equalities × cells: the cell is not in it
    ok = (missing.T @ missing) == 0  # i, j together are in every broken equality
    ok &= usable[:, None] & usable[None, :]
    I, J = np.nonzero(np.triu(ok, 1))
    if I.size > 4000:
        return []  # too loose to be one explanation
    A_eq, r_eq = p.A[eq], p.residual[eq]
    signed = p.system.signed[p.cols]
    step = 1.0 / p.system.scale[p.cols]
    # all pairs at once: least squares of r + a_i d_i + a_j d_j = 0 over the equalities, then exact checks
    Mi, Mj = A_eq[:, I], A_eq[:, J]
    aii, ajj, aij = (Mi * Mi).sum(0), (Mj * Mj).sum(0), (Mi * Mj).sum(0)
    hi, hj = -(Mi.T @ r_eq), -(Mj.T @ r_eq)
    det = aii * ajj - aij * aij
    solvable = np.abs(det) > 1e-9
    I, J, Mi, Mj = I[solvable], J[solvable], Mi[:, solvable], Mj[:, solvable]
    aii, ajj, aij, hi, hj, det = (v[solvable] for v in (aii, ajj, aij, hi, hj, det))
    di = (ajj * hi - aij * hj) / det
    dj = (aii * hj - aij * hi) / det
    di = np.round(di / step[I]) * step[I]
    dj = np.round(dj / step[J]) * step[J]
    exact = (np.abs(r_eq[:, None] + Mi * di + Mj * dj) <= 1e-6).all(axis=0)
    exact &= (np.abs(di) > TOL) & (np.abs(dj) > TOL)
    exact &= ((p.x[I] + di >= -TOL) | signed[I]) & ((p.x[J] + dj >= -TOL) | signed[J])
    after = p.residual[:, None] + p.A[:, I] * di + p.A[:, J] * dj
    exact &= ~violated(after.T, p.ops).any(axis=1)
    out = []
    for k in np.nonzero(exact)[0].tolist():
        i, j = int(I[k]), int(J[k])
        cost = float(p.system.weight[p.cols[[i, j]]].sum())
        change = {i: round(float(p.x[i] + di[k]), 6), j: round(float(p.x[j] + dj[k]), 6)}
        out.append(Solution(change, True, cost=cost))
    return out


# ------------------------------------------------------------------------------ the integer program


def _milp_solutions(p: Problem) -> list[Solution]:
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_rel = p.A.shape[0]
    certain = ~p.free & ~p.fixed
    C = np.nonzero(certain)[0]
    F = np.nonzero(p.free)[0]
    nc, nf = C.size, F.size
    scale = p.system.scale[p.cols]
    known = np.where(np.isnan(p.x), 0.0, p.x)
    largest = float(np.abs(known).max(initial=0.0))
    cap = 2 * largest + float(np.abs(p.residual).sum()) + 10.0  # what a cell can hold in this report
    # no change larger than all the broken differences together: tight enough for the relaxation to
    # count, loose enough for every slip (a slip shows in full in each relation it breaks)
    reach = float(np.abs(p.residual).sum()) + 1.0
    # variables: y (changes of certain cells, scaled), u (free values, scaled), z (binary)
    lo_y = np.where(p.system.signed[p.cols[C]], -cap - known[C], -known[C]) * scale[C]
    hi_y = (cap - known[C]) * scale[C]
    lo_u = np.where(p.system.signed[p.cols[F]], -cap, 0.0) * scale[F]
    hi_u = np.full(nf, cap) * scale[F]
    lo_y = np.maximum(lo_y, -reach * scale[C])
    hi_y = np.minimum(hi_y, reach * scale[C])
    big = np.maximum(np.abs(lo_y), np.abs(hi_y))
    rows = [np.hstack([p.A[:, C] / scale[C], p.A[:, F] / scale[F], np.zeros((n_rel, nc))])]
    # residual over certain cells; free cells enter through u (their x counted as 0 in the residual)
    target = -p.residual
    lb = np.where(p.ops == ">=", target, np.where(p.ops == "==", target, -np.inf))
    ub = np.where(p.ops == "<=", target, np.where(p.ops == "==", target, np.inf))
    lbs, ubs = [lb], [ub]
    link = np.zeros((2 * nc, nc + nf + nc))
    link[:nc, :nc] = np.eye(nc)
    link[:nc, nc + nf :] = -np.diag(big)
    link[nc:, :nc] = np.eye(nc)
    link[nc:, nc + nf :] = np.diag(big)
    rows.append(link)
    lbs.append(np.concatenate([np.full(nc, -np.inf), np.zeros(nc)]))
    ubs.append(np.concatenate([np.zeros(nc), np.full(nc, np.inf)]))
    cost = np.concatenate([np.zeros(nc + nf), p.system.weight[p.cols[C]]])
    bounds = Bounds(np.concatenate([lo_y, lo_u, np.zeros(nc)]), np.concatenate([hi_y, hi_u, np.ones(nc)]))
    integrality = np.ones(nc + nf + nc)
    solutions: list[Solution] = []
    size = None
    while len(solutions) < MAX_ALTERNATIVES:
        constraint = LinearConstraint(np.vstack(rows), np.concatenate(lbs), np.concatenate(ubs))
        result = milp(
            cost,
            constraints=constraint,
            integrality=integrality,
            bounds=bounds,
            # bounded by work (nodes), not by the clock, so a loaded machine gives the same answer;
            # the time limit is only a safety net for pathological programs
            options={"node_limit": 400 if not solutions else 100, "time_limit": 5.0},
        )
        if result.x is None:
            break
        if result.status != 0:  # stopped by the time limit: a solution, but not proved minimal
            if not solutions:
                return []
            solutions.append(solutions[0])  # cannot tell whether another exists: never certain
            break
        z = result.x[nc + nf :] > 0.5
        y = np.round(result.x[:nc]) / scale[C]
        support = C[z & (np.abs(y) > TOL)]
        if size is None:
            size = support.size
            if size == 0 or size > MAX_SIZE:
                return []
        elif support.size > size:
            break
        change = {int(j): round(float(known[j] + y[np.searchsorted(C, j)]), 6) for j in support}
        solutions.append(Solution(change, _determined(p, support), cost=float(result.fun)))
        # exclude this support and look for another of the same size
        cut = np.zeros(nc + nf + nc)
        cut[nc + nf + np.searchsorted(C, support)] = 1.0
        rows.append(cut[None, :])
        lbs.append(np.array([-np.inf]))
        ubs.append(np.array([size - 1.0]))
        if len(solutions) == 1:
            card = np.concatenate([np.zeros(nc + nf), np.ones(nc)])
            rows.append(card[None, :])
            lbs.append(np.array([-np.inf]))
            ubs.append(np.array([float(size)]))
    return solutions


def _determined(p: Problem, support: np.ndarray) -> bool:
    """The equalities pin the values of the changed cells (no free unknown in them, full column rank)."""
    eq = (p.ops == "==") & ~(p.A[:, p.free] != 0).any(axis=1)
    sub = p.A[np.ix_(eq, support)]
    return sub.size > 0 and np.linalg.matrix_rank(sub) == support.size


# ------------------------------------------------------------------------------ explanations


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


def _explain(p: Problem, s: Solution) -> None:
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
            swapped = na == vb and nb == va  # (a value typed in the neighbouring cell, or two swapped)
            adjacent = (ra == rb and abs(ca - cb) == 1) or (ca == cb and abs(ra - rb) == 1)
            if ta == tb and swapped and adjacent:
                kind = "neighbour_column" if ra == rb else "neighbour_row"
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


def _as_blame(p: Problem, best: Solution, others: list[Solution], confidence: str) -> list[Blame]:
    system = p.system
    rules_broken = [system.rules[i] for i in p.rel[p.broken]]
    out = []
    alternatives = [{system.cells[p.cols[j]]: v for j, v in sorted(s.change.items())} for s in others]
    for kind, cells in best.kinds:
        touched = (p.A[:, cells] != 0).any(axis=1) & p.broken
        explains = sorted({system.rules[i] for i in p.rel[touched]}, key=rules_broken.index)
        main = cells[0]
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
    return out
