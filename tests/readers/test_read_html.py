"""HTML reader: spans, blanks, <br> labels, encodings, layout tables, metadata, the Shanghai corpus page."""

from __future__ import annotations

import pytest
from readers_build import CORPUS

from validator.model import ReadError
from validator.readers import is_continuation, merged_origin, read_document
from validator.readers.document import Grid, TextBlock
from validator.readers.html import decode_html, read_html

T3_COLUMNS = 7


def grids(doc) -> list[Grid]:
    return [b for b in doc.blocks if isinstance(b, Grid)]


def texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in row] for row in grid.rows]


def write(tmp_path, html: str | bytes, name: str = "r.html"):
    p = tmp_path / name
    p.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return p


SPAN_TABLE = """<html><head><title>测试</title></head><body>
<h1>2023年某局政府信息公开工作年度报告</h1>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td colspan="2" rowspan="2">（本列数据的勾稽关系为：…）</td><td colspan="2">申请人情况</td></tr>
<tr><td>自然人</td><td>总<br/>计</td></tr>
<tr><td rowspan="2"><p><span>三、本年度</span><br />办理结果</p></td><td>（一）予以公开</td><td>5</td><td>&nbsp;</td></tr>
<tr><td>（二）部分公开</td><td>&nbsp;</td><td><p align="center">7</p></td></tr>
<tr><td colspan="2">四、结转下年度继续办理</td><td>1</td></tr>
</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
</body></html>"""


def test_spans_blanks_and_br(tmp_path):
    doc = read_html(write(tmp_path, SPAN_TABLE))
    assert doc.format == "html"
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["TextBlock", "TextBlock", "Grid", "TextBlock"]  # document order kept
    (grid,) = grids(doc)
    assert texts(grid) == [
        ["（本列数据的勾稽关系为：…）", "", "申请人情况", ""],
        ["", "", "自然人", "总计"],  # <br> inside a label joined without a space
        ["三、本年度办理结果", "（一）予以公开", "5", ""],  # <p>/<span> wrappers, &nbsp; → ""
        ["", "（二）部分公开", "", "7"],
        ["四、结转下年度继续办理", "", "1", ""],  # short row padded to the grid width
    ]
    # merged cells appear once; their other positions are continuations pointing at the origin
    assert is_continuation(grid, 0, 1) and is_continuation(grid, 1, 0) and is_continuation(grid, 1, 1)
    assert merged_origin(grid, 1, 1) == (0, 0)
    assert is_continuation(grid, 3, 0) and merged_origin(grid, 3, 0) == (2, 0)
    # a blank cell is data, not a continuation, and has its own position
    assert not is_continuation(grid, 2, 3)
    assert grid.rows[2][3].provenance.row == 3 and grid.rows[2][3].provenance.column == 4
    assert not is_continuation(grid, 4, 3)  # padding of a short row is a blank, not a merge
    p = grid.rows[3][3].provenance
    assert (p.file, p.table, p.row, p.column) == ("r.html", 1, 4, 4)


def test_no_tab_or_newline_in_any_text(tmp_path):
    html = "<p>一、总体\n情况\t说明</p><table><tr><td>a\tb</td><td>c\nd</td></tr><tr><td>1</td><td>2</td></tr></table>"
    doc = read_html(write(tmp_path, html))
    for b in doc.blocks:
        items = [b.text] if isinstance(b, TextBlock) else [c.text for row in b.rows for c in row]
        for t in items:
            assert "\t" not in t and "\n" not in t
    assert doc.blocks[0].text == "一、总体情况说明"
    assert texts(grids(doc)[0])[0] == ["a b", "c d"]


def test_layout_table_is_a_container(tmp_path):
    html = """<table width="100%"><tr><td>
      <div class="title">2022年某区政府信息公开工作年度报告</div>
      <p>二、主动公开政府信息情况</p>
      <table border="1"><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>
      <p>三、收到和处理政府信息公开申请情况</p>
      <table border="1"><tr><td>自然人</td><td>总计</td></tr><tr><td>3</td><td>3</td></tr></table>
    </td></tr><tr><td>页脚：某区人民政府</td></tr></table>"""
    doc = read_html(write(tmp_path, html))
    seq = [b.text if isinstance(b, TextBlock) else f"grid{b.provenance.table}" for b in doc.blocks]
    assert seq == [
        "2022年某区政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "grid1",
        "三、收到和处理政府信息公开申请情况",
        "grid2",
        "页脚：某区人民政府",
    ]
    assert texts(grids(doc)[1]) == [["自然人", "总计"], ["3", "3"]]


