"""Waivers: findings an auditor has reviewed and accepted, written once from a run (`ogi baseline`) and
hidden in later runs while they still match exactly (same agency, year, rule, cells and values). A waiver
that no longer matches any finding — the figures changed, the finding is gone — is stale and listed, never
applied to anything else."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from validator.engine.identity import agency_key

HEADER = """\
# ogi 豁免清单 (waivers): 每条对应一项已复核的问题。只在机关、年度、规则、单元格和数值都完全一致时隐藏该问题；
# 数字一旦变化，该条即失效（列为“已失效”），问题重新显示。请填写 reason（理由）和 who（复核人）。
# Used with: ogi check|batch|serve --waivers FILE
"""


class WaiverError(ValueError):
    """The waivers file cannot be used: one line naming the file and the reason."""


@dataclass(frozen=True)
class Waiver:
    agency: str
    year: int | None
    rule: str
    cells: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # cell → value, as canonical text (exact match)
    reason: str = ""
    who: str = ""
    when: str = ""
    file: str = ""
    message: str = ""

    @property
    def key(self) -> tuple:
        return (agency_key(self.agency), self.year, self.rule, self.cells, self.values)

    def describe(self) -> str:
        return f"{self.agency} {self.year or ''} {self.rule} {', '.join(self.cells)}"


def _canonical(values: dict | None) -> tuple[tuple[str, str], ...]:
    """Values as exact text: 5, 5.0 and "5" are one value; a list (candidate readings) kept in order."""

    def text(v) -> str:
        if isinstance(v, bool) or v is None:
            return json.dumps(v)
        if isinstance(v, int | float):
            return repr(float(v))
        if isinstance(v, list | tuple):
            return "[" + ",".join(text(x) for x in v) + "]"
        return str(v)

    return tuple(sorted((str(k), text(v)) for k, v in (values or {}).items()))


def finding_key(agency: str | None, key: str | None, year, finding) -> tuple:
    return (
        key if key is not None else agency_key(agency),
        int(year) if year is not None else None,
        finding.rule,
        tuple(finding.cells),
        _canonical(finding.values),
    )


@dataclass
class WaiverOutcome:
    hidden: int = 0
    stale: list[Waiver] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"hidden": self.hidden, "stale": [w.describe() for w in self.stale]}

    def counts(self) -> tuple[int, list[str]]:
        return self.hidden, [w.describe() for w in self.stale]


# ------------------------------------------------------------------------------------------- read/write


def baseline(findings_jsonl: Path, who: str = "", today: str | None = None) -> list[dict]:
    """Every finding of a batch output (DIR/findings.jsonl) as a waiver entry, reason left to fill in."""
    when = today or datetime.date.today().isoformat()
    out = []
    for line in findings_jsonl.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        f = json.loads(line)
        out.append(
            {
                "agency": f.get("agency") or "",
                "year": f.get("year"),
                "rule": f["rule"],
                "cells": list(f.get("cells") or []),
                "values": f.get("values") or {},
                "message": f.get("message_zh") or "",
                "file": f.get("file") or "",
                "reason": "",
                "who": who,
                "when": when,
            }
        )
    return out


def write_waivers(entries: list[dict], path: Path) -> None:
    text = yaml.safe_dump({"waivers": entries}, allow_unicode=True, sort_keys=False, width=200)
    path.write_text(HEADER + text, encoding="utf-8")


def load_waivers(path: str | Path) -> list[Waiver]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WaiverError(f"{path}: 豁免清单无法读取 ({exc.strerror or exc})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise WaiverError(f"{path}: 豁免清单格式有误 ({str(exc).splitlines()[0]})") from None
    items = (data or {}).get("waivers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise WaiverError(f"{path}: 豁免清单应为 waivers: 列表 (expected a 'waivers:' list)")
    out = []
    for k, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("rule") or not isinstance(item.get("cells", []), list):
            raise WaiverError(f"{path}: 第 {k} 条豁免缺少 rule 或 cells (entry {k} is incomplete)")
        values = item.get("values") or {}
        if not isinstance(values, dict):
            raise WaiverError(f"{path}: 第 {k} 条豁免的 values 应为 单元格: 数值 (entry {k})")
        year = item.get("year")
        try:
            year = int(year) if year not in (None, "") else None
        except (TypeError, ValueError):
            raise WaiverError(
                f"{path}: 第 {k} 条豁免的 year 应为年份，如 2024 (entry {k}: year must be a year)"
            ) from None
        out.append(
            Waiver(
                agency=str(item.get("agency") or ""),
                year=year,
                rule=str(item["rule"]),
                cells=tuple(str(c) for c in item.get("cells") or []),
                values=_canonical(values),
                reason=str(item.get("reason") or ""),
                who=str(item.get("who") or ""),
                when=str(item.get("when") or ""),
                file=str(item.get("file") or ""),
                message=str(item.get("message") or ""),
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ apply


class WaiverFilter:
    """Waivers applied a part at a time (a batch hides them chunk by chunk, before the entries go to disk):
    ``apply`` per part, ``outcome`` once all are seen (a waiver is stale only if no part matched it)."""

    def __init__(self, waivers: list[Waiver] | None) -> None:
        self.by_key: dict[tuple, Waiver] = {w.key: w for w in waivers or []}
        self.used: set[tuple] = set()
        self.hidden = 0

    def apply(self, reports) -> None:
        """Remove from each report's findings those a waiver names exactly. ``reports``: (agency as
        written, agency key or None, year, ReportResult)."""
        if not self.by_key:
            return
        for agency, key, year, result in reports:
            kept = []
            for finding in result.findings:
                match = finding_key(agency, key, year, finding)
                if (
                    match not in self.by_key and key is not None
                ):  # the waiver written under the name as written
                    match = finding_key(agency, None, year, finding)
                if match in self.by_key:
                    self.used.add(match)
                    self.hidden += 1
                else:
                    kept.append(finding)
            result.findings = kept

    def outcome(self) -> WaiverOutcome:
        return WaiverOutcome(self.hidden, [w for k, w in self.by_key.items() if k not in self.used])


def hide_waived(reports, waivers: list[Waiver] | None) -> WaiverOutcome:
    """Remove from each report's findings those a waiver names exactly (WaiverFilter.apply). Returns how
    many were hidden and the waivers that matched nothing (stale)."""
    hider = WaiverFilter(waivers)
    hider.apply(reports)
    return hider.outcome()


def hide_in_entries(entries, waivers: list[Waiver] | None) -> WaiverOutcome:
    """hide_waived over a batch's entries (model.Entry)."""
    return hide_waived(((e.agency, e.agency_key, e.year, e.result) for e in entries), waivers)


def hide_in_results(results, waivers: list[Waiver] | None) -> WaiverOutcome:
    """hide_waived over `ogi check` results (agency and year from each result's meta)."""
    return hide_waived(
        ((r.meta.get("agency"), r.meta.get("agency_key"), r.meta.get("year"), r) for r in results), waivers
    )
