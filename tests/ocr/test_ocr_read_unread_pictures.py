"""A picture OCR makes no table out of is not a missing table: a Word report whose 表三 is such a picture is
无法核对 (the table may be that picture), never an M-01/M-02 error; the same picture shown twice is read
once, and past the document's pixel budget pictures are left unread (so counted), never read for minutes."""

from __future__ import annotations

from ocr_read_images import docx_with_picture, png, require_ocr, table_image, unruled_image

from validator.api import read_one, validate_reports
from validator.readers import ocr


def test_a_table_picture_ocr_cannot_make_out_is_not_checked_never_an_error(tmp_path):
    require_ocr()
    path = tmp_path / "unruled.docx"
    path.write_bytes(docx_with_picture(png(unruled_image())))
    outcome = read_one(path)
    assert outcome.error is None, outcome.error
    (result,) = validate_reports([outcome.report])
    assert result.status == "not_checked"
    assert not [f for f in result.findings if f.severity == "error"], [f.rule for f in result.findings]
    reasons = " ".join(outcome.report.tables_missing.values())
    assert "图片未能识别出表格" in reasons


def test_the_same_picture_twice_is_read_once(monkeypatch):
    calls = []
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "read_page_safely", lambda frame, ctx, **kw: calls.append(frame.shape) or [])
    reader = ocr.ImageReader("a.docx")
    data = png(table_image(angle=0, blur=0))
    reader.blocks(data, "word/media/image1.png")
    reader.blocks(data, "word/media/image1.png")
    assert len(calls) == 1


def test_pictures_past_the_budget_are_left_unread(monkeypatch):
    calls = []
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "read_page_safely", lambda frame, ctx, **kw: calls.append(frame.shape) or [])
    monkeypatch.setattr(ocr, "PICTURE_BUDGET", 1_500_000)
    reader = ocr.ImageReader("a.docx")
    for k in range(4):  # four different pictures of ~0.7 Mpx each: the third goes past 1.5 Mpx
        reader.blocks(png(unruled_image(rows=[[f"第{k}行", "1", "2", "3"]] * 10, blur=0)), f"image{k}.png")
    assert len(calls) == 2
    assert reader.unread >= 2
    doc = type("Doc", (), {"meta": {}})()
    reader.mark(doc)
    assert doc.meta.get("pictures_unread")
