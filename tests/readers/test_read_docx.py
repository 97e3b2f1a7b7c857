"""DOCX reader: body order, runs, tracked changes, numbering, gridSpan/vMerge, nested tables, hostile packages."""

from __future__ import annotations

import time
import zipfile

import pytest
from readers_build import (
    CORPUS,
    docx_bytes,
    docx_from_document,
    numbering_xml,
    w_p,
    w_tbl,
    w_tc,
    zip_with,
)

from validator.model import ReadError
from validator.readers import is_continuation, read_document, safety
from validator.readers.document import Grid, TextBlock
from validator.readers.docx import format_number, read_docx


def grids(doc) -> list[Grid]:
    return [b for b in doc.blocks if isinstance(b, Grid)]


def texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in row] for row in grid.rows]


def write(tmp_path, data: bytes, name: str = "r.docx"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


RUNS = (
    "<w:r><w:t>一、总体</w:t></w:r>"
    '<w:hyperlink r:id="rId9"><w:r><w:t>情况</w:t></w:r></w:hyperlink>'
    '<w:ins w:id="1" w:author="a"><w:r><w:t>（新增）</w:t></w:r></w:ins>'
    '<w:del w:id="2" w:author="a"><w:r><w:delText>删除的字</w:delText></w:r></w:del>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
)


def test_paragraph_runs_and_tracked_changes(tmp_path):
    doc = read_docx(write(tmp_path, docx_bytes(w_p(runs=RUNS))))
    assert doc.format == "docx"
    assert [b.text for b in doc.blocks] == ["一、总体情况（新增）7"]
    assert doc.blocks[0].provenance.file == "r.docx"


def test_soft_breaks_split_blocks_outside_tables(tmp_path):
    runs = '<w:r><w:t>一、总体情况</w:t><w:br/><w:t>2023年，本局……</w:t><w:br w:type="page"/></w:r>'
    doc = read_docx(write(tmp_path, docx_bytes(w_p(runs=runs))))
    assert [b.text for b in doc.blocks] == ["一、总体情况", "2023年，本局……"]


def test_table_spans_vmerge_and_body_order(tmp_path):
    table = w_tbl(
        [
            [w_tc("（本列数据的勾稽关系为：…）", span=2, vmerge="restart"), w_tc("申请人情况", span=2)],
            [w_tc("", span=2, vmerge="continue"), w_tc("自然人"), w_tc(["总", "计"])],
            [w_tc("三、本年度办理结果", vmerge="restart"), w_tc("（一）予以公开"), w_tc("5"), w_tc("")],
            [w_tc("", vmerge="continue"), w_tc("（二）部分公开"), w_tc(""), w_tc("7")],
            [w_tc("四、结转下年度继续办理", span=2), w_tc("1"), w_tc("1")],
        ],
        4,
    )
    body = w_p("三、收到和处理政府信息公开申请情况") + table + w_p("四、政府信息公开行政复议、行政诉讼情况")
    doc = read_docx(write(tmp_path, docx_bytes(body)))
    assert [type(b).__name__ for b in doc.blocks] == ["TextBlock", "Grid", "TextBlock"]
    (grid,) = grids(doc)
    assert texts(grid) == [
        ["（本列数据的勾稽关系为：…）", "", "申请人情况", ""],
        ["", "", "自然人", "总计"],  # two paragraphs in a cell joined without a space
        ["三、本年度办理结果", "（一）予以公开", "5", ""],
        ["", "（二）部分公开", "", "7"],
        ["四、结转下年度继续办理", "", "1", "1"],
    ]
    assert is_continuation(grid, 1, 0) and is_continuation(grid, 1, 1) and is_continuation(grid, 3, 0)
    assert not is_continuation(grid, 2, 3) and not is_continuation(grid, 3, 2)  # real blanks
    p = grid.rows[3][2].provenance
    assert (p.file, p.table, p.row, p.column) == ("r.docx", 1, 4, 3)
    assert grid.rows[1][0].provenance == grid.rows[0][0].provenance  # continuation → origin


def test_grid_before_after(tmp_path):
    rows = [[w_tc("a"), w_tc("b"), w_tc("c")], [w_tc("x")]]
    props = ["", '<w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>']
    doc = read_docx(write(tmp_path, docx_bytes(w_tbl(rows, 3, row_props=props))))
    assert texts(grids(doc)[0]) == [["a", "b", "c"], ["", "x", ""]]


def test_nested_table_layout_container(tmp_path):
    inner = w_tbl([[w_tc("自然人"), w_tc("总计")], [w_tc("3"), w_tc("3")]], 2)
    outer = w_tbl([[w_tc(inner=w_p("三、收到和处理政府信息公开申请情况") + inner + w_p("注：无"))]], 1)
    doc = read_docx(write(tmp_path, docx_bytes(w_p("标题") + outer + w_p("五、存在的主要问题"))))
    seq = [b.text if isinstance(b, TextBlock) else texts(b) for b in doc.blocks]
    assert seq == [
        "标题",
        "三、收到和处理政府信息公开申请情况",
        [["自然人", "总计"], ["3", "3"]],
        "注：无",
        "五、存在的主要问题",
    ]
    assert grids(doc)[0].provenance.table == 1


def test_sdt_wrapped_content(tmp_path):
    body = (
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        + w_p("一、总体情况")
        + w_tbl([[w_tc("a"), w_tc("1")]], 2)
        + "</w:sdtContent></w:sdt>"
    )
    doc = read_docx(write(tmp_path, docx_bytes(body)))
    assert doc.blocks[0].text == "一、总体情况" and texts(grids(doc)[0]) == [["a", "1"]]


def test_automatic_numbering(tmp_path):
    numbering = numbering_xml(
        [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]
    )
    body = (
        w_p("总体情况", num=(1, 0))
        + w_p("主动公开", num=(1, 1))
        + w_p("依申请公开", num=(1, 1))
        + w_p("主动公开政府信息情况", num=(1, 0))
        + w_p("规章", num=(1, 1))
        + w_tbl(
            [
                [w_tc(inner=w_p("属于国家秘密", num=(1, 2))), w_tc("1")],
                [w_tc(inner=w_p("其他法律行政法规禁止公开", num=(1, 2))), w_tc("0")],
            ],
            2,
        )
    )
    data = docx_bytes(
        body, parts={"word/numbering.xml": numbering}, doc_rels=[("rId1", "numbering", "numbering.xml")]
    )
    doc = read_docx(write(tmp_path, data))
    assert [b.text for b in doc.blocks if isinstance(b, TextBlock)] == [
        "一、总体情况",
        "（一）主动公开",
        "（二）依申请公开",
        "二、主动公开政府信息情况",
        "（一）规章",
    ]
    assert texts(grids(doc)[0]) == [["1.属于国家秘密", "1"], ["2.其他法律行政法规禁止公开", "0"]]


@pytest.mark.parametrize(
    "n, fmt, out",
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (15, "chineseCounting", "十五"),
        (21, "chineseCountingThousand", "二十一"),
        (105, "chineseCounting", "一百零五"),
        (110, "chineseCounting", "一百一十"),
        (3, "chineseLegalSimplified", "叁"),
        (2, "ideographTraditional", "乙"),
        (3, "decimalEnclosedCircle", "③"),
        (4, "upperRoman", "IV"),
        (28, "lowerLetter", "bb"),
        (7, "decimalFullWidth", "７"),
        (1, "bullet", ""),
    ],
)
def test_format_number(n, fmt, out):
    assert format_number(n, fmt) == out


