"""Reader shape and size: HTML nested beyond libxml2's 256 levels is read whole (never cut into a false
"section missing"); UTF-16 text with a BOM is read; a 20 MB text file stays within 1 GB and bounded time,
or is refused with a clear reason."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from validator.api import read_one
from validator.testing.formats import render, series

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "2023_示例市交通运输局_无错误.txt"


@pytest.fixture(scope="module")
def html() -> str:
    return render(series("示例市交通运输局", [2023], random.Random(1))[0], "html").decode("utf-8")


@pytest.mark.parametrize("depth", [0, 300, 5000])
def test_deep_html_is_read_whole(tmp_path, html, depth):
    cut = html.index("<body>") + len("<body>")
    path = tmp_path / f"deep{depth}.html"
    path.write_text(html[:cut] + "<div><span>" * depth + html[cut:], encoding="utf-8")
    outcome = read_one(path)
    assert outcome.error is None, outcome.error
    numbers = sum(1 for c in outcome.report.cells.values() if c.state.name == "NUMBER")
    assert len(outcome.report.sections) == 6 and numbers > 190


def test_deep_tables_refused_clearly(tmp_path, html):
    cut = html.index("<body>") + len("<body>")
    path = tmp_path / "tables.html"
    path.write_text(html[:cut] + "<table><tr><td>" * 400 + html[cut:], encoding="utf-8")
    outcome = read_one(path)
    assert outcome.report is not None or ("tables.html" in outcome.error and "\n" not in outcome.error)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(tmp_path, encoding):
    text = SAMPLE.read_text(encoding="utf-8")
    data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode(encoding)
    path = tmp_path / "u16.txt"
    path.write_bytes(data)
    outcome = read_one(path)
    assert outcome.error is None, outcome.error
    assert outcome.report.agency == "示例市交通运输局"


_MEASURED = (
    "import atexit, re, sys\n"
    "peak_file = sys.argv.pop(1)\n"
    "def _peak():\n"
    "    status = open('/proc/self/status').read()\n"
    "    open(peak_file, 'w').write(re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
    "atexit.register(_peak)\n"
    "from validator.cli import main\n"
    "main()\n"
)


def _measure(path: Path) -> tuple[float, int, str]:
    """Seconds, peak memory (MB) and output of `ogi check`. The peak is the check's own high-water mark
    (VmHWM, kB), written by the process itself at exit: the test run's RUSAGE_CHILDREN counts every earlier
    test's subprocesses, and a child's own ru_maxrss starts at the pytest process's size at fork (Linux
    keeps the pre-exec high-water mark), which after the OCR tests is over a gigabyte."""
    peak_file = path.with_suffix(".peak")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(peak_file), "check", str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    seconds = time.monotonic() - started
    peak = int(peak_file.read_text())
    return seconds, peak // 1024, proc.stdout + proc.stderr


@pytest.mark.parametrize("shape", ["narrative", "short_lines", "tab_cells"])
def test_twenty_megabytes_of_text_is_bounded(tmp_path, shape):
    text = SAMPLE.read_text(encoding="utf-8")
    size = 19 * 1024 * 1024
    unit = {
        "narrative": "本机关认真贯彻落实政府信息公开条例，持续推进决策、执行、管理、服务、结果公开。\n",
        "short_lines": "一\n",
        "tab_cells": "\t".join(["12"] * 50) + "\n",
    }[shape]
    path = tmp_path / f"{shape}.txt"
    path.write_text(text + unit * (size // len(unit.encode())), encoding="utf-8")
    seconds, peak_mb, output = _measure(path)
    print(f"{shape}: {path.stat().st_size / 1e6:.1f} MB in {seconds:.1f} s, peak {peak_mb} MB")
    assert "Traceback" not in output
    assert peak_mb < 1024, peak_mb
    assert seconds < 60, seconds
    if shape == "narrative":
        assert "示例市交通运输局" in output
    else:
        assert f"{shape}.txt: " in output and "过多" in output
