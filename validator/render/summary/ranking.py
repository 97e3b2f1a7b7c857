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


def ranking_record(name: str, key: str, entries, stem: str) -> dict:
    """One agency's 机关排名 record (its entries: one group of agencies.agency_groups); ``stem`` names its
    report page."""
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
    return {
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


def rank(records: list[dict]) -> list[dict]:
    """The agencies' records worst first: errors, then warnings, then reports not checked, then not read."""
    records.sort(
        key=lambda r: (-r["errors"], -r["warnings"], -r["not_checked"], -r["unreadable"], r["agency"])
    )
    for n, record in enumerate(records, 1):
        record["rank"] = n
    return records


def trends(entries, ruleset, limit: int = 20) -> tuple[tuple[list[str], list[list]], ...]:
    """年度趋势 in one pass over the entries (they may be on disk): per report year, reports, each status
    and findings by severity (year unknown last); and findings per rule and year, the rules found most
    first (at most ``limit``)."""
    by_year: dict[object, Counter] = defaultdict(Counter)
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for entry in entries:
        row = by_year[entry.year or "未知"]
        row["reports"] += 1
        row[entry.status] += 1
        for severity, n in entry.result.counts().items():
            row[severity] += n
        if entry.year:
            for f in entry.result.findings:
                by_rule[f.rule][entry.year] += 1
    ordered = sorted(by_year, key=lambda y: (not isinstance(y, int), y if isinstance(y, int) else 0))
    year_header = ["年度", "报告数", *[STATUS_ZH[s] for s in STATUSES], "错误", "警告", "提示"]
    year_rows = [
        [
            year,
            by_year[year]["reports"],
            *[by_year[year][s] for s in STATUSES],
            by_year[year]["error"],
            by_year[year]["warning"],
            by_year[year]["info"],
        ]
        for year in ordered
    ]
    years = [y for y in ordered if isinstance(y, int)]
    titles = {r.id: r.title for r in ruleset.rules}
    ranked = sorted(by_rule, key=lambda r: (-sum(by_rule[r].values()), r))[:limit]
    rule_header = ["规则", "名称", *[str(y) for y in years], "合计"]
    rule_rows = [
        [rule, titles.get(rule, ""), *[by_rule[rule][y] for y in years], sum(by_rule[rule].values())]
        for rule in ranked
    ]
    return (year_header, year_rows), (rule_header, rule_rows)