def test_alt_chunk_html(tmp_path):
    html = "<html><body><p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>2</td></tr></table></body></html>"
    data = docx_bytes(
        w_p("标题") + '<w:altChunk r:id="rId5"/>',
        parts={"word/chunk.html": html},
        doc_rels=[("rId5", "aFChunk", "chunk.html")],
    )
    doc = read_docx(write(tmp_path, data))
    assert [b.text if isinstance(b, TextBlock) else texts(b) for b in doc.blocks] == [
        "标题",
        "二、主动公开政府信息情况",
        [["规章", "2"]],
    ]
    assert grids(doc)[0].rows[0][1].provenance.file == "r.docx"


def test_title_meta(tmp_path):
    doc = read_docx(write(tmp_path, docx_bytes(w_p("某市某局") + w_p("2023年政府信息公开工作年度报告"))))
    assert doc.meta["title"] == "2023年政府信息公开工作年度报告"


@pytest.mark.usefixtures("shared_corpus")
def test_full_report_round_trip(tmp_path):
    """The Shanghai report re-typeset as DOCX (gridSpan + vMerge) reads back to the same grids."""
    html_doc = read_document(CORPUS / "2019_shanghai_szfbgt.html")
    doc = read_document(write(tmp_path, docx_from_document(html_doc)))

    def key(d):
        return [
            b.text
            if isinstance(b, TextBlock)
            else [[(c.text, c.provenance.row, c.provenance.column) for c in r] for r in b.rows]
            for b in d.blocks
        ]

    assert key(doc) == key(html_doc)


