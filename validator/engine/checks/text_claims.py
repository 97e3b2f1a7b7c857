"""Statements the text must make (format_spec §4.5, §4.6): 信息处理费 in section 六 (N-05, T3-06), the
考核、社会评议、责任追究 results of a government's report (N-07), a complete title (M-03), and no
sentence about the agency's work dated another year (N-06).

Each is a regular-expression search over one column of texts (pandas string methods over all reports at
once); only the reports that fail are visited to word the findings."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from validator.engine.identity import agency_key
from validator.engine.registry import Context, Hit, Skip, check
from validator.engine.wording import phrases

#: section 六 states the fee: an amount of 信息处理费, or that none was collected
FEE_STATED = r"处理费|(?:未|没有|无|不曾)(?:收取|收缴)(?:任何|过)?(?:费用|信息处理费)"
#: section 六 mentions fee matters at all (a 收费通知, payment)
FEE_MENTIONED = r"处理费|收费通知|缴纳费用|缴费|收费"
#: section 六 says no fee matter arose (not: no fee collected, which unpaid notices agree with)
FEE_DENIED = r"(?:未|没有|无|不)(?:发出|出具|送达|涉及|发生)(?:过)?(?:任何)?(?:信息处理费|收费通知|收费事项|收费情况|收费|缴费)"
GOVERNMENT = r"人民政府$"
DUTIES = {
    "考核": ("工作考核", "review", r"考核"),
    "评议": ("社会评议", "public appraisal", r"评议|社会评价|满意度测评|第三方评估"),
    "追究": ("责任追究", "accountability", r"责任追究|追究责任|追责|问责"),
}
TITLE_PHRASE = r"政府信息公开工作(?:的)?年度报告"
SIX_HEADING = r"(?s)六\s*[、.．]\s*(?:其他需要报告的事项|需要说明的其他事项|其他需要报告事项)(.*)$"


def _texts(ctx: Context, rows: np.ndarray, section: str | None) -> pd.Series:
    """The body text (``section`` None) or one section's text of these reports, indexed by frame row."""
    column = ctx.frame.narratives if section is None else ctx.frame.section_text(section)
    return pd.Series(column[rows], index=rows, dtype=object)


def _section_six(ctx: Context, rows: np.ndarray) -> pd.Series:
    """Section 六's text; when the reader kept none (the text ran on in the heading's line, as in
    “六、其他需要报告的事项2025年，无收取信息处理费情况。”), what follows the heading in the body text
    (searched only in the reports that need it: the whole body text is long)."""
    own = _texts(ctx, rows, "s6")
    blank = (own.str.strip() == "").to_numpy(dtype=bool)
    if not blank.any():
        return own
    out = own.copy()
    out[blank] = _texts(ctx, rows[blank], None).str.extract(SIX_HEADING, expand=False).fillna("").to_numpy()
    return out


def _has_section(ctx: Context, section: str) -> np.ndarray:
    k = ctx.catalogue.section_index.get(section)
    return ctx.frame.section_positions[:, k] >= 0 if k is not None else np.zeros(len(ctx.frame), bool)


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


@check("fee_statement", outcomes={"missing": ("section",)}, narrative=True)
def fee_statement(ctx: Context) -> list[Hit | Skip]:
    rows = np.nonzero(ctx.applies & ctx.readable)[0]
    out: list[Hit | Skip] = []
    if rows.size == 0:
        return out
    has_six = _has_section(ctx, "s6")[rows]
    six = _section_six(ctx, rows)
    in_six = six.str.contains(FEE_STATED, regex=True).to_numpy(dtype=bool)
    # stated elsewhere (under 一 or 五, or 六 not found as a heading): stated all the same; the long body
    # text is searched only where 六 does not state it
    anywhere = np.zeros(rows.size, dtype=bool)
    rest = np.nonzero(~in_six)[0]
    if rest.size:
        body = _texts(ctx, rows[rest], None)
        anywhere[rest] = body.str.contains(FEE_STATED, regex=True).to_numpy(dtype=bool)
    for k in np.nonzero(~in_six & ~anywhere)[0].tolist():
        section = _quote(six.iloc[k]) if has_six[k] else ""
        where = (
            f"第六部分：“{section}”" if section else ("第六部分为空" if has_six[k] else "报告没有第六部分")
        )
        out.append(Hit("missing", int(rows[k]), {"section": where}))
    return out


