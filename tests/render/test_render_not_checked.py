"""无法核对 (not checked) is its own outcome in every output: never 通过, never 无法读取, counted apart, with
the reason and what to do; `ogi check` exits 3 for it (2 > 3 > 1 > 0)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.cli.common import exit_code
from validator.engine.rules import build_ruleset
from validator.model import NOT_CHECKED_ADVICE, BatchRun, Entry, Finding, ReportResult
from validator.render.html import render as render_html
from validator.render.json import render as render_json
from validator.render.summary import write_outputs
from validator.render.text import render as render_text

REASON = "表三未找到：文件没有文字层（扫描件或图片）"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "2023_示例市交通运输局_无错误.txt"


def _meta(name: str) -> dict:
    return {"source": name, "agency": "示例市交通运输局", "year": 2023, "template": "gb2021"}


def _error() -> Finding:
    return Finding("T3-01", "error", ("t3.new.np",), {"t3.new.np": 3.0}, "不相等", "not equal")


def _results() -> list[ReportResult]:
    return [
        ReportResult(0, _meta("ok.txt")),
        ReportResult(1, _meta("bad.txt"), findings=[_error()]),
        ReportResult(2, _meta("scan.pdf"), not_checked=REASON),
        ReportResult(3, {"source": "broken.docx"}, error="broken.docx: 文件已损坏"),
    ]


def test_status_is_not_checked_even_with_findings():
    result = ReportResult(0, _meta("scan.pdf"), findings=[_error()], not_checked=REASON)
    assert result.status == "not_checked"
    assert ReportResult(0, {}, error="x", not_checked=REASON).status == "unreadable"


def test_text_counts_it_apart_with_the_reason_and_what_to_do():
    text = render_text(_results())
    assert "共 4 份报告：通过 1，有错误 1，有警告 0，无法核对 1，无法读取 1" in text
    block = text.split("== scan.pdf ==")[1].split("==")[0]
    assert "结果：无法核对" in block and REASON in block and NOT_CHECKED_ADVICE["zh"] in block
    assert "未发现问题" not in block and "通过" not in block
    english = render_text(_results(), lang="en")
    assert "not checked 1" in english and NOT_CHECKED_ADVICE["en"] in english


def test_json_has_status_and_reason():
    reports = json.loads(render_json(_results()))["reports"]
    scan = reports[2]
    assert scan["status"] == "not_checked" and scan["not_checked"] == REASON
    assert "not_checked" not in reports[0] and reports[3]["status"] == "unreadable"


def test_html_shows_it():
    page = render_html(_results())
    assert '<span class="not_checked">无法核对 1</span>' in page
    assert REASON in page and NOT_CHECKED_ADVICE["zh"] in page


def _entry(result: ReportResult, name: str) -> Entry:
    return Entry(
        name,
        "ab" * 32,
        "示例市交通运输局",
        "示例市交通运输局",
        "示例市交通运输局",
        2023,
        "gb2021",
        "text",
        result,
    )


def test_batch_outputs_count_it_apart(tmp_path):
    results = _results()
    entries = [_entry(r, r.meta["source"]) for r in results]
    run = BatchRun(entries, build_ruleset(), [], fingerprint="0.1.0-test")
    names = write_outputs(run, tmp_path)
    assert names[-1] == "manifest.json"
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == {"ok": 1, "errors": 1, "warnings": 0, "not_checked": 1, "unreadable": 1}
    assert manifest["fingerprint"] == "0.1.0-test"
    with open(tmp_path / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["文件"]: r for r in csv.DictReader(fh)}
    assert rows["scan.pdf"]["状态"] == "无法核对" and rows["scan.pdf"]["状态代码"] == "not_checked"
    assert REASON in rows["scan.pdf"]["无法核对原因"] and rows["ok.txt"]["无法核对原因"] == ""
    sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx", read_only=True)["报告"]
    values = [r for r in sheet.iter_rows(values_only=True)]
    assert any("无法核对" in r for r in values)
    md = next((tmp_path / "agencies").glob("*.md")).read_text(encoding="utf-8")
    assert f"无法核对：{REASON}" in md
    agency = json.loads(next((tmp_path / "agencies").glob("*.json")).read_text(encoding="utf-8"))
    assert [r["not_checked"] for r in agency["reports"]].count(REASON) == 1


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (["ok"], 0),
        (["ok", "warnings"], 0),
        (["errors"], 1),
        (["not_checked"], 3),
        (["errors", "not_checked"], 3),
        (["unreadable", "not_checked", "errors"], 2),
        ([], 0),
    ],
)
def test_exit_code_precedence(statuses, code):
    assert exit_code(statuses) == code


def test_ogi_check_exits_3_for_a_report_not_checked(monkeypatch):
    import validator.api

    def fake_check(paths, select=(), ignore=()):
        return [validator.api.ReadOutcome(str(p)) for p in paths], [
            ReportResult(0, _meta(str(SAMPLE)), not_checked=REASON)
        ]

    monkeypatch.setattr(validator.api, "check", fake_check)
    result = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert result.exit_code == 3, result.output
    assert "无法核对 1" in result.output and NOT_CHECKED_ADVICE["zh"] in result.output


def test_ogi_batch_closing_line_counts_it(monkeypatch, tmp_path):
    import validator.batch

    def fake_run(paths, out_dir, **kwargs):
        return BatchRun([_entry(r, r.meta["source"]) for r in _results()[:3]], None, [])

    monkeypatch.setattr(validator.batch, "run_batch", fake_run)
    result = CliRunner().invoke(main, ["batch", str(SAMPLE), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "通过 1，有错误 1，有警告 0，无法核对 1，无法读取 0" in result.output


def test_help_documents_the_exit_codes():
    for command in (["--help"], ["check", "--help"], ["batch", "--help"]):
        text = CliRunner().invoke(main, command).output
        assert "3" in text and "无法核对" in text, command


def _image_only_pdf(path: Path, w: int = 200, h: int = 100) -> Path:
    """A one-page PDF holding one image and no text layer, as a scanner writes it (written by hand)."""
    import zlib

    pixels = zlib.compress(bytes([200]) * (w * h * 3))
    content = f"q {w} 0 0 {h} 100 600 cm /Im1 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (w, h, len(pixels))
        + pixels
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_scanned_pdf_end_to_end(tmp_path):
    pdf = _image_only_pdf(tmp_path / "2023_示例市交通运输局.pdf")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(pdf)])
    report = json.loads(result.output)["reports"][0]
    assert report["status"] == "not_checked" and report["not_checked"]
    assert result.exit_code == 3
