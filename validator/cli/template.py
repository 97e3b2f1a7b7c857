"""`ogi template`: the fill-in workbook for a report year (validator.render.workbook does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.option(
    "--year", type=int, required=True, help="Report year (2019–2020: 2019 format; from 2021: 2021 format)."
)
@click.option("--agency", help="机关名称, written into the report title.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The .xlsx to write.")
@click.option(
    "--one-sheet", is_flag=True, help="All three tables on one sheet instead of one sheet per table."
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def template(year, agency, output, one_sheet, force):
    """生成年报表格 — write the fill-in workbook of the official tables for a report year."""
    from validator.render.workbook import template_for_year, write_template

    try:
        form = template_for_year(year)
    except ValueError as exc:
        click.echo(f"ogi: {exc}", err=True)
        sys.exit(2)
    if output.suffix.lower() != ".xlsx":
        click.echo(f"ogi: {output}: 输出文件须以 .xlsx 结尾 (the output must be an .xlsx file)", err=True)
        sys.exit(2)
    if output.exists() and not force:
        click.echo(f"ogi: {output} 已存在，使用 --force 覆盖 (exists; use --force)", err=True)
        sys.exit(2)
    if not output.parent.exists():
        click.echo(f"ogi: {output.parent}: 文件夹不存在 (no such folder)", err=True)
        sys.exit(2)
    layout = write_template(output, year, agency, layout="single" if one_sheet else "sheets")
    click.echo(f"已生成 {year} 年度报告表格（{form.title}，{form.notice}）：{output}")
    click.echo(
        f"  填写单元格 {len(layout.cells)} 个，自动校验 {len(layout.checks)} 项（见「校验」工作表）；"
        f"填好后可用 ogi check {output.name} 核对。"
    )
