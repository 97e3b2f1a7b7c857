"""One agency's years side by side, from the store: every cell by year with the change from the year
before, the findings and status by year. Plain data; validator.render.summary.history draws it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from validator.engine.identity import agency_key
from validator.store.db import Store, StoreError


@dataclass
class History:
    agency: str
    agency_key: str
    names: list[str]  # every spelling recorded for the agency
    years: list[int]
    reports: dict[int, dict]  # year -> file, status, template, published, counts, duplicates
    cells: list[dict] = field(default_factory=list)  # cell, label, by year: value/state, change
    findings: dict[int, list[dict]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "agency": self.agency,
            "agency_key": self.agency_key,
            "names": self.names,
            "years": self.years,
            "reports": {str(y): r for y, r in self.reports.items()},
            "cells": self.cells,
            "findings": {str(y): f for y, f in self.findings.items()},
        }


def find_agency(store: Store, query: str) -> tuple[str, list[str]]:
    """The agency key a name stands for: its key exactly, else the one agency whose recorded names
    contain it. StoreError (one line) when none or several match, naming the candidates."""
    key = agency_key(query)
    rows = store.db.execute("SELECT agency_key, name FROM agency_names ORDER BY agency_key, name").fetchall()
    names: dict[str, list[str]] = {}
    for k, n in rows:
        names.setdefault(k, []).append(n)
    if key in names:
        return key, names[key]
    matches = [k for k, ns in names.items() if key in k or any(query in n for n in ns)]
    if len(matches) == 1:
        return matches[0], names[matches[0]]
    if not matches:
        raise StoreError(f"{store.path}: 存储库中没有机关「{query}」 (no such agency in the store)")
    shown = "、".join(names[k][0] for k in matches[:10])
    raise StoreError(f"「{query}」对应多个机关：{shown}；请写全称 (several agencies match)")


def agency_history(store: Store, query: str) -> History:
    """Every recorded year of the agency: with two files for one year, the one recorded last is shown (as
    the cross-year rules take it from the store; then the first by file name) and the others are listed."""
    from validator.catalogue import load_catalogue
    from validator.engine.wording import cell_label

    key, names = find_agency(store, query)
    reports = store.db.execute(
        "SELECT digest, file, year, template, status, published, errors, warnings, infos, not_checked, "
        "error, agency_name FROM reports WHERE agency_key = ? AND year IS NOT NULL "
        "ORDER BY year, recorded DESC, file",
        [key],
    ).df()
    by_year: dict[int, dict] = {}
    digests: dict[int, str] = {}
    for record in reports.to_dict("records"):
        year = int(record["year"])
        if year in by_year:
            by_year[year]["duplicates"].append(record["file"])
            continue
        digests[year] = record["digest"]
        by_year[year] = {
            "file": record["file"],
            "template": record["template"],
            "status": record["status"],
            "published": record["published"],
            "errors": int(record["errors"]),
            "warnings": int(record["warnings"]),
            "infos": int(record["infos"]),
            "not_checked": record["not_checked"],
            "error": record["error"],
            "duplicates": [],
        }
    years = sorted(by_year)
    display = next(
        (n for n in reversed(reports["agency_name"].dropna().tolist())), names[0] if names else query
    )
    history = History(display, key, names, years, by_year)
    if not years:
        return history
    year_of = {d: y for y, d in digests.items()}
    store.db.register("wanted", _frame({"digest": list(year_of)}))
    cells = store.db.execute(
        "SELECT digest, cell_id, state_name, value, raw FROM cells WHERE digest IN (SELECT digest FROM wanted)"
    ).df()
    findings = store.db.execute(
        "SELECT digest, rule, severity, kind, cells, cell_values, message_zh, previous_file FROM findings "
        "WHERE digest IN (SELECT digest FROM wanted) ORDER BY rule"
    ).df()
    store.db.unregister("wanted")
    catalogue = load_catalogue()
    order = catalogue.cell_index
    latest_template = by_year[years[-1]]["template"]
    table: dict[str, dict[int, tuple]] = {}
    for digest, cell, state, value, raw in cells.itertuples(index=False):
        table.setdefault(cell, {})[year_of[digest]] = (state, value, raw)
    for cell in sorted(table, key=lambda c: order.get(c, len(order))):
        by = table[cell]
        values, changes = {}, {}
        before = None
        for year in years:
            state, value, raw = by.get(year, ("missing", None, None))
            number = None if value is None or math.isnan(value) else float(value)
            values[str(year)] = _plain(number) if state == "number" else {"state": state, "raw": raw}
            if number is not None and before is not None and year - 1 in by_year:
                changes[str(year)] = _plain(number - before)
            before = number if state == "number" else None
        history.cells.append(
            {
                "cell": cell,
                "label": cell_label(catalogue, cell, latest_template),
                "values": values,
                "change": changes,
            }
        )
    for record in findings.to_dict("records"):
        history.findings.setdefault(year_of[record["digest"]], []).append(
            {
                "rule": record["rule"],
                "severity": record["severity"],
                "kind": record["kind"],
                "cells": record["cells"],
                "values": json.loads(record["cell_values"] or "{}"),
                "message": record["message_zh"],
                "previous_file": record["previous_file"],
            }
        )
    return history


def _frame(columns: dict):
    import pandas as pd

    return pd.DataFrame(columns)


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
