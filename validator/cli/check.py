"""`ogi check`: check reports (files or folders), print the findings, optionally annotate one workbook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from validator.cli.baseline import hide_in_results, waivers_option
from validator.cli.common import LANGS, exit_code, local_option, use_local
from validator.engine.rules import parse_codes


@click.command()
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
    "--verbose", "-v", is_flag=True, help="Also show internal cell ids (t3.new.np) in the text report."
)
@click.option(
    "--annotate",
    type=click.Path(path_type=Path),
    help="Write a copy with wrong cells marked: OUT.xlsx (workbook) or OUT.docx (Word comments, .docx input).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing --annotate file.")
@waivers_option
@local_option
def check(paths, fmt, lang, select, ignore, no_not_assessable, verbose, annotate, force, waivers, local):
    """检查年度报告 — check reports (files or folders) and print the findings.

    \b
    Exit codes (the strongest applies):
      2  a file could not be read (无法读取), or a usage error
      3  a report was read but could not be checked (无法核对: e.g. 表三/表四 scanned or not found)
      1  errors found (有错误)
      0  no errors (warnings and notes do not change it)
    """
    from validator.api import check as check_files
    from validator.api import expand_paths
    from validator.render.safe import shown, terminal

    use_local(local)
    files = expand_paths(list(paths))
    if not files:
        click.echo("ogi: 没有找到可检查的报告文件 (no report files found)", err=True)
        sys.exit(2)
    missing = [p for p in files if not p.exists()]
    for path in missing:
        click.echo(f"ogi: {terminal(str(path))}: 文件不存在 (no such file)", err=True)
    outcomes, results = check_files(files, parse_codes(select), parse_codes(ignore))
    waived = hide_in_results(results, waivers)  # reviewed findings hidden; said after the report
    if fmt == "json":
        from validator.render.json import render as render_json

        click.echo(render_json(results))
    elif fmt == "html":
        from validator.render.html import render as render_html

        click.echo(shown(render_html(results, lang=lang)))
    else:
        from validator.render.text import render as render_text

        click.echo(
            terminal(
                render_text(results, lang=lang, show_not_assessable=not no_not_assessable, verbose=verbose)
            )
        )
    waived(to_stdout=fmt == "text")
    for result in results:
        if result.error and fmt != "text":
            click.echo(f"ogi: {terminal(result.error)}", err=True)
    if annotate:
        _annotate(outcomes, results, annotate, force)
    code = exit_code(r.status for r in results)
    if code:
        sys.exit(code)


def _annotate(outcomes, results, out: Path, force: bool) -> None:
    from validator.render.safe import terminal

    if out.suffix.lower() == ".docx":  # their own Word file back, with comments (批注)
        from validator.render.docx_annotate import annotate_docx as annotate
    else:
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
    if out.is_dir():
        click.echo(
            f"ogi: {out}: 是文件夹，--annotate 需要一个文件名 (is a folder; give a file name)", err=True
        )
        sys.exit(2)
    outcome, result = outcomes[0], results[0]
    if outcome.report is None:
        return
    try:
        annotate(Path(outcome.path), outcome.report, result, out)
    except ValueError as exc:
        click.echo(f"ogi: {terminal(str(exc))}", err=True)
        sys.exit(2)
    except OSError as exc:
        where = f"：{exc.filename}" if exc.filename and str(exc.filename) != str(out) else ""
        click.echo(f"ogi: {terminal(str(out))}: 无法写入 ({exc.strerror or exc}{where})", err=True)
        sys.exit(2)
    click.echo(
        f"已写入标注{'文档' if out.suffix.lower() == '.docx' else '工作簿'}：{terminal(str(out))}", err=True
    )