@check(
    "fee_notice",
    outcomes={"not_mentioned": ("count", "section"), "denied": ("count", "quote")},
)
def fee_notice(ctx: Context) -> list[Hit | Skip]:
    col = ctx.frame.col
    cell = "t3.res.other.fee_unpaid.tot"
    values = ctx.frame.resolved()[:, col[cell]]
    with np.errstate(invalid="ignore"):
        unpaid = ctx.applies & ctx.readable & (values > 0)
    out: list[Hit | Skip] = []
    only = unpaid & ctx.frame.tables_only  # a workbook of the tables: only these reports lack the text
    if only.any():
        out.append(Skip(np.nonzero(only)[0], ("第六部分",), phrases()["reasons"]["TABLES_ONLY"]["zh"]))
    unpaid &= ~only
    has_six = _has_section(ctx, "s6")
    lacking = np.nonzero(unpaid & ~has_six)[0]
    if lacking.size:
        out.append(Skip(lacking, ("第六部分",), phrases()["reasons"]["NO_SECTION_SIX"]["zh"]))
    rows = np.nonzero(unpaid & has_six)[0]
    if rows.size == 0:
        return out
    texts = _section_six(ctx, rows)
    mentioned = texts.str.contains(FEE_MENTIONED, regex=True).to_numpy(dtype=bool)
    denial = texts.str.extract(f"([^。；;]*(?:{FEE_DENIED})[^。；;]*)", expand=False)
    denied = denial.notna().to_numpy(dtype=bool)
    for row in rows[~mentioned].tolist():
        params = {"count": int(values[row]), "section": _quote(texts[row]) or "（空）"}
        out.append(Hit("not_mentioned", row, params, cells=(cell,), values={cell: float(values[row])}))
    for row in rows[mentioned & denied].tolist():
        params = {"count": int(values[row]), "quote": _quote(str(denial[row]).strip(), 80)}
        out.append(Hit("denied", row, params, cells=(cell,), values={cell: float(values[row])}))
    return out


@check("government_duties", outcomes={"missing": ("agency", "missing", "missing_en")}, narrative=True)
def government_duties(ctx: Context) -> list[Hit | Skip]:
    agencies = ctx.frame.meta["agency"].fillna("").astype(str).str.replace(r"\s+", "", regex=True)
    government = agencies.str.contains(GOVERNMENT, regex=True).to_numpy(dtype=bool)
    rows = np.nonzero(ctx.applies & ctx.readable & government)[0]
    out: list[Hit | Skip] = []
    if rows.size == 0:
        return out
    texts = _texts(ctx, rows, None)
    found = {key: texts.str.contains(p, regex=True).to_numpy(dtype=bool) for key, (_, _, p) in DUTIES.items()}
    complete = np.all(list(found.values()), axis=0)
    for k in np.nonzero(~complete)[0].tolist():
        lacking = [key for key in DUTIES if not found[key][k]]
        params = {
            "agency": agencies.iloc[rows[k]],
            "missing": "、".join(DUTIES[key][0] for key in lacking),
            "missing_en": ", ".join(DUTIES[key][1] for key in lacking),
        }
        out.append(Hit("missing", int(rows[k]), params))
    return out


def _agency_keys(names: pd.Series) -> np.ndarray:
    """agency_key of each name, computed once per distinct name (an agency reports year after year)."""
    codes, uniques = pd.factorize(names.to_numpy(dtype=object))
    return np.array([agency_key(u) for u in uniques], dtype=object)[codes]


@check("title", outcomes={"incomplete": ("title", "lacking", "lacking_en")})
def title(ctx: Context) -> list[Hit | Skip]:
    meta = ctx.frame.meta
    titles = meta["title"].fillna("").astype(str).str.replace(r"\s+", "", regex=True)
    applies = ctx.applies & ctx.readable
    untitled = applies & (titles == "").to_numpy()
    out: list[Hit | Skip] = []
    if untitled.any():
        out.append(Skip(np.nonzero(untitled)[0], ("标题",), phrases()["reasons"]["NO_TITLE"]["zh"]))
    rows = np.nonzero(applies & ~untitled)[0]
    if rows.size == 0:
        return out
    t = titles.iloc[rows]
    agencies = meta["agency"].fillna("").astype(str).str.replace(r"\s+", "", regex=True).iloc[rows]
    phrase = t.str.contains(TITLE_PHRASE, regex=True).to_numpy(dtype=bool)
    year = t.str.contains(r"(?:19|20)\d{2}\s*年", regex=True).to_numpy(dtype=bool)
    # compared as agency keys (width, spaces, 人民政府办公室 = 政府办公室): the same agency however written
    keys = _agency_keys(agencies).astype(str)
    named = (keys == "") | (np.char.find(_agency_keys(t).astype(str), keys) >= 0)
    for k in np.nonzero(~(phrase & year & named))[0].tolist():
        lacking = []
        if not year[k]:
            lacking.append(("四位数的报告年度（如“2023年”）", "the four-digit year"))
        if not named[k]:
            lacking.append((f"机关名称「{agencies.iloc[k]}」", "the agency's name"))
        if not phrase[k]:
            lacking.append(("“政府信息公开工作年度报告”", "'政府信息公开工作年度报告'"))
        params = {
            "title": t.iloc[k],
            "lacking": "、".join(z for z, _ in lacking),
            "lacking_en": ", ".join(e for _, e in lacking),
        }
        out.append(Hit("incomplete", int(rows[k]), params))
    return out