def test_single_column_table_is_running_text(tmp_path):
    html = "<table><tr><td><p>一、总体情况</p><p>正文第一段。</p></td></tr></table>"
    doc = read_html(write(tmp_path, html))
    assert [b.text for b in doc.blocks] == ["一、总体情况", "正文第一段。"]


def test_split_tables_in_order_and_script_style_hidden_removed(tmp_path):
    html = """<script>var x = "<table><tr><td>假</td></tr></table>";</script><style>td{color:red}</style>
    <table><tr><td>一、本年新收</td><td>1</td></tr></table>
    <div style="display:none">隐藏文字</div>
    <table><tr><td>（七）总计</td><td>1</td></tr></table>"""
    doc = read_html(write(tmp_path, html))
    # back to back and as wide as each other: one table continued, each cell keeping its own <table>
    (grid,) = grids(doc)
    assert texts(grid) == [["一、本年新收", "1"], ["（七）总计", "1"]]
    assert [r[0].provenance.table for r in grid.rows] == [1, 2]
    assert all("隐藏" not in b.text and "var" not in b.text for b in doc.blocks if isinstance(b, TextBlock))


def test_thead_tbody_tfoot_order(tmp_path):
    html = """<table><tfoot><tr><td>合计</td><td>3</td></tr></tfoot>
    <thead><tr><th>项目</th><th>数量</th></tr></thead><tbody><tr><td>甲</td><td>3</td></tr></tbody></table>"""
    doc = read_html(write(tmp_path, html))
    assert texts(grids(doc)[0]) == [["项目", "数量"], ["甲", "3"], ["合计", "3"]]


@pytest.mark.parametrize(
    "payload, expected_encoding",
    [
        ('<meta charset="gb2312"><p>政府信息公开</p>'.encode("gbk"), "gb18030"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=GBK"><p>政府信息公开</p>'.encode(
                "gbk"
            ),
            "gb18030",
        ),
        ("<p>政府信息公开</p>".encode("gbk"), "gb18030"),  # no declaration: UTF-8 fails, GB18030 works
        ('<meta charset="utf-8"><p>政府信息公开</p>'.encode("gbk"), "gb18030"),  # wrong declaration
        ("\ufeff<p>政府信息公开</p>".encode("utf-8"), "utf-8"),  # BOM
        ('<meta charset="iso-8859-1"><p>政府信息公开</p>'.encode(), "utf-8"),  # single-byte lie
        ("<p>政府信息公开</p>".encode("utf-16"), None),  # UTF-16 with BOM
    ],
)
def test_encodings(tmp_path, payload, expected_encoding):
    doc = read_html(write(tmp_path, payload))
    assert doc.blocks[0].text == "政府信息公开"
    if expected_encoding:
        assert doc.meta["encoding"] == expected_encoding


def test_xml_declaration_with_encoding(tmp_path):
    payload = '<?xml version="1.0" encoding="gb2312"?><html><body><p>年度报告</p></body></html>'.encode("gbk")
    assert read_html(write(tmp_path, payload)).blocks[0].text == "年度报告"


def test_decode_html_prefers_declared_multibyte():
    text, enc = decode_html('<meta charset="big5"><p>資訊</p>'.encode("big5"))
    assert "資訊" in text and enc == "big5"


def test_metadata_title_and_published(tmp_path):
    html = """<html><head><title>某局年报_某市人民政府</title>
    <meta name="PubDate" content="2024-01-25 09:30"><meta name="ContentSource" content="某市某局"></head>
    <body><p>2023年某局政府信息公开工作年度报告</p></body></html>"""
    doc = read_html(write(tmp_path, html))
    assert doc.meta["title"] == "2023年某局政府信息公开工作年度报告"
    assert doc.meta["published"] == "2024-01-25"
    assert doc.meta["agency"] == "某市某局"
    assert doc.meta["html_title"] == "某局年报_某市人民政府"


def test_published_from_text(tmp_path):
    doc = read_html(write(tmp_path, "<p>标题</p><p>发布时间：2021年3月5日</p>"))
    assert doc.meta["published"] == "2021-03-05"


