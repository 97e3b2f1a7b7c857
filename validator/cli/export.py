"""`ogi export`: the store's tables as Parquet files, for other tools (pandas, R, DuckDB, Spark)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.option(
    "--store",
    "store_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store written by `ogi batch`.",
)
@click.option(
    "--parquet",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for runs/reports/cells/findings/agency_names.parquet.",
)
def export(store_path, folder):
    """导出存储库 — write the store's tables (reports, cells, findings, …) as Parquet files."""
    from validator.render.safe import terminal
    from validator.store import Store, StoreError

    try:
        with Store.open(store_path, read_only=True) as store:
            written = store.export_parquet(folder)
            counts = store.counts()
    except StoreError as exc:
        click.echo(f"ogi: {terminal(str(exc))}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"ogi: {terminal(str(folder))}: 无法写入 ({exc.strerror or exc})", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - duckdb's IO errors: one line, never a traceback
        click.echo(f"ogi: {terminal(str(folder))}: 无法导出 ({str(exc).splitlines()[0]})", err=True)
        sys.exit(2)
    for path in written:
        click.echo(f"{terminal(str(path))}\t{counts[path.stem]}")
