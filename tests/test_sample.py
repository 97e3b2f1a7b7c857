"""The original sample (a 2019 .docx extracted to text): every cell read, the right findings only."""

from __future__ import annotations

from pathlib import Path

import pytest

from validator.api import validate_reports
from validator.catalogue import load_catalogue
from validator.locate import locate
from validator.model import CellState
from validator.readers.text import read_text

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "2019_hangzhou_xiacheng_kejiju.txt"

# Every cell of the gb2019 form is 0 in the sample except these (read off the source by hand).
NON_ZERO = {
    "t2.normative_docs.total_published": 2,
    "t3.new.np": 1,
    "t3.new.tot": 1,
    "t3.res.unable.not_held.np": 1,
    "t3.res.unable.not_held.tot": 1,
    "t3.res.total.np": 1,
    "t3.res.total.tot": 1,
}


@pytest.fixture(scope="module")
def report():
    return locate(read_text(SAMPLE))


@pytest.fixture(scope="module")
def result(report):
    return validate_reports([report])[0]


def test_metadata(report):
    assert report.template == "gb2019"
    assert report.year == 2019
    assert report.agency == "杭州市下城区科技局"


def test_every_cell_read(report):
    template = load_catalogue().templates["gb2019"]
    assert len(template.form_cells) == 198
    for cell in template.form_cells:
        value = report.cells[cell.id]
        assert value.state == CellState.NUMBER, cell.id
        assert value.value == NON_ZERO.get(cell.id, 0), cell.id
        assert value.provenance is not None and value.provenance.line is not None, cell.id


def test_no_arithmetic_errors(result):
    arithmetic = [f for f in result.findings if f.rule.startswith(("T", "X"))]
    assert arithmetic == []


def test_heading_findings(result):
    m01 = [f for f in result.findings if f.rule == "M-01"]
    kinds = sorted((f.kind, f.severity) for f in m01)
    assert kinds == [("misnumbered", "error")] * 3 + [("unofficial", "warning")]
    misnumbered = " ".join(f.message_zh for f in m01 if f.kind == "misnumbered")
    assert "主动公开政府信息相关情况" in misnumbered and "「一、」" in misnumbered
    unofficial = next(f for f in m01 if f.kind == "unofficial")
    assert "四、平台建设情况" in unofficial.message_zh
    assert "四、政府信息公开行政复议、行政诉讼情况" in unofficial.message_zh


def test_sections_text(report):
    assert report.section_texts["s6"] == "无。"
    assert report.section_texts["s5"].startswith("2019年我局政府信息公开工作")
