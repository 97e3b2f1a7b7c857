"""Relation findings worded for staff: terms with their labels and values, the bound variables'
labels, the readings of ambiguous cells, and the cells most likely wrong (from the report's blame)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from validator.engine.blame import advice
from validator.engine.frame import BLANK, NA_MARKER
from validator.engine.rules import CompiledRelation, RuleSet, binding_label
from validator.engine.wording import cell_label, fill, num, phrases, plain, short_labels
from validator.model import Blame, Finding


class RelationWording:
    """Words the broken relations of one report at a time (only failing reports are visited)."""

    def __init__(self, frame, ruleset: RuleSet, readings: dict) -> None:
        self.frame = frame
        self.ruleset = ruleset
        self.catalogue = frame.catalogue
        self.templates = frame.meta["template"].to_numpy()
        self.readings = readings  # (row, id(relation)) → {cell: (closest reading, candidates)}

    def findings(
        self,
        row: int,
        items: list[tuple[CompiledRelation, float]],
        values: np.ndarray,
        causes: list[Blame] = (),
    ) -> list[Finding]:
        """The findings of one report's broken relations; ``causes``: its blame (engine/blame), which
        words the cells most likely wrong."""
        out: list[Finding] = []
        template = self.templates[row]
        parts = self._parts(template)
        for cr, residual in items:
            rel = cr.relation
            cells = rel.cells
            current = {c: self._value(row, c, values) for c in cells}
            readings = self.readings.get((row, id(cr)), {})
            current.update({c: chosen for c, (chosen, _) in readings.items()})
            labels, bound = self._wording(cr, template)
            derived = self._derived_totals(row, cells, template)
            lhs = sum(coeff * (current[c] or 0.0) for c, coeff in rel.lhs.coeffs.items()) + rel.lhs.constant
            rhs = sum(coeff * (current[c] or 0.0) for c, coeff in rel.rhs.coeffs.items()) + rel.rhs.constant
            params = {
                **bound,
                "lhs": num(lhs),
                "rhs": num(rhs),
                "diff": num(abs(lhs - rhs)),
                "signed_diff": num(lhs - rhs),
                "lhs_terms": _terms(rel.lhs.coeffs, current, labels, derived),
                "rhs_terms": _terms(rel.rhs.coeffs, current, labels, derived),
                "quote": next(
                    (self.frame.rows[row].raw.get(c, "") for c in cells if c in self.catalogue.claim_ids), ""
                ),
            }
            # a for_each binding may word its own case (zh/en keys); otherwise the rule's message
            message_zh = fill(cr.bindings.get("zh") or cr.rule.message.get("zh", cr.rule.title), params)
            message_en = fill(cr.bindings.get("en") or cr.rule.message.get("en", cr.rule.title), params)
            if readings:  # broken whichever reading is true: say which readings were possible
                p = phrases()["every_reading"]
                options = {c: _options(candidates) for c, (_, candidates) in readings.items()}
                message_zh += fill(
                    p["zh"], {"readings": "；".join(f"「{labels[c]}」可能为 {o}" for c, o in options.items())}
                )
                message_en += fill(p["en"], {"readings": "; ".join(f"{c} = {o}" for c, o in options.items())})
            suggestion = None
            found = advice(causes, cr.rule.id, cells, parts) if causes else None
            if found is not None and found.certain:
                suggestion = {c: plain(value) for c, _, value in found.cells}
                p = phrases()["suggestion"]
                for c, now, value in found.cells:
                    label = cell_label(self.catalogue, c, template)
                    message_zh += fill(p["zh"], {"label": label, "current": num(now), "value": num(value)})
                    message_en += fill(p["en"], {"cell": c, "current": num(now), "value": num(value)})
            elif found is not None and len(found.cells) <= 5:
                p = phrases()["suggestion_several"]
                message_zh += fill(
                    p["zh"],
                    {
                        "labels": "、".join(
                            f"{cell_label(self.catalogue, c, template)}（应为 {num(value)}）"
                            for c, _, value in found.cells
                        )
                    },
                )
                message_en += fill(
                    p["en"], {"cells": ", ".join(f"{c} (→ {num(value)})" for c, _, value in found.cells)}
                )
            out.append(
                Finding(
                    rule=cr.rule.id,
                    severity=cr.rule.severity,
                    cells=tuple(cells),
                    values={c: plain(v) for c, v in current.items()},
                    message_zh=message_zh,
                    message_en=message_en,
                    difference=plain(lhs - rhs),
                    suggestion=suggestion,
                    provenance=provenance(self.frame, row, cells),
                    report=row,
                )
            )

        return out

    def _wording(self, cr: CompiledRelation, template: str) -> tuple[dict, dict]:
        """Cell labels and bound-variable labels of a compiled relation (the same for every report)."""
        cache = self.__dict__.setdefault("_wordings", {})
        key = (id(cr), template)
        if key not in cache:
            labels = short_labels(self.catalogue, cr.relation.cells, template)
            bound = {
                **cr.bindings,
                **{
                    f"{k}_label": binding_label(v, self.catalogue.templates[template])
                    for k, v in cr.bindings.items()
                },
            }
            cache[key] = (labels, bound)
        return cache[key]

    def _derived_totals(self, row: int, cells, template: str) -> set[str]:
        """Blank totals of this report, counted as the sum of their parts (engine/blank_policy.py)."""
        tmpl = self.catalogue.templates.get(template)
        states = self.frame.states[row]
        col = self.frame.col
        return {
            c
            for c in cells
            if not c.startswith("prev.")
            and tmpl is not None
            and c in tmpl.cells
            and tmpl.cells[c].total
            and states[col[c]] in (BLANK, NA_MARKER)
        }

    def _value(self, row: int, cell: str, values: np.ndarray) -> float | None:
        if cell.startswith("prev."):
            prev = self.frame.previous_index()[row]
            if prev < 0:
                return None
            value = values[prev, self.frame.col[cell[5:]]]
        else:
            value = values[row, self.frame.col[cell]]
        return None if np.isnan(value) else float(value)

    def _parts(self, template: str) -> dict[str, list[str]]:
        """Aggregate cell → its sub-row cells (the blame names the sub-rows)."""
        cache = self.__dict__.setdefault("_parts_cache", {})
        if template not in cache:
            cache[template] = self.catalogue.templates[template].aggregate_cells()
        return cache[template]


def provenance(frame, row: int, cells) -> dict[str, str]:
    """Where each cell was read; a prev. cell names last year's file that was used."""
    if not frame.rows:
        return {}
    where = frame.rows[row].provenance
    out = {c: where[c] for c in cells if c in where}
    earlier = [c for c in cells if c.startswith("prev.")]
    if earlier:
        prev = int(frame.previous_index()[row])
        if prev >= 0:
            prev_row = frame.rows[prev]
            name = Path(str(prev_row.meta.get("source") or "")).name
            prefix = phrases().get("prev_file", {}).get("zh", "上年报告")
            for cell in earlier:
                spot = prev_row.provenance.get(cell[5:], "")
                out[cell] = f"{prefix} {name}" + (f" {spot}" if spot else "")
    return out


# ------------------------------------------------------------------------------------ the rest


READINGS_SHOWN = 3  # candidate readings quoted; the rest are counted


def _options(candidates) -> str:
    """7/77/777 等12种: the first few readings of a run of digits, and how many there are."""
    shown = "/".join(num(v) for v in candidates[:READINGS_SHOWN])
    return shown + (f" 等{len(candidates)}种" if len(candidates) > READINGS_SHOWN else "")


def _terms(coeffs: dict[str, float], current: dict, labels: dict[str, str], derived=frozenset()) -> str:
    parts = []
    blank = phrases()["blank_value"]["zh"]
    for cell, coeff in coeffs.items():
        factor = "" if abs(coeff) == 1 else f"{num(abs(coeff))}×"
        value = num(current[cell])
        if cell in derived and current[cell] is not None:  # a blank total, read as its parts' sum
            value = f"{blank}，按分项计 {value}"
        text = f"{factor}{labels[cell]}({value})"
        parts.append(("− " if coeff < 0 else "+ ") + text if parts else ("−" if coeff < 0 else "") + text)
    return " ".join(parts) if parts else "0"
