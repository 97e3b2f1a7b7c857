"""Message formatting: numbers as staff write them, cells as the form names them, phrases from rules/."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import yaml

from validator.catalogue import RULES_DIR, Catalogue


@cache
def phrases() -> dict:
    return yaml.safe_load((RULES_DIR / "messages.yaml").read_text(encoding="utf-8"))


def severity_zh(severity: str) -> str:
    """错误 / 警告 / 提示, as rules/messages.yaml words them."""
    return phrases()["severity"].get(severity, {}).get("zh", severity)


def json_default(value):
    """json.dumps default for numpy scalars and paths."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def num(value) -> str:
    """1 not 1.0; decimals as written; None/NaN as 空白."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return phrases()["blank_value"]["zh"]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def plain(value):
    """JSON-friendly value: int when whole, None for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(template: str, params: dict) -> str:
    """str.format that leaves unknown placeholders visible instead of failing."""
    return template.format_map(_Missing(params))


def form_label(cell, short: int = 0) -> str:
    """A cell as staff read it on the form: 表三「三、（七）总计」·「自然人」; a narrative figure by its own
    words. ``short`` > 0 cuts a long row label to that many characters (…)."""
    row = cell.row_label
    if short and len(row) > short + 1:
        row = row[:short] + "…"
    if cell.narrative or not cell.column_label:
        return f"「{row}」" if not cell.narrative else row
    table = cell.label_zh.split("「", 1)[0]
    return f"{table}「{row}」·「{cell.column_label}」"


def cell_label(catalogue: Catalogue, cell_id: str, template: str | None) -> str:
    prefix = ""
    if cell_id.startswith("prev."):
        prefix, cell_id = phrases()["prev_prefix"]["zh"], cell_id[5:]
    cell = catalogue.cell(cell_id, template)
    return prefix + (form_label(cell) if cell else cell_id)


def short_labels(catalogue: Catalogue, cells: list[str], template: str | None) -> dict[str, str]:
    """Labels short enough for a sum: row labels when all cells share a column, and vice versa."""
    info = {}
    for cid in cells:
        base = cid.removeprefix("prev.")
        info[cid] = catalogue.cell(base, template)
    columns = {c.column for c in info.values() if c}
    rows = {(c.table, c.row) for c in info.values() if c}
    out = {}
    prev = phrases()["prev_prefix"]["zh"]
    for cid, cell in info.items():
        if cell is None:
            out[cid] = cid
            continue
        if len(columns) == 1:
            label = cell.row_label
        elif len(rows) == 1:
            label = cell.column_label
        else:
            label = f"{cell.row_label}·{cell.column_label}"
        out[cid] = (prev if cid.startswith("prev.") else "") + label
    return out
