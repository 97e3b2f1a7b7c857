"""`ogi baseline OUT_DIR -o waivers.yaml`: the findings of a batch run as waivers to review, and the
`--waivers FILE` option that check, batch and serve share (hide what a waiver names exactly, say how
many were hidden, list the waivers that no longer match)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

MAX_STALE_SHOWN = 10


def waivers_option(command):
    return click.option(
        "--waivers",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Hide reviewed findings listed in FILE (written by `ogi baseline`) while they still match exactly.",
    )(command)


def load_or_exit(path: Path | None):
    """The waivers of FILE, or None; a file that cannot be used is one line and exit 2."""
    if path is None:
        return None
    from validator.render.safe import terminal
    from validator.store.waivers import WaiverError, load_waivers

    try:
        return load_waivers(path)
    except WaiverError as exc:
        click.echo(f"ogi: {terminal(str(exc))}", err=True)
        sys.exit(2)


def report_waivers(hidden: int, stale: list[str], to_stdout: bool = False) -> None:
    """One line with the count hidden, then the stale waivers (at most ten, then how many more)."""
    from validator.render.safe import terminal

    if not hidden and not stale:
        return
    err = not to_stdout
    click.echo(
        f"已按豁免清单隐藏 {hidden} 项问题；{len(stale)} 条豁免已失效 (waived {hidden}, stale {len(stale)})",
        err=err,
    )
    for line in stale[:MAX_STALE_SHOWN]:
        click.echo(f"  已失效的豁免（数值已变化或问题已不存在）：{terminal(line)}", err=err)
    if len(stale) > MAX_STALE_SHOWN:
        click.echo(f"  …另有 {len(stale) - MAX_STALE_SHOWN} 条", err=err)


def hide_in_results(results, path: Path | None):
    """`ogi check --waivers`: hide now; returns the call that reports it (after the findings are shown)."""
    waivers = load_or_exit(path)
    if waivers is None:
        return lambda to_stdout=False: None
    from validator.store.waivers import hide_in_results as hide

    hidden, stale = hide(results, waivers).counts()
    return lambda to_stdout=False: report_waivers(hidden, stale, to_stdout)


@click.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="waivers.yaml to write.",
)
@click.option("--who", default=None, help="Reviewer named in each entry (default: the login name).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def baseline(out_dir, output, who, force):
    """写出豁免清单 — every finding of a batch run (OUT_DIR/findings.jsonl) as a waiver to review:
    agency, year, rule, cells, values, reason (to fill in), who, when."""
    from validator.render.safe import terminal
    from validator.store.waivers import baseline as make
    from validator.store.waivers import write_waivers

    source = out_dir / "findings.jsonl"
    if not source.is_file():
        click.echo(
            f"ogi: {terminal(str(out_dir))}: 没有 findings.jsonl，请先运行 ogi batch (no batch output)",
            err=True,
        )
        sys.exit(2)
    if output.exists() and not force:
        click.echo(f"ogi: {terminal(str(output))} 已存在，使用 --force 覆盖 (exists; use --force)", err=True)
        sys.exit(2)
    if who is None:
        try:
            who = getpass.getuser()
        except (OSError, KeyError):
            who = ""
    try:
        entries = make(source, who)
        write_waivers(entries, output)
    except (OSError, ValueError) as exc:
        click.echo(f"ogi: {terminal(str(output))}: 无法写出豁免清单 ({exc})", err=True)
        sys.exit(2)
    click.echo(f"已写入豁免清单：{terminal(str(output))}（{len(entries)} 条，请填写 reason）", err=True)
