"""The OCR reader on pictures drawn here: a ruled table (merged header, slight rotation, blur) comes out as
a Grid with every cell's text, its confidence and its box; a standalone PNG, a scanned PDF page, a picture
inside a DOCX and one beside a saved web page are all read the same way, in document order."""

from __future__ import annotations

import pytest
from ocr_read_images import (
    ROWS,
    SUBHEADER,
    docx_with_picture,
    font,
    image_pdf,
    pdf_text_and_picture,
    png,
    require_ocr,
    table_image,
    unruled_image,
)

from validator.readers import read_document, sniff
from validator.readers.document import Grid, TextBlock


@pytest.fixture(scope="module")
def picture():
    require_ocr()
    return table_image()


def grids(doc) -> list[Grid]:
    return [b for b in doc.blocks if isinstance(b, Grid)]


def texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in row] for row in grid.rows]


def check_table(grid: Grid) -> None:
    rows = texts(grid)
    assert len(rows) == 2 + len(ROWS) and all(len(r) == 4 for r in rows)
    assert rows[0][0] == "信息内容" and rows[0][1] == "申请人情况"
    assert rows[0][2:] == ["", ""] and rows[1][0] == ""  # merged cells appear once, at their first position
    assert rows[1][1:] == SUBHEADER[1:]
    assert rows[2:] == ROWS
    merged = grid.rows[0]
    assert merged[1].provenance == merged[2].provenance == merged[3].provenance  # one cell over three
    figure = grid.rows[4][2]  # “20”
    assert figure.reading is not None and 0.0 < figure.reading.confidence <= 1.0
    box = figure.provenance.box
    assert box is not None and box[0] < box[2] and box[1] < box[3]


def test_png_is_sniffed_and_read_as_a_ruled_table(tmp_path, picture):
    path = tmp_path / "表三.png"
    path.write_bytes(png(picture))
    assert sniff(path) == "image"
    doc = read_document(path)
    assert doc.format == "image" and doc.meta.get("ocr") == "1"
    (grid,) = grids(doc)
    check_table(grid)
    assert grid.rows[2][1].provenance.zh() == "第1个表格 第3行"
    title = [b.text for b in doc.blocks if isinstance(b, TextBlock)]
    assert title == ["某某市某某局2023年政府信息公开工作年度报告"]
    assert doc.meta["title"] == title[0]


def test_table_without_rules_from_the_ocr_boxes(tmp_path):
    require_ocr()
    path = tmp_path / "unruled.png"
    path.write_bytes(png(unruled_image()))
    doc = read_document(path)
    (grid,) = grids(doc)
    assert texts(grid) == ROWS  # the figures' columns clustered from their boxes
    assert grid.rows[2][3].reading is not None and grid.rows[2][3].provenance.column == 4


def test_scanned_pdf_page_is_read_by_page(tmp_path, picture):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf(picture))
    doc = read_document(path)
    assert doc.meta.get("ocr") == "1" and "no_text" not in doc.meta
    (grid,) = grids(doc)
    check_table(grid)
    assert grid.rows[3][1].provenance.zh() == "第1页 表格第4行"


def test_picture_on_a_page_with_text_is_read_in_place(tmp_path, picture):
    path = tmp_path / "mixed.pdf"
    path.write_bytes(pdf_text_and_picture(picture))
    doc = read_document(path)
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["TextBlock", "TextBlock", "Grid", "TextBlock"]  # the text layer, the picture in place
    assert doc.blocks[0].text == "Annual report 2023, the tables follow"
    assert doc.blocks[1].text == "某某市某某局2023年政府信息公开工作年度报告"  # the title inside the picture
    assert doc.blocks[3].text == "After the table"
    check_table(doc.blocks[2])
    assert doc.meta.get("ocr") == "1" and "no_text_pages" not in doc.meta


def test_picture_inside_docx_in_document_order(tmp_path, picture):
    path = tmp_path / "tables.docx"
    path.write_bytes(docx_with_picture(png(picture)))
    doc = read_document(path)
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds[0] == "TextBlock" and doc.blocks[0].text == "表三收到和处理政府信息公开申请情况"
    assert doc.blocks[-1].text == "四、政府信息公开行政复议、行政诉讼情况"  # after the picture
    (grid,) = grids(doc)
    check_table(grid)
    assert grid.rows[2][1].provenance.image == "word/media/image1.png"
    assert grid.rows[2][1].provenance.zh() == "图片「image1.png」 表格第3行"
    assert doc.meta.get("ocr") == "1"


def test_picture_beside_a_saved_web_page(tmp_path, picture):
    folder = tmp_path / "site" / "page_files"
    folder.mkdir(parents=True)
    (folder / "t3.png").write_bytes(png(picture))
    (tmp_path / "secret.png").write_bytes(png(picture))  # outside the page's folder: never read
    page = tmp_path / "site" / "page.html"
    page.write_text(
        '<html><body><p>表三 收到和处理政府信息公开申请情况</p><img src="page_files/t3.png">'
        '<img src="../secret.png"><img src="http://example.invalid/t.png"><p>四、行政复议</p></body></html>',
        encoding="utf-8",
    )
    doc = read_document(page)
    (grid,) = grids(doc)
    check_table(grid)
    assert [b.text for b in doc.blocks if isinstance(b, TextBlock)][-1] == "四、行政复议"
    assert grid.provenance.image == "page_files/t3.png"


def test_a_picture_without_a_table_on_a_web_page_is_not_read(tmp_path):
    require_ocr()
    from PIL import Image, ImageDraw

    banner = Image.new("L", (900, 200), 255)
    ImageDraw.Draw(banner).text((40, 80), "某某市人民政府门户网站", font=font(), fill=0)
    (tmp_path / "banner.png").write_bytes(png(banner))
    page = tmp_path / "page.html"
    page.write_text('<html><body><img src="banner.png"><p>正文</p></body></html>', encoding="utf-8")
    doc = read_document(page)
    assert [b.text for b in doc.blocks] == ["正文"] and "ocr" not in doc.meta


def test_picture_inside_a_web_archive(tmp_path, picture):
    import base64

    data = base64.encodebytes(png(picture)).decode("ascii")
    mht = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/html; charset=utf-8\r\nContent-Location: file:///C:/r/page.htm\r\n\r\n"
        '<html><body><p>表三</p><img src="page.files/t3.png"><p>四、行政复议</p></body></html>\r\n'
        "--B\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Location: file:///C:/r/page.files/t3.png\r\n\r\n{data}\r\n--B--\r\n"
    )
    path = tmp_path / "report.mht"
    path.write_text(mht, encoding="utf-8")
    doc = read_document(path)
    (grid,) = grids(doc)
    check_table(grid)
    assert doc.meta.get("container") == "mht" and doc.meta.get("ocr") == "1"


def test_unreadable_picture_data_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    require_ocr()
    from validator.model import ReadError

    with pytest.raises(ReadError, match=r"^broken\.png: 图片无法解码"):
        read_document(path)
