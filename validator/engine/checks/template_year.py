"""X-05: the tables follow the format the report year requires; the year is known; no collapsed rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validator.engine.registry import Context, Hit, check


@check(
    "template_year",
    outcomes={
        "wrong_template": ("year", "required", "used", "required_notice", "used_notice", "evidence", "score"),
        "collapsed_row": ("rows",),
        "year_unknown": (),
    },
)
def template_year(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    catalogue = ctx.catalogue
    applies = ctx.applies & ctx.readable
    years = frame.meta["year"].to_numpy(dtype=object)
    scores = frame.meta["template_scores"].to_numpy()
    collapsed = frame.meta["collapsed_rows"].to_numpy()
    templates = catalogue.templates
    numeric = frame.years
    required_id = np.full(len(numeric), None, dtype=object)
    for year in np.unique(numeric[~np.isnan(numeric)]):
        required = catalogue.template_for_year(int(year))
        required_id[numeric == year] = required.id if required is not None else None
    wrong = required_id.astype(bool) & (required_id != ctx.templates)  # None → False
    has_collapsed = np.array([bool(c) for c in collapsed], dtype=bool)
    out: list[Hit] = []
    for row in np.nonzero(applies & (np.isnan(numeric) | wrong | has_collapsed))[0]:  # only these can fail
        row = int(row)
        year = years[row]
        used = templates[ctx.templates[row]]
        if year is None or pd.isna(year):
            out.append(Hit("year_unknown", row, {}))
        else:
            required = catalogue.template_for_year(int(year))
            if required is not None and required.id != used.id:
                markers = [m for m in used.markers if m]
                params = {
                    "year": int(year),
                    "required": required.id,
                    "used": used.id,
                    "required_notice": required.notice,
                    "used_notice": used.notice,
                    "evidence": "、".join(f"“{m}”" for m in markers[:3]),
                    "score": (scores[row] or {}).get(used.id),
                }
                out.append(Hit("wrong_template", row, params))
        if collapsed[row]:
            out.append(Hit("collapsed_row", row, {"rows": ", ".join(collapsed[row])}))
    return out
