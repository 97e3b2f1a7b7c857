"""M-01: missing, misnumbered, misworded and out-of-order official sections, from the frame's section
columns; only the reports that fail (and the few with extra headings) are visited to word the findings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validator.engine.registry import Context, Hit, check


@check(
    "sections",
    outcomes={
        "missing": ("number", "heading"),
        "out_of_order": ("found", "previous"),
        "misnumbered": ("number", "official", "heading", "found_number"),
        "wording": ("number", "official", "heading"),
        "unofficial": ("found_number", "heading", "instead", "instead_en"),
    },
    narrative=True,
)
def sections(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    applies = ctx.applies & ctx.readable
    columns = ctx.catalogue.section_index
    extra_count = frame.meta["extra_headings"].to_numpy()
    out: list[Hit] = []
    for template in ctx.catalogue.templates.values():
        mine = applies & (ctx.templates == template.id)
        if not mine.any():
            continue
        at = [columns[s.id] for s in template.sections]  # the template's sections, in its order
        positions, numerals = frame.section_positions[:, at], frame.section_numerals[:, at]
        headings = frame.section_headings[:, at]
        found = positions >= 0
        before = np.maximum.accumulate(np.where(found, positions, -1), axis=1)  # latest heading so far
        for k, section in enumerate(template.sections):
            for row in np.nonzero(mine & ~found[:, k])[0]:
                out.append(Hit("missing", int(row), {"number": section.number, "heading": section.heading}))
            for row in np.nonzero(mine & found[:, k] & (numerals[:, k] != section.number))[0]:
                hit = _hit(frame.rows[row], section.id)
                params = {
                    "number": section.number,
                    "official": section.heading,
                    "heading": hit[1],
                    "found_number": hit[0],
                }
                out.append(Hit("misnumbered", int(row), params))
            # the wording of each distinct heading is judged once, then matched back to every report
            numbered = mine & found[:, k] & (numerals[:, k] == section.number)
            found_heads = pd.Series(headings[:, k])
            odd = [h for h in found_heads[numbered].unique() if not section.worded_as(h)]
            for row in np.nonzero(numbered & found_heads.isin(odd).to_numpy())[0]:
                params = {"number": section.number, "official": section.heading, "heading": headings[row, k]}
                out.append(Hit("wording", int(row), params))
            if k == 0:
                continue
            for row in np.nonzero(mine & found[:, k] & (positions[:, k] < before[:, k - 1]))[0]:
                after = next(
                    s for j, s in enumerate(template.sections[:k]) if positions[row, j] > positions[row, k]
                )
                out.append(
                    Hit("out_of_order", int(row), {"found": section.heading, "previous": after.heading})
                )
        by_number = {s.number: (k, s) for k, s in enumerate(template.sections)}
        for row in np.nonzero(mine & (extra_count > 0))[0]:
            for number, heading, section_id, *_ in frame.rows[row].sections:
                if section_id is not None:
                    continue
                instead = instead_en = ""
                if number in by_number:
                    k, official_here = by_number[number]
                    if numerals[row, k] != number:
                        instead = f"；第{number}部分应为「{number}、{official_here.heading}」"
                        instead_en = f"; section {number} should be '{official_here.heading}'"
                params = {
                    "found_number": number,
                    "heading": heading,
                    "instead": instead,
                    "instead_en": instead_en,
                }
                out.append(Hit("unofficial", int(row), params))
    return out


def _hit(row, section_id: str) -> tuple:
    return next(hit for hit in row.sections if hit[2] == section_id)
