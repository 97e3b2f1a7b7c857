"""The same figures rendered as text, HTML, DOCX, XLSX and PDF extract to identical cell values."""

from __future__ import annotations

import random

import pytest

from validator.api import read_one
from validator.catalogue import load_catalogue
from validator.model import CellState
from validator.readers.convert import find_soffice, run_soffice
from validator.testing.formats import series, write

FORMATS = ("text", "html", "docx", "xlsx")


def _pdf_from_docx(docx, out_dir):
    run_soffice([docx], "pdf", out_dir, timeout=180)
    return out_dir / (docx.stem + ".pdf")


@pytest.mark.parametrize("year", [2020, 2024])
def test_identical_cells_across_formats(tmp_path, year):
    report = series("示例市示例局", [year], random.Random(year))[0]
    figures = report.figures
    paths = {fmt: write(report, fmt, tmp_path, f"report_{fmt}") for fmt in FORMATS}
    if find_soffice():
        paths["pdf"] = _pdf_from_docx(paths["docx"], tmp_path)
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


def test_pdf_is_exercised_when_libreoffice_is_installed():
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed (CI installs it)")
    assert find_soffice()
