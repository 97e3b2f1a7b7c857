"""Outputs of `ogi batch`: summary.xlsx, reports.csv, findings.csv, findings.jsonl, agencies/*.md|json,
manifest.json — renderers of a BatchRun (validator.model.BatchRun; they never import the batch).

    records.py   flat records first (reports, findings, rules, cross-year pairs)
    xlsx.py      summary.xlsx          tables.py   reports.csv, findings.csv, findings.jsonl
    agencies.py  agencies/*.md|html|json  manifest.py manifest.json
    ranking.py   机关排名, 年度趋势, 及时性, 读取说明  agency_html.py  agencies/*.html

Sheets and CSVs carry Chinese headers (CSV in UTF-8 with BOM for Excel); findings.jsonl and the agency
JSON files carry English keys for machines.
"""

from __future__ import annotations

from pathlib import Path

from validator.model import STATUS_ZH
from validator.render.summary.agencies import agency_groups, agency_json, agency_markdown, write_agencies
from validator.render.summary.manifest import write_manifest
from validator.render.summary.ranking import trends
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
    # each writer gets its own pass over the records: run.entries may be on disk (a large batch), so the
    # records are generated as written, never all held
    rules = rule_records(run)
    # agencies/ first: its one pass over the agency groups also gathers 机关排名
    ranking = write_agencies(folder / "agencies", run)
    write_xlsx(
        folder / "summary.xlsx",
        report_records(run),
        finding_records(run),
        rules,
        crossyear_records(run),
        ranking,
        trends(run.entries, run.ruleset),
        _notes(run, sum(1 for r in ranking if r["agency_key"])),
    )
    write_csv(folder / "reports.csv", REPORT_COLUMNS, report_records(run))
    write_csv(folder / "findings.csv", FINDING_COLUMNS, finding_records(run))
    write_jsonl(folder / "findings.jsonl", finding_records(run))
    names = ["summary.xlsx", "reports.csv", "findings.csv", "findings.jsonl", "agencies", *extra]
    write_manifest(folder / "manifest.json", run, names)
    return [*names, "manifest.json"]


def _notes(run, agencies: int) -> list[tuple[str, str]]:
    """The 说明 sheet: what the run covered and what it hid (waivers), so no count is silently changed."""
    tally = run.tally()
    lines = [
        ("报告数", str(len(run.entries))),
        ("机关数", str(agencies)),
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
