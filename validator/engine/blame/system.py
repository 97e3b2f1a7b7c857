"""A template's error relations as one matrix (built once per template), and one failing report's part of
it: what the minimal-change search (blame/solve) works on.

Cross-year relations (X-01, X-02: this year's 上年结转 = last year's 结转下年度) are rows of the same
matrix over this year's cells; last year's cells are constants (last year's published report is never
changed by this year's blame), so their constant is report-specific: ``const`` is NaN for them and
``residuals`` adds ``cross_const`` + ``P`` · last year's figures per report, leaving NaN (the relation
left out) where there is no usable previous report."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from validator.engine.frame import UNCERTAIN, ReportFrame
from validator.engine.rules import RuleSet


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
    weight: np.ndarray  # cost of changing each cell
    component: np.ndarray  # per relation: its connected component (relations sharing cells)
    position: dict = field(default_factory=dict)  # (table, row, column) of each cell index
    parts: dict = field(default_factory=dict)  # aggregate cell → the sub-row cells it stands for
    cross: np.ndarray | None = None  # per relation: names last year's report (const NaN, see residuals)
    cross_const: np.ndarray | None = None  # per relation: the rule's own constant (0 for same-year ones)
    P: np.ndarray | None = None  # relations × last year's cells: their coefficients
    prev_idx: np.ndarray | None = None  # frame columns of last year's cells
    start: np.ndarray | None = None  # per relation: first report year it applies to (−inf: any)

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

    def residuals(self, frame: ReportFrame, rows: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Reports × relations: coeffs·x + const with this year's cells ``X`` (free cells at 0); a
        cross-year relation adds last year's figures (as the vectorised pass reads them), NaN (left out)
        where last year's report is absent, a figure of it is not read with certainty, or the year is
        before the rule starts."""
        residual = (self.sparse @ X.T).T + self.const
        if self.cross is None or not self.cross.any():
            return residual
        prev_rows = frame.previous_index()[rows]
        paired = prev_rows >= 0
        before = np.full((rows.size, self.prev_idx.size), np.nan)
        if paired.any():
            at = np.ix_(prev_rows[paired], self.prev_idx)
            known = frame.checked()[at]
            known[np.isin(frame.states[at], UNCERTAIN)] = np.nan
            before[paired] = known
        cross = np.nonzero(self.cross)[0]
        used = self.P[cross] != 0
        adjust = np.nan_to_num(before) @ self.P[cross].T + self.cross_const[cross]
        missing = (np.isnan(before).astype(np.float64) @ used.T.astype(np.float64)) > 0
        early = frame.years[rows][:, None] < self.start[cross][None, :]
        adjust[missing | early] = np.nan
        residual[:, cross] = (self.A[cross] @ X.T).T + adjust
        return residual

    def expand(self, cells) -> set[str]:
        """Cell ids as the system names them: an aggregate row's cell stands for its sub-row cells."""
        return {part for c in cells for part in self.parts.get(c, [c])}


def build_system(frame: ReportFrame, ruleset: RuleSet, template_id: str) -> System | None:
    catalogue = frame.catalogue
    template = catalogue.templates[template_id]
    relations = [
        cr
        for cr in ruleset.relations
        if cr.template == template_id
        and cr.rule.severity == "error"
        and cr.alternatives == 1
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

    # last year's cells are constants of this year's report: kept apart, never variables
    expanded = [expand({c: v for c, v in cr.coeffs.items() if not c.startswith("prev.")}) for cr in relations]
    earlier = [{c[5:]: v for c, v in cr.coeffs.items() if c.startswith("prev.")} for cr in relations]
    cells, A = _matrix(expanded, frame.col)
    prev_cells, P = _matrix(earlier, frame.col)
    cross = np.array([cr.rule.cross_year for cr in relations], dtype=bool)
    start = np.array(
        [float(cr.rule.years.get("from", -np.inf)) if cr.rule.years else -np.inf for cr in relations]
    )
    info = [template.cells[c] for c in cells]
    named = (A[~cross] != 0).sum(axis=0)  # weights as without last year: its absence changes nothing
    total = np.array([c.total for c in info])
    weight = 1.0 + 0.01 * (named - 1) - 0.005 * total
    constant = np.array([cr.constant for cr in relations], dtype=float)
    return System(
        template_id,
        [cr.rule.id for cr in relations],
        np.array([cr.relation.op for cr in relations]),
        A,
        np.where(cross, np.nan, constant),
        cells,
        np.array([frame.col[c] for c in cells]),
        np.array([100.0 if c.kind == "amount" else 1.0 for c in info]),
        np.array([c.kind == "signed" for c in info]),
        total,
        weight,
        _components(A),
        {i: (c.table, *_order(template, c)) for i, c in enumerate(info)},
        parts,
        cross,
        np.where(cross, constant, 0.0),
        P,
        np.array([frame.col[c] for c in prev_cells], dtype=np.int64),
        start,
    )


def _matrix(rows: list[dict[str, float]], col: dict[str, int]) -> tuple[list[str], np.ndarray]:
    """Relations × cells: the cells named (in frame order) and each relation's coefficients over them."""
    cells = sorted({c for coeffs in rows for c in coeffs}, key=col.get)
    at = {c: i for i, c in enumerate(cells)}
    matrix = np.zeros((len(rows), len(cells)))
    for i, coeffs in enumerate(rows):
        for c, coeff in coeffs.items():
            matrix[i, at[c]] = coeff
    return cells, matrix


def _components(A: np.ndarray) -> np.ndarray:
    """Per relation: its connected component, relations joined through the cells they share."""
    parent = list(range(A.shape[0]))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for j in range(A.shape[1]):
        rows = np.nonzero(A[:, j])[0]
        for r in rows[1:]:
            parent[find(int(r))] = find(int(rows[0]))
    return np.array([find(i) for i in range(A.shape[0])])


def _order(template, cell) -> tuple[int, int]:
    """Row and column of a cell as numbers, so that neighbours differ by one."""
    table = template.table(cell.table)
    rows = [r.path for r in table.rows if r.is_leaf]
    cols = [c.id for c in table.columns]
    return (
        rows.index(cell.row) if cell.row in rows else -10,
        cols.index(cell.column) if cell.column in cols else -10,
    )


_SYSTEMS: dict[tuple[int, int, str], tuple] = {}


def system_for(frame: ReportFrame, ruleset: RuleSet, template_id: str) -> System | None:
    """build_system once per ruleset, catalogue and template (the objects are kept to rule out id reuse)."""
    key = (id(ruleset), id(frame.catalogue), template_id)
    hit = _SYSTEMS.get(key)
    if hit is None or hit[0] is not ruleset or hit[1] is not frame.catalogue:
        if len(_SYSTEMS) > 32:
            _SYSTEMS.clear()
        hit = _SYSTEMS[key] = (ruleset, frame.catalogue, build_system(frame, ruleset, template_id))
    return hit[2]


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
    blank: np.ndarray
    broken: np.ndarray  # per relation in rel


@dataclass
class Solution:
    """One set of changed cells that makes every relation of a Problem hold."""

    change: dict[int, float]  # local cell index → new value
    determined: bool
    kinds: list = field(default_factory=list)  # root causes: (kind, [local cells])
    score: float = 0.0
    cost: float = 0.0
