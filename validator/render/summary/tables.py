"""reports.csv and findings.csv (UTF-8 with BOM, for Excel) and findings.jsonl (English keys, machines)."""

from __future__ import annotations

import csv
from pathlib import Path

from validator.engine.wording import json_default
from validator.render.safe import csv_cell as _csv_value
from validator.render.safe import json_dumps


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
        fh.writelines(json_dumps(_finding_json(r), default=json_default) + "\n" for r in findings)