# ---- hostile and broken packages ----------------------------------------------------------------------
XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def assert_fast_read_error(path, match: str) -> str:
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert time.perf_counter() - start < 2.0
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path.name}: ")
    assert match in msg, msg
    return msg


def test_xxe_refused(tmp_path):
    body = w_p(runs="<w:r><w:t>&xxe;</w:t></w:r>")
    path = write(tmp_path, docx_bytes(body, prolog=XXE))
    msg = assert_fast_read_error(path, "DTD")
    assert "root:" not in msg


def test_billion_laughs_refused(tmp_path):
    body = w_p(runs="<w:r><w:t>&lol9;</w:t></w:r>")
    assert_fast_read_error(write(tmp_path, docx_bytes(body, prolog=LAUGHS)), "DTD")


def test_dtd_in_any_part_refused_for_xlsx_too(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    src = tmp_path / "ok.xlsx"
    wb.save(src)
    members = {}
    with zipfile.ZipFile(src) as z:
        for n in z.namelist():
            members[n] = z.read(n)
    sheet = members["xl/worksheets/sheet1.xml"]
    assert b"<!DOCTYPE" not in sheet
    members["xl/worksheets/sheet1.xml"] = LAUGHS.encode() + sheet
    assert_fast_read_error(write(tmp_path, zip_with(members), "bad.xlsx"), "DTD")


def test_zip_bomb_ratio_refused(tmp_path):
    import io

    ok = docx_bytes(w_p("x"))
    members = {}
    with zipfile.ZipFile(io.BytesIO(ok)) as z:
        for n in z.namelist():
            members[n] = z.read(n)
    members["word/media/bomb.bin"] = b"\0" * (20 * 1024 * 1024)  # 20 MB of zeros → ratio ≈ 1000:1
    msg = assert_fast_read_error(write(tmp_path, zip_with(members)), "zip bomb")
    assert "压缩" in msg


def test_member_size_limit(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(safety, "MAX_MEMBER_SIZE", 1024 * 1024)
    members = {"word/document.xml": b"<w:document/>", "word/media/img.bin": os.urandom(2 * 1024 * 1024)}
    assert_fast_read_error(write(tmp_path, zip_with(members, zipfile.ZIP_STORED)), "zip member too large")


def test_truncated_docx(tmp_path):
    data = docx_bytes(w_p("一、总体情况" * 200) + w_tbl([[w_tc("a"), w_tc("1")]] * 50, 2))
    assert_fast_read_error(write(tmp_path, data[: len(data) // 2]), "corrupt or truncated")


def test_corrupt_member_crc(tmp_path):
    data = bytearray(docx_bytes(w_p("一、总体情况" * 300)))
    # flip bytes inside the compressed document.xml (after the local header of the 3rd member)
    pos = data.find(b"word/document.xml") + 40
    for i in range(pos, pos + 20):
        data[i] ^= 0xFF
    msg = assert_fast_read_error(write(tmp_path, bytes(data)), "/")
    assert "corrupt" in msg or "XML" in msg or "cannot" in msg


def test_docx_missing_document_part(tmp_path):
    data = zip_with({"word/styles.xml": b"<x/>", "[Content_Types].xml": b"<Types/>"})
    assert_fast_read_error(write(tmp_path, data), "word/document.xml")


def test_malformed_document_xml(tmp_path):
    data = zip_with({"word/document.xml": b"<w:document xmlns:w='x'><w:body><w:p>"})
    assert_fast_read_error(write(tmp_path, data), "malformed XML")
