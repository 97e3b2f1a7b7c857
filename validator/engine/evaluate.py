"""Evaluate every rule over the wide frame in one vectorised pass and collect findings as data."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from validator.catalogue import Catalogue
from validator.engine import builtins, cell_types
from validator.engine.explain import single_cell_fixes
from validator.engine.frame import ReportFrame
from validator.engine.rules import CompiledRelation, Rule, RuleSet, build_ruleset
from validator.engine.wording import cell_label, fill, num, phrases, plain, short_labels
from validator.model import CellState, Finding, NotAssessable, ReportResult

TOLERANCE = 1e-6
_STATE_NAMES = {int(s): s.name for s in CellState}


class Evaluator:
    def __init__(self, frame: ReportFrame, ruleset: RuleSet) -> None:
        self.frame = frame
        self.ruleset = ruleset
        self.catalogue: Catalogue = frame.catalogue
        self.findings: list[Finding] = []
        self.not_assessable: dict[tuple[int, str], NotAssessable] = {}
        self.templates = frame.meta["template"].to_numpy()

    # ------------------------------------------------------------------------------------ relations

    def relations(self) -> None:
        """Every compiled relation over all reports of its template, column by column (cells × reports
        layout, so each term is one contiguous vector operation)."""
        frame = self.frame
        values = frame.resolved()
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
                    complete = ~np.isnan(np.vstack(mine)).any(axis=0) if mine else np.ones(rows.size, bool)
                    bulk = undecided & changed & complete
                    self._record(
                        rows[bulk],
                        cr.rule.id,
                        [c for c in cr.coeffs if c.startswith("prev.")],
                        phrases()["reasons"]["TEMPLATE_CHANGED"]["zh"],
                    )
                    undecided &= ~bulk
                undecided &= ~self._unstated_claims(cr, current, own_at, col)
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
        for row, items in failures.items():
            self._relation_findings(row, items, values)

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

    @staticmethod
    def _unstated_claims(cr, current, own_at, col) -> np.ndarray:
        """Reports whose narrative does not state a figure the rule compares: nothing to check, and not
        a doubt either (most narratives state few figures)."""
        claims = [current[own_at[col[c]]] for c in cr.coeffs if c.startswith("n.")]
        if not claims:
            return np.zeros(current.shape[1], dtype=bool)
        return np.isnan(np.vstack(claims)).any(axis=0)

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

    def _relation_findings(
        self, row: int, items: list[tuple[CompiledRelation, float]], values: np.ndarray
    ) -> None:
        template = self.templates[row]
        fixes = self._localise(row, template, values)
        for cr, residual in items:
            rel = cr.relation
            cells = rel.cells
            current = {c: self._value(row, c, values) for c in cells}
            labels, bound = self._wording(cr, template)
            lhs = sum(coeff * (current[c] or 0.0) for c, coeff in rel.lhs.coeffs.items()) + rel.lhs.constant
            rhs = sum(coeff * (current[c] or 0.0) for c, coeff in rel.rhs.coeffs.items()) + rel.rhs.constant
            params = {
                **bound,
                "lhs": num(lhs),
                "rhs": num(rhs),
                "diff": num(abs(lhs - rhs)),
                "signed_diff": num(lhs - rhs),
                "lhs_terms": _terms(rel.lhs.coeffs, current, labels),
                "rhs_terms": _terms(rel.rhs.coeffs, current, labels),
                "quote": next((self.frame.rows[row].raw.get(c, "") for c in cells if c.startswith("n.")), ""),
            }
            # a for_each binding may word its own case (zh/en keys); otherwise the rule's message
            message_zh = fill(cr.bindings.get("zh") or cr.rule.message.get("zh", cr.rule.title), params)
            message_en = fill(cr.bindings.get("en") or cr.rule.message.get("en", cr.rule.title), params)
            suggestion = None
            relevant = [f for f in fixes if f.cell in rel.coefficients()]
            if len(relevant) == 1 and cr.relation.op == "==":
                fix = relevant[0]
                suggestion = {fix.cell: plain(fix.value)}
                p = phrases()["suggestion"]
                message_zh += fill(
                    p["zh"],
                    {
                        "label": cell_label(self.catalogue, fix.cell, template),
                        "current": num(fix.current),
                        "value": num(fix.value),
                    },
                )
                message_en += fill(
                    p["en"], {"cell": fix.cell, "current": num(fix.current), "value": num(fix.value)}
                )
            elif 1 < len(relevant) <= 5 and cr.relation.op == "==":
                p = phrases()["suggestion_several"]
                message_zh += fill(
                    p["zh"],
                    {
                        "labels": "、".join(
                            f"「{cell_label(self.catalogue, f.cell, template)}」（应为 {num(f.value)}）"
                            for f in relevant
                        )
                    },
                )
                message_en += fill(
                    p["en"], {"cells": ", ".join(f"{f.cell} (→ {num(f.value)})" for f in relevant)}
                )
            self.findings.append(
                Finding(
                    rule=cr.rule.id,
                    severity=cr.rule.severity,
                    cells=tuple(cells),
                    values={c: plain(v) for c, v in current.items()},
                    message_zh=message_zh,
                    message_en=message_en,
                    difference=plain(lhs - rhs),
                    suggestion=suggestion,
                    provenance=self._provenance(row, cells),
                    report=row,
                )
            )

    def _wording(self, cr: CompiledRelation, template: str) -> tuple[dict, dict]:
        """Cell labels and bound-variable labels of a compiled relation (the same for every report)."""
        cache = self.__dict__.setdefault("_wordings", {})
        key = (id(cr), template)
        if key not in cache:
            labels = short_labels(self.catalogue, cr.relation.cells, template)
            bound = {
                **cr.bindings,
                **{f"{k}_label": _binding_label(self.catalogue, template, v) for k, v in cr.bindings.items()},
            }
            cache[key] = (labels, bound)
        return cache[key]

    def _value(self, row: int, cell: str, values: np.ndarray) -> float | None:
        if cell.startswith("prev."):
            prev = self.frame.previous_index()[row]
            if prev < 0:
                return None
            value = values[prev, self.frame.col[cell[5:]]]
        else:
            value = values[row, self.frame.col[cell]]
        return None if np.isnan(value) else float(value)

    def _localise(self, row: int, template: str, values: np.ndarray):
        """Single-cell explanations over the template's hard equalities (the form's own arithmetic)."""
        system = self._system(template)
        if system is None:
            return []
        A, const, cells, idx, integer = system
        x = values[row, idx]
        residual = A @ np.nan_to_num(x) + const
        involved_nan = (np.abs(A) > 0) & np.isnan(x)[None, :]
        residual[involved_nan.any(axis=1)] = np.nan
        return single_cell_fixes(A, residual, x, cells, integer)

    def _system(self, template: str):
        cache = self.__dict__.setdefault("_systems", {})
        if template in cache:
            return cache[template]
        relations = [
            cr
            for cr in self.ruleset.relations
            if cr.template == template
            and cr.relation.op == "=="
            and cr.rule.severity == "error"
            and not cr.rule.cross_year
        ]
        if not relations:
            cache[template] = None
            return None
        cells = sorted({c for cr in relations for c in cr.coeffs}, key=self.frame.col.get)
        position = {c: i for i, c in enumerate(cells)}
        A = np.zeros((len(relations), len(cells)))
        const = np.zeros(len(relations))
        for i, cr in enumerate(relations):
            const[i] = cr.constant
            for c, coeff in cr.coeffs.items():
                A[i, position[c]] = coeff
        idx = np.array([self.frame.col[c] for c in cells])
        tmpl = self.catalogue.templates[template]
        integer = np.array([tmpl.cells[c].kind != "amount" for c in cells])
        cache[template] = (A, const, cells, idx, integer)
        return cache[template]

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

    def _provenance(self, row: int, cells) -> dict[str, str]:
        """Where each cell was read; a prev. cell names last year's file that was used."""
        if not self.frame.rows:
            return {}
        where = self.frame.rows[row].provenance
        out = {c: where[c] for c in cells if c in where}
        earlier = [c for c in cells if c.startswith("prev.")]
        if earlier:
            prev = int(self.frame.previous_index()[row])
            if prev >= 0:
                prev_row = self.frame.rows[prev]
                name = Path(str(prev_row.meta.get("source") or "")).name
                prefix = phrases().get("prev_file", {}).get("zh", "上年报告")
                for cell in earlier:
                    spot = prev_row.provenance.get(cell[5:], "")
                    out[cell] = f"{prefix} {name}" + (f" {spot}" if spot else "")
        return out

    # ------------------------------------------------------------------------------------ the rest

    def add(
        self, rule: Rule, outcome: str, row: int, params: dict, cells=(), values=None, suggestion=None
    ) -> None:
        """A finding from a schema or built-in check, worded by the rule's outcome in rules/."""
        spec = rule.outcome(outcome)
        self.findings.append(
            Finding(
                rule=rule.id,
                severity=spec["severity"],
                cells=tuple(cells),
                values=values or {},
                message_zh=fill(spec.get("zh", rule.title), params),
                message_en=fill(spec.get("en", rule.title), params),
                suggestion=suggestion,
                provenance=self._provenance(row, cells),
                report=row,
                kind=outcome,
            )
        )

    def run(self) -> list[ReportResult]:
        self.relations()
        for rule in self.ruleset.rules:
            if rule.schema:
                cell_types.check(self, rule)
            elif rule.check:
                builtins.run(self, rule)
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
        for result in results:
            result.findings.sort(key=lambda f: (order.get(f.rule, 999), f.cells))
            result.not_assessable.sort(key=lambda n: order.get(n.rule, 999))
        return results


def _violates(residual: np.ndarray, op: str) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if op == "==":
            return np.abs(residual) > TOLERANCE
        if op == "<=":
            return residual > TOLERANCE
        if op == ">=":
            return residual < -TOLERANCE
        if op == "<":
            return residual >= -TOLERANCE
        return residual <= TOLERANCE


def _terms(coeffs: dict[str, float], current: dict, labels: dict[str, str]) -> str:
    parts = []
    for cell, coeff in coeffs.items():
        factor = "" if abs(coeff) == 1 else f"{num(abs(coeff))}×"
        text = f"{factor}{labels[cell]}({num(current[cell])})"
        parts.append(("− " if coeff < 0 else "+ ") + text if parts else ("−" if coeff < 0 else "") + text)
    return " ".join(parts) if parts else "0"


def _binding_label(catalogue: Catalogue, template: str, value: str) -> str:
    from validator.engine.rules import binding_label

    return binding_label(value, catalogue.templates[template])


def evaluate(frame: ReportFrame, ruleset: RuleSet | None = None) -> list[ReportResult]:
    return Evaluator(frame, ruleset or build_ruleset(frame.catalogue)).run()
