"""T3-08: applications from 科研机构/社会公益组织 while none from 自然人 (a sign of shifted columns).

Not a linear relation (“自然人 ≥ 1 or the two columns are 0”), so a built-in check rather than an expr
with alternatives, which the fill-in workbook would show as two separate formulas."""

from __future__ import annotations

import numpy as np

from validator.engine.registry import Context, Hit, check


@check("organisations_without_individuals", outcomes={"organisations_only": ("count", "row_label")})
def organisations_without_individuals(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    values = frame.resolved()
    col = frame.col
    row = "t3.new"
    np_, res, npo = (values[:, col[f"{row}.{c}"]] for c in ("np", "le_res", "le_npo"))
    with np.errstate(invalid="ignore"):
        odd = ctx.applies & (np_ == 0) & (np.nan_to_num(res) + np.nan_to_num(npo) > 0)
    out = []
    for r in np.nonzero(odd)[0].tolist():
        count = float(np.nan_to_num(res[r]) + np.nan_to_num(npo[r]))
        cells = (f"{row}.le_res", f"{row}.le_npo", f"{row}.np")
        params = {
            "count": int(count) if count.is_integer() else count,
            "row_label": "一、本年新收政府信息公开申请数量",
        }
        out.append(
            Hit("organisations_only", r, params, cells=cells, values={c: values[r, col[c]] for c in cells})
        )
    return out
