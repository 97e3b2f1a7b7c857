"""`ogi batch`: audit thousands of reports in one run (folders, files and .zip archives → DIR)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from validator.cli.baseline import load_or_exit, report_waivers, waivers_option
from validator.cli.common import exit_code, local_option, use_local
from validator.engine.rules import parse_codes


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for summary.xlsx, reports.csv, findings.csv, findings.jsonl and agencies/.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Reader processes (default: all cores)."
)
@click.option(
    "--resume", is_flag=True, help="Reuse what earlier runs into DIR read (same file content, same tool)."
)
@click.option(
    "--aliases",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of agency name variant,canonical name, to link one agency's reports across years.",
)
@click.option("--select", multiple=True, help="Only these rules (codes or prefixes, e.g. T3,X).")
@click.option("--ignore", multiple=True, help="Skip these rules (codes or prefixes).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
@click.option(
    "--annotate",
    is_flag=True,
    help="Also write DIR/annotated/<file>.校验.xlsx for every report with findings (wrong cells marked).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Read on a Dask cluster: local:N starts N worker processes here; tcp://host:port joins a "
    "running scheduler (needs the `cluster` extra).",
)
@click.option(
    "--send",
    type=click.Choice(["path", "bytes"]),
    default=None,
    help="With --scheduler: workers open each file by its path (shared storage) or get its bytes "
    "(default: path for local:N, bytes for a remote scheduler).",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store across runs (DuckDB; default DIR/ogi.duckdb): last year's figures for cross-year rules.",
)
@click.option("--no-store", is_flag=True, help="Keep no store for this run.")
@waivers_option
@local_option
def batch(
    paths,
    out_dir,
    jobs,
    resume,
    aliases,
    select,
    ignore,
    quiet,
    annotate,
    scheduler,
    send,
    store_path,
    no_store,
    waivers,
    local,
):
    """批量核对年度报告 — audit every report under folders and .zip archives; write the results to --out.

    \b
    Exit codes as `ogi check` (the strongest applies): 2 a file could not be read, 3 a report could not
    be checked (无法核对), 1 errors found, 0 no errors; 130 interrupted.
    """
    from validator.batch import OutputError, release, run_batch
    from validator.batch.cluster import SchedulerError
    from validator.render.safe import terminal

    use_local(local)
    try:
        run = run_batch(
            list(paths),
            out_dir,
            jobs=jobs,
            resume=resume,
            quiet=quiet,
            aliases=aliases,
            select=parse_codes(select),
            ignore=parse_codes(ignore),
            annotate=annotate,
            scheduler=scheduler,
            send=send,
            store=None if no_store else (store_path or True),
            waivers=load_or_exit(waivers),
        )
    except (OutputError, SchedulerError) as exc:
        click.echo(f"ogi: {terminal(str(exc))}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo(
            f"ogi: 已中断；{out_dir} 中已有的结果保持完整，已读取的文件已缓存，加 --resume 可继续 "
            "(interrupted; DIR is consistent; rerun with --resume)",
            err=True,
        )
        sys.exit(130)
    try:
        tally = run.tally()
        if not quiet:
            agencies = len({e.agency_key for e in run.entries if e.agency_key})
            click.echo(
                f"共 {len(run.entries)} 份报告（{agencies} 个机关）：通过 {tally.get('ok', 0)}，有错误 {tally.get('errors', 0)}，"
                f"有警告 {tally.get('warnings', 0)}，无法核对 {tally.get('not_checked', 0)}，"
                f"无法读取 {tally.get('unreadable', 0)}；"
                f"读取 {run.read_seconds:.1f} 秒（{run.jobs} 个{'集群工作进程' if scheduler else '进程'}，复用缓存 {run.cached} 份），核对 {run.validate_seconds:.2f} 秒；"
                f"结果已写入 {out_dir}",
                err=True,
            )
            report_waivers(run.waived, run.stale_waivers)
            if run.store.get("earlier_reports_used"):
                click.echo(
                    f"跨年核对从存储库 {terminal(run.store['path'])} 取用上一年度报告 {run.store['earlier_reports_used']} 份 "
                    "(last year's reports taken from the store)",
                    err=True,
                )
            if annotate:
                click.echo(f"已写入标注工作簿 {run.annotated} 份：{out_dir / 'annotated'}", err=True)
                for problem in run.annotate_errors[:5]:
                    click.echo(f"ogi: {terminal(problem)}", err=True)
            for short, long in run.alias_hints[:5]:
                click.echo(
                    f"ogi: 「{terminal(short)}」与「{terminal(long)}」可能为同一机关，如是，可用 --aliases 关联 "
                    "(possibly one agency; link them with --aliases)",
                    err=True,
                )
            if run.ignored:
                shown = "、".join(terminal(Path(p.split("!/")[-1]).name) for p in run.ignored[:5])
                more = f" 等 {len(run.ignored)} 个" if len(run.ignored) > 5 else ""
                click.echo(f"ogi: 忽略非报告文件：{shown}{more} (not report files)", err=True)
        code = exit_code(e.status for e in run.entries)
        if code:
            sys.exit(code)
    finally:
        release(run)
