"""Built-in structural checks (sections, tables, blanks, readability, format by year), vectorised over
the frame; only reports that fail are visited to word their findings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validator.engine.frame import BLANK, MISSING, NA_MARKER, NUMBER
from validator.engine.wording import num, plain
from validator.model import CellState

AMBIGUOUS = int(CellState.AMBIGUOUS)


def run(ev, rule) -> None:
    CHECKS[rule.check](ev, rule)


def _rows_for(ev, rule) -> np.ndarray:
    return np.isin(ev.templates, list(rule.templates))


# ---------------------------------------------------------------------------------------------- M-01


def sections(ev, rule) -> None:
    """Missing, misnumbered and out-of-order official sections from the frame's section columns; only the
    reports that fail (and the few with extra headings) are visited to word the findings."""
    frame = ev.frame
    applies = _rows_for(ev, rule) & frame.meta["machine_readable"].to_numpy(dtype=bool)
    positions, numerals = frame.section_positions, frame.section_numerals
    extra_count = frame.meta["extra_headings"].to_numpy()
    for template in ev.catalogue.templates.values():
        mine = applies & (ev.templates == template.id)
        if not mine.any():
            continue
        found = positions >= 0
        before = np.maximum.accumulate(np.where(found, positions, -1), axis=1)  # latest heading so far
        for k, section in enumerate(template.sections):
            for row in np.nonzero(mine & ~found[:, k])[0]:
                ev.add(rule, "missing", int(row), {"number": section.number, "heading": section.heading})
            for row in np.nonzero(mine & found[:, k] & (numerals[:, k] != section.number))[0]:
                hit = _hit(frame.rows[row], section.id)
                ev.add(
                    rule,
                    "misnumbered",
                    int(row),
                    {
                        "number": section.number,
                        "official": section.heading,
                        "heading": hit[1],
                        "found_number": hit[0],
                    },
                )
            for row in np.nonzero(mine & found[:, k] & (numerals[:, k] == section.number))[0]:
                heading = _hit(frame.rows[row], section.id)[1]
                if not section.worded_as(heading):
                    ev.add(
                        rule,
                        "wording",
                        int(row),
                        {"number": section.number, "official": section.heading, "heading": heading},
                    )
            if k == 0:
                continue
            for row in np.nonzero(mine & found[:, k] & (positions[:, k] < before[:, k - 1]))[0]:
                after = next(
                    s for j, s in enumerate(template.sections[:k]) if positions[row, j] > positions[row, k]
                )
                ev.add(rule, "out_of_order", int(row), {"found": section.heading, "previous": after.heading})
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
                ev.add(
                    rule,
                    "unofficial",
                    int(row),
                    {
                        "found_number": number,
                        "heading": heading,
                        "instead": instead,
                        "instead_en": instead_en,
                    },
                )


def _hit(row, section_id: str) -> tuple:
    return next(hit for hit in row.sections if hit[2] == section_id)


# ---------------------------------------------------------------------------------------------- M-02


def tables_complete(ev, rule) -> None:
    frame = ev.frame
    applies = _rows_for(ev, rule) & frame.meta["machine_readable"].to_numpy(dtype=bool)
    missing_tables = frame.meta["tables_missing"].to_numpy()
    for row in np.nonzero(applies)[0]:
        for table_id, reason in (missing_tables[row] or {}).items():
            ev.add(
                rule, "table_missing", int(row), {"table": table_id, "reason": reason, "reason_en": table_id}
            )
    states = frame.states
    col = frame.col
    for template in ev.catalogue.templates.values():
        in_template = applies & (ev.templates == template.id)
        if not in_template.any():
            continue
        collapsed = {}
        for aggregate in template.aggregate_cells():
            row_path = aggregate.rsplit(".", 1)[0]
            collapsed[row_path] = states[:, col[aggregate]] == NUMBER
        for table in template.tables:
            table_idx = [col[c.id] for c in template.cells_of(table.id)]
            table_found = (states[:, table_idx] != MISSING).any(axis=1)
            lacking: dict[int, list[str]] = {}
            for row_def in table.rows:
                if not row_def.is_leaf:
                    continue
                idx = [col[c.id] for c in template.row_cells(table.id, row_def.path)]
                absent = in_template & table_found & (states[:, idx] == MISSING).all(axis=1)
                parent_collapsed = collapsed.get(f"{table.id}.{row_def.parent}") if row_def.parent else None
                if parent_collapsed is not None:
                    absent &= ~parent_collapsed
                for row in np.nonzero(absent)[0]:
                    lacking.setdefault(int(row), []).append(row_def)
            for row, row_defs in lacking.items():
                cells = [c.id for r in row_defs for c in template.row_cells(table.id, r.path)]
                ev.add(
                    rule,
                    "rows_missing",
                    row,
                    {
                        "table": table.id,
                        "table_name": table.name,
                        "rows": "、".join(f"「{r.display}」" for r in row_defs),
                        "rows_en": ", ".join(r.path for r in row_defs),
                    },
                    cells=cells,
                )


# ---------------------------------------------------------------------------------------------- M-08


def readability(ev, rule) -> None:
    frame = ev.frame
    applies = _rows_for(ev, rule)
    readable = frame.meta["machine_readable"].to_numpy(dtype=bool)
    for row in np.nonzero(applies & ~readable)[0]:
        ev.add(rule, "no_text", int(row), {})
    ambiguous = (frame.states == AMBIGUOUS) & applies[:, None]
    counts = ambiguous.sum(axis=1)
    for row in np.nonzero(counts)[0]:
        template = ev.templates[row]
        cells = [frame.cell_ids[i] for i in np.nonzero(ambiguous[row])[0]]
        candidates = frame.rows[row].candidates if frame.rows else {}
        described = []
        for cid in cells:
            cell = ev.catalogue.cell(cid, template)
            options = "/".join(num(v) for v in candidates.get(cid, ()))
            described.append(f"{cell.label_zh if cell else cid}（可能为 {options}）" if options else cid)
        ev.add(
            rule,
            "ambiguous",
            int(row),
            {"count": len(cells), "cells": "；".join(described), "cells_en": ", ".join(cells)},
            cells=cells,
            values={c: list(candidates.get(c, ())) for c in cells},
        )


# ---------------------------------------------------------------------------------------------- M-09


def blanks(ev, rule) -> None:
    frame = ev.frame
    applies = _rows_for(ev, rule)
    states = frame.states
    resolved = frame.resolved()
    col = frame.col
    for template in ev.catalogue.templates.values():
        in_template = applies & (ev.templates == template.id)
        if not in_template.any():
            continue
        totals = _total_parts(template)
        for table in template.tables:
            cells = template.cells_of(table.id)
            idx = np.array([col[c.id] for c in cells])
            block = states[:, idx]
            has_number = (block == NUMBER).any(axis=1)
            blankish = (block == BLANK) | (block == NA_MARKER)
            all_blank = in_template & ~has_number & blankish.all(axis=1)
            for row in np.nonzero(all_blank)[0]:
                ev.add(rule, "table_blank", int(row), {"table": table.id, "table_name": table.name})
            considered = in_template & has_number
            plain_blank: dict[int, list[str]] = {}
            markers: dict[int, list[str]] = {}
            for j, cell in enumerate(cells):
                rows = np.nonzero(considered & blankish[:, j])[0]
                if rows.size == 0:
                    continue
                expected = None
                if cell.total and cell.id in totals:
                    parts = [col[p] for p in totals[cell.id]]
                    expected = resolved[np.ix_(rows, parts)].sum(axis=1)
                for k, row in enumerate(rows):
                    row = int(row)
                    if expected is not None and expected[k] > 0:
                        ev.add(
                            rule,
                            "blank_total",
                            row,
                            {
                                "cell": cell.id,
                                "cell_label": cell.label_zh,
                                "expected": num(float(expected[k])),
                            },
                            cells=(cell.id,),
                            values={cell.id: None},
                            suggestion={cell.id: plain(float(expected[k]))},
                        )
                    elif block[row, j] == NA_MARKER:
                        markers.setdefault(row, []).append(cell.id)
                    else:
                        plain_blank.setdefault(row, []).append(cell.id)
            for outcome, grouped in (("blank", plain_blank), ("marker", markers)):
                for row, ids in grouped.items():
                    raws = frame.rows[row].raw if frame.rows else {}
                    listed = "、".join(_short(template.cells[c].label_zh, raws.get(c)) for c in ids[:12])
                    if len(ids) > 12:
                        listed += f" 等{len(ids)}处"
                    ev.add(
                        rule,
                        outcome,
                        row,
                        {
                            "table": table.id,
                            "table_name": table.name,
                            "count": len(ids),
                            "cells": listed,
                            "cells_en": ", ".join(ids),
                        },
                        cells=ids,
                        values={c: None for c in ids},
                    )


def _short(label: str, raw: str | None) -> str:
    label = label.split(" ", 1)[1] if " " in label else label
    return f"{label}（“{raw.strip()}”）" if raw and raw.strip() else label


def _total_parts(template) -> dict[str, list[str]]:
    """Each total cell → the cells it sums, from the form's identities (total listed first)."""
    out = {}
    for relation in template.identities():
        cells = list(relation)
        head = cells[0]
        if relation[head] == 1 and all(relation[c] == -1 for c in cells[1:]) and template.cells[head].total:
            out.setdefault(head, cells[1:])
    return out


