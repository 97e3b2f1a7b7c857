"""`ogi`: a thin click layer over validator.api. Exit codes: 0 no errors, 1 errors found, 2 a file unreadable."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from validator import __version__
from validator.engine.rules import parse_codes

LANGS = click.Choice(["zh", "en"])


def _ensure_utf8() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ogi")
def main() -> None:
    """ogi — 政府信息公开工作年度报告校验工具 (checks government information disclosure annual reports)."""
    _ensure_utf8()


def run_check(paths: list[Path], select=(), ignore=()):
    """Read every file, validate all readable reports in one pass; unreadable files keep their place."""
    from validator.api import read_one, validate_rows
    from validator.catalogue import load_catalogue
    from validator.engine.frame import to_row
    from validator.engine.rules import build_ruleset
    from validator.model import ReportResult

    outcomes = [read_one(p) for p in paths]
    catalogue = load_catalogue()
    readable = [o for o in outcomes if o.report is not None]
    validated = validate_rows(
        [to_row(o.report, catalogue) for o in readable], build_ruleset(catalogue, select, ignore)
    )
    by_path = {o.path: result for o, result in zip(readable, validated)}
    results = [
        by_path[o.path] if o.report is not None else ReportResult(i, {"source": o.path}, error=o.error)
        for i, o in enumerate(outcomes)
    ]
    return outcomes, results


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True
)
@click.option(
    "--lang", type=LANGS, default="zh", show_default=True, help="Language of the text and HTML report."
)
@click.option("--select", multiple=True, help="Only these rules (codes or prefixes, e.g. T3,M-01).")
@click.option("--ignore", multiple=True, help="Skip these rules (codes or prefixes).")
@click.option("--no-not-assessable", is_flag=True, help="Do not list checks that could not be assessed.")
@click.option(
    "--annotate", type=click.Path(path_type=Path), help="Write the workbook with wrong cells marked."
)
@click.option("--force", is_flag=True, help="Overwrite an existing --annotate file.")
def check(paths, fmt, lang, select, ignore, no_not_assessable, annotate, force):
    """检查年度报告 — check reports (files or folders) and print the findings."""
    from validator.api import expand_paths

    files = expand_paths(list(paths))
    if not files:
        click.echo("ogi: 没有找到可检查的报告文件 (no report files found)", err=True)
        sys.exit(2)
    missing = [p for p in files if not p.exists()]
    for path in missing:
        click.echo(f"ogi: {path}: 文件不存在 (no such file)", err=True)
    outcomes, results = run_check(files, parse_codes(select), parse_codes(ignore))
    if fmt == "json":
        from validator.render.json import render as render_json

        click.echo(render_json(results))
    elif fmt == "html":
        from validator.render.html import render as render_html

        click.echo(render_html(results, lang=lang))
    else:
        from validator.render.text import render as render_text

        click.echo(render_text(results, lang=lang, show_not_assessable=not no_not_assessable))
    for result in results:
        if result.error and fmt != "text":
            click.echo(f"ogi: {result.error}", err=True)
    if annotate:
        _annotate(outcomes, results, annotate, force)
    if any(r.error for r in results):
        sys.exit(2)
    if any(r.status == "errors" for r in results):
        sys.exit(1)


def _annotate(outcomes, results, out: Path, force: bool) -> None:
    try:
        from validator.render.annotate import annotate
    except ImportError:
        click.echo("ogi: --annotate 暂不可用 (annotation is not available in this build)", err=True)
        sys.exit(2)
    if len(outcomes) != 1:
        click.echo("ogi: --annotate 只能用于单个文件 (use --annotate with one file)", err=True)
        sys.exit(2)
    if out.exists() and not force:
        click.echo(f"ogi: {out} 已存在，使用 --force 覆盖 (exists; use --force)", err=True)
        sys.exit(2)
    outcome, result = outcomes[0], results[0]
    if outcome.report is None:
        return
    annotate(Path(outcome.path), outcome.report, result, out)
    click.echo(f"已写入标注工作簿：{out}", err=True)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def extract(path, fmt):
    """读取并输出报告中的数据 — print what was read from one report (cells, doubts, sections)."""
    from validator.api import read_one

    outcome = read_one(path)
    if outcome.report is None:
        click.echo(f"ogi: {outcome.error}", err=True)
        sys.exit(2)
    payload = extraction(outcome.report)
    if fmt == "json":
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["cell", "label", "value", "state", "raw", "provenance", "reason"])
    from validator.catalogue import load_catalogue

    catalogue = load_catalogue()
    for cell_id, cell in outcome.report.cells.items():
        meta = catalogue.cell(cell_id, outcome.report.template)
        writer.writerow(
            [
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


@main.command()
@click.argument("rule_id", required=False)
@click.option("--lang", type=LANGS, default="zh", show_default=True)
def rules(rule_id, lang):
    """列出全部规则，或解释一条规则 — list every rule, or explain one (ogi rules T3-01)."""
    from validator.catalogue import load_catalogue
    from validator.engine.rules import compile_rule, load_rules

    all_rules = load_rules()
    if not rule_id:
        for rule in all_rules:
            click.echo(
                f"{rule.id:6} {rule.severity:8} {','.join(rule.templates):14} {rule.name:32} {rule.title}"
            )
        return
    rule = next((r for r in all_rules if r.id.upper() == rule_id.upper()), None)
    if rule is None:
        click.echo(f"ogi: 没有规则 {rule_id} (unknown rule; see `ogi rules`)", err=True)
        sys.exit(2)
    catalogue = load_catalogue()
    click.echo(f"{rule.id} {rule.name} — {rule.title}")
    click.echo(
        f"  severity: {rule.severity}   templates: {', '.join(rule.templates)}   file: rules/checks/{rule.file}"
    )
    if rule.source:
        click.echo(f"  source: {rule.source}")
    if rule.expr:
        click.echo(f"  expr: {' '.join(rule.expr.split())}")
        if rule.for_each:
            click.echo(f"  for each: {rule.for_each}")
        for template_id in rule.templates:
            compiled = compile_rule(rule, catalogue.templates[template_id])
            click.echo(f"  {template_id}: {len(compiled)} relations, e.g. {_relation_text(compiled[0])}")
    if rule.schema:
        click.echo(
            f"  schema: cell types of {rule.schema} (count ≥ 0 and whole, amount ≥ 0, 本年增/减 whole)"
        )
    if rule.check:
        click.echo(f"  built-in check: {rule.check}")
    for name, spec in rule.outcomes.items():
        click.echo(f"  outcome {name} ({spec.get('severity', rule.severity)}): {spec.get(lang, '')}")
    if rule.message:
        click.echo(f"  message: {rule.message.get(lang, '')}")


def _relation_text(compiled) -> str:
    rel = compiled.relation

    def side(s):
        terms = [("" if abs(c) == 1 else f"{c:g}*") + cell for cell, c in s.coeffs.items()]
        text = " + ".join(terms) if terms else ""
        if s.constant:
            text = f"{text} + {s.constant:g}" if text else f"{s.constant:g}"
        return text or "0"

    return f"{side(rel.lhs)} {rel.op} {side(rel.rhs)}"


def _register_commands() -> None:
    """Commands that live in their own modules (kept light: their heavy imports are inside them)."""
    from validator.cli.batch import batch
    from validator.cli.template import template

    main.add_command(batch)
    main.add_command(template)


_register_commands()

if __name__ == "__main__":
    main()
