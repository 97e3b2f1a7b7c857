"""`ogi extract`: what was read from one report (cells, doubts, sections) as JSON or CSV."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def extract(path, fmt):
    """读取并输出报告中的数据 — print what was read from one report (cells, doubts, sections)."""
    from validator.api import read_one
    from validator.render.safe import csv_cell, json_dumps, terminal

    outcome = read_one(path)
    if outcome.report is None:
        click.echo(f"ogi: {terminal(outcome.error)}", err=True)
        sys.exit(2)
    payload = extraction(outcome.report)
    if fmt == "json":
        click.echo(json_dumps(payload, indent=2))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["cell", "label", "value", "state", "raw", "provenance", "reason"])
    from validator.catalogue import load_catalogue

    catalogue = load_catalogue()
    for cell_id, cell in outcome.report.cells.items():
        meta = catalogue.cell(cell_id, outcome.report.template)
        writer.writerow(
            csv_cell(value)
            for value in [
                cell_id,
                meta.label_zh if meta else "",
                payload["cells"].get(cell_id),
                cell.state.name.lower(),
                cell.raw,
                cell.provenance.zh() if cell.provenance else "",
                payload["unread"].get(cell_id, ""),
            ]
        )
    click.echo(buffer.getvalue().rstrip("\n"))


def extraction(report) -> dict:
    """`ogi extract` JSON: a cell not read with certainty is null, with its reason in "unread"."""
    from validator.engine.wording import plain
    from validator.model import STATE_ZH, CellState

    cells, unread, provenance = {}, {}, {}
    for cell_id, cell in report.cells.items():
        if cell.state == CellState.NUMBER:
            cells[cell_id] = plain(cell.value)
        else:
            cells[cell_id] = None
            reason = STATE_ZH[cell.state]
            if cell.note:
                reason += f"：{cell.note}"
            unread[cell_id] = reason
        if cell.provenance is not None:
            provenance[cell_id] = cell.provenance.as_dict()
    return {
        "file": report.source,
        "agency": report.agency,
        "year": report.year,
        "template": report.template,
        "title": report.title,
        "published": report.published,
        "url": report.url,
        "cells": cells,
        "unread": unread,
        "provenance": provenance,
        "tables_missing": report.tables_missing,
        "sections": {
            h.section_id or f"other:{h.number}": {
                "number": h.number,
                "heading": h.heading,
                "text": report.section_texts.get(h.section_id, ""),
            }
            for h in report.sections
        },
    }
