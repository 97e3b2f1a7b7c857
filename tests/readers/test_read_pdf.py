"""PDF reader on the three corpus PDFs, plus scans (no text layer), encrypted and broken PDFs."""

from __future__ import annotations

import time

import pytest
from readers_build import CORPUS, pdf_encrypted, pdf_with_text, pdf_without_text

from validator.model import ReadError
from validator.readers import is_continuation, read_document
from validator.readers.document import Grid, TextBlock
from validator.readers.pdf import read_pdf

HZ2023 = CORPUS / "2023_jiangsu-huaian_hongzequ.pdf"
HZ2024 = CORPUS / "2024_jiangsu-huaian_hongzequ.pdf"
HA2024 = CORPUS / "2024_jiangsu-huaian_huaianshi.pdf"
needs_corpus = pytest.mark.usefixtures("shared_corpus")


def grids(doc) -> list[Grid]:
    return [b for b in doc.blocks if isinstance(b, Grid)]


def rows_with(doc, label: str) -> list[list[str]]:
    """Every grid row holding a cell equal to ``label``, as the cell texts after that cell."""
    out = []
    for g in grids(doc):
        for row in g.rows:
            cells = [c.text for c in row]
            if label in cells:
                out.append(cells[cells.index(label) + 1 :])
    return out


def t3(doc, label: str) -> list[str]:
    """The 7 table-3 values of the row labelled ``label`` (the last 7 cells of its row)."""
    (rest,) = rows_with(doc, label)
    return rest[-7:]


@pytest.fixture(scope="module")
def ha2024():
    return read_document(HA2024)


@pytest.fixture(scope="module")
def hz2023():
    return read_document(HZ2023)


@pytest.fixture(scope="module")
def hz2024():
    return read_document(HZ2024)


@needs_corpus
def test_huaianshi_2024_tables(ha2024):
    doc = ha2024
    assert doc.format == "pdf"
    assert doc.meta["title"] == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert "no_text" not in doc.meta
    # table 2
    assert rows_with(doc, "行政规范性文件") == [["8", "26", "66"]]
    assert rows_with(doc, "行政许可")[0][0] == "447228"
    assert rows_with(doc, "行政事业性收费") == [["96171.6"]]
    # table 3, first and continued page
    assert t3(doc, "一、本年新收政府信息公开申请数量") == ["3001", "53", "0", "0", "61", "4", "3119"]
    assert t3(doc, "（一）予以公开") == ["1288", "21", "0", "0", "50", "3", "1362"]
    assert t3(doc, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == [
        "447",
        "7",
        "0",
        "0",
        "0",
        "0",
        "454",
    ]
    assert t3(doc, "8.属于行政查询事项") == ["105", "0", "0", "0", "0", "0", "105"]
    assert t3(doc, "2.没有现成信息需要另行制作") == ["11", "0", "0", "0", "0", "0", "11"]
    assert t3(doc, "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请") == [
        "67",
        "3",
        "0",
        "0",
        "1",
        "0",
        "71",
    ]
    assert t3(doc, "3、其他") == ["108", "2", "0", "0", "0", "0", "110"]
    assert t3(doc, "（七）总计") == ["2932", "53", "0", "0", "61", "4", "3050"]
    assert t3(doc, "四、结转下年度继续办理") == ["103", "0", "0", "0", "0", "0", "103"]
    # the label cut by the page break stays as two cells on two pages
    (cut1,) = rows_with(doc, "（四）无")
    (cut2,) = rows_with(doc, "法提供")
    assert cut1[0] == "1.本机关不掌握相关政府信息" and cut2[0] == "2.没有现成信息需要另行制作"
    pages = {
        c.provenance.page for g in grids(doc) for r in g.rows for c in r if c.text in ("（四）无", "法提供")
    }
    assert pages == {4, 5}
    # table 4: the 15 cells
    (row,) = [
        [c.text for c in r] for g in grids(doc) for r in g.rows if [c.text for c in r][:2] == ["72", "64"]
    ]
    assert row == ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]


@needs_corpus
def test_huaianshi_structure_and_provenance(ha2024):
    doc = ha2024
    g = grids(doc)
    assert [x.provenance.page for x in g] == [3, 4, 4, 5, 5]
    assert [x.provenance.table for x in g] == [1, 2, 3, 4, 5]
    t3_first = g[2]
    assert all(len(r) == 10 for r in t3_first.rows)
    # the vertical group label: one cell, text joined without the line breaks of the vertical layout
    col0 = [r[0].text for r in t3_first.rows]
    assert "三、本年度办理结果" in col0
    i = col0.index("三、本年度办理结果")
    assert is_continuation(t3_first, i + 1, 0)
    cell = t3_first.rows[3][3]
    assert (
        cell.text,
        cell.provenance.page,
        cell.provenance.table,
        cell.provenance.row,
        cell.provenance.column,
    ) == ("3001", 4, 3, 4, 4)
    # headings between the tables, in reading order
    seq = []
    for b in doc.blocks:
        if isinstance(b, Grid):
            seq.append("grid")
        elif b.text[:2] in ("二、", "三、", "四、", "五、", "六、"):
            seq.append(b.text[:2])
    assert seq == ["二、", "grid", "grid", "三、", "grid", "grid", "四、", "grid", "五、", "六、"]
    # no TAB/newline anywhere; no page numbers as text
    for b in doc.blocks:
        items = [b.text] if isinstance(b, TextBlock) else [c.text for r in b.rows for c in r]
        assert all("\t" not in t and "\n" not in t for t in items)
    assert not any(b.text.strip("- ").isdigit() for b in doc.blocks if isinstance(b, TextBlock))


