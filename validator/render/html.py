"""A self-contained HTML page of the findings (`ogi check --format html > 核对结果.html`): one section per
report, findings coloured by severity, cells named as the form names them, doubts listed apart."""

from __future__ import annotations

from html import escape
from pathlib import Path

from validator.catalogue import load_catalogue
from validator.engine.wording import phrases
from validator.model import NOT_CHECKED_ADVICE, STATUS_EN, STATUS_ZH, STATUSES, ReportResult
from validator.render.blame_line import blame_line

_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0} th,td{border:1px solid #ccc;padding:.3em .5em;
vertical-align:top;text-align:left} th{background:#f3f3f3}
.error td.sev{background:#f8d7da} .warning td.sev{background:#fff3cd} .info td.sev{background:#d1ecf1}
.ok{color:#2e7d32} .errors{color:#c62828} .warnings{color:#b26a00} .unreadable{color:#6a1b9a}
.not_checked{color:#455a64} p.not_checked{background:#eceff1;padding:.5em}
.meta{color:#555} .na{color:#666;font-size:.9em} code{font-size:.85em}
td.sev,td.rule,td.where{white-space:nowrap}
"""


def render(results: list[ReportResult], lang: str = "zh") -> str:
    severity = phrases()["severity"]
    status_words = STATUS_ZH if lang == "zh" else STATUS_EN
    catalogue = load_catalogue()
    title = "政府信息公开工作年度报告核对结果" if lang == "zh" else "Annual report check results"
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>',
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>",
    ]
    tally = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result.status] = tally.get(result.status, 0) + 1
    parts.append(
        '<p class="meta">'
        + "，".join(f'<span class="{k}">{status_words[k]} {v}</span>' for k, v in tally.items())
        + "</p>"
    )
    for result in results:
        meta = result.meta
        name = escape(Path(str(meta.get("source") or "")).name)
        status = result.status
        parts.append(f'<h2>{name} <span class="{status}">{status_words[status]}</span></h2>')
        if result.error:
            parts.append(f"<p>{escape(result.error)}</p>")
            continue
        template = catalogue.templates.get(meta.get("template") or "")
        parts.append(
            f'<p class="meta">{escape(str(meta.get("agency") or ""))} · {meta.get("year") or ""}'
            f" · {escape(template.notice if template else '')}</p>"
        )
        if result.not_checked:
            todo = "处理建议" if lang == "zh" else "What to do"
            parts.append(
                f'<p class="not_checked">{status_words["not_checked"]}：{escape(result.not_checked)}<br>'
                f"{todo}：{escape(NOT_CHECKED_ADVICE[lang])}</p>"
            )
        if result.findings:
            head = (
                ("级别", "规则", "说明", "单元格", "位置")
                if lang == "zh"
                else ("severity", "rule", "message", "cells", "where")
            )
            parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
            for f in result.findings:
                message = f.message_zh if lang == "zh" else f.message_en
                cells = "<br>".join(f"<code>{escape(c)}</code>" for c in f.cells[:8])
                where = "<br>".join(escape(v) for v in list(f.provenance.values())[:3])
                parts.append(
                    f'<tr class="{f.severity}"><td class="sev">{severity[f.severity][lang]}</td>'
                    f'<td class="rule">{f.rule}</td><td>{escape(message)}</td><td>{cells}</td>'
                    f'<td class="where">{where}</td></tr>'
                )
            parts.append("</table>")
        if result.blame:  # one line per root cause (engine/blame)
            items = "".join(
                f'<li class="{b.confidence}">{escape(blame_line(b, load_catalogue(), result.meta.get("template"), lang))}</li>'
                for b in result.blame
            )
            parts.append(f'<ul class="blame">{items}</ul>')
        if result.not_assessable:
            label = "无法判断" if lang == "zh" else "not assessable"
            items = "".join(
                f"<li>{n.rule}：{escape('、'.join(sorted(set(n.reasons.values()))))}</li>"
                for n in result.not_assessable
            )
            parts.append(f'<div class="na">{label}<ul>{items}</ul></div>')
    parts.append("</body></html>")
    return "\n".join(parts)
