"""Outputs of `ogi batch`: summary.xlsx, reports.csv, findings.csv, findings.jsonl, agencies/*.md|json,
manifest.json — renderers of a BatchRun (validator.model.BatchRun; they never import the batch).

    records.py   flat records first (reports, findings, rules, cross-year pairs)
    xlsx.py      summary.xlsx          tables.py   reports.csv, findings.csv, findings.jsonl
    agencies.py  agencies/*.md|json    manifest.py manifest.json

Sheets and CSVs carry Chinese headers (CSV in UTF-8 with BOM for Excel); findings.jsonl and the agency
JSON files carry English keys for machines.
"""

from __future__ import annotations

from pathlib import Path

from validator.model import STATUS_ZH
from validator.render.summary.agencies import (
    agency_groups,
    agency_json,
    agency_markdown,
    agency_stems,
    write_agencies,
)
from validator.render.summary.manifest import write_manifest
from validator.render.summary.ranking import agency_ranking, trend_by_rule, trend_by_year
from validator.render.summary.records import (
    CROSS_COLUMNS,
    FINDING_COLUMNS,
    REPORT_COLUMNS,
    RULE_COLUMNS,
    crossyear_records,
    finding_records,
    report_records,
    rule_records,
)
from validator.render.summary.tables import write_csv, write_jsonl
from validator.render.summary.xlsx import write_xlsx

__all__ = [
    "CROSS_COLUMNS",
    "FINDING_COLUMNS",
    "REPORT_COLUMNS",
    "RULE_COLUMNS",
    "agency_groups",
    "agency_json",
    "agency_markdown",
    "crossyear_records",
    "finding_records",
    "report_records",
    "rule_records",
    "write_agencies",
    "write_csv",
    "write_jsonl",
    "write_manifest",
    "write_outputs",
    "write_xlsx",
]


def write_outputs(run, folder: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """Write every output into folder; returns the names to move into DIR, manifest.json last.
    `extra`: outputs already written into folder by the caller (e.g. annotated/)."""
    reports = report_records(run)
    findings = finding_records(run)
    rules = rule_records(run)
    crossing = crossyear_records(run)
    groups = agency_groups(run)
    ranking = agency_ranking(groups, agency_stems(groups))
    trend = (trend_by_year(run.entries), trend_by_rule(run.entries, run.ruleset))
    write_xlsx(folder / "summary.xlsx", reports, findings, rules, crossing, ranking, trend, _notes(run))
    write_csv(folder / "reports.csv", REPORT_COLUMNS, reports)
    write_csv(folder / "findings.csv", FINDING_COLUMNS, findings)
    write_jsonl(folder / "findings.jsonl", findings)
    write_agencies(folder / "agencies", run, groups)
    names = ["summary.xlsx", "reports.csv", "findings.csv", "findings.jsonl", "agencies", *extra]
    write_manifest(folder / "manifest.json", run, names)
    return [*names, "manifest.json"]


def _notes(run) -> list[tuple[str, str]]:
    """The 说明 sheet: what the run covered and what it hid (waivers), so no count is silently changed."""
    tally = run.tally()
    lines = [
        ("报告数", str(len(run.entries))),
        ("机关数", str(len({e.agency_key for e in run.entries if e.agency_key}))),
        ("状态", "；".join(f"{STATUS_ZH[s]} {n}" for s, n in tally.items())),
        ("按豁免清单隐藏的问题", str(run.waived)),
        ("已失效的豁免", str(len(run.stale_waivers))),
    ]
    if run.store:
        lines += [
            ("存储库", run.store["path"]),
            ("从存储库取用的上一年度报告", str(run.store["earlier_reports_used"])),
        ]
    lines += [("已失效的豁免（数值已变化或问题已不存在）", text) for text in run.stale_waivers]
    return lines
