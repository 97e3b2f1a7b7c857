"""Flat records of a BatchRun (model.BatchRun), one list per output table; every writer writes these."""

from __future__ import annotations

from collections import Counter

from validator.engine.wording import num, severity_zh
from validator.model import NOT_CHECKED_ADVICE, STATUS_ZH
from validator.render.summary.ranking import READING_RULES, reading_notes, timeliness

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
    ("读取说明", "reading_notes", 50),
    ("发布日期", "published", 12),
    ("原文链接", "url", 40),
    ("及时性", "timeliness", 30),
    ("无法读取原因", "error", 50),
    ("无法核对原因", "not_checked", 50),
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


def _status_zh(status: str) -> str:
    return STATUS_ZH.get(status, status)


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


def _not_checked_text(result) -> str:
    """Why a report could not be checked, and what to do (empty for any other status)."""
    if not result.not_checked or result.error:
        return ""
    return f"{result.not_checked}；{NOT_CHECKED_ADVICE['zh']}"


def report_records(run):
    """One record per input file, in input order (a generator: the batch's entries may be on disk)."""
    checked = {r.id for r in run.ruleset.rules}
    for n, entry in enumerate(run.entries, 1):
        result = entry.result
        counts = result.counts()
        ordered = sorted(
            [f for f in result.findings if f.rule not in READING_RULES],
            key=lambda f: (
                ("error", "warning", "info").index(f.severity)
                if f.severity in ("error", "warning", "info")
                else 3
            ),
        )
        first = "；".join(f"{f.rule} {f.message_zh}" for f in ordered[:FIRST_FINDINGS])
        if len(ordered) > FIRST_FINDINGS:
            first += f"；…共 {len(ordered)} 项"
        yield (
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
                "reading_notes": reading_notes(entry),
                "published": (result.meta or {}).get("published") or "",
                "url": (result.meta or {}).get("url") or "",
                "timeliness": timeliness(entry, checked),
                "error": entry.error,
                "not_checked": _not_checked_text(result),
                "agency_written": entry.agency,
                "agency_from": {"document": "报告", "file_name": "文件名"}.get(entry.agency_from or "", ""),
                "year_from": {"document": "报告", "file_name": "文件名"}.get(entry.year_from or "", ""),
                "digest": (entry.digest or "")[:16],
            }
        )


def finding_records(run):
    """One record per finding, in input order (a generator)."""
    rules = {r.id: r for r in run.ruleset.rules}
    crossing = cross_year_rules(run.ruleset)
    for entry in run.entries:
        for f in entry.result.findings:
            rule = rules.get(f.rule)
            yield (
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


def rule_records(run) -> list[dict]:
    findings: Counter = Counter()
    reports: Counter = Counter()
    undecided: Counter = Counter()
    templates: Counter = Counter()
    for entry in run.entries:  # one pass, counts only: the entries may be on disk
        if entry.error is None:
            templates[entry.template] += 1
        for f in entry.result.findings:
            findings[f.rule] += 1
        reports.update({f.rule for f in entry.result.findings})
        undecided.update({n.rule for n in entry.result.not_assessable})
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
                "reports": reports[rule.id],
                "not_assessable": undecided[rule.id],
                "file": rule.file,
            }
        )
    return out


def crossyear_records(run):
    """Every cross-year check of every consecutive pair, in input order (a generator)."""
    crossing = cross_year_rules(run.ruleset)
    year_of = {e.file: e.year for e in run.entries}
    for entry in run.entries:
        prev_year = year_of.get(entry.previous_file)
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
            yield (
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
            yield (
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
                    yield (
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