# ----------------------------------------------------------------------------------------------


def template_year(ev, rule) -> None:
    frame = ev.frame
    applies = _rows_for(ev, rule) & frame.meta["machine_readable"].to_numpy(dtype=bool)
    years = frame.meta["year"].to_numpy(dtype=object)
    scores = frame.meta["template_scores"].to_numpy()
    collapsed = frame.meta["collapsed_rows"].to_numpy()
    templates = ev.catalogue.templates
    numeric = frame.years
    required_id = np.full(len(numeric), None, dtype=object)
    for year in np.unique(numeric[~np.isnan(numeric)]):
        required = ev.catalogue.template_for_year(int(year))
        required_id[numeric == year] = required.id if required is not None else None
    wrong = required_id.astype(bool) & (required_id != ev.templates)  # None → False
    has_collapsed = np.array([bool(c) for c in collapsed], dtype=bool)
    for row in np.nonzero(applies & (np.isnan(numeric) | wrong | has_collapsed))[0]:  # only these can fail
        year = years[row]
        used = templates[ev.templates[row]]
        if year is None or pd.isna(year):
            ev.add(rule, "year_unknown", int(row), {})
        else:
            required = ev.catalogue.template_for_year(int(year))
            if required is not None and required.id != used.id:
                markers = [m for m in used.markers if m]
                evidence = "、".join(f"“{m}”" for m in markers[:3])
                ev.add(
                    rule,
                    "wrong_template",
                    int(row),
                    {
                        "year": int(year),
                        "required": required.id,
                        "used": used.id,
                        "required_notice": required.notice,
                        "used_notice": used.notice,
                        "evidence": evidence,
                        "score": (scores[row] or {}).get(used.id),
                    },
                )
        if collapsed[row]:
            ev.add(rule, "collapsed_row", int(row), {"rows": ", ".join(collapsed[row])})


