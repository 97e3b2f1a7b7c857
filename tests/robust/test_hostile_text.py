"""Hostile names and text: a file name that is not UTF-8 never crashes a batch (shown with U+FFFD, kept
exact in JSON); text that a spreadsheet could run is written as text in every XLSX/CSV; Markdown and HTML
escape markup; the terminal never receives escape sequences."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from validator.batch import run_batch
from validator.cli import main
from validator.render.safe import csv_cell, json_dumps, terminal
from validator.testing.formats import series, write

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "2023_示例市交通运输局_无错误.txt"
GBK_NAME = "2023年报.txt".encode("gbk")  # as unzip leaves a name from a Chinese Windows archive
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    if sys.platform == "linux":
        with open(os.path.join(os.fsencode(folder), GBK_NAME), "wb") as fh:
            fh.write(SAMPLE.read_bytes())
    rng = random.Random(3)
    write(series("=示例市交通运输局", [2023], rng)[0], "text", folder, name="formula")
    write(series("示例市<b>交通运输局", [2022], rng)[0], "text", folder, name="markup")
    (folder / "-1+1.txt").write_text("", encoding="utf-8")  # its error message starts with "-"
    (folder / "=cmd@A1.txt").write_bytes(b"\x00\x01\x02 binary")
    return folder


@pytest.fixture(scope="module")
def audited(hostile, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile-out") / "out"
    run_batch([hostile], out, jobs=1, quiet=True)
    return out


def test_every_file_has_a_row(hostile, audited):
    rows = _csv(audited / "reports.csv")
    assert len(rows) - 1 == len(os.listdir(hostile))


@pytest.mark.skipif(sys.platform != "linux", reason="non-UTF-8 file names")
def test_non_utf8_name_shown_with_replacement_and_kept_exact_in_json(hostile, audited):
    rows = _csv(audited / "reports.csv")
    header = rows[0]
    files = [r[header.index("文件")] for r in rows[1:]]
    assert any("\ufffd" in f and f.endswith(".txt") for f in files)
    wb = openpyxl.load_workbook(audited / "summary.xlsx", read_only=True)
    assert any("\ufffd" in str(r[4]) for r in wb["报告"].iter_rows(min_row=2, values_only=True))
    exact = []
    for path in (audited / "agencies").glob("*.json"):
        exact += [e["file"] for e in json.loads(path.read_text(encoding="utf-8"))["reports"]]
    assert any(os.fsencode(f).endswith(GBK_NAME) for f in exact), "the JSON keeps the name's bytes"


def test_no_cell_a_spreadsheet_could_run(audited):
    for name in ("reports.csv", "findings.csv"):
        for row in _csv(audited / name)[1:]:
            for value in row:
                assert not value.startswith(FORMULA_STARTS) or value.lstrip("-").isdigit(), (name, value)
    wb = openpyxl.load_workbook(audited / "summary.xlsx")
    for ws in wb:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    texts = [c.value for c in wb["报告"]["B"] if isinstance(c.value, str)]
    assert "=示例市交通运输局" in texts, "kept as text, not dropped"


def test_markdown_escapes_html(audited):
    text = "".join(p.read_text(encoding="utf-8") for p in (audited / "agencies").glob("*.md"))
    assert "<b>" not in text and "&lt;b&gt;" in text


def test_extract_csv_escapes_formulas(hostile):
    result = CliRunner().invoke(main, ["extract", str(hostile / "formula.txt"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    for row in csv.reader(result.output.splitlines()):
        for value in row:
            assert not value.startswith(("=", "+", "@")), value


def test_terminal_output_has_no_escape_sequences(tmp_path):
    path = tmp_path / "esc.txt"
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "示例市交通运输局", "示例市\x1b]0;owned\x07\x1b[31m交通运输局", 1
    )
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert "\x1b" not in result.output and "\x07" not in result.output
    bad = tmp_path / "\x1b[2Jname.txt"
    bad.write_bytes(b"")
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert "\x1b" not in result.output


def test_helpers():
    assert csv_cell("-1+2") == "'-1+2" and csv_cell("@x") == "'@x" and csv_cell(-3) == -3
    assert csv_cell("\x01x").startswith("'")
    assert terminal("a\x1b[31mb\x1b]0;t\x07c\x9b\x01d\u202e") == "abcd"
    assert json.loads(json_dumps({"f": "a\udcc4b"}))["f"] == "a\udcc4b"


@pytest.mark.skipif(sys.platform != "linux", reason="non-UTF-8 file names")
def test_non_utf8_name_in_check_and_zip(tmp_path):
    target = os.path.join(os.fsencode(tmp_path), GBK_NAME)
    shutil.copy(SAMPLE, target)
    name = os.fsdecode(target)
    for fmt in ("text", "json", "html"):
        result = CliRunner().invoke(main, ["check", name, "--format", fmt])
        assert result.exception is None or isinstance(result.exception, SystemExit), (fmt, result.output)
        assert "\ufffd" in result.output or fmt == "json"


def test_annotated_workbook_keeps_formula_like_text_as_text(tmp_path):
    book = tmp_path / "表格.xlsx"
    agency = '=HYPERLINK("http://example.invalid","x")'
    result = CliRunner().invoke(main, ["template", "--year", "2023", "--agency", agency, "-o", str(book)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(book)
    wb[wb.sheetnames[1]].title = "=SUM(1)"  # a sheet name that looks like a formula
    wb.save(book)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["check", str(book), "--annotate", str(out)])
    assert out.exists(), result.output
    for path in (book, out):
        wb = openpyxl.load_workbook(path)
        for ws in wb:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and (agency in cell.value or "=SUM(1)" in cell.value):
                        assert cell.data_type == "s", (path.name, ws.title, cell.coordinate, cell.value)


@pytest.mark.parametrize("jobs", [1, 2])
def test_zip_member_errors_name_the_member_not_its_temp_copy(tmp_path, jobs):
    import zipfile

    archive = tmp_path / "报告.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("县/坏.docx", b"PK\x03\x04 not a word file")
        z.writestr("县/空.txt", b"")
        z.writestr("县/好.txt", SAMPLE.read_bytes())
    out = tmp_path / "out"
    run_batch([archive], out, jobs=jobs, quiet=True)
    rows = _csv(out / "reports.csv")
    header = rows[0]
    errors = {r[header.index("文件")]: r[header.index("无法读取原因")] for r in rows[1:]}
    assert len(errors) == 3
    for member in ("县/坏.docx", "县/空.txt"):
        reason = errors[f"{archive}!/{member}"]
        assert reason.startswith(f"{member}: "), reason
        assert "000" not in reason.split(":")[0], reason
