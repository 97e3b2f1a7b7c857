"""Terminal report, one block per file: Chinese by default, English with --lang en. Cells are named by
the form's labels and places by what the file has (internal ids only with --verbose); the checks that
could not be made are grouped by reason with what to do, reading notes apart, and a next-steps line."""

from __future__ import annotations

from pathlib import Path

from validator.catalogue import load_catalogue
from validator.engine.wording import phrases
from validator.model import NOT_CHECKED_ADVICE, STATUS_EN, STATUS_ZH, STATUSES, ReportResult
from validator.render.blame_line import blame_line
from validator.render.labels import blamed_cells, cell_label
from validator.render.notes import blocked, next_steps, split_findings

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
        "notes": "读取说明",
        "remedy": "处理办法",
        "next": "下一步",
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
        "notes": "reading notes",
        "remedy": "what to do",
        "next": "next steps",
    },
}


def render(
    results: list[ReportResult], lang: str = "zh", show_not_assessable: bool = True, verbose: bool = False
) -> str:
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
        findings, notes = split_findings(result)
        if not result.not_checked and not findings:
            lines.append(f"  {words['none']}")
        template_id = meta.get("template")
        for finding in findings:
            lines.extend(_finding_lines(finding, template_id, lang, words, severity, verbose))
        for cause in result.blame:  # one line per root cause (engine/blame)
            lines.append("  → " + blame_line(cause, catalogue, template_id, lang))
        if notes:
            lines.append(f"  {words['notes']}：")
            for finding in notes:
                lines.extend(
                    "  " + x for x in _finding_lines(finding, template_id, lang, words, severity, verbose)
                )
        if show_not_assessable and result.not_assessable:
            lines.extend(_not_assessable_lines(result, template_id, lang, words, verbose))
        lines.append(f"  {words['next']}：" + ("；" if lang == "zh" else "; ").join(next_steps(result, lang)))
        lines.append("")
    tally = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result.status] += 1
    lines.append(words["summary"].format(n=len(results), **tally))
    return "\n".join(lines)


def _finding_lines(finding, template_id, lang, words, severity, verbose) -> list[str]:
    message = finding.message_zh if lang == "zh" else finding.message_en
    out = [f"  {severity[finding.severity][lang]} {finding.rule} {message}"]
    first = blamed_cells(finding)
    order = first + [c for c in finding.provenance if c not in first]
    places = []
    for cell in [c for c in order if finding.provenance.get(c)][:3]:
        name = cell if lang == "en" else cell_label(cell, template_id, short=True)
        if verbose and lang == "zh":
            name += f" [{cell}]"
        places.append(f"{name} {finding.provenance[cell]}")
    if places:
        out.append(f"      {words['where']}：" + "；".join(places))
    return out


def _not_assessable_lines(result, template_id, lang: str, words, verbose: bool) -> list[str]:
    """One line per reason (not one per rule), the cells behind it by their labels, and what to do."""
    lines = []
    for group in blocked(result, lang):
        lines.append(f"  {words['na']} {group.line(template_id, lang)}")
        if verbose and group.cells:
            lines.append("      " + ", ".join(group.cells))
        if group.remedy:
            lines.append(f"      {words['remedy']}：{group.remedy}")
    return lines
