"""M-05 / M-06: the publication date against the deadline for the filer's type (rules/local/, default
条例第四十九条) and against the end of the report year. Dates and filer types are compared as arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validator.engine import local
from validator.engine.registry import Context, Hit, Skip, check
from validator.engine.wording import phrases

FILER_NAMES = {"department": "政府部门", "government": "本级人民政府", "township": "乡镇（街道）"}


def filer_types(agencies: pd.Series, rules: dict) -> np.ndarray:
    """Each agency's filer type (first matching pattern of rules/local filer_types), "" when unknown."""
    names = agencies.fillna("").astype(str).str.replace(r"\s+", "", regex=True)
    out = np.full(len(names), "", dtype=object)
    for kind, pattern in reversed(list(rules["filer_types"].items())):  # first listed wins
        out[names.str.contains(pattern, regex=True).to_numpy(dtype=bool) & (names != "").to_numpy()] = kind
    return out


def _dates(ctx: Context) -> tuple[pd.Series, np.ndarray]:
    published = pd.to_datetime(ctx.frame.meta["published"], errors="coerce", format="mixed")
    return published, ctx.frame.years


@check(
    "publication_deadline",
    outcomes={"late": ("published", "deadline", "filer", "basis", "local", "days")},
)
def publication_deadline(ctx: Context) -> list[Hit | Skip]:
    rules = local.current()
    published, years = _dates(ctx)
    kinds = filer_types(ctx.frame.meta["agency"], rules)
    out: list[Hit | Skip] = []
    applies = ctx.applies
    unknown_date = applies & published.isna().to_numpy()
    if unknown_date.any():
        out.append(Skip(np.nonzero(unknown_date)[0], ("发布日期",), _reason("NO_PUBLISHED")))
    unknown_year = applies & ~unknown_date & np.isnan(years)
    if unknown_year.any():
        out.append(Skip(np.nonzero(unknown_year)[0], ("报告年度",), _reason("NO_YEAR")))
    dated = applies & ~unknown_date & ~np.isnan(years)
    days = published.to_numpy(dtype="datetime64[D]")
    for kind, spec in rules["deadlines"].items():
        mine = dated & (kinds == kind)
        if not mine.any():
            continue
        if spec is None:
            out.append(Skip(np.nonzero(mine)[0], ("发布时限",), _reason("NO_DEADLINE")))
            continue
        rows = np.nonzero(mine)[0]
        deadline = _deadline(years[rows], spec)
        late = days[rows] > deadline
        for row, when, due in zip(rows[late].tolist(), days[rows][late], deadline[late]):
            params = {
                "published": str(when),
                "deadline": str(due),
                "filer": FILER_NAMES.get(kind, kind),
                "basis": spec.get("basis", rules.get("source", "")),
                "local": rules.get("name", ""),
                "days": int((when - due).astype(int)),
            }
            out.append(Hit("late", row, params, values={"published": str(when), "deadline": str(due)}))
    untyped = dated & (kinds == "")
    if untyped.any():
        out.append(Skip(np.nonzero(untyped)[0], ("发布机关",), _reason("NO_FILER")))
    return out


@check("published_after_year", outcomes={"early": ("published", "year", "earliest")})
def published_after_year(ctx: Context) -> list[Hit | Skip]:
    rules = local.current()
    published, years = _dates(ctx)
    out: list[Hit | Skip] = []
    no_date = ctx.applies & published.isna().to_numpy()
    no_year = ctx.applies & ~no_date & np.isnan(years)
    for mask, what, key in ((no_date, "发布日期", "NO_PUBLISHED"), (no_year, "报告年度", "NO_YEAR")):
        if mask.any():
            out.append(Skip(np.nonzero(mask)[0], (what,), _reason(key)))
    unknown = no_date | no_year
    rows = np.nonzero(ctx.applies & ~unknown)[0]
    earliest = _deadline(years[rows], rules["not_before"])
    days = published.to_numpy(dtype="datetime64[D]")[rows]
    early = days < earliest
    for row, when, first in zip(rows[early].tolist(), days[early], earliest[early]):
        params = {"published": str(when), "year": int(years[row]), "earliest": str(first)}
        out.append(Hit("early", row, params, values={"published": str(when)}))
    return out


def _reason(key: str) -> str:
    return phrases()["reasons"][key]["zh"]


def _deadline(years: np.ndarray, spec: dict) -> np.ndarray:
    """The date month/day of the year after each report year, as datetime64[D]."""
    offset = int(spec.get("year_offset", 1))
    year = (years.astype(np.int64) + offset - 1970).astype("datetime64[Y]")
    month = year.astype("datetime64[M]") + (int(spec["month"]) - 1)
    return month.astype("datetime64[D]") + (int(spec["day"]) - 1)
