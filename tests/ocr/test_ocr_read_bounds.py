"""Pictures and scanned pages are read within a bound of pixels (validator.readers.ocr.MAX_PIXELS): a picture
above it is refused, and a PDF page however large is rendered at no more (a 553-byte PDF with one page of
200 × 200 inches took 17 GB and 5 minutes to render and read at 200 dpi). The bound is lowered here so the
test is quick."""

from __future__ import annotations

import io

import pytest

from validator.readers import ocr


@pytest.fixture
def small_bound(monkeypatch):
    monkeypatch.setattr(ocr, "MAX_PIXELS", 1_000_000)


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, format="PNG")
    return out.getvalue()


def test_a_picture_above_the_bound_is_refused(small_bound):
    assert len(ocr.decode_image(png(1000, 1000))) == 1
    assert ocr.decode_image(png(1100, 1000)) == []  # PIL alone refuses only above twice its bound


def test_a_huge_pdf_page_is_rendered_within_the_bound(small_bound, tmp_path):
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(14400, 14400)  # 200 × 200 inches
    pdf.new_page(595, 842)  # A4: at 200 dpi 1654 × 2339, above this test's bound too
    path = tmp_path / "huge.pdf"
    pdf.save(str(path))
    huge, a4 = ocr.render_pdf_pages(path, [1, 2])
    assert huge.size <= 1_010_000 and huge.shape[0] == huge.shape[1] >= 990
    assert a4.size <= 1_010_000 and abs(a4.shape[0] / a4.shape[1] - 842 / 595) < 0.01


def test_ordinary_pages_are_rendered_at_their_resolution():
    assert ocr.page_scale((595, 842), 200) == pytest.approx(200 / 72)  # A4
    assert ocr.page_scale((842, 1191), 300) == pytest.approx(300 / 72)  # A3 at 300 dpi


def test_scanned_pages_are_rendered_one_at_a_time(tmp_path, monkeypatch):
    """Each page is read before the next is rendered: a scan of 500 pages held whole took 2.1 GB (now
    0.28 GB); the bound of memory is a page, not the file."""
    import pypdfium2

    from validator.readers import read_document

    rendered, seen = [], []
    pages = ocr.iter_pdf_pages

    def counting(*args, **kwargs):
        for image in pages(*args, **kwargs):
            rendered.append(1)
            yield image

    monkeypatch.setattr(ocr, "iter_pdf_pages", counting)
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "read_page_safely", lambda image, ctx, **_: seen.append(len(rendered)) or [])
    pdf = pypdfium2.PdfDocument.new()
    for _ in range(3):
        pdf.new_page(595, 842)
    path = tmp_path / "blank.pdf"
    pdf.save(str(path))
    read_document(path)
    assert seen == [1, 2, 3]


def test_running_out_of_memory_while_decoding_is_not_a_broken_picture(monkeypatch):
    """Over a pool worker's memory bound the file is a transient `out of memory` (read again on --resume),
    not a cached 图片无法解码 (an 8900 × 8900 PNG under a 60 MB bound came back as undecodable)."""

    def full(frame):
        raise MemoryError

    monkeypatch.setattr(ocr, "_grey", full)
    with pytest.raises(MemoryError):
        ocr.decode_image(png(200, 200))
