"""Without the OCR extra: a scanned PDF, a picture file, a Word file with its tables as pictures are read
without a traceback and the report is 无法核对 with a message saying what to install — never 通过."""

from __future__ import annotations

import sys

import pytest
from ocr_read_images import docx_with_picture, image_pdf, png, table_image

from validator.api import read_report, validate_reports
from validator.locate import locate
from validator.readers import read_document
from validator.readers.ocr import available
from validator.readers.ocr import engine as ocr_engine


@pytest.fixture
def no_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails as when not installed
    monkeypatch.setattr(ocr_engine, "_ENGINE", None)
    assert not available()


@pytest.fixture(scope="module")
def picture():
    return table_image()


@pytest.mark.parametrize("kind", ["pdf", "png"])
def test_scan_is_not_checked_and_says_what_to_install(tmp_path, no_extra, picture, kind):
    path = tmp_path / f"scan.{kind}"
    path.write_bytes(image_pdf(picture) if kind == "pdf" else png(picture))
    doc = read_document(path)
    assert doc.meta.get("no_text") == "1" and doc.meta.get("ocr_missing") == "1" and not doc.blocks
    report = read_report(path)
    assert not report.machine_readable
    (result,) = validate_reports([report])
    assert result.status == "not_checked"
    assert "OCR" in result.not_checked and 'pip install "ogi-validator[ocr]"' in result.not_checked


def test_docx_pictures_are_flagged_unread(tmp_path, no_extra, picture):
    path = tmp_path / "tables.docx"
    path.write_bytes(docx_with_picture(png(picture)))
    doc = read_document(path)
    assert doc.meta.get("ocr_missing") == "1" and "ocr" not in doc.meta
    assert [b.text for b in doc.blocks] == [
        "表三收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    report = locate(doc)
    assert "OCR" in report.tables_missing["t3"] and "pip install" in report.tables_missing["t3"]
    # the tables may be the pictures: not read (无法核对), never an M-02 error about their absence
    assert not report.machine_readable
    (result,) = validate_reports([report])
    assert result.status == "not_checked" and "OCR" in result.not_checked
    assert not [f.rule for f in result.findings if f.severity == "error"]
