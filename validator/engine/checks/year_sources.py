"""M-07: the report year where the report states it — the title (from the page, the PDF's or the crawler's
metadata, else the first lines), the document's own heading line, the statistics period (正文) and the
file's own name as published — is one year.

The title against the period is M-04's finding (its report year is the title's); this check adds the
heading line (a CMS title of 2023 over a body headed 2022) and the file name under which the report was
published or submitted (“2024年度政府信息公开工作年度报告.docx” holding a 2023 title: another year's file, or
a title left from last year). Years are extracted with pandas string operations over all reports at once;
only reports that disagree are visited to word findings."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from validator.engine.frame import NUMBER
from validator.engine.registry import Context, Hit, Skip, check
from validator.engine.wording import phrases

#: a year in a title: Arabic (2023年) or Chinese digits (二〇二三年)
TITLE_YEAR = r"((?:19|20)\d{2}|[一二][〇零○一二三四五六七八九]{3})\s*年"
#: a year in a file name, delimited (not the digits of gb2019 or of a serial number), and not a date or a
#: month (2024-01-15, 2024.1, 2024年1月, 2024_01_15, 2024_01: when it was published, not the report year)
NAME_YEAR = (
    r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9])"
    r"(?!\s*(?:[-./_]\s*\d{1,2}(?!\d)|年\s*\d{1,2}\s*月))"
)
PERIOD = ("n.period_start_year", "n.period_end_year")
HEADING = "n.heading_year"  # the year of the document's own heading line (rules/narrative.yaml)
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")


def title_years(titles: pd.Series) -> np.ndarray:
    """The first year each title states (NaN when none); titles are read without spaces (locate)."""
    found = titles.fillna("").astype(str).str.extract(TITLE_YEAR, expand=False)
    chinese = found.notna() & ~found.fillna("0").str.isdigit()
    if chinese.any():
        found[chinese] = found[chinese].str.translate(_CN_DIGITS)
    return pd.to_numeric(found, errors="coerce").to_numpy(dtype=float)


def file_name(source: str) -> str:
    """The file's own name (the last member of an archive path, the last part of a folder path)."""
    return re.split(r"[/\\]", source or "")[-1]


def name_years(sources: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The one year a file's own name states (NaN when none) and whether it states several different
    years: one regular-expression pass over the whole path, skipping folders (the first year of the last
    part, then greedily its last one)."""
    part = r"[^/\\]"
    pattern = rf"^(?:.*[/\\])?{part}*?{NAME_YEAR}(?:{part}*{NAME_YEAR})?{part}*$"
    found = sources.fillna("").astype(str).str.extract(pattern)
    first = pd.to_numeric(found[0], errors="coerce").to_numpy(dtype=float, copy=True)
    last = pd.to_numeric(found[1], errors="coerce").to_numpy(dtype=float)
    several = ~np.isnan(last) & (last != first)
    first[several] = np.nan
    return first, several


@check(
    "year_sources",
    outcomes={
        "file_name": ("name", "name_year", "where", "where_en", "year"),
        "heading": ("title", "year", "heading", "heading_year"),
    },
)
def year_sources(ctx: Context) -> list[Hit | Skip]:
    frame = ctx.frame
    meta = frame.meta
    out: list[Hit | Skip] = []
    titles = meta["title"].fillna("").astype(str)
    title = title_years(titles)
    values, states, col = frame.values, frame.states, frame.col
    period = np.full(len(frame), np.nan)
    for cell in PERIOD:  # the start year when stated, else the end year
        i = col[cell]
        stated = (states[:, i] == NUMBER) & np.isnan(period)
        period[stated] = values[stated, i]
    h = col[HEADING]
    heading = np.where(states[:, h] == NUMBER, values[:, h], np.nan)
    name, several = name_years(meta["source"])
    applies = ctx.applies & ctx.readable
    if (amb := applies & several).any():
        out.append(Skip(np.nonzero(amb)[0], ("文件名",), _reason("NAME_YEARS")))
    stated = sum((~np.isnan(y)).astype(int) for y in (title, heading, period, name))
    one = applies & ~several & (stated < 2)
    only = one & frame.tables_only  # a workbook of the tables: no text to state the period
    for rows, key in ((one & ~only, "ONE_YEAR_SOURCE"), (only, "TABLES_ONLY")):
        if rows.any():
            out.append(Skip(np.nonzero(rows)[0], ("标题", "统计期限", "文件名"), _reason(key)))
    with np.errstate(invalid="ignore"):
        unlike = applies & ~np.isnan(title) & ~np.isnan(heading) & (title != heading)
    for row in np.nonzero(unlike)[0].tolist():
        params = {
            "title": titles.iloc[row],
            "year": int(title[row]),
            "heading": frame.rows[row].raw.get(HEADING, ""),
            "heading_year": int(heading[row]),
        }
        out.append(Hit("heading", row, params, cells=(HEADING,), values={HEADING: float(heading[row])}))
    # the file name against the title; the heading line or the period when the title states no year
    other = np.where(np.isnan(title), np.where(np.isnan(heading), period, heading), title)
    with np.errstate(invalid="ignore"):
        differ = applies & ~np.isnan(name) & ~np.isnan(other) & (name != other)
    for row in np.nonzero(differ)[0].tolist():
        if not np.isnan(title[row]):
            where, where_en, cells = f"标题“{titles.iloc[row]}”", "the title", ()
        elif not np.isnan(heading[row]):
            quote = frame.rows[row].raw.get(HEADING, "")
            where, where_en, cells = f"正文标题行“{quote}”", "the heading line", (HEADING,)
        else:
            cell = PERIOD[0] if states[row, col[PERIOD[0]]] == NUMBER else PERIOD[1]
            quote = frame.rows[row].raw.get(cell, "")
            where, where_en, cells = f"正文所述统计期限（“{quote}”）", "the statistics period", (cell,)
        params = {
            "name": file_name(str(meta["source"].iloc[row])),
            "name_year": int(name[row]),
            "where": where,
            "where_en": where_en,
            "year": int(other[row]),
        }
        out.append(Hit("file_name", row, params, cells=cells, values={c: float(other[row]) for c in cells}))
    return out


def _reason(key: str) -> str:
    return phrases()["reasons"][key]["zh"]
