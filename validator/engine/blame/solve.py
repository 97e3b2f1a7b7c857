"""The minimal change of one failing report: every single cell and every pair of cells in closed form
(numpy), and HiGHS ``milp`` when no one or two cells can make every relation hold."""

from __future__ import annotations

import numpy as np

from validator.engine.blame.system import Problem, Solution
from validator.engine.holds import TOLERANCE as TOL
from validator.engine.holds import violates

MAX_ALTERNATIVES = 4  # solutions of the minimal size looked at (the first is the one shown)
MAX_SIZE = 6  # more cells than this changed: not one explanation any more, nothing is blamed


# ------------------------------------------------------------------------------ cost 1, closed form


def single_cell(p: Problem) -> list[Solution]:
    """Every single cell whose change alone makes every relation hold (no free unknowns)."""
    A, r, ops = p.A, p.residual, p.ops
    eq = ops == "=="
    bad_eq = eq & p.broken
    out = []
    candidates = np.nonzero((A[p.broken] != 0).all(axis=0) & ~np.isnan(p.x))[
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


def pairs(p: Problem) -> list[Solution]:
    """Every pair of cells whose changes make every relation hold, when the broken relations include an
    equality (the program at cost 2, solved in closed form: a 2-unknown system per pair that covers
    every broken equality)."""
    eq = p.ops == "=="
    bad = eq & p.broken
    if not bad.any():
        return []
    usable = ~np.isnan(p.x)
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
    exact &= ~violates(after.T, p.ops).any(axis=1)
    out = []
    for k in np.nonzero(exact)[0].tolist():
        i, j = int(I[k]), int(J[k])
        cost = float(p.system.weight[p.cols[[i, j]]].sum())
        change = {i: round(float(p.x[i] + di[k]), 6), j: round(float(p.x[j] + dj[k]), 6)}
        out.append(Solution(change, True, cost=cost))
    return out


# ------------------------------------------------------------------------------ the integer program


def milp_solutions(p: Problem) -> list[Solution]:
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_rel = p.A.shape[0]
    certain = ~p.free
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
