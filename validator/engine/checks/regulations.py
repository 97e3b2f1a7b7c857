"""T2-06: a 规章 made by an organ that cannot make one (a county-level body or below, told from its name).

Only 国务院部门 and the governments of provinces, 设区的市 and 自治州 make 规章 (立法法), so a non-zero
本年制发/本年新制作 count of 规章 in a county bureau's table 2 is usually a mis-filed row (规范性文件 counted
as 规章). The name pattern is data (rules/local, ``no_regulation_power``); names are matched as one
pandas string operation over all reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validator.engine import local
from validator.engine.frame import NUMBER, UNCERTAIN
from validator.engine.registry import Context, Hit, Skip, check
from validator.engine.wording import phrases
from validator.model import CellState

#: the 规章 count of documents the filer itself made, by template (valid/published counts may include
#: 规章 of higher organs that the filer republishes, so they are not read as made by the filer)
MADE = {"gb2021": "t2.regulations.made", "gb2019": "t2.regulations.new_made"}


def without_regulation_power(agencies: pd.Series, rules: dict | None = None) -> np.ndarray:
    """Agencies whose name shows a county-level body or below (no 规章制定权); False when unknown."""
    rules = rules if rules is not None else local.current()
    pattern = rules.get("no_regulation_power")
    names = agencies.fillna("").astype(str).str.replace(r"\s+", "", regex=True)
    if not pattern:
        return np.zeros(len(names), dtype=bool)
    return names.str.contains(pattern, regex=True).to_numpy(dtype=bool) & (names != "").to_numpy()


@check("regulations_by_filer", outcomes={"no_power": ("count", "agency", "cell_label")})
def regulations_by_filer(ctx: Context) -> list[Hit | Skip]:
    frame = ctx.frame
    values, states, col = frame.resolved(), frame.states, frame.col
    agencies = frame.meta["agency"]
    out: list[Hit | Skip] = []
    for template, cell in MADE.items():
        mine = ctx.applies & (ctx.templates == template)
        if not mine.any():
            continue
        i = col[cell]
        read = states[:, i] == NUMBER
        with np.errstate(invalid="ignore"):
            made = mine & read & (values[:, i] > 0)
        uncertain = mine & np.isin(states[:, i], UNCERTAIN)  # not read with certainty
        if uncertain.any():
            for state in np.unique(states[uncertain, i]).tolist():
                rows = np.nonzero(uncertain & (states[:, i] == state))[0]
                out.append(Skip(rows, (cell,), phrases()["reasons"][CellState(state).name]["zh"]))
        rows = np.nonzero(made)[0]  # only these names need reading: most filers made no 规章
        if rows.size == 0:
            continue
        names = agencies.iloc[rows].fillna("").astype(str).str.replace(r"\s+", "", regex=True)
        nameless = (names == "").to_numpy()
        if nameless.any():
            out.append(Skip(rows[nameless], ("发布机关",), phrases()["reasons"]["NO_AGENCY"]["zh"]))
        label = ctx.catalogue.templates[template].cells[cell].column_label
        lacking = without_regulation_power(names)
        for k in np.nonzero(lacking)[0].tolist():
            row = int(rows[k])
            count = float(values[row, i])
            params = {"count": int(count) if count.is_integer() else count, "agency": names.iloc[k]}
            params["cell_label"] = label
            out.append(Hit("no_power", row, params, cells=(cell,), values={cell: count}))
    return out
