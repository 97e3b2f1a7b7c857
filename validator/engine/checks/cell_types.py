"""Cell types as a pandera schema generated from the catalogue: counts are whole numbers ≥ 0, amounts ≥ 0.

One validate() call checks a table's cells for every report at once (lazy=True collects all failures);
failure cases are turned into findings that point at cells. A numpy pass first picks the reports holding a
value the schema could refuse, so that the schema runs over those only.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from validator.catalogue import Catalogue
from validator.engine.registry import Context, Hit
from validator.engine.wording import cell_label, num, plain
from validator.model import CellState

_TEXT = int(CellState.TEXT)


def _integer(series: pd.Series) -> pd.Series:
    return (series % 1) == 0


NON_NEGATIVE = ("count", "amount")
WHOLE = ("count", "signed")


def _kinds(catalogue: Catalogue, table: str) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for template in catalogue.templates.values():
        for cell in template.cells_of(table):
            kinds.setdefault(cell.id, cell.kind)
    return kinds


@cache
def _schema(catalogue: Catalogue, table: str):
    import pandera.pandas as pa

    kinds = _kinds(catalogue, table)
    columns = {}
    for cell_id, kind in kinds.items():
        checks = []
        if kind in NON_NEGATIVE:
            checks.append(pa.Check(lambda s: s >= 0, name="negative", ignore_na=True))
        if kind in WHOLE:
            checks.append(pa.Check(_integer, name="not_integer", ignore_na=True))
        columns[cell_id] = pa.Column(float, checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, name=f"ogi-{table}"), list(kinds)


@cache
def _refusable(catalogue: Catalogue, table: str) -> tuple[np.ndarray, np.ndarray]:
    """Per schema column: whether the schema refuses a negative value, and a value that is not whole."""
    kinds = list(_kinds(catalogue, table).values())
    return np.array([k in NON_NEGATIVE for k in kinds]), np.array([k in WHOLE for k in kinds])


def _suspects(
    block: np.ndarray, non_negative: np.ndarray, whole: np.ndarray, chunk: int = 4096
) -> np.ndarray:
    """Rows of ``block`` holding a value the schema's checks refuse (what they test, as arrays; NaN is
    never refused): the only rows the schema needs to see. Blocks of rows at a time, so that the
    temporaries stay small."""
    out = np.zeros(len(block), dtype=bool)
    with np.errstate(invalid="ignore"):
        for start in range(0, len(block), chunk):
            part = block[start : start + chunk]
            negative = (part < 0) & non_negative
            fraction = ((np.trunc(part) != part) | np.isinf(part)) & ~np.isnan(part) & whole
            out[start : start + chunk] = (negative | fraction).any(axis=1)
    return out


PARAMS = frozenset({"cell", "cell_label", "value"})


def outcomes(catalogue: Catalogue, table: str) -> dict[str, frozenset[str]]:
    """The outcomes a table's schema can emit, from its cells' kinds (text: a cell that is not a number),
    each with the message parameters it provides."""
    kinds = {c.kind for t in catalogue.templates.values() for c in t.cells_of(table)}
    out = {"text": PARAMS | {"raw"}}
    if kinds & {"count", "amount"}:
        out["negative"] = PARAMS
    if kinds & {"count", "signed"}:
        out["not_integer"] = PARAMS
    return out


def check(ctx: Context) -> list[Hit]:
    """Run the table's schema over all reports of the rule's templates; a hit per bad cell."""
    import pandera.errors as pe

    frame, catalogue, templates = ctx.frame, ctx.catalogue, ctx.templates
    schema, cell_ids = _schema(catalogue, ctx.rule.schema)
    rows = np.nonzero(ctx.applies)[0]
    out: list[Hit] = []
    if rows.size == 0:
        return out
    idx = [frame.col[c] for c in cell_ids]
    # the schema sees only the reports with a value it refuses: its checks are cell by cell, so the
    # failure cases are the same as over every report
    block = frame.resolved()[:, idx]  # every report: a column gather costs less than a row-and-column one
    suspect = _suspects(block, *_refusable(catalogue, ctx.rule.schema)) & ctx.applies
    data = pd.DataFrame(block[suspect], columns=cell_ids, index=np.nonzero(suspect)[0])
    try:
        if len(data):
            schema.validate(data, lazy=True)
    except pe.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna() & cases["column"].isin(cell_ids)]
        for cell_id, row, outcome, value in zip(
            cases["column"], cases["index"], cases["check"], cases["failure_case"]
        ):
            row = int(row)
            template = templates[row]
            if cell_id not in catalogue.templates[template].cells:
                continue
            value = float(value)
            params = _params(catalogue, cell_id, template, num(value))
            out.append(Hit(str(outcome), row, params, cells=(cell_id,), values={cell_id: plain(value)}))
    textual = rows[frame.holding(_TEXT)[rows]]
    states = frame.states[np.ix_(textual, idx)]
    for r, c in zip(*np.nonzero(states == _TEXT)):
        row, cell_id = int(textual[r]), cell_ids[c]
        template = templates[row]
        if cell_id not in catalogue.templates[template].cells:
            continue
        raw = frame.rows[row].raw.get(cell_id, "") if frame.rows else ""
        raw = raw if len(raw) <= 30 else raw[:30] + "…"  # a run of prose read as a cell: quote its start
        params = {**_params(catalogue, cell_id, template, raw), "raw": raw}
        out.append(Hit("text", row, params, cells=(cell_id,), values={cell_id: raw}))
    return out


def _params(catalogue: Catalogue, cell_id: str, template: str, value: str) -> dict:
    return {"cell": cell_id, "cell_label": cell_label(catalogue, cell_id, template), "value": value}
