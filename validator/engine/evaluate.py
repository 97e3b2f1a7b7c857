"""Evaluate every rule over the wide frame in one vectorised pass and collect findings as data."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from validator.catalogue import Catalogue
from validator.engine import coverage
from validator.engine.blame import blame_frame
from validator.engine.checks import REGISTRY, cell_types
from validator.engine.frame import UNCERTAIN, ReportFrame
from validator.engine.holds import violates as _violates
from validator.engine.readings import every_reading_breaks
from validator.engine.registry import Context, Skip
from validator.engine.relation_findings import RelationWording, provenance
from validator.engine.rules import CompiledRelation, Rule, RuleSet, build_ruleset
from validator.engine.wording import fill, phrases
from validator.model import CellState, Finding, NotAssessable, ReportResult

_STATE_NAMES = {int(s): s.name for s in CellState}


class Evaluator:
    def __init__(self, frame: ReportFrame, ruleset: RuleSet) -> None:
        self.frame = frame
        self.ruleset = ruleset
        self.catalogue: Catalogue = frame.catalogue
        self.findings: list[Finding] = []
        self.not_assessable: dict[tuple[int, str], NotAssessable] = {}
        self.templates = frame.meta["template"].to_numpy()
        self.readings: dict[tuple[int, int], dict] = {}  # (row, id(relation)) → ambiguous cells' readings
        self.blame: dict[int, list] = {}  # row → root causes (engine/blame), which the findings word
        self.blamed: list[int] = []

    # ------------------------------------------------------------------------------------ relations

    def relations(self) -> None:
        """Every compiled relation over all reports of its template, column by column (cells × reports
        layout, so each term is one contiguous vector operation)."""
        frame = self.frame
        values = frame.checked()  # the blanks policy: engine/blank_policy.py
        col = frame.col
        needs_prev = any(cr.rule.cross_year for cr in self.ruleset.relations)
        prev_index = prev_templates = None
        if needs_prev:
            prev_index = frame.previous_index()
            prev_templates = np.append(self.templates, None)[prev_index]  # −1 picks None
        by_template: dict[str, list[CompiledRelation]] = defaultdict(list)
        for cr in self.ruleset.relations:
            by_template[cr.template].append(cr)
        failures: dict[int, list[tuple[CompiledRelation, float]]] = defaultdict(list)
        alternatives: dict[tuple, list] = {}
        for template, compiled in by_template.items():
            rows = np.nonzero(self.templates == template)[0]
            if rows.size == 0:
                continue
            own = sorted({col[c] for cr in compiled for c in cr.coeffs if not c.startswith("prev.")})
            own_at = {c: k for k, c in enumerate(own)}
            current = values.T[np.ix_(own, rows)]  # cells × reports, one gather
            before = sorted({col[c[5:]] for cr in compiled for c in cr.coeffs if c.startswith("prev.")})
            before_at = {c: k for k, c in enumerate(before)}
            previous = unpaired = None
            if before:
                prev_rows = prev_index[rows]
                paired = prev_rows >= 0
                previous = np.full((len(before), rows.size), np.nan)
                previous[:, paired] = values.T[np.ix_(before, prev_rows[paired])]
                unpaired = self._unpaired_reasons(rows, prev_rows)
            skips = self._cross_year_skips(rows, compiled, unpaired) if before else {}
            changed = None
            if before:
                changed = (prev_rows >= 0) & (prev_templates[rows] != template)
            for cr in compiled:
                residual = np.full(rows.size, cr.constant)
                for cell, coeff in cr.coeffs.items():
                    if cell.startswith("prev."):
                        residual += coeff * previous[before_at[col[cell[5:]]]]
                    else:
                        residual += coeff * current[own_at[col[cell]]]
                violated = _violates(residual, cr.relation.op)
                undecided = np.isnan(residual)
                skip = skips.get(cr.rule.id)
                if skip is not None:
                    violated &= ~skip
                    undecided &= ~skip
                    # last year in the other format: its cells are not there (bulk, when this year's are)
                    mine = [current[own_at[col[c]]] for c in cr.coeffs if not c.startswith("prev.")]
                    complete = ~_any_nan(mine, rows.size)
                    bulk = undecided & changed & complete
                    self._record(
                        rows[bulk],
                        cr.rule.id,
                        [c for c in cr.coeffs if c.startswith("prev.")],
                        phrases()["reasons"]["TEMPLATE_CHANGED"]["zh"],
                    )
                    undecided &= ~bulk
                claims = [c for c in cr.coeffs if c in self.catalogue.claim_ids]
                if claims:
                    only = frame.tables_only[rows]
                    if only.any():  # a workbook of tables only: the narrative rules cannot be assessed
                        self._record(
                            rows[only], cr.rule.id, claims, phrases()["reasons"]["TABLES_ONLY"]["zh"]
                        )
                        violated &= ~only
                        undecided &= ~only
                undecided &= ~self._unstated_claims(cr, current, own_at, col)
                if cr.alternatives == 1 and undecided.any():
                    self._every_reading(cr, rows, violated, undecided, residual, current, own_at, col)
                if cr.alternatives > 1:
                    alternatives.setdefault((cr.rule.id, cr.group), []).append(
                        (cr, violated, undecided, residual)
                    )
                    continue
                self._outcomes(
                    cr,
                    rows,
                    violated,
                    undecided,
                    residual,
                    failures,
                    values,
                    prev_index,
                    prev_templates if needs_prev else None,
                )
            for group in alternatives.values():
                # the rule holds when any alternative holds; it fails when none holds and one fails
                holds = np.any([~v & ~u for _, v, u, _ in group], axis=0)
                failed = ~holds & np.any([v for _, v, _, _ in group], axis=0)
                undecided = ~holds & ~failed
                cr, _, _, residual = group[0]
                self._outcomes(
                    cr,
                    rows,
                    failed,
                    undecided,
                    residual,
                    failures,
                    values,
                    prev_index,
                    prev_templates if needs_prev else None,
                )
            alternatives.clear()
        failing = [
            row for row, items in failures.items() if any(cr.rule.severity == "error" for cr, _ in items)
        ]
        self.blamed = failing  # rows the blame has looked at (it may find no explanation)
        self.blame = blame_frame(frame, self.ruleset, np.array(failing, dtype=np.int64))
        wording = RelationWording(frame, self.ruleset, self.readings)
        for row, items in failures.items():
            self.findings.extend(wording.findings(row, items, values, self.blame.get(row, [])))

    def _every_reading(self, cr, rows, violated, undecided, residual, current, own_at, col) -> None:
        """Undecided reports whose ambiguous cells break the relation under every reading: broken (in place)."""
        if self.frame.readings[0].size == 0 or any(c.startswith("prev.") for c in cr.coeffs):
            return
        at = np.nonzero(undecided)[0]
        cells = list(cr.coeffs)
        block = current[[own_at[col[c]] for c in cells]][:, at]  # cells × undecided reports
        coeffs = np.array([cr.coeffs[c] for c in cells])
        fixed = cr.constant + coeffs @ np.nan_to_num(block)
        broken = every_reading_breaks(
            self.frame,
            rows[at],
            cells,
            coeffs,
            fixed,
            np.isnan(block).sum(axis=0),
            lambda r: _violates(r, cr.relation.op),
            valueless=np.isnan(block),
        )
        if broken is None:
            return
        where = at[broken.positions]
        violated[where] = True
        undecided[where] = False
        residual[where] = broken.residual
        for row, readings in zip(rows[where].tolist(), broken.readings):
            self.readings[(row, id(cr))] = readings

    def _outcomes(
        self, cr, rows, violated, undecided, residual, failures, values, prev_index, prev_templates
    ) -> None:
        for position in np.nonzero(violated)[0]:
            failures[int(rows[position])].append((cr, float(residual[position])))
        for position in np.nonzero(undecided)[0]:
            row = int(rows[position])
            self._not_assessable(
                row, cr, values, prev_index, prev_templates[row] if prev_templates is not None else None
            )

    def _unstated_claims(self, cr, current, own_at, col) -> np.ndarray:
        """Reports whose narrative does not state a figure the rule compares: nothing to check, and not
        a doubt either (most narratives state few figures)."""
        claims = [current[own_at[col[c]]] for c in cr.coeffs if c in self.catalogue.claim_ids]
        return _any_nan(claims, current.shape[1])

    def _unpaired_reasons(self, rows: np.ndarray, prev_rows: np.ndarray) -> np.ndarray:
        """Per row: None when last year's report was found, else why not (agency/year unknown, or none)."""
        reasons_text = phrases()["reasons"]
        unknown = ~self.frame.keyed[rows]
        out = np.full(rows.size, None, dtype=object)
        out[prev_rows < 0] = reasons_text["NO_PREVIOUS"]["zh"]
        out[(prev_rows < 0) & unknown] = reasons_text.get("NO_AGENCY_YEAR", reasons_text["NO_PREVIOUS"])["zh"]
        return out

    def _cross_year_skips(
        self, rows: np.ndarray, compiled: list[CompiledRelation], unpaired: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per cross-year rule: the rows it cannot be applied to (a year before the rule starts, no
        previous report), recorded as not assessable once per report; rule id → mask of those rows."""
        prev_cells: dict[str, list[str]] = {}
        rules: dict[str, Rule] = {}
        for cr in compiled:
            if cr.rule.cross_year:
                rules[cr.rule.id] = cr.rule
                cells = prev_cells.setdefault(cr.rule.id, [])
                cells.extend(c for c in cr.coeffs if c.startswith("prev.") and c not in cells)
        out = {}
        for rule_id, rule in rules.items():
            reasons = unpaired.copy()
            start = rule.years.get("from")
            if start is not None:
                early = self.frame.years[rows] < int(start)
                reasons[early] = phrases()["reasons"][rule.years.get("reason", "NO_PREVIOUS")]["zh"]
            skip = reasons.astype(bool)  # None → False
            for reason in set(reasons[skip]):
                self._record(rows[skip & (reasons == reason)], rule_id, prev_cells[rule_id], reason)
            out[rule_id] = skip
        return out

    def _record(self, rows: np.ndarray, rule_id: str, cells: list[str], reason: str) -> None:
        """Not assessable, for these reports and cells, for one reason."""
        store = self.not_assessable
        for row in rows.tolist():
            entry = store.get((row, rule_id))
            if entry is None:
                store[(row, rule_id)] = NotAssessable(rule_id, list(cells), dict.fromkeys(cells, reason))
                continue
            for cell in cells:
                if cell not in entry.reasons:
                    entry.cells.append(cell)
                    entry.reasons[cell] = reason

    def _not_assessable(
        self, row: int, cr: CompiledRelation, values: np.ndarray, prev_index, prev_template
    ) -> None:
        reasons_text = phrases()["reasons"]
        key = (row, cr.rule.id)
        entry = self.not_assessable.get(key)
        if entry is None:
            entry = self.not_assessable[key] = NotAssessable(cr.rule.id, [], {})
        for cell in cr.coeffs:
            if cell in entry.reasons:
                continue
            if cell.startswith("prev."):
                prev = prev_index[row]
                if prev < 0:
                    reason = reasons_text["NO_PREVIOUS"]["zh"]
                elif prev_template != self.templates[row]:
                    reason = reasons_text["TEMPLATE_CHANGED"]["zh"]
                else:
                    state = _STATE_NAMES[int(self.frame.states[prev, self.frame.col[cell[5:]]])]
                    if not np.isnan(values[prev, self.frame.col[cell[5:]]]):
                        continue
                    reason = reasons_text[state]["zh"]
            else:
                i = self.frame.col[cell]
                if not np.isnan(values[row, i]):
                    continue
                reason = reasons_text[_STATE_NAMES[int(self.frame.states[row, i])]]["zh"]
            entry.cells.append(cell)
            entry.reasons[cell] = reason

    def _context(self, rule: Rule, narrative: bool = False) -> Context:
        """What a check gets; a check that reads the text skips workbooks of tables only (not assessable)."""
        applies = np.isin(self.templates, list(rule.templates))
        if narrative:
            only = applies & self.frame.tables_only
            if only.any():
                what = phrases()["sections_label"]["zh"]
                self._record(np.nonzero(only)[0], rule.id, [what], phrases()["reasons"]["TABLES_ONLY"]["zh"])
                applies &= ~only
        return Context(self.frame, rule, self.catalogue, self.templates, applies)

    def _collect(self, rule: Rule, items, outcomes: frozenset[str]) -> None:
        """Findings from what a schema or built-in check returned, worded by the rule's outcomes in rules/.
        An error never rests on a cell that was not read with certainty: not assessable instead."""
        states = self.frame.states
        col = self.frame.col
        reasons = phrases()["reasons"]
        for item in items:
            if isinstance(item, Skip):
                self._record(item.rows, rule.id, list(item.cells), item.reason)
                continue
            if item.outcome not in outcomes:
                raise ValueError(f"{rule.id}: check emitted undeclared outcome {item.outcome!r}")
            spec = rule.outcome(item.outcome)
            if spec["severity"] == "error" and not item.absent:
                doubtful = [c for c in item.cells if c in col and states[item.row, col[c]] in UNCERTAIN]
                if doubtful:
                    for cell in doubtful:
                        state = _STATE_NAMES[int(states[item.row, col[cell]])]
                        self._record(np.array([item.row]), rule.id, [cell], reasons[state]["zh"])
                    continue
            self.findings.append(
                Finding(
                    rule=rule.id,
                    severity=spec["severity"],
                    cells=tuple(item.cells),
                    values=item.values or {},
                    message_zh=fill(spec.get("zh", rule.title), item.params),
                    message_en=fill(spec.get("en", rule.title), item.params),
                    suggestion=item.suggestion,
                    provenance=provenance(self.frame, item.row, item.cells),
                    report=item.row,
                    kind=item.outcome,
                )
            )

    def run(self) -> list[ReportResult]:
        self.relations()
        for rule in self.ruleset.rules:
            if rule.schema:
                context = self._context(rule)
                self._collect(
                    rule, cell_types.check(context), cell_types.outcomes(self.catalogue, rule.schema)
                )
            elif rule.check:
                builtin = REGISTRY[rule.check]
                self._collect(rule, builtin.func(self._context(rule, builtin.narrative)), builtin.outcomes)
        rows = self.frame.rows
        results = (
            [ReportResult(i, rows[i].meta) for i in range(len(self.frame))]
            if rows
            else [ReportResult(i, {}) for i in range(len(self.frame))]
        )
        order = {r.id: i for i, r in enumerate(self.ruleset.rules)}
        for finding in self.findings:
            results[finding.report].findings.append(finding)
        for (row, _), entry in self.not_assessable.items():
            results[row].not_assessable.append(entry)
        not_checked = coverage.not_checked(self.frame)
        with_errors = sorted({f.report for f in self.findings if f.severity == "error"})
        has_errors = np.zeros(len(self.frame), dtype=bool)
        has_errors[with_errors] = True
        # a certain error stands; otherwise a table figure left unsettled means the report was not
        # fully checked, so it is never counted as passed
        unsettled = coverage.doubtful(self.frame, has_errors)
        not_checked = np.where(not_checked.astype(bool), not_checked, unsettled)
        for row in np.nonzero(not_checked.astype(bool))[0].tolist():
            results[row].not_checked = not_checked[row]
        rest = sorted(set(with_errors) - set(self.blamed))  # errors of the checks only (a blank total)
        self.blame.update(blame_frame(self.frame, self.ruleset, np.array(rest, dtype=np.int64)))
        for row, causes in self.blame.items():
            results[row].blame = causes
        for result in results:  # most reports have at most one of each: nothing to sort
            if len(result.findings) > 1:
                result.findings.sort(key=lambda f: (order.get(f.rule, 999), f.cells))
            if len(result.not_assessable) > 1:
                result.not_assessable.sort(key=lambda n: order.get(n.rule, 999))
        return results


def _any_nan(vectors: list[np.ndarray], size: int) -> np.ndarray:
    """Per report: whether any of these cell vectors is NaN there (no stacked copy of the vectors)."""
    out = np.zeros(size, dtype=bool)
    for vector in vectors:
        out |= np.isnan(vector)
    return out


def evaluate(frame: ReportFrame, ruleset: RuleSet | None = None) -> list[ReportResult]:
    return Evaluator(frame, ruleset or build_ruleset(frame.catalogue)).run()
