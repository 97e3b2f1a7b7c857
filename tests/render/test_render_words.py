"""Words people read (issue 10): text and HTML reports name cells by the form's labels and places by what
the file format has — never an internal cell id (`t3.res.granted.tot`), which stays in JSON and --verbose.
Scanned over many generated reports of every non-PDF family (with and without injected errors, blanks and
markers) and over ../shared/corpus when present."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.api import read_one, validate_reports
from validator.cli import main
from validator.model import CellState, CellValue
from validator.render.docx_annotate import summary_lines
from validator.render.html import render as render_html
from validator.render.text import render as render_text
from validator.testing.layouts import FAMILIES, make_sample, write_many

#: an internal cell id: t3.res.granted.tot, t4.review.total, n.granted, prev.t3.new.np
ID = re.compile(r"(?<![\w.])(?:prev\.)?(?:t[1-4]|n)\.[a-z_]+(?:\.[a-z_]+)*")
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _leaks(text: str) -> list[str]:
    return sorted(set(ID.findall(text)))


def _results(tmp_path: Path):
    items = [
        (make_sample(seed, error=seed % 2 == 0), family)
        for seed in range(6)
        for family in FAMILIES.values()
        if not family.via_pdf
    ]
    paths = write_many(items, tmp_path)
    reports = [read_one(p).report for p in paths]
    # blanks, a marker and a blank total, so the blank and 无法判断 wordings are exercised too
    for k, report in enumerate(reports[::3]):
        cells = [c for c, v in report.cells.items() if c.startswith("t3.") and v.state == CellState.NUMBER]
        for cell in cells[k % 5 :: 7]:
            raw = "/" if k % 2 else ""
            report.cells[cell] = CellValue(CellState.NA_MARKER if raw else CellState.BLANK, None, raw)
    return validate_reports([r for r in reports if r is not None])


def test_text_and_html_name_no_internal_ids(tmp_path):
    results = _results(tmp_path)
    assert any(r.findings for r in results) and any(r.not_assessable for r in results)
    assert any(f.rule == "M-09" for r in results for f in r.findings)
    text = render_text(results)
    html = render_html(results)
    assert _leaks(text) == [], _leaks(text)[:10]
    assert _leaks(html) == [], _leaks(html)[:10]
    assert "表三「" in text and "表三「" in html
    comments = "\n".join(line for r in results if not r.error for line in summary_lines(r))  # Word's summary
    assert _leaks(comments) == [], _leaks(comments)[:10]
    # ids are still there for tools and on request
    assert _leaks(render_text(results, verbose=True))


def test_places_follow_the_format(tmp_path):
    results = _results(tmp_path)
    for result in results:
        suffix = Path(result.meta["source"]).suffix
        places = [p for f in result.findings for p in f.provenance.values()]
        for place in places:
            if suffix == ".txt":
                assert re.fullmatch(r"第\d+(行|字符处)", place), place
            elif suffix == ".xlsx":
                assert place.startswith("工作表「") and "个表格" not in place, place
            else:
                assert re.fullmatch(r"第\d+个表格( 第\d+行)?", place), place


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_text_and_html_name_no_internal_ids():
    files = sorted(
        p for p in CORPUS.iterdir() if p.suffix.lower() in {".txt", ".html", ".docx", ".xlsx", ".pdf"}
    )
    results = validate_reports([read_one(p).report for p in files if read_one(p).report is not None])
    assert _leaks(render_text(results)) == []
    assert _leaks(render_html(results)) == []


def test_html_report_has_its_header_print_css_and_next_steps(tmp_path):
    results = _results(tmp_path)[:3]
    html = render_html(results, now=datetime(2026, 12, 7, 9, 30))
    assert "生成时间：2026-12-07 09:30" in html
    assert re.search(r"工具版本：ogi-validator \d+\.\d+\.\d+", html)
    assert re.search(r"规则版本：[0-9a-f]{12}", html)
    assert "@media print" in html and "size:A4" in html
    assert html.count('<p class="next">下一步：') == len(results)


def test_next_step_asks_for_last_years_report(tmp_path):
    sample = make_sample(3)
    (path,) = write_many([(sample, FAMILIES["docx"])], tmp_path)
    out = CliRunner().invoke(main, ["check", "--format", "html", str(path)]).stdout
    assert "把上一年度报告一起检查" in out
    text = CliRunner().invoke(main, ["check", str(path)]).stdout
    assert text.count("没有同一机关上一年度的报告") == 1
    assert "下一步：" in text and "把上一年度报告一起检查" in text.split("下一步：")[1]
