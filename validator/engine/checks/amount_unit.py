"""T2-11: the gb2019 table 2 “采购总金额” has no unit in the form, so an amount must say its own (元 or
万元) — in the cell, its header or a note. The unit the document states is the claim cell
``n.procurement_amount_unit`` (validator/locate/claims.py); the check compares states over all reports."""

from __future__ import annotations

import numpy as np

from validator.engine.frame import NUMBER, UNCERTAIN
from validator.engine.registry import Context, Hit, Skip, check
from validator.engine.wording import phrases
from validator.model import CellState

AMOUNT = "t2.procurement.amount"
UNIT = "n.procurement_amount_unit"


@check("amount_unit", outcomes={"no_unit": ("amount",)})
def amount_unit(ctx: Context) -> list[Hit | Skip]:
    frame = ctx.frame
    values, states, col = frame.values, frame.states, frame.col
    a, u = col[AMOUNT], col[UNIT]
    out: list[Hit | Skip] = []
    uncertain = ctx.applies & np.isin(states[:, a], UNCERTAIN)
    for state in np.unique(states[uncertain, a]).tolist():
        rows = np.nonzero(uncertain & (states[:, a] == state))[0]
        out.append(Skip(rows, (AMOUNT,), phrases()["reasons"][CellState(state).name]["zh"]))
    with np.errstate(invalid="ignore"):
        amount = ctx.applies & (states[:, a] == NUMBER) & (values[:, a] > 0)
    for row in np.nonzero(amount & (states[:, u] != NUMBER))[0].tolist():
        value = float(values[row, a])
        shown = int(value) if value.is_integer() else value
        out.append(Hit("no_unit", row, {"amount": shown}, cells=(AMOUNT,), values={AMOUNT: value}))
    return out
