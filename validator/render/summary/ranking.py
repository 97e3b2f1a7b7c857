"""What an auditor acts on first: agencies ranked by what is wrong with their reports, the trend by year
and by rule, and per report the timeliness of publication and the notes on how it was read."""

from __future__ import annotations

from collections import Counter, defaultdict

from validator.model import STATUS_ZH, STATUSES

#: rules whose findings say how a report was read, not what is wrong in it: shown in 读取说明, apart
READING_RULES = frozenset({"M-08"})
#: rules of publication timeliness (deadline, date before the year ended)
TIMELINESS_RULES = ("M-05", "M-06")

RANKING_COLUMNS = [  # header, key, width
    ("排名", "rank", 6),
    ("机关", "agency", 32),
    ("报告数", "reports", 8),
    ("年度", "years", 18),
    ("错误数", "errors", 8),
    ("警告数", "warnings", 8),
    ("无法核对", "not_checked", 9),
    ("无法读取", "unreadable", 9),
    ("有错误的报告", "reports_with_errors", 12),
    ("最近一年状态", "latest_status_zh", 12),
    ("逾期或日期存疑", "late", 12),
    ("机关报告", "link_text", 26),
]

#: fill colour per status (Excel's good/neutral/bad palette), for 状态 cells
STATUS_COLOURS = {
    "ok": "C6EFCE",
    "warnings": "FFEB9C",
    "errors": "FFC7CE",
    "not_checked": "D9D9D9",
    "unreadable": "BFBFBF",
}
STATUS_BY_ZH = {zh: status for status, zh in STATUS_ZH.items()}


def timeliness(entry, checked: set[str] | None = None) -> str:
    """按时 / 逾期… / 日期存疑… / 发布日期未知 / 无法判断…, from M-05/M-06 when the publication date is
    known; ``checked``: the rule ids the run evaluated (None: all)."""
    if entry.error:
        return ""
    found = {f.rule: f for f in entry.result.findings if f.rule in TIMELINESS_RULES}
    if "M-05" in found:
        return f"逾期：{found['M-05'].message_zh}"
    if "M-06" in found:
        return f"日期存疑：{found['M-06'].message_zh}"
    if not (entry.result.meta or {}).get("published"):
        return "发布日期未知"
    undecided = next((n for n in entry.result.not_assessable if n.rule == "M-05"), None)
    if undecided is not None:
        return "无法判断：" + "；".join(sorted(set(undecided.reasons.values())))
    if checked is not None and "M-05" not in checked:
        return ""  # the deadline rule was not run (--select/--ignore)
    return "按时"


def reading_notes(entry) -> str:
    return "；".join(f.message_zh for f in entry.result.findings if f.rule in READING_RULES)


def agency_ranking(groups, stems: dict[str, str]) -> list[dict]:
    """One record per agency (model.Entry groups from agencies.agency_groups), worst first: errors, then
    warnings, then reports not checked, then not read; ``stems`` names each agency's report file."""
    out = []
    for name, key, entries in groups:
        counts = Counter()
        statuses = Counter(e.status for e in entries)
        late = 0
        for entry in entries:
            c = entry.result.counts()
            counts["error"] += c.get("error", 0)
            counts["warning"] += c.get("warning", 0)
            late += timeliness(entry).startswith(("逾期", "日期存疑"))
        dated = [e for e in entries if e.year]
        latest = max(dated, key=lambda e: (e.year, e.file)) if dated else entries[-1]
        years = sorted({e.year for e in dated})
        stem = stems.get(key or name, "")
        out.append(
            {
                "agency": name,
                "agency_key": key,
                "reports": len(entries),
                "years": "、".join(map(str, years)),
                "errors": counts["error"],
                "warnings": counts["warning"],
                "not_checked": statuses["not_checked"],
                "unreadable": statuses["unreadable"],
                "reports_with_errors": statuses["errors"],
                "latest_status": latest.status,
                "latest_status_zh": STATUS_ZH.get(latest.status, latest.status),
                "late": late,
                "link": f"agencies/{stem}.html" if stem else None,
                "link_text": f"{stem}.html" if stem else "",
            }
        )
    out.sort(key=lambda r: (-r["errors"], -r["warnings"], -r["not_checked"], -r["unreadable"], r["agency"]))
    for rank, record in enumerate(out, 1):
        record["rank"] = rank
    return out


def trend_by_year(entries) -> tuple[list[str], list[list]]:
    """Per report year: reports, each status, and findings by severity (year unknown last)."""
    header = ["年度", "报告数", *[STATUS_ZH[s] for s in STATUSES], "错误", "警告", "提示"]
    rows: dict[object, Counter] = defaultdict(Counter)
    for entry in entries:
        row = rows[entry.year or "未知"]
        row["reports"] += 1
        row[entry.status] += 1
        for severity, n in entry.result.counts().items():
            row[severity] += n
    ordered = sorted(rows, key=lambda y: (not isinstance(y, int), y if isinstance(y, int) else 0))
    body = [
        [
            year,
            rows[year]["reports"],
            *[rows[year][s] for s in STATUSES],
            rows[year]["error"],
            rows[year]["warning"],
            rows[year]["info"],
        ]
        for year in ordered
    ]
    return header, body


def trend_by_rule(entries, ruleset, limit: int = 20) -> tuple[list[str], list[list]]:
    """Findings per rule and report year, the rules found most first (at most ``limit``)."""
    years = sorted({e.year for e in entries if e.year})
    counts: dict[str, Counter] = defaultdict(Counter)
    for entry in entries:
        if not entry.year:
            continue
        for f in entry.result.findings:
            counts[f.rule][entry.year] += 1
    titles = {r.id: r.title for r in ruleset.rules}
    ranked = sorted(counts, key=lambda r: (-sum(counts[r].values()), r))[:limit]
    header = ["规则", "名称", *[str(y) for y in years], "合计"]
    body = [
        [rule, titles.get(rule, ""), *[counts[rule][y] for y in years], sum(counts[rule].values())]
        for rule in ranked
    ]
    return header, body
