"""agencies/<name>.html: the agency's page of the batch — every year, its status in colour, the
findings grouped by table, what the cross-year checks could not decide; opens from summary.xlsx's
机关排名 sheet, prints on A4."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from validator.engine.wording import phrases
from validator.model import NOT_CHECKED_ADVICE
from validator.render.safe import shown
from validator.render.summary.ranking import STATUS_COLOURS, reading_notes, timeliness
from validator.render.summary.records import _duplicate_text, _status_zh

STYLE = """body{font-family:"Microsoft YaHei","PingFang SC",sans-serif;margin:1.5em;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #bbb;padding:3px 6px;font-size:13px}
th{background:#ddebf7}.error{color:#9c0006}.warning{color:#7f6000}.info{color:#555}
@page{size:A4 landscape;margin:12mm}"""


def _h(text) -> str:
    return escape(shown(str(text if text is not None else "")))


def agency_html(name: str, entries, crossing: set[str], group_of) -> str:
    """``group_of(finding)``: the heading a finding is listed under (its table, else its rule group)."""
    severity = phrases()["severity"]
    rows = []
    for e in entries:
        c = e.result.counts()
        colour = STATUS_COLOURS.get(e.status, "FFFFFF")
        rows.append(
            f"<tr><td>{_h(e.year or '未知')}</td><td>{_h(e.template or '')}</td><td>{_h(e.file)}</td>"
            f'<td style="background:#{colour}">{_h(_status_zh(e.status))}</td><td>{c["error"]}</td>'
            f"<td>{c['warning']}</td><td>{c['info']}</td><td>{_h(timeliness(e))}</td>"
            f"<td>{_h(e.previous_file or '—')}</td></tr>"
        )
    head = f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_h(name)}</title>'
    columns = "".join(
        f"<th>{c}</th>"
        for c in ("年度", "格式", "文件", "结果", "错误", "警告", "提示", "及时性", "上年报告")
    )
    parts = [
        f"{head}<style>{STYLE}</style></head><body><h1>{_h(name)} — 政府信息公开工作年度报告核对结果</h1>",
        f"<table><tr>{columns}</tr>{''.join(rows)}</table>",
    ]
    for e in entries:
        parts.append(f"<h2>{_h(e.year or '年度未知')}年度 · {_h(e.file)}</h2>")
        if e.duplicates:
            parts.append(f"<p>重复：{_h(_duplicate_text(e))}</p>")
        if e.error:
            parts.append(f"<p class=error>无法读取：{_h(e.error)}</p>")
            continue
        if e.result.not_checked:
            parts.append(
                f"<p class=error>无法核对：{_h(e.result.not_checked)}（{_h(NOT_CHECKED_ADVICE['zh'])}）</p>"
            )
        notes = reading_notes(e)
        if notes:
            parts.append(f"<p class=info>读取说明：{_h(notes)}</p>")
        grouped: dict[str, list] = defaultdict(list)
        for f in e.result.findings:
            grouped[group_of(f)].append(f)
        if not grouped and not e.result.not_checked:
            parts.append("<p>未发现问题。</p>")
        for group, findings in grouped.items():
            items = []
            for f in findings:
                where = "；".join(list(f.provenance.values())[:3])
                items.append(
                    f"<li class={f.severity}>{_h(severity[f.severity]['zh'])} {_h(f.rule)}：{_h(f.message_zh)}"
                    + (f"（位置：{_h(where)}）" if where else "")
                    + "</li>"
                )
            parts.append(f"<h3>{_h(group)}</h3><ul>{''.join(items)}</ul>")
        undecided = [n for n in e.result.not_assessable if n.rule in crossing]
        if undecided:
            items = "".join(
                f"<li>{_h(n.rule)}：{_h('；'.join(sorted(set(n.reasons.values()))))}</li>" for n in undecided
            )
            parts.append(f"<h3>跨年核对无法判断</h3><ul>{items}</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
