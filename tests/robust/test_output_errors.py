"""Output faults: one line naming the path and the reason, exit 2, never a traceback; one run at a time
into an --out folder; temp folders of killed runs removed on the next start."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.batch import cleanup_stale_workdirs
from validator.batch.outputs import LOCK_FILE
from validator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "2023_示例市交通运输局_无错误.txt"


def _one_line_error(result, path: Path) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("ogi:")]
    assert len(lines) == 1 and str(path) in lines[0], result.output


def test_out_under_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = blocker / "out"
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(out), "-q"])
    _one_line_error(result, out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_out(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(out), "-q"])
        _one_line_error(result, out)
    finally:
        out.chmod(0o700)


def test_full_output_folder(tmp_path, monkeypatch):
    import errno

    from validator.render import summary

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "out" / "summary.xlsx"))

    monkeypatch.setattr(summary, "write_xlsx", full)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(out), "-q"])
    _one_line_error(result, out)
    assert "No space left" in result.output


def test_second_run_into_the_same_out_refuses(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running batch holds it
        result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(out), "-q"])
        _one_line_error(result, out)
        assert "正在" in result.output
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output


def test_annotate_onto_a_folder(tmp_path):
    book = tmp_path / "表格.xlsx"
    CliRunner().invoke(main, ["template", "--year", "2023", "-o", str(book)])
    folder = tmp_path / "folder"
    folder.mkdir()
    result = CliRunner().invoke(main, ["check", str(book), "--annotate", str(folder), "--force"])
    _one_line_error(result, folder)
    (tmp_path / "plain").write_text("x")
    under_file = tmp_path / "plain" / "x.xlsx"
    result = CliRunner().invoke(main, ["check", str(book), "--annotate", str(under_file)])
    _one_line_error(result, under_file)


@pytest.mark.skipif(sys.platform != "linux", reason="pid liveness")
def test_stale_temp_folders_removed(tmp_path):
    dead = tempfile.mkdtemp(prefix="ogi-batch-999999999-")
    alive = tempfile.mkdtemp(prefix=f"ogi-batch-{os.getpid()}-")
    try:
        cleanup_stale_workdirs()
        assert not os.path.exists(dead)
        assert os.path.exists(alive)
    finally:
        shutil.rmtree(dead, ignore_errors=True)
        shutil.rmtree(alive, ignore_errors=True)


def test_batch_leaves_no_temp_folder(tmp_path):
    before = set(Path(tempfile.gettempdir()).glob(f"ogi-batch-{os.getpid()}-*"))
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0
    assert set(Path(tempfile.gettempdir()).glob(f"ogi-batch-{os.getpid()}-*")) == before


def test_unwritable_out_even_as_root(tmp_path, monkeypatch):
    """As test_unwritable_out, for a run as root (which writes anywhere): the folder refuses a write."""
    import errno

    from validator.batch.cache import ResultCache

    out = tmp_path / "out"

    def refuse(self):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self.root))

    monkeypatch.setattr(ResultCache, "prepare", refuse)
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(out), "-q"])
    _one_line_error(result, out)
    assert "Permission denied" in result.output