@needs_corpus
def test_paragraph_text_is_joined(ha2024):
    texts = [b.text for b in ha2024.blocks if isinstance(b, TextBlock)]
    assert any(
        "全市共受理政府信息公开申请3119件，答复3050件（含上年度结转申请34件，另有103件顺延到下年度答复）" in t
        for t in texts
    )
    assert "一、总体情况" in texts


@needs_corpus
def test_hongzequ_2023(hz2023):
    doc = hz2023
    assert t3(doc, "一、本年新收政府信息公开申请数量") == ["21", "0", "0", "0", "0", "0", "21"]
    assert t3(doc, "2.其他法律行政止公开") == ["0"] * 7  # the report's own typo, kept
    assert t3(doc, "1.本机关不掌握相关政府信息") == ["10", "0", "0", "0", "0", "0", "10"]
    assert t3(doc, "（六）其他处理") == ["0"] * 7
    assert t3(doc, "（七）总计") == ["21", "0", "0", "0", "0", "0", "21"]
    # the real inconsistency of table 4 is read as printed: 复议 10+1+0+0 but 总计 0
    (row,) = [
        [c.text for c in r] for g in grids(doc) for r in g.rows if [c.text for c in r][:2] == ["10", "1"]
    ]
    assert row == ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]
    # table 2 continued on page 3 lost its top rule; its first label is recovered from the slot
    assert rows_with(doc, "行政处罚") == [["4119"]]
    assert any([c.text for c in r] == ["信息内容", "本年处理决定数量"] for g in grids(doc) for r in g.rows)
    # white paragraph-shading boxes are not tables: the narrative is text
    texts = [b.text for b in doc.blocks if isinstance(b, TextBlock)]
    assert "一、总体情况" in texts and "二、主动公开政府信息情况" in texts
    assert grids(doc)[0].rows[0][0].text == "第二十条第（一）项"


@needs_corpus
def test_hongzequ_2024(hz2024):
    doc = hz2024
    assert t3(doc, "一、本年新收政府信息公开申请数量") == ["95", "0", "0", "0", "0", "0", "95"]
    assert t3(doc, "（一）予以公开") == ["50", "0", "0", "0", "0", "0", "50"]
    assert t3(doc, "1.本机关不掌握相关政府信息") == ["31", "0", "0", "0", "0", "0", "31"]
    assert t3(doc, "（七）总计") == ["95", "0", "0", "0", "0", "0", "95"]
    assert rows_with(doc, "行政规范性文件") == [["3", "0", "8"]]
    (row,) = [
        [c.text for c in r]
        for g in grids(doc)
        for r in g.rows
        if [c.text for c in r][:5] == ["1", "1", "0", "0", "2"]
    ]
    assert row == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]
    texts = [b.text for b in doc.blocks if isinstance(b, TextBlock)]
    assert any("区政府办代表区政府受理政府信息公开申请17件" in t for t in texts)


# ---- synthetic PDFs -----------------------------------------------------------------------------------
def test_no_text_layer_is_flagged_not_refused(tmp_path):
    p = tmp_path / "scan.pdf"
    p.write_bytes(pdf_without_text())
    doc = read_document(p)
    assert doc.format == "pdf"
    assert doc.meta["no_text"] == "1" and doc.meta["no_text_pages"] == "1"
    assert doc.blocks == []


def test_simple_text_pdf(tmp_path):
    p = tmp_path / "t.pdf"
    p.write_bytes(pdf_with_text(b"Annual report 2023"))
    doc = read_pdf(p)
    assert [b.text for b in doc.blocks] == ["Annual report 2023"]
    assert doc.blocks[0].provenance.page == 1 and doc.blocks[0].provenance.file == "t.pdf"


def test_password_protected_pdf(tmp_path):
    p = tmp_path / "locked.pdf"
    p.write_bytes(pdf_encrypted())
    start = time.perf_counter()
    with pytest.raises(ReadError, match="password-protected") as info:
        read_document(p)
    assert time.perf_counter() - start < 2
    assert str(info.value).startswith("locked.pdf: PDF已加密")


def test_truncated_and_junk_pdf(tmp_path):
    p = tmp_path / "cut.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n")
    with pytest.raises(ReadError, match="PDF"):
        read_document(p)
    q = tmp_path / "junk.pdf"
    q.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(ReadError, match="PDF"):
        read_document(q)