def test_huge_spans_are_bounded(tmp_path):
    html = (
        '<table><tr><td colspan="5000" rowspan="65000">x</td><td>1</td></tr>'
        + "<tr><td>2</td></tr>" * 2
        + "</table>"
    )
    doc = read_html(write(tmp_path, html))
    (grid,) = grids(doc)
    # colspan clamped to 1000, rowspan clamped to the rows the table has
    assert len(grid.rows) == 3 and all(len(r) == 1001 for r in grid.rows)
    assert [r[1000].text for r in grid.rows] == ["1", "2", "2"]


def test_too_large_table_is_refused(tmp_path):
    html = "<table>" + '<tr><td colspan="1000">x</td><td>1</td></tr>' * 600 + "</table>"
    with pytest.raises(ReadError, match="table too large"):
        read_html(write(tmp_path, html))


# ---- the real Shanghai page ---------------------------------------------------------------------------
SHANGHAI = CORPUS / "2019_shanghai_szfbgt.html"
needs_corpus = pytest.mark.usefixtures("shared_corpus")


def row_values(grid: Grid, label: str) -> list[str]:
    """The 7 column cells that follow ``label`` in its row."""
    for row in grid.rows:
        cells = [c.text for c in row]
        if label in cells:
            i = cells.index(label)
            rest = cells[i + 1 :]
            while rest and rest[0] == "" and len(rest) > T3_COLUMNS:  # continuation of a colspan label
                rest = rest[1:]
            return rest
    raise AssertionError(f"row {label!r} not found")


@needs_corpus
def test_shanghai_table3_rows():
    doc = read_document(SHANGHAI)
    assert doc.format == "html"
    assert doc.meta["title"] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert doc.meta["published"] == "2020-01-31"
    g2, g3, g4 = grids(doc)
    assert len(g3.rows) == 26 and all(len(r) == 10 for r in g3.rows)
    assert row_values(g3, "一、本年新收政府信息公开申请数量") == ["821", "35", "", "", "2", "1", "859"]
    assert row_values(g3, "二、上年结转政府信息公开申请数量") == ["18", "", "", "", "", "", "18"]
    assert row_values(g3, "（一）予以公开") == ["258", "12", "", "", "1", "1", ""]
    assert row_values(g3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == [
        "3",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    assert row_values(g3, "1.属于国家秘密") == ["14", "", "", "", "", "", ""]
    assert row_values(g3, "3.危及“三安全一稳定”") == [""] * 7
    assert row_values(g3, "1.本机关不掌握相关政府信息") == ["252", "12", "", "", "1", "", ""]
    assert row_values(g3, "（六）其他处理") == [""] * 7
    assert row_values(g3, "（七）总计") == ["767", "35", "", "", "2", "1", "805"]
    assert row_values(g3, "四、结转下年度继续办理") == ["72", "", "", "", "", "", "72"]
    # every data row: the last 7 cells are the 7 columns, blanks kept as ""
    header = [c.text for c in g3.rows[2]][-T3_COLUMNS:]
    assert header[1:6] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    # the vertically merged group label appears once, then continuations
    col0 = [r[0].text for r in g3.rows[5:25]]
    assert col0[0] == "三、本年度办理结果" and set(col0[1:]) == {""}
    assert all(is_continuation(g3, r, 0) for r in range(6, 25))
    # provenance of a blank data cell
    blank = g3.rows[4][4]
    assert (blank.text, blank.provenance.table, blank.provenance.row, blank.provenance.column) == (
        "",
        2,
        5,
        5,
    )
    # table 4: the 15 cells in one row
    assert [c.text for c in g4.rows[3]] == ["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", ""]
    # table 2: <br> inside header labels
    assert [c.text for c in g2.rows[1]][:3] == ["信息内容", "本年新制作数量", "本年新公开数量"]
    assert [c.text for c in g2.rows[-1]][:4] == ["政府集中采购", "6", "", "251000元"]


@needs_corpus
def test_shanghai_order_of_headings_and_tables():
    doc = read_document(SHANGHAI)
    seq = []
    for b in doc.blocks:
        if isinstance(b, Grid):
            seq.append(f"grid{b.provenance.table}")
        elif b.text[:2] in ("二、", "三、", "四、", "五、", "六、"):
            seq.append(b.text[:2])
    assert seq == ["二、", "grid1", "三、", "grid2", "四、", "grid3", "五、", "六、"]
