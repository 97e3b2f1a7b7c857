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

from validator.render.summary.agencies import agency_groups, agency_json, agency_markdown, write_agencies
from validator.render.summary.manifest import write_manifest
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
    write_xlsx(
        folder / "summary.xlsx", report_records(run), finding_records(run), rules, crossyear_records(run)
    )
    write_csv(folder / "reports.csv", REPORT_COLUMNS, report_records(run))
    write_csv(folder / "findings.csv", FINDING_COLUMNS, finding_records(run))
    write_jsonl(folder / "findings.jsonl", finding_records(run))
    write_agencies(folder / "agencies", run)
    names = ["summary.xlsx", "reports.csv", "findings.csv", "findings.jsonl", "agencies", *extra]
    write_manifest(folder / "manifest.json", run, names)
    return [*names, "manifest.json"]