# ----------------------------------------------------------------------------------------------


def similarity(ev, rule) -> None:
    """Identical tables, or body text ≥ threshold identical, compared with the same agency's previous
    year (the frame joined to itself on agency and year − 1); pairs without a previous year are not
    assessable."""
    from pathlib import Path

    from validator.engine import similarity
    from validator.engine.wording import phrases
    from validator.model import NotAssessable

    frame = ev.frame
    applies = _rows_for(ev, rule)
    prev = frame.previous_index()
    reasons = phrases()["reasons"]
    label = phrases().get("prev_report", {}).get("zh", "上一年度报告")
    unknown = ~frame.keyed
    for mask, key in ((~unknown, "NO_PREVIOUS"), (unknown, "NO_AGENCY_YEAR")):
        reason = reasons[key]["zh"]
        for row in np.nonzero(applies & (prev < 0) & mask)[0].tolist():
            ev.not_assessable[(row, rule.id)] = NotAssessable(rule.id, [label], {label: reason})
    rows = np.nonzero(applies & (prev >= 0))[0]
    if rows.size == 0:
        return
    before = prev[rows]
    sources = frame.meta["source"].to_numpy(dtype=object)

    def prev_file(row: int) -> str:
        return Path(str(sources[prev[row]] or "")).name

    # identical tables: same template, every cell equal, enough non-zero figures to mean something
    spec = rule.outcome("identical_table")
    minimum = int(spec.get("min_nonzero", 3))
    values = frame.resolved()
    col = frame.col
    same_template = ev.templates[rows] == ev.templates[before]
    for template in ev.catalogue.templates.values():
        pick = same_template & (ev.templates[rows] == template.id)
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
                ev.add(
                    rule,
                    "identical_table",
                    row,
                    {
                        "table": table.id,
                        "table_name": table.name,
                        "count": int(nonzero[k]),
                        "prev_file": prev_file(row),
                    },
                )
    # narrative: MinHash screen on all pairs, exact Jaccard on the few near the threshold
    spec = rule.outcome("narrative")
    threshold = float(spec.get("threshold", 0.9))
    min_chars = int(spec.get("min_chars", 200))
    involved = np.unique(np.concatenate([rows, before]))
    at = np.full(len(frame), -1, dtype=np.int64)
    at[involved] = np.arange(involved.size)
    sigs, chars = similarity.fingerprints([frame.rows[i] for i in involved])
    estimate = (sigs[at[rows]] == sigs[at[before]]).mean(axis=1)
    long_enough = (chars[at[rows]] >= min_chars) & (chars[at[before]] >= min_chars)
    for k in np.nonzero(long_enough & (estimate >= threshold - 0.15))[0]:
        row, earlier = int(rows[k]), int(before[k])
        mine_text = similarity.body_text(frame.rows[row].narrative, frame.rows[row].section_texts)
        their_text = similarity.body_text(frame.rows[earlier].narrative, frame.rows[earlier].section_texts)
        share = similarity.jaccard(mine_text, their_text)
        if share >= threshold:
            ev.add(
                rule,
                "narrative",
                row,
                {"percent": f"{share:.0%}", "similarity": round(share, 3), "prev_file": prev_file(row)},
                values={"similarity": round(share, 3)},
            )


CHECKS = {
    "sections": sections,
    "tables_complete": tables_complete,
    "readability": readability,
    "blanks": blanks,
    "template_year": template_year,
    "similarity": similarity,
}
