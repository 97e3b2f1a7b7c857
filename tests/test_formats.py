"""The same figures rendered as text, HTML, DOCX, XLSX and PDF extract to identical cell values."""

from __future__ import annotations

import random

import pytest
from libreoffice import require_libreoffice

from validator.api import read_one
from validator.catalogue import load_catalogue
from validator.model import CellState
from validator.readers.convert import run_soffice
from validator.testing.formats import series, write

FORMATS = ("text", "html", "docx", "xlsx")


def _pdf_from_docx(docx, out_dir):
    run_soffice([docx], "pdf", out_dir, timeout=180)
    return out_dir / (docx.stem + ".pdf")


def _assert_identical(paths: dict, figures, year: int) -> None:
    template = load_catalogue().templates[figures.template]
    for fmt, path in paths.items():
        outcome = read_one(path)
        assert outcome.report is not None, (fmt, outcome.error)
        got = outcome.report
        assert (got.template, got.year) == (figures.template, year), fmt
        for cell in template.form_cells:
            value = got.cells[cell.id]
            assert value.state == CellState.NUMBER, (fmt, cell.id, value.state, value.raw)
            assert value.value == pytest.approx(figures.cells[cell.id]), (fmt, cell.id)


@pytest.mark.parametrize("year", [2020, 2024])
def test_identical_cells_across_formats(tmp_path, year):
    report = series("示例市示例局", [year], random.Random(year))[0]
    paths = {fmt: write(report, fmt, tmp_path, f"report_{fmt}") for fmt in FORMATS}
    _assert_identical(paths, report.figures, year)


@pytest.mark.parametrize("year", [2020, 2024])
def test_pdf_reads_the_same_cells(tmp_path, year):
    """The DOCX rendering exported to PDF by LibreOffice: skipped visibly without it, failed under CI."""
    require_libreoffice()
    report = series("示例市示例局", [year], random.Random(year))[0]
    docx = write(report, "docx", tmp_path, "report_docx")
    _assert_identical({"pdf": _pdf_from_docx(docx, tmp_path)}, report.figures, year)


def test_without_libreoffice_a_visible_skip_and_a_failure_under_ci(monkeypatch):
    import libreoffice

    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="LibreOffice"):
        require_libreoffice()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must not skip"):
        require_libreoffice()
