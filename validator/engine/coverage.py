"""Not checked: a report whose essential tables (表三, 表四: `essential: true` in the template) were not
read — no text layer, the table not found, most of its cells not read with certainty, or the table left
entirely blank (nothing in it can be checked) — is never counted as passed (ReportResult.not_checked,
status 无法核对)."""

from __future__ import annotations

import numpy as np

from validator.engine.frame import AMBIGUOUS, MISSING, NUMBER, UNPLACED
from validator.engine.wording import fill, phrases

MOST = 0.5  # more than this share of a table's cells not read with certainty: the table was not read


def not_checked(frame) -> np.ndarray:
    """Per report: why it could not be checked (zh), or None."""
    words = phrases()["not_checked"]
    out = np.full(len(frame), None, dtype=object)
    readable = frame.meta["machine_readable"].to_numpy(dtype=bool)
    templates = frame.meta["template"].to_numpy()
    missing_tables = frame.meta["tables_missing"].to_numpy()
    col = frame.col
    reasons: dict[int, list[str]] = {}
    for template in frame.catalogue.templates.values():
        mine = readable & (templates == template.id)
        if not mine.any():
            continue
        for table in template.tables:
            if not table.essential:
                continue
            idx = np.array([col[c.id] for c in template.cells_of(table.id)])
            block = frame.states[:, idx]
            missing = block == MISSING
            unread = (missing | (block == AMBIGUOUS) | (block == UNPLACED)).sum(axis=1)
            for row in np.nonzero(mine & (unread > MOST * idx.size))[0].tolist():
                if missing[row].all():
                    said = (missing_tables[row] or {}).get(table.id)
                    text = said or fill(words["table_missing"]["zh"], {"table_name": table.name})
                else:
                    params = {"table_name": table.name, "count": int(unread[row]), "total": idx.size}
                    text = fill(words["unread"]["zh"], params)
                reasons.setdefault(row, []).append(text)
            # read, but not one figure in it (blank or “/” throughout): 未填写, its relations not assessed
            unfilled = mine & (unread <= MOST * idx.size) & ~(block == NUMBER).any(axis=1)
            for row in np.nonzero(unfilled)[0].tolist():
                reasons.setdefault(row, []).append(fill(words["unfilled"]["zh"], {"table_name": table.name}))
    for row, texts in reasons.items():
        out[row] = "；".join(texts)
    out[~readable] = words["no_text"]["zh"]
    for row in np.nonzero(~readable)[
        0
    ].tolist():  # what the reader said, when it says more (OCR not installed)
        said = next(iter((missing_tables[row] or {}).values()), "")
        if "OCR" in said:
            out[row] = f"{out[row]}；{said.split('；')[-1]}"
    return out


def doubtful(frame, has_errors: np.ndarray) -> np.ndarray:
    """Per report without an error: why its essential tables' checks are incomplete (zh), or None.

    A figure of 表三/表四 the reader could not settle (a run with several readings, a value it could not
    place) leaves the relations through it unassessed: the report cannot be counted as passed either."""
    words = phrases()["not_checked"]
    out = np.full(len(frame), None, dtype=object)
    templates = frame.meta["template"].to_numpy()
    col = frame.col
    reasons: dict[int, list[str]] = {}
    for template in frame.catalogue.templates.values():
        mine = ~has_errors & (templates == template.id)
        if not mine.any():
            continue
        for table in template.tables:
            if not table.essential:
                continue
            idx = np.array([col[c.id] for c in template.cells_of(table.id)])
            block = frame.states[:, idx]
            unsettled = ((block == AMBIGUOUS) | (block == UNPLACED)).sum(axis=1)
            for row in np.nonzero(mine & (unsettled > 0))[0].tolist():
                params = {"table_name": table.name, "count": int(unsettled[row])}
                reasons.setdefault(row, []).append(fill(words["doubtful"]["zh"], params))
    for row, texts in reasons.items():
        out[row] = "；".join(texts)
    return out
