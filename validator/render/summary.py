"""Outputs of `ogi batch`: summary.xlsx, reports.csv, findings.csv, findings.jsonl, agencies/*.md|json.

Renderers of a BatchRun (validator.batch): flat records first, then each format writes the same records.
Sheets and CSVs carry Chinese headers (CSV in UTF-8 with BOM for Excel); findings.jsonl and the agency
JSON files carry English keys for machines.
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from validator import __version__
from validator.catalogue import load_catalogue
from validator.engine.wording import json_default, num, phrases, severity_zh

XLSX_MAX_ROWS = 1_048_575  # data rows under the header
XLSX_MAX_CHARS = 32_000
FIRST_FINDINGS = 3
GROUP_NAMES = {"M": "结构与格式", "X": "跨年核对", "N": "正文与表格"}

REPORT_COLUMNS = [  # header, key, width
    ("序号", "n", 7),
    ("机关", "agency", 30),
    ("年度", "year", 7),
    ("格式", "template", 9),
    ("文件", "file", 46),
    ("文件类型", "format", 9),
    ("状态", "status_zh", 10),
    ("状态代码", "status", 11),
    ("错误数", "errors", 8),
    ("警告数", "warnings", 8),
    ("提示数", "infos", 8),
    ("无法判断项", "not_assessable", 10),
    ("重复", "duplicate", 36),
    ("上年报告", "previous_file", 40),
    ("主要问题", "first_findings", 80),
    ("无法读取原因", "error", 50),
    ("机关名称（报告所写）", "agency_written", 30),
    ("机关来源", "agency_from", 10),
    ("年度来源", "year_from", 10),
    ("内容哈希", "digest", 18),
]
FINDING_COLUMNS = [
    ("机关", "agency", 30),
    ("年度", "year", 7),
    ("规则", "rule", 8),
    ("规则名称", "rule_title", 36),
    ("级别", "severity_zh", 7),
    ("结果类型", "kind", 14),
    ("单元格", "cells", 40),
    ("数值", "values", 36),
    ("差额", "difference", 8),
    ("建议值", "suggestion", 24),
    ("说明", "message", 90),
    ("文件", "file", 46),
    ("位置", "provenance", 50),
    ("上年报告", "previous_file", 40),
]
RULE_COLUMNS = [
    ("规则", "rule", 8),
    ("名称", "name", 30),
    ("标题", "title", 50),
    ("级别", "severity_zh", 7),
    ("适用格式", "templates", 16),
    ("适用报告数", "applicable", 10),
    ("问题数", "findings", 9),
    ("涉及报告数", "reports", 10),
    ("无法判断报告数", "not_assessable", 13),
    ("规则文件", "file", 16),
]
CROSS_COLUMNS = [
    ("机关", "agency", 30),
    ("年度", "year", 7),
    ("上年度", "prev_year", 7),
    ("规则", "rule", 8),
    ("级别", "severity_zh", 7),
    ("结果", "outcome", 10),
    ("单元格", "cells", 40),
    ("本年数值", "values", 30),
    ("上年数值", "prev_values", 30),
    ("说明", "message", 90),
    ("本年文件", "file", 46),
    ("上年报告（所用文件）", "previous_file", 46),
    ("重复", "duplicate", 30),
]


# ---------------------------------------------------------------------------------------------- records


def _status_zh(status: str) -> str:
    return phrases()["status"].get(status, {}).get("zh", status)


def cross_year_rules(ruleset) -> set[str]:
    return {r.id for r in ruleset.rules if r.cross_year or r.check == "similarity"}


def _values_text(values: dict, keep=lambda c: True) -> str:
    parts = []
    for cell, value in values.items():
        if keep(cell):
            shown = "、".join(num(v) for v in value) if isinstance(value, list) else num(value)
            parts.append(f"{cell}={shown}")
    return "; ".join(parts)


def _duplicate_text(entry) -> str:
    if not entry.duplicates:
        return ""
    role = "跨年核对使用本文件" if entry.used_as_previous else "跨年核对未使用本文件"
    return f"同一机关同一年度共 {len(entry.duplicates) + 1} 份（{role}）；另见：" + "、".join(
        entry.duplicates
    )


def report_records(run) -> list[dict]:
    out = []
    for n, entry in enumerate(run.entries, 1):
        result = entry.result
        counts = result.counts()
        ordered = sorted(
            result.findings,
            key=lambda f: (
                ("error", "warning", "info").index(f.severity)
                if f.severity in ("error", "warning", "info")
                else 3
            ),
        )
        first = "；".join(f"{f.rule} {f.message_zh}" for f in ordered[:FIRST_FINDINGS])
        if len(result.findings) > FIRST_FINDINGS:
            first += f"；…共 {len(result.findings)} 项"
        out.append(
            {
                "n": n,
                "agency": entry.agency_name or entry.agency,
                "year": entry.year,
                "template": entry.template,
                "file": entry.file,
                "format": entry.format,
                "status_zh": _status_zh(entry.status),
                "status": entry.status,
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "infos": counts.get("info", 0),
                "not_assessable": len(result.not_assessable),
                "duplicate": _duplicate_text(entry),
                "previous_file": entry.previous_file,
                "first_findings": first,
                "error": entry.error,
                "agency_written": entry.agency,
                "agency_from": {"document": "报告", "file_name": "文件名"}.get(entry.agency_from or "", ""),
                "year_from": {"document": "报告", "file_name": "文件名"}.get(entry.year_from or "", ""),
                "digest": (entry.digest or "")[:16],
            }
        )
    return out


def finding_records(run) -> list[dict]:
    rules = {r.id: r for r in run.ruleset.rules}
    crossing = cross_year_rules(run.ruleset)
    out = []
    for entry in run.entries:
        for f in entry.result.findings:
            rule = rules.get(f.rule)
            out.append(
                {
                    "agency": entry.agency_name or entry.agency,
                    "agency_key": entry.agency_key,
                    "year": entry.year,
                    "template": entry.template,
                    "rule": f.rule,
                    "rule_title": rule.title if rule else "",
                    "severity": f.severity,
                    "severity_zh": severity_zh(f.severity),
                    "kind": f.kind or "",
                    "cells": ", ".join(f.cells),
                    "cell_list": list(f.cells),
                    "values": _values_text(f.values),
                    "value_map": f.values,
                    "difference": f.difference,
                    "suggestion": _values_text(f.suggestion) if f.suggestion else "",
                    "suggestion_map": f.suggestion,
                    "message": f.message_zh,
                    "message_en": f.message_en,
                    "file": entry.file,
                    "provenance": "; ".join(f"{c}: {w}" for c, w in f.provenance.items()),
                    "provenance_map": f.provenance,
                    "previous_file": entry.previous_file if f.rule in crossing else None,
                    "cross_year": f.rule in crossing,
                }
            )
    return out


def rule_records(run) -> list[dict]:
    findings: Counter = Counter()
    reports: dict[str, set] = defaultdict(set)
    undecided: dict[str, set] = defaultdict(set)
    templates = Counter(e.template for e in run.entries if e.error is None)
    for k, entry in enumerate(run.entries):
        for f in entry.result.findings:
            findings[f.rule] += 1
            reports[f.rule].add(k)
        for n in entry.result.not_assessable:
            undecided[n.rule].add(k)
    out = []
    for rule in run.ruleset.rules:
        out.append(
            {
                "rule": rule.id,
                "name": rule.name,
                "title": rule.title,
                "severity_zh": severity_zh(rule.severity),
                "templates": ", ".join(rule.templates),
                "applicable": sum(templates[t] for t in rule.templates),
                "findings": findings[rule.id],
                "reports": len(reports[rule.id]),
                "not_assessable": len(undecided[rule.id]),
                "file": rule.file,
            }
        )
    return out


def crossyear_records(run) -> list[dict]:
    crossing = cross_year_rules(run.ruleset)
    by_file = {e.file: e for e in run.entries}
    out = []
    for entry in run.entries:
        prev_year = by_file[entry.previous_file].year if entry.previous_file in by_file else None
        base = {
            "agency": entry.agency_name or entry.agency,
            "year": entry.year,
            "prev_year": prev_year,
            "file": entry.file,
            "previous_file": entry.previous_file,
            "duplicate": _duplicate_text(entry),
        }
        for f in entry.result.findings:
            if f.rule not in crossing:
                continue
            out.append(
                {
                    **base,
                    "rule": f.rule,
                    "severity_zh": severity_zh(f.severity),
                    "outcome": "不符",
                    "cells": ", ".join(f.cells),
                    "values": _values_text(f.values, lambda c: not c.startswith("prev.")),
                    "prev_values": _values_text(f.values, lambda c: c.startswith("prev.")),
                    "message": f.message_zh,
                }
            )
        for n in entry.result.not_assessable:
            if n.rule not in crossing:
                continue
            reasons = sorted(set(n.reasons.values()))
            out.append(
                {
                    **base,
                    "rule": n.rule,
                    "severity_zh": "",
                    "outcome": "无法判断",
                    "cells": ", ".join(n.cells[:8]) + (f" 等{len(n.cells)}格" if len(n.cells) > 8 else ""),
                    "values": "",
                    "prev_values": "",
                    "message": "；".join(reasons),
                }
            )
        if entry.previous_file and entry.error is None:  # the pairs checked without a problem
            spoken = {f.rule for f in entry.result.findings} | {n.rule for n in entry.result.not_assessable}
            for rule in run.ruleset.rules:
                if (
                    rule.id in crossing
                    and rule.id not in spoken
                    and entry.template in rule.templates
                    and (entry.year or 0) >= int(rule.years.get("from", 0))
                ):
                    out.append(
                        {
                            **base,
                            "rule": rule.id,
                            "severity_zh": "",
                            "outcome": "一致",
                            "cells": "",
                            "values": "",
                            "prev_values": "",
                            "message": "已与上一年度报告核对，未发现问题",
                        }
                    )
    return out


# ---------------------------------------------------------------------------------------------- writers


def write_outputs(run, folder: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """Write every output into folder; returns the names to move into DIR, manifest.json last.
    `extra`: outputs already written into folder by the caller (e.g. annotated/)."""
    reports = report_records(run)
    findings = finding_records(run)
    rules = rule_records(run)
    crossing = crossyear_records(run)
    write_xlsx(folder / "summary.xlsx", reports, findings, rules, crossing)
    write_csv(folder / "reports.csv", REPORT_COLUMNS, reports)
    write_csv(folder / "findings.csv", FINDING_COLUMNS, findings)
    write_jsonl(folder / "findings.jsonl", findings)
    write_agencies(folder / "agencies", run)
    names = ["summary.xlsx", "reports.csv", "findings.csv", "findings.jsonl", "agencies", *extra]
    write_manifest(folder / "manifest.json", run, names)
    return [*names, "manifest.json"]


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    text = _ILLEGAL.sub(" ", str(value))
    return text if len(text) <= XLSX_MAX_CHARS else text[: XLSX_MAX_CHARS - 1] + "…"


def write_xlsx(path: Path, reports, findings, rules, crossing) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(vertical="center", wrap_text=True)

    def sheet(title: str, columns, records) -> None:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, (_, _, width) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        shown = records[: XLSX_MAX_ROWS - 1] if len(records) > XLSX_MAX_ROWS else records
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(shown) + 1}"
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font, cell.fill, cell.alignment = bold, fill, centre
            header.append(cell)
        ws.append(header)
        for record in shown:
            row = []
            for _, key, _ in columns:
                value = _cell_value(record.get(key))
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    value = cell
                row.append(value)
            ws.append(row)
        if len(shown) < len(records):
            ws.append([f"…其余 {len(records) - len(shown)} 行超出 Excel 行数上限，见同目录的 CSV 文件"])

    sheet("报告", REPORT_COLUMNS, reports)
    sheet("问题明细", FINDING_COLUMNS, findings)
    sheet("规则统计", RULE_COLUMNS, rules)
    sheet("跨年", CROSS_COLUMNS, crossing)
    wb.save(path)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "@", "\t", "\r"):
        return "'" + value  # a spreadsheet must not run a cell as a formula
    return value


def write_csv(path: Path, columns, records) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([name for name, _, _ in columns])
        for record in records:
            writer.writerow([_csv_value(record.get(key)) for _, key, _ in columns])


def _finding_json(record: dict) -> dict:
    return {
        "file": record["file"],
        "agency": record["agency"],
        "agency_key": record["agency_key"],
        "year": record["year"],
        "template": record["template"],
        "rule": record["rule"],
        "severity": record["severity"],
        "kind": record["kind"] or None,
        "cells": record["cell_list"],
        "values": record["value_map"],
        "difference": record["difference"],
        "suggestion": record["suggestion_map"],
        "message_zh": record["message"],
        "message_en": record["message_en"],
        "provenance": record["provenance_map"],
        "cross_year": record["cross_year"],
        "previous_file": record["previous_file"],
    }


def write_jsonl(path: Path, findings) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(
            json.dumps(_finding_json(r), ensure_ascii=False, default=json_default) + "\n" for r in findings
        )


# ---------------------------------------------------------------------------------------------- agencies


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
    base = re.sub(r'[\x00-\x1f<>:"/\\|?*!]', "_", name).strip(" .")[:80] or "未识别机关"
    candidate, n = base, 2
    while candidate.lower() in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate.lower())
    return candidate


def agency_groups(run) -> list[tuple[str, str, list]]:
    """(display name, key, entries sorted by year then file) per agency; unidentified files last."""
    groups: dict[str, list] = defaultdict(list)
    for entry in run.entries:
        groups[entry.agency_key or ""].append(entry)
    out = []
    for key, entries in groups.items():
        names = Counter(e.agency_name or e.agency for e in entries if e.agency_name or e.agency)
        name = names.most_common(1)[0][0] if key and names else "未识别机关"
        out.append((name, key, sorted(entries, key=lambda e: (e.year or 0, e.file))))
    out.sort(key=lambda g: (g[1] == "", g[0]))
    return out


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
    lines = [f"# {name} — 政府信息公开工作年度报告核对结果", ""]
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
            lines += [f"> 重复：{_duplicate_text(e)}", ""]
        if e.error:
            lines += [f"无法读取：{_md(e.error)}", ""]
            continue
        grouped: dict[str, list] = defaultdict(list)
        for f in e.result.findings:
            grouped[_group_of(f)].append(f)
        if not grouped:
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
                lines.append(f"- {n.rule}：{'；'.join(sorted(set(n.reasons.values())))}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_agencies(folder: Path, run) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    crossing = cross_year_rules(run.ruleset)
    taken: set[str] = set()
    for name, key, entries in agency_groups(run):
        stem = _file_name(name, taken)
        (folder / f"{stem}.md").write_text(agency_markdown(name, entries, crossing), encoding="utf-8")
        payload = agency_json(name, key, entries, crossing)
        (folder / f"{stem}.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=2, default=json_default), encoding="utf-8"
        )


def write_manifest(path: Path, run, names: list[str]) -> None:
    from validator.batch import tool_fingerprint

    tally = run.tally()
    payload = {
        "tool": "ogi-validator",
        "version": __version__,
        "fingerprint": tool_fingerprint(),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": len(run.entries),
        "status": {s: tally.get(s, 0) for s in ("ok", "errors", "warnings", "unreadable")},
        "agencies": len({e.agency_key for e in run.entries if e.agency_key}),
        "findings": sum(len(e.result.findings) for e in run.entries),
        "reused_from_cache": run.cached,
        "jobs": run.jobs,
        "read_seconds": round(run.read_seconds, 3),
        "validate_seconds": round(run.validate_seconds, 3),
        "ignored_files": run.ignored,
        "possible_aliases": [list(pair) for pair in run.alias_hints],
        "outputs": names,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
