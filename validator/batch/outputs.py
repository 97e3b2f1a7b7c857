"""Writing a batch's outputs: into a staging folder first, then moved into DIR with Ctrl-C held off, so DIR
always holds either the previous complete set or the new one (manifest.json last)."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from validator.model import BatchRun

STAGING_DIR = ".ogi-staging"
ANNOTATED_DIR = "annotated"
LOCK_FILE = ".ogi-lock"


class OutputError(Exception):
    """The output folder cannot be used: one line naming the path and the reason (exit 2)."""


def output_error(exc: OSError, fallback: Path) -> OutputError:
    reason = exc.strerror or str(exc)
    if exc.filename and str(exc.filename) != str(fallback):
        reason += f"：{exc.filename}"
    return OutputError(f"{fallback}: 无法写入输出 ({reason})")


@contextmanager
def locked(out: Path):
    """One run at a time into ``out``: an exclusive lock on out/.ogi-lock for the whole run (released
    by the kernel if the run is killed). A second run refuses at once, naming the folder."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fh = open(out / LOCK_FILE, "a")  # noqa: SIM115 - held for the whole run
    except OSError as exc:
        raise output_error(exc, out) from None
    try:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass  # not POSIX: no lock
        except OSError:
            raise OutputError(
                f"{out}: 另一个 ogi batch 正在写入该文件夹，请等它结束或换一个 --out "
                "(another run is writing into this folder)"
            ) from None
        yield
    finally:
        fh.close()


@contextmanager
def deferred_interrupt():
    """Hold Ctrl-C until the block is done (then raise it), so a set of renames is never cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def write_all(run: BatchRun, out: Path, annotations: list | None = None) -> None:
    """Every output of the run (and, given ``annotations``, the annotated workbooks) staged, then
    committed into ``out``. ``annotations``: (report or compact cell map, ReportResult, display name)."""
    from validator.render.summary import write_outputs

    staging = out / STAGING_DIR
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        extra = (_annotate(annotations, staging, run),) if annotations is not None else ()
        names = write_outputs(run, staging, extra)
        with deferred_interrupt():
            _commit(staging, out, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _annotate(work: list, staging: Path, run: BatchRun) -> str:
    """`--annotate`: each report with findings as a workbook with its wrong cells marked (staged like the
    other outputs, so an interrupted run never leaves half of them)."""
    from validator.render.annotate import annotate_many

    outcomes = annotate_many(work, staging / ANNOTATED_DIR, force=True)
    run.annotated = sum(1 for o in outcomes if o.out is not None)
    run.annotate_errors = [o.error for o in outcomes if o.error]
    return ANNOTATED_DIR


def _commit(staging: Path, out: Path, names: list[str]) -> None:
    """Move the complete outputs into place; manifest.json last, so it always describes what is there."""
    for name in names:
        source, target = staging / name, out / name
        if source.is_dir():
            old = out / f".old-{name}"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                os.replace(target, old)
            os.replace(source, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(source, target)
