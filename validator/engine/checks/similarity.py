"""X-04: identical tables, or body text ≥ threshold identical, compared with the same agency's previous
year (the frame joined to itself on agency and year − 1); reports without a previous year are not
assessable."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from validator.engine import similarity as text_similarity
from validator.engine.registry import Context, Hit, Skip, check
from validator.engine.wording import phrases


@check(
    "similarity",
    outcomes={
        "identical_table": ("table", "table_name", "count", "prev_file"),
        "narrative": ("percent", "similarity", "prev_file"),
    },
)
def similarity(ctx: Context) -> list[Hit | Skip]:
    frame = ctx.frame
    rule = ctx.rule
    templates = ctx.templates
    prev = frame.previous_index()
    reasons = phrases()["reasons"]
    label = phrases().get("prev_report", {}).get("zh", "上一年度报告")
    unknown = ~frame.keyed
    out: list[Hit | Skip] = []
    for mask, key in ((~unknown, "NO_PREVIOUS"), (unknown, "NO_AGENCY_YEAR")):
        rows = np.nonzero(ctx.applies & (prev < 0) & mask)[0]
        if rows.size:
            out.append(Skip(rows, (label,), reasons[key]["zh"]))
    rows = np.nonzero(ctx.applies & (prev >= 0))[0]
    if rows.size == 0:
        return out
    before = prev[rows]
    sources = frame.meta["source"].to_numpy(dtype=object)

    def prev_file(row: int) -> str:
        return Path(str(sources[prev[row]] or "")).name

    # identical tables: same template, every cell equal, enough non-zero figures to mean something
    minimum = int(rule.outcome("identical_table").get("min_nonzero", 3))
    values = frame.resolved()
    col = frame.col
    same_template = templates[rows] == templates[before]
    for template in ctx.catalogue.templates.values():
        pick = same_template & (templates[rows] == template.id)
        if not pick.any():
            continue
        mine, theirs = rows[pick], before[pick]
        for table in template.tables:
            idx = [col[c.id] for c in template.cells_of(table.id) if not c.aggregate]
            probe = idx[
                :: max(1, len(idx) // 6)
            ]  # a few cells first: only pairs equal there are compared whole
            a, b = values.T[np.ix_(probe, mine)], values.T[np.ix_(probe, theirs)]
            maybe = np.nonzero(((a == b) | (np.isnan(a) & np.isnan(b))).all(axis=0))[0]
            a, b = values[np.ix_(mine[maybe], idx)], values[np.ix_(theirs[maybe], idx)]
            equal = ((a == b) | (np.isnan(a) & np.isnan(b))).all(axis=1)
            nonzero = (np.nan_to_num(a) != 0).sum(axis=1)
            for k in np.nonzero(equal & (nonzero >= minimum))[0]:
                row = int(mine[maybe[k]])
                params = {
                    "table": table.id,
                    "table_name": table.name,
                    "count": int(nonzero[k]),
                    "prev_file": prev_file(row),
                }
                out.append(Hit("identical_table", row, params))
    # narrative: MinHash screen on all pairs, exact Jaccard on the few near the threshold
    spec = rule.outcome("narrative")
    threshold = float(spec.get("threshold", 0.9))
    min_chars = int(spec.get("min_chars", 200))
    involved = np.unique(np.concatenate([rows, before]))
    at = np.full(len(frame), -1, dtype=np.int64)
    at[involved] = np.arange(involved.size)
    sigs, chars = text_similarity.fingerprints([frame.rows[i] for i in involved])
    estimate = (sigs[at[rows]] == sigs[at[before]]).mean(axis=1)
    long_enough = (chars[at[rows]] >= min_chars) & (chars[at[before]] >= min_chars)
    if (~long_enough).any():  # the text part was not compared: 无法判断, never a silent pass
        why = reasons["TEXT_TOO_SHORT"]["zh"]
        out.append(Skip(rows[~long_enough], ("正文",), why))
    for k in np.nonzero(long_enough & (estimate >= threshold - 0.15))[0]:
        row, earlier = int(rows[k]), int(before[k])
        mine_text = text_similarity.body_text(frame.rows[row].narrative, frame.rows[row].section_texts)
        their_text = text_similarity.body_text(
            frame.rows[earlier].narrative, frame.rows[earlier].section_texts
        )
        share = text_similarity.jaccard(mine_text, their_text)
        if share >= threshold:
            params = {"percent": f"{share:.0%}", "similarity": round(share, 3), "prev_file": prev_file(row)}
            out.append(Hit("narrative", row, params, values={"similarity": round(share, 3)}))
    return out
