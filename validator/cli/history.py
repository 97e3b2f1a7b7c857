"""`ogi history`: one agency's recorded years side by side, from the store (`ogi batch --store`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("agency")
@click.option(
    "--store",
    "store_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store written by `ogi batch` (DIR/ogi.duckdb or --store PATH).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "xlsx", "json"]), default="html", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here (xlsx needs it)."
)
def history(agency, store_path, fmt, output):
    """机关历年对比 — an agency's years side by side: every cell by year with the change, findings by year."""
    from validator.render.safe import shown, terminal
    from validator.render.summary.history import render_html, render_json, write_xlsx
    from validator.store import Store, StoreError
    from validator.store.history import agency_history

    if fmt == "xlsx" and output is None:
        click.echo("ogi: --format xlsx 需要 --output 文件名 (give --output for xlsx)", err=True)
        sys.exit(2)
    try:
        with Store.open(store_path, read_only=True) as store:
            data = agency_history(store, agency).as_dict()
    except StoreError as exc:
        click.echo(f"ogi: {terminal(str(exc))}", err=True)
        sys.exit(2)
    try:
        if fmt == "xlsx":
            write_xlsx(data, output)
        else:
            text = render_json(data) if fmt == "json" else render_html(data)
            if output is None:
                click.echo(shown(text))
                return
            output.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"ogi: {terminal(str(output))}: 无法写入 ({exc.strerror or exc})", err=True)
        sys.exit(2)
    click.echo(f"已写入：{terminal(str(output))}（{len(data['years'])} 个年度）", err=True)
