"""A self-contained HTML page of the findings (`ogi check --format html > 核对结果.html`): a header with the
date, tool and rules versions; one section per report with its findings (cells by the form's labels,
places by what the file has), the likely wrong cells, reading notes apart, the checks that could not be
made grouped by reason with what to do, and a next-steps line; a print stylesheet for A4."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from html import escape
from pathlib import Path

from validator import __version__
from validator.catalogue import RULES_DIR, load_catalogue
from validator.engine.wording import phrases
from validator.model import NOT_CHECKED_ADVICE, STATUS_EN, STATUS_ZH, STATUSES, ReportResult
from validator.render.blame_line import blame_line
from validator.render.labels import blamed_cells, cell_label
from validator.render.notes import blocked, next_steps, split_findings

_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.5em 0} th,td{border:1px solid #ccc;padding:.3em .5em;
vertical-align:top;text-align:left} th{background:#f3f3f3}
.error td.sev{background:#f8d7da} .warning td.sev{background:#fff3cd} .info td.sev{background:#d1ecf1}
.ok{color:#2e7d32} .errors{color:#c62828} .warnings{color:#b26a00} .unreadable{color:#6a1b9a}
.not_checked{color:#455a64} p.not_checked{background:#eceff1;padding:.5em}
.meta{color:#555} .na{color:#444;font-size:.9em} .remedy{color:#1b5e20} .notes{color:#555;font-size:.9em}
p.next{background:#e8f5e9;padding:.4em .6em;border-left:4px solid #2e7d32}
td.sev,td.rule{white-space:nowrap} td.cells{font-size:.9em}
@page{size:A4;margin:15mm 12mm}
@media print{
 body{margin:0;font-size:10pt} h2{break-after:avoid;page-break-after:avoid}
 section.report{break-before:page;page-break-before:always} section.report:first-of-type{break-before:auto}
 tr,li,p{break-inside:avoid;page-break-inside:avoid} th{background:#eee !important}
 td,th{word-break:break-all} a{color:inherit;text-decoration:none}
}
"""

_WORDS = {
    "zh": {
        "title": "政府信息公开工作年度报告核对结果",
        "generated": "生成时间",
        "tool": "工具版本",
        "rules": "规则版本",
        "head": ("级别", "规则", "说明", "单元格与位置"),
        "blame": "最可能出错的单元格",
        "notes": "读取说明",
        "na": "无法判断",
        "remedy": "处理办法",
        "next": "下一步",
        "todo": "处理建议",
    },
    "en": {
        "title": "Annual report check results",
        "generated": "generated",
        "tool": "tool version",
        "rules": "rules version",
        "head": ("severity", "rule", "message", "cells and places"),
        "blame": "most likely wrong",
        "notes": "reading notes",
        "na": "not assessable",
        "remedy": "what to do",
        "next": "next steps",
        "todo": "What to do",
    },
}


@cache
def rules_version() -> str:
    """A short hash of every rule, form and phrase file (rules/**/*.yaml): which rules made this report."""
    digest = hashlib.sha256()
    for path in sorted(RULES_DIR.rglob("*.yaml")):
        digest.update(path.relative_to(RULES_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def render(results: list[ReportResult], lang: str = "zh", now: datetime | None = None) -> str:
    words = _WORDS[lang]
    status_words = STATUS_ZH if lang == "zh" else STATUS_EN
    stamp = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{words["title"]}</title>',
        f'<meta name="generator" content="ogi-validator {__version__}"><style>{_STYLE}</style></head><body>',
        f"<header><h1>{words['title']}</h1>",
        (
            f'<p class="meta">{words["generated"]}：{stamp} · {words["tool"]}：ogi-validator {__version__}'
            f" · {words['rules']}：{rules_version()}</p>"
        ),
    ]
    tally = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result.status] = tally.get(result.status, 0) + 1
    parts.append(
        '<p class="meta">'
        + "，".join(f'<span class="{k}">{status_words[k]} {v}</span>' for k, v in tally.items())
        + "</p></header>"
    )
    for result in results:
        parts.append(_report(result, lang, words, status_words))
    parts.append("</body></html>")
    return "\n".join(parts)


def _report(result: ReportResult, lang: str, words: dict, status_words: dict) -> str:
    meta = result.meta
    name = escape(Path(str(meta.get("source") or "")).name)
    status = result.status
    out = [f'<section class="report"><h2>{name} <span class="{status}">{status_words[status]}</span></h2>']
    nexts = f'<p class="next">{words["next"]}：{escape("；".join(next_steps(result, lang)))}</p>'
    if result.error:
        out += [f"<p>{escape(result.error)}</p>", nexts, "</section>"]
        return "\n".join(out)
    catalogue = load_catalogue()
    template_id = meta.get("template")
    template = catalogue.templates.get(template_id or "")
    out.append(
        f'<p class="meta">{escape(str(meta.get("agency") or ""))} · {meta.get("year") or ""}'
        f" · {escape(template.notice if template else '')}</p>"
    )
    if result.not_checked:
        out.append(
            f'<p class="not_checked">{status_words["not_checked"]}：{escape(result.not_checked)}<br>'
            f"{words['todo']}：{escape(NOT_CHECKED_ADVICE[lang])}</p>"
        )
    findings, notes = split_findings(result)
    if findings:
        out.append(_table(findings, template_id, lang, words))
    if result.blame:  # one line per root cause (engine/blame)
        items = "".join(
            f'<li class="{b.confidence}">{escape(blame_line(b, catalogue, template_id, lang))}</li>'
            for b in result.blame
        )
        out.append(f'<h3>{words["blame"]}</h3><ul class="blame">{items}</ul>')
    if notes:
        out.append(
            f'<div class="notes"><h3>{words["notes"]}</h3>{_table(notes, template_id, lang, words)}</div>'
        )
    groups = blocked(result, lang)
    if groups:
        items = "".join(
            f"<li>{escape(g.line(template_id, lang))}"
            + (f'<br><span class="remedy">{words["remedy"]}：{escape(g.remedy)}</span>' if g.remedy else "")
            + "</li>"
            for g in groups
        )
        out.append(f'<div class="na"><h3>{words["na"]}</h3><ul>{items}</ul></div>')
    out += [nexts, "</section>"]
    return "\n".join(out)


def _table(findings, template_id: str | None, lang: str, words: dict) -> str:
    severity = phrases()["severity"]
    rows = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in words["head"]) + "</tr>"]
    for f in findings:
        message = f.message_zh if lang == "zh" else f.message_en
        first = blamed_cells(f)
        cells = first + [c for c in f.cells if c not in first]
        shown = []
        for cell in cells[:6]:
            name = cell if lang == "en" else cell_label(cell, template_id, short=True)
            where = f.provenance.get(cell, "")
            shown.append(escape(name) + (f" <small>{escape(where)}</small>" if where else ""))
        if len(cells) > 6:
            shown.append(f"… {len(cells)}" + ("格" if lang == "zh" else " cells"))
        rows.append(
            f'<tr class="{f.severity}"><td class="sev">{severity[f.severity][lang]}</td>'
            f'<td class="rule">{f.rule}</td><td>{escape(message)}</td><td class="cells">{"<br>".join(shown)}</td></tr>'
        )
    rows.append("</table>")
    return "".join(rows)
