"""Terminal report, one block per file: Chinese by default, English with --lang en."""

from __future__ import annotations

from pathlib import Path

from validator.catalogue import load_catalogue
from validator.engine.wording import phrases
from validator.model import NOT_CHECKED_ADVICE, STATUS_EN, STATUS_ZH, STATUSES, ReportResult
from validator.render.blame_line import blame_line

_LABELS = {
    "zh": {
        "agency": "机关",
        "year": "年度",
        "template": "格式",
        "status": "结果",
        "where": "位置",
        "na": "无法判断",
        "summary": (
            "共 {n} 份报告：通过 {ok}，有错误 {errors}，有警告 {warnings}，无法核对 {not_checked}，"
            "无法读取 {unreadable}"
        ),
        "not_checked": "无法核对",
        "todo": "处理建议",
        "counts": "错误 {error}，警告 {warning}，提示 {info}",
        "unknown": "未知",
        "none": "未发现问题",
    },
    "en": {
        "agency": "agency",
        "year": "year",
        "template": "template",
        "status": "status",
        "where": "at",
        "na": "not assessable",
        "summary": (
            "{n} reports: ok {ok}, errors {errors}, warnings {warnings}, not checked {not_checked}, "
            "unreadable {unreadable}"
        ),
        "not_checked": "not checked",
        "todo": "what to do",
        "counts": "errors {error}, warnings {warning}, info {info}",
        "unknown": "unknown",
        "none": "no problems found",
    },
}


def render(results: list[ReportResult], lang: str = "zh", show_not_assessable: bool = True) -> str:
    words = _LABELS[lang]
    severity = phrases()["severity"]
    status_words = STATUS_ZH if lang == "zh" else STATUS_EN
    catalogue = load_catalogue()
    lines: list[str] = []
    for result in results:
        meta = result.meta
        name = Path(meta.get("source") or "").name
        lines.append(f"== {name} ==")
        if result.error:
            lines.append(f"  {status_words['unreadable']}: {result.error}")
            lines.append("")
            continue
        template = catalogue.templates.get(meta.get("template") or "")
        template_text = f"{template.id}（{template.notice}）" if template else words["unknown"]
        counts = result.counts()
        lines.append(
            f"  {words['agency']}：{meta.get('agency') or words['unknown']}  {words['year']}：{meta.get('year') or words['unknown']}"
            f"  {words['template']}：{template_text}  {words['status']}：{status_words[result.status]}"
            f"（{words['counts'].format(**counts)}）"
        )
        if result.not_checked:
            lines.append(f"  {words['not_checked']}：{result.not_checked}")
            lines.append(f"  {words['todo']}：{NOT_CHECKED_ADVICE[lang]}")
        elif not result.findings:
            lines.append(f"  {words['none']}")
        for finding in result.findings:
            message = finding.message_zh if lang == "zh" else finding.message_en
            lines.append(f"  {severity[finding.severity][lang]} {finding.rule} {message}")
            places = [f"{cell} {where}" for cell, where in finding.provenance.items()][:3]
            if places:
                lines.append(f"      {words['where']}：" + "；".join(places))
        for cause in result.blame:  # one line per root cause (engine/blame)
            lines.append("  → " + blame_line(cause, catalogue, meta.get("template"), lang))
        if show_not_assessable and result.not_assessable:
            lines.extend(_not_assessable_lines(result.not_assessable, lang, words["na"]))
        lines.append("")
    tally = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result.status] += 1
    lines.append(words["summary"].format(n=len(results), **tally))
    return "\n".join(lines)


def _not_assessable_lines(entries, lang: str, heading: str) -> list[str]:
    """One line per distinct doubt: the rules it blocks and the cells behind it, not one per rule."""
    reasons = phrases()["reasons"]
    english = {v["zh"]: v["en"] for v in reasons.values()}
    grouped: dict[tuple, list[str]] = {}
    for entry in entries:
        why = tuple(sorted(set(entry.reasons.values())))
        own = tuple(c for c in entry.cells if "." in c and not c.startswith("prev."))  # form cells only
        grouped.setdefault((why, own), []).append(entry.rule)
    lines = []
    for (why, cells), rules in grouped.items():
        why_text = "；".join(english.get(w, w) for w in why) if lang == "en" else "；".join(why)
        if lang == "en":
            shown = ", ".join(cells[:4]) + (f" and {len(cells) - 4} more" if len(cells) > 4 else "")
            lines.append(f"  {heading} {', '.join(rules)}{': ' + shown if shown else ''} ({why_text})")
            continue
        shown = "、".join(cells[:4]) + (f" 等{len(cells)}格" if len(cells) > 4 else "")
        where = f"：{shown}" if shown else ""
        lines.append(f"  {heading} {'、'.join(rules)}{where}（{why_text}）")
    return lines