#: a sentence of 一 or 六 that opens on a year and goes on about the agency's own work (“2022年，我局…”)
_YEAR_OPENING = (
    r"(?:{start})\s*({year}(?:19|20)\d{{2}})\s*年(?:度)?\s*[，,]?\s*(?:我|本|全|共|区|市|县|局|在)"
    r"[^{stop}。；！？\n]{{0,40}}"
)
YEAR_OPENING = _YEAR_OPENING.format(start=r"^|[。；！？\n]", year="", stop="")
#: characters that may join the texts for one scan: none is whitespace, so ``\s`` never runs across one
_SEPARATORS = tuple(chr(c) for c in range(9))


@lru_cache(maxsize=len(_SEPARATORS))
def _year_scan(sep: str) -> re.Pattern:
    """YEAR_OPENING over texts joined by ``sep``: ``sep`` stands where a text starts (``^``) and no
    sentence runs across it, so the matches are those of each text on its own."""
    return re.compile(_YEAR_OPENING.format(start=f"[{sep}。；！？\\n]", year="?P<year>", stop=sep))


def _year_openings(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every YEAR_OPENING in each text ``first[i] + "。" + second[i]``: the text's index, the year said and
    the sentence of each match, in order. One pass of the expression over all texts joined by a
    separator none of them holds (100 000 searches cost several times one pass over the same text)."""
    n = len(first)
    parts = np.empty(4 * n, dtype=object)
    parts[1::4], parts[2::4], parts[3::4] = first, "。", second
    for sep in _SEPARATORS:
        parts[0::4] = sep
        joined = "".join(parts.tolist())
        if joined.count(sep) == n:
            break
    else:  # every separator occurs in some text: search the texts one by one
        texts = pd.Series(first, dtype=object) + "。" + pd.Series(second, dtype=object)
        named = _YEAR_OPENING.format(start=r"^|[。；！？\n]", year="?P<year>", stop="")
        found = texts.str.extractall(f"(?P<sentence>{named})")
        at = found.index.get_level_values(0).to_numpy()
        return at, found["year"].astype(int).to_numpy(), found["sentence"].tolist()
    lengths = np.fromiter(map(len, first), np.int64, n) + np.fromiter(map(len, second), np.int64, n) + 2
    starts = np.cumsum(lengths) - lengths  # where each text's separator stands
    matches = list(_year_scan(sep).finditer(joined))
    at = np.searchsorted(starts, np.array([m.start("year") for m in matches], dtype=np.int64), "right") - 1
    said = np.array([int(m.group("year")) for m in matches], dtype=np.int64)
    sentences = [m.group(0)[1:] if m.group(0)[0] == sep else m.group(0) for m in matches]
    return at, said, sentences


@check("years_in_text", outcomes={"other_year": ("year", "found", "quote")}, narrative=True)
def years_in_text(ctx: Context) -> list[Hit | Skip]:
    applies = ctx.applies & ctx.readable & ~np.isnan(ctx.frame.years)
    rows = np.nonzero(applies)[0]
    out: list[Hit | Skip] = []
    if rows.size == 0:
        return out
    first = ctx.frame.section_text("s1")[rows]
    at, said, sentences = _year_openings(first, _section_six(ctx, rows).to_numpy(dtype=object))
    if not sentences:
        return out
    at = rows[at]  # the report row of each match
    year = ctx.frame.years[at]
    stale = (said != year) & (said != year + 1)  # the report year, or plans for the next one
    seen: set[int] = set()
    for k in np.nonzero(stale)[0].tolist():
        row = int(at[k])
        if row in seen:
            continue  # one finding per report: the first such sentence
        seen.add(row)
        params = {
            "year": int(ctx.frame.years[row]),
            "found": int(said[k]),
            "quote": _quote(sentences[k].lstrip("。；！？\n "), 80),
        }
        out.append(Hit("other_year", row, params))
    return out
