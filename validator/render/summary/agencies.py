"""agencies/<name>.md and .json: every year of one agency together, findings grouped by table."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from validator.catalogue import load_catalogue
from validator.engine.wording import json_default, phrases
from validator.model import NOT_CHECKED_ADVICE
from validator.render.safe import json_dumps, markdown, shown
from validator.render.summary.records import GROUP_NAMES, _duplicate_text, _status_zh, cross_year_rules


def _table_names() -> dict[str, str]:
    """表二 主动公开政府信息情况 …, as the catalogue names the tables (the same in both forms)."""
    template = next(iter(load_catalogue().templates.values()))
    return {t.id: f"{t.name} {t.caption}" for t in template.tables}


def _group_of(finding) -> str:
    for cell in finding.cells:
        table = cell.removeprefix("prev.").split(".", 1)[0]
        names = _table_names()
        if table in names:
            return names[table]
    return GROUP_NAMES.get(finding.rule.split("-", 1)[0], "其他")


def _file_name(name: str, taken: set[str]) -> str:
    base = re.sub(r'[\x00-\x1f<>:"/\\|?*!]', "_", shown(name)).strip(" .")[:80] or "未识别机关"
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate.lower())
    return candidate


def agency_groups(run):
    """(display name, key, entries sorted by year then file) per agency; unidentified files last.

    A generator: one pass notes each agency's names and positions, then each agency's entries are taken
    by position (run.entries may be on disk), so only one agency's entries are held at a time."""
    groups: dict[str, list] = defaultdict(list)
    names: dict[str, Counter] = defaultdict(Counter)
    for k, entry in enumerate(run.entries):
        key = entry.agency_key or ""
        groups[key].append((entry.year or 0, entry.file, k))
        if entry.agency_name or entry.agency:
            names[key][entry.agency_name or entry.agency] += 1
    order = []
    for key in groups:
        common = names[key].most_common(1)
        order.append((common[0][0] if key and common else "未识别机关", key))
    order.sort(key=lambda g: (g[1] == "", g[0]))
    for name, key in order:
        yield name, key, [run.entries[k] for _, _, k in sorted(groups.pop(key))]


def agency_json(name: str, key: str, entries, crossing: set[str]) -> dict:
    years = sorted({e.year for e in entries if e.year})
    missing = [y for y in range(years[0], years[-1] + 1) if y not in years] if years else []
    reports = []
    for entry in entries:
        grouped: dict[str, list] = defaultdict(list)
        for f in entry.result.findings:
            grouped[_group_of(f)].append(f.as_dict())
        reports.append(
            {
                "file": entry.file,
                "year": entry.year,
                "template": entry.template,
                "format": entry.format,
                "status": entry.status,
                "counts": entry.result.counts(),
                "error": entry.error,
                "not_checked": entry.result.not_checked if not entry.error else None,
                "agency_as_written": entry.agency,
                "previous_file": entry.previous_file,
                "duplicates": entry.duplicates,
                "used_as_previous": entry.used_as_previous if entry.duplicates else None,
                "findings": dict(grouped),
                "not_assessable": [n.as_dict() for n in entry.result.not_assessable],
                "cross_year_not_assessable": [
                    n.as_dict() for n in entry.result.not_assessable if n.rule in crossing
                ],
            }
        )
    return {"agency": name, "agency_key": key, "years": years, "missing_years": missing, "reports": reports}


def agency_markdown(name: str, entries, crossing: set[str]) -> str:
    severity = phrases()["severity"]
    lines = [f"# {_md(name)} — 政府信息公开工作年度报告核对结果", ""]
    years = sorted({e.year for e in entries if e.year})
    if years:
        missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
        lines.append(
            f"年度：{years[0]}–{years[-1]}，共 {len(entries)} 份报告"
            + (f"；缺少 {'、'.join(map(str, missing))} 年度" if missing else "")
        )
        lines.append("")
    lines += [
        "| 年度 | 格式 | 文件 | 结果 | 错误 | 警告 | 提示 | 上年报告 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        c = e.result.counts()
        lines.append(
            f"| {e.year or '未知'} | {e.template or ''} | {_md(e.file)} | {_status_zh(e.status)} | "
            f"{c['error']} | {c['warning']} | {c['info']} | {_md(e.previous_file or '—')} |"
        )
    for e in entries:
        lines += ["", f"## {e.year or '年度未知'}年度 · {_md(e.file)}", ""]
        if e.duplicates:
            lines += [f"> 重复：{_md(_duplicate_text(e))}", ""]
        if e.error:
            lines += [f"无法读取：{_md(e.error)}", ""]
            continue
        if e.result.not_checked:
            lines += [f"无法核对：{_md(e.result.not_checked)}（{_md(NOT_CHECKED_ADVICE['zh'])}）", ""]
        grouped: dict[str, list] = defaultdict(list)
        for f in e.result.findings:
            grouped[_group_of(f)].append(f)
        if not grouped and not e.result.not_checked:
            lines.append("未发现问题。")
        for group, findings in grouped.items():
            lines += [f"### {group}", ""]
            for f in findings:
                where = "；".join(f"{w}" for w in list(f.provenance.values())[:3])
                lines.append(
                    f"- {severity[f.severity]['zh']} {f.rule}：{_md(f.message_zh)}"
                    + (f"（位置：{_md(where)}）" if where else "")
                )
            lines.append("")
        undecided = [n for n in e.result.not_assessable if n.rule in crossing]
        if undecided:
            lines += ["### 跨年核对无法判断", ""]
            for n in undecided:
                lines.append(f"- {n.rule}：{_md('；'.join(sorted(set(n.reasons.values()))))}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    return markdown(text)


def write_agencies(folder: Path, run) -> list[dict]:
    """agencies/<name>.md, .html and .json, one agency's entries loaded at a time; returns the 机关排名
    records (worst first) gathered on the same pass, each linked to its page."""
    from validator.render.summary.agency_html import agency_html
    from validator.render.summary.ranking import rank, ranking_record

    folder.mkdir(parents=True, exist_ok=True)
    crossing = cross_year_rules(run.ruleset)
    taken: set[str] = set()
    ranking = []
    for name, key, entries in agency_groups(run):
        stem = _file_name(name, taken)
        (folder / f"{stem}.md").write_text(agency_markdown(name, entries, crossing), encoding="utf-8")
        (folder / f"{stem}.html").write_text(
            agency_html(name, entries, crossing, _group_of), encoding="utf-8"
        )
        payload = agency_json(name, key, entries, crossing)
        (folder / f"{stem}.json").write_text(
            json_dumps(payload, indent=2, default=json_default), encoding="utf-8"
        )
        ranking.append(ranking_record(name, key, entries, stem))
    return rank(ranking)
