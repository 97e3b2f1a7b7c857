"""The same figures in every layout a report is published in: a seeded generator of layout *families*.

A ``Sample`` is one report's truth (template, year, agency, the value of every cell, the narrative,
and the one error injected, if any). Each family is a named function that renders a Sample as the
bytes of one file, the way that layout looks in the wild:

ordinary layouts
    ``docx`` (one Word table per form table, merged header cells as in the official form),
    ``docx_tables_only`` (the title and the three tables under their headings, no narrative),
    ``html`` (a page with ``<table>``s), ``html_split`` (表二 and 表三 each split over two ``<table>``s),
    ``xlsx_one_sheet`` (everything on one sheet), ``xlsx_sheet_per_table`` (narrative sheets and one
    sheet per table with a title row and notes), ``xlsx_tables_only`` (the tables and their titles,
    no narrative), ``pdf`` (the DOCX printed by LibreOffice), ``pdf_row_break`` (tall table rows, so
    that rows are broken across a page).
crawled text (a web crawler's extraction of the page, with a page header block)
    ``crawled_run_together`` (cells run together), ``crawled_spaced`` (cells apart by runs of spaces,
    full-width spaces or tabs, one row a line), ``crawled_cell_lines`` (one cell per line, blank lines
    between; an empty cell only as more blank lines), ``crawled_deleted`` (empty cells deleted,
    positions lost).

``FAMILIES`` lists them; ``write_many`` writes (sample, family) pairs to a folder, converting the PDF
ones with one LibreOffice run. Nothing here reads files: the tests compare what the pipeline reads
with ``Sample.truth``.
"""

from __future__ import annotations

import io
import math
import random
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from validator.catalogue import Template, load_catalogue
from validator.testing.figures import Figures, consistent_figures
from validator.testing.formats import _CONTENT_TYPES, _PHRASES, _RELS, _W

# ---------------------------------------------------------------------------------------------- truth

_PLACES = ["江宁", "临川", "青溪", "安平", "东阳", "南丰", "长乐", "永和", "清河", "云山", "凤城", "丰泽"]
_LEVELS = ["市", "县", "区"]
_ORGANS = [
    "交通运输局",
    "自然资源局",
    "教育局",
    "财政局",
    "卫生健康委员会",
    "市场监督管理局",
    "人力资源和社会保障局",
    "生态环境局",
    "住房和城乡建设局",
    "人民政府办公室",
    "农业农村局",
    "审计局",
]
_SUBHEADINGS = [
    "（一）主动公开",
    "（二）依申请公开",
    "（三）政府信息管理",
    "（四）平台建设",
    "（五）监督保障",
]


@dataclass
class Injection:
    kind: str  # t3_cell | t3_row_total | t4_total
    cell: str  # the cell changed
    rules: tuple[str, ...]  # rules expected to fire (any of them)


@dataclass
class Sample:
    """One report's truth: what every family renders."""

    seed: int
    figures: Figures
    title: str
    published: str  # ISO date the page header gives
    index_no: str
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # sid → [(kind, text)]
    injected: Injection | None = None

    @property
    def template(self) -> str:
        return self.figures.template

    @property
    def agency(self) -> str:
        return self.figures.agency

    @property
    def year(self) -> int:
        return self.figures.year

    def truth(self, cell_id: str) -> float | None:
        """The value a perfect reader finds in the cell (None for a blank cell)."""
        value = self.figures.cells.get(cell_id)
        return None if value is None else float(value)


def make_sample(seed: int, template: str | None = None, error: bool = False) -> Sample:
    """A report of one invented agency with consistent figures, blank zeros here and there, a realistic
    narrative, and (``error``) one figure changed so that an identity of the form breaks."""
    rng = random.Random(seed)
    catalogue = load_catalogue()
    template = template or rng.choice(["gb2019", "gb2021"])
    year = rng.choice([2019, 2020]) if template == "gb2019" else rng.randint(2021, 2024)
    agency = rng.choice(_PLACES) + rng.choice(_LEVELS) + rng.choice(_ORGANS)
    figures = consistent_figures(template, year, agency, rng, scale=rng.choice([8, 20, 60]))
    tpl = catalogue.templates[template]
    cells = figures.cells
    # zeros some agencies leave blank: legal-entity columns of detail rows (never totals)
    blankable = [
        c.id
        for c in tpl.cells_of("t3")
        if c.column not in ("np", "tot") and c.row not in ("res.total", "new") and cells.get(c.id) == 0
    ]
    for cell_id in rng.sample(blankable, k=min(len(blankable), rng.randint(0, 12))):
        cells[cell_id] = None
    title = (
        f"{agency}{year}年政府信息公开工作年度报告"
        if rng.random() < 0.8
        else f"{year}年{agency}政府信息公开工作年度报告"
    )
    sample = Sample(
        seed,
        figures,
        title,
        published=f"{year + 1}-01-{rng.randint(10, 31):02d}",
        index_no=f"11{rng.randint(10**14, 10**15 - 1)}X/{year + 1}-{rng.randint(1, 999):05d}",
    )
    sample.sections = _narrative(sample, tpl, rng)
    if error:
        sample.injected = _inject(sample, tpl, rng)
    return sample


def _sentences(bank: list[str], rng: random.Random, count: int) -> list[str]:
    picked = rng.sample(bank, min(count, len(bank)))
    return [p.format(n=rng.randint(50, 3000), m=rng.randint(3, 90), k=rng.randint(1, 12)) for p in picked]


def _narrative(sample: Sample, tpl: Template, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    f = sample.figures
    new_total = int(f.cells.get("t3.new.tot") or 0)
    bank = _PHRASES["s1"]
    s1: list[tuple[str, str]] = [
        (
            "para",
            f"{f.year}年，{f.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
            + "坚持以公开为常态、不公开为例外，持续推进政务公开工作。",
        )
    ]
    for sub in _SUBHEADINGS:
        s1.append(("subheading", sub))
        text = "，".join(_sentences(bank, rng, 2)) + "。"
        if sub.startswith("（二）"):
            text = f"{f.year}年本机关新收政府信息公开申请{new_total}件，均在法定期限内答复。" + text
        s1.append(("para", text))
    s5 = [("para", "；".join(_sentences(_PHRASES["s5"][:5], rng, 2)) + "。")]
    s5.append(("para", "；".join(_sentences(_PHRASES["s5"][5:], rng, 2)) + "。"))
    s6_text = _sentences(_PHRASES["s6"], rng, 2)
    if not any("信息处理费" in t for t in s6_text):  # gb2021 六 states the fee (N-05); no extra draw
        s6_text.insert(0, _PHRASES["s6"][0])
    s6 = [("para", "。".join(s6_text) + "。")]
    intro = {
        "s2": "本年度主动公开政府信息情况如下表。",
        "s3": "本年度收到和处理政府信息公开申请情况如下表。",
        "s4": "本年度政府信息公开行政复议、行政诉讼情况如下表。",
    }
    return {
        "s1": s1,
        "s2": [("para", intro["s2"])],
        "s3": [("para", intro["s3"])],
        "s4": [("para", intro["s4"])],
        "s5": s5,
        "s6": s6,
    }


def _inject(sample: Sample, tpl: Template, rng: random.Random) -> Injection:
    cells = sample.figures.cells
    kind = rng.choice(["t3_cell", "t3_row_total", "t4_total"])
    if kind == "t3_cell":
        options = [
            c.id
            for c in tpl.cells_of("t3")
            if c.column != "tot"
            and c.row.startswith("res.")
            and c.row != "res.total"
            and cells[c.id] is not None
        ]
        cell = rng.choice(options)
        cells[cell] += 1  # its row's 总计 and its column's （七）总计 no longer add up
        return Injection(kind, cell, ("T3-01", "T3-02", "T3-03", "T3-04"))
    if kind == "t3_row_total":
        row = rng.choice(["new", "carried_in", "res.granted", "carried_out"])
        cell = f"t3.{row}.tot"
        cells[cell] += 1
        return Injection(kind, cell, ("T3-01", "T3-02", "T3-03", "T3-04"))
    group = rng.choice(["review", "suit_direct", "suit_after_review"])
    cell = f"t4.{group}.total"
    cells[cell] += 1
    return Injection(kind, cell, ("T4-01", "T4-02"))


# ---------------------------------------------------------------------------------------------- tables


@dataclass
class SpanCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class FormTable:
    """One table of the form as laid out in the official template (merged header and label cells)."""

    table: str  # t2 | t3 | t4
    width: int
    rows: list[list[SpanCell]]

    def positions(self) -> tuple[dict[tuple[int, int], SpanCell], set[tuple[int, int]]]:
        """Origin cells by (row, column) and the positions merged cells cover."""
        origins: dict[tuple[int, int], SpanCell] = {}
        covered: set[tuple[int, int]] = set()
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in covered:
                    c += 1
                origins[(r, c)] = cell
                for rr in range(r, r + cell.rowspan):
                    for cc in range(c, c + cell.colspan):
                        if (rr, cc) != (r, c):
                            covered.add((rr, cc))
                c += cell.colspan
        return origins, covered


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_tables(sample: Sample, t3_labels: int = 3) -> list[FormTable]:
    """表二、表三、表四 with the official merges; ``t3_labels``: columns the 表三 labels take (1 or 3)."""
    tpl = load_catalogue().templates[sample.template]
    cells = sample.figures.cells

    def value(cell_id: str) -> str:
        return _text(cells.get(cell_id))

    t2 = tpl.table("t2")
    width2 = 1 + max(len(b.columns) for b in t2.blocks)
    rows2: list[list[SpanCell]] = []
    for block in t2.blocks:
        rows2.append([SpanCell(block.caption, colspan=width2)])
        n = len(block.columns)
        spans = [1] * (n - 1) + [width2 - n]
        rows2.append(
            [SpanCell("信息内容"), *(SpanCell(c.label, colspan=s) for c, s in zip(block.columns, spans))]
        )
        for row in block.rows:
            rows2.append(
                [
                    SpanCell(row.label),
                    *(
                        SpanCell(value(f"t2.{row.path}.{c.id}"), colspan=s)
                        for c, s in zip(block.columns, spans)
                    ),
                ]
            )

    t3 = tpl.table("t3")
    cols = t3.columns
    lw = t3_labels
    rows3: list[list[SpanCell]] = [
        [SpanCell(t3.corner_note or "", rowspan=3, colspan=lw), SpanCell("申请人情况", colspan=len(cols))],
        [SpanCell("自然人", rowspan=2), SpanCell("法人或其他组织", colspan=5), SpanCell("总计", rowspan=2)],
        [SpanCell(c.label) for c in cols[1:6]],
    ]
    by_path = {r.path: r for r in t3.rows}
    leaves_under = {
        r.path: [x.path for x in t3.rows if x.is_leaf and x.path.startswith(r.path + ".")]
        for r in t3.rows
        if not r.is_leaf
    }
    for row in t3.rows:
        if not row.is_leaf:
            continue
        line: list[SpanCell] = []
        depth = row.path.count(".")
        if lw == 1:
            line.append(SpanCell(row.label))
        elif depth == 0:
            line.append(SpanCell(row.label, colspan=3))
        else:
            parent = by_path[row.parent]
            top = parent.path if parent.parent is None else parent.parent
            if leaves_under[top][0] == row.path:  # first leaf under 三、本年度办理结果
                line.append(SpanCell(by_path[top].label, rowspan=len(leaves_under[top])))
            if depth == 1:
                line.append(SpanCell(row.label, colspan=2))
            else:
                if leaves_under[parent.path][0] == row.path:
                    line.append(SpanCell(parent.label, rowspan=len(leaves_under[parent.path])))
                line.append(SpanCell(row.label))
        line += [SpanCell(value(f"t3.{row.path}.{c.id}")) for c in cols]
        rows3.append(line)

    t4 = tpl.table("t4")
    labels = [c.label for c in t4.columns]
    rows4 = [
        [SpanCell("行政复议", colspan=5), SpanCell("行政诉讼", colspan=10)],
        [
            *(SpanCell(x, rowspan=2) for x in labels),
            SpanCell("未经复议直接起诉", colspan=5),
            SpanCell("复议后起诉", colspan=5),
        ],
        [SpanCell(x) for _ in range(2) for x in labels],
        [SpanCell(value(f"t4.{r.path}.{c.id}")) for r in t4.rows for c in t4.columns],
    ]
    return [
        FormTable("t2", width2, rows2),
        FormTable("t3", lw + len(cols), rows3),
        FormTable("t4", 15, rows4),
    ]


# ---------------------------------------------------------------------------------------------- blocks

SECTION_TABLE = {"s2": "t2", "s3": "t3", "s4": "t4"}


def blocks(sample: Sample, t3_labels: int = 3) -> list[tuple[str, object]]:
    """("title" | "heading" | "subheading" | "para", text) and ("table", FormTable) in reading order."""
    tpl = load_catalogue().templates[sample.template]
    f = sample.figures
    tables = {t.table: t for t in form_tables(sample, t3_labels)}
    out: list[tuple[str, object]] = [
        ("title", sample.title),
        (
            "para",
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作"
            + f"年度报告格式》要求编制。本报告中所列数据的统计期限自{f.year}年1月1日起至{f.year}年12月31日止。",
        ),
    ]
    for section in tpl.sections:
        out.append(("heading", f"{section.number}、{section.heading}"))
        out.extend(sample.sections.get(section.id, []))
        table = SECTION_TABLE.get(section.id)
        if table:
            out.append(("table", tables[table]))
    out.append(("para", f"{f.agency}"))
    out.append(("para", sample.published.replace("-", "年", 1).replace("-", "月", 1) + "日"))
    return out


# ---------------------------------------------------------------------------------------------- HTML


def _html_table(table: FormTable, rows: list[list[SpanCell]] | None = None) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse">', "<tbody>"]
    for row in table.rows if rows is None else rows:
        tds = []
        for cell in row:
            attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            tds.append(f"<td{attrs}><p>{escape(cell.text) or '&nbsp;'}</p></td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def split_rows(table: FormTable, cut: int) -> tuple[list[list[SpanCell]], list[list[SpanCell]]]:
    """The table's rows above and from ``cut``: a cell merged across the cut ends in the upper part and
    goes on as an empty merged cell in the lower one (what splitting a Word table does)."""
    origins, _ = table.positions()
    upper: list[list[tuple[int, SpanCell]]] = [[] for _ in range(cut)]
    lower: list[list[tuple[int, SpanCell]]] = [[] for _ in range(len(table.rows) - cut)]
    for (r, c), cell in origins.items():
        if r < cut:
            span = min(cell.rowspan, cut - r)
            upper[r].append((c, SpanCell(cell.text, span, cell.colspan)))
            if r + cell.rowspan > cut:
                lower[0].append((c, SpanCell("", r + cell.rowspan - cut, cell.colspan)))
        else:
            lower[r - cut].append((c, cell))
    return (
        [[cell for _, cell in sorted(row, key=lambda x: x[0])] for row in upper],
        [[cell for _, cell in sorted(row, key=lambda x: x[0])] for row in lower],
    )


def _html(sample: Sample, split: bool = False) -> bytes:
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{escape(sample.title)}</title>",
        f'<meta name="PubDate" content="{sample.published} 09:30">',
        "</head><body>",
        '<div class="header"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>',
        '<div class="article">',
    ]
    for kind, payload in blocks(sample):
        if kind == "title":
            parts.append(f'<h1 class="title">{escape(payload)}</h1>')
            parts.append(
                f'<div class="info">发布时间：{sample.published}　来源：{escape(sample.agency)}</div>'
            )
        elif kind == "heading":
            parts.append(f'<p style="text-indent:2em"><strong>{escape(payload)}</strong></p>')
        elif kind == "subheading":
            parts.append(f'<p style="text-indent:2em"><b>{escape(payload)}</b></p>')
        elif kind == "para":
            parts.append(f'<p style="text-indent:2em">{escape(payload)}</p>')
        elif split and payload.table in ("t2", "t3"):
            # the form table in two <table>s, as a page editor pastes a Word table split at a page end:
            # 表二 between its blocks, 表三 inside a group whose merged label cell is cut in two
            if payload.table == "t2":
                cut = next(
                    i for i, row in enumerate(payload.rows) if i and len(row) == 1 and "（五）" in row[0].text
                )
            else:
                cut = 3 + 2 + 2 + (sample.seed % 6)  # header, 一 二, （一）（二）, then inside （三）
            upper, lower = split_rows(payload, cut)
            parts.append(_html_table(payload, upper))
            parts.append('<p style="text-indent:2em">&nbsp;</p>')
            parts.append(_html_table(payload, lower))
        else:
            parts.append(_html_table(payload))
    parts.append("</div></body></html>")
    return "\n".join(parts).encode("utf-8")


def render_html(sample: Sample) -> bytes:
    return _html(sample)


def render_html_split(sample: Sample) -> bytes:
    return _html(sample, split=True)


# ---------------------------------------------------------------------------------------------- DOCX

_FONT = '<w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="SimSun"/>'


def _w_p(
    text: str,
    *,
    size: int = 24,
    bold: bool = False,
    center: bool = False,
    indent: bool = False,
    split: bool = False,
) -> str:
    ppr = ['<w:widowControl w:val="0"/>'] if split else []
    if center:
        ppr.append('<w:jc w:val="center"/>')
    if indent:
        ppr.append('<w:ind w:firstLine="480"/>')
    rpr = f'<w:rPr>{_FONT}{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/></w:rPr>'
    run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{run}</w:p>"


def _docx_table(
    table: FormTable, row_height: int | None = None, label_width: int = 0, valign: str = "center"
) -> str:
    """A Word table; with ``row_height`` its rows are tall and their lines may split at a page end."""
    split = row_height is not None
    origins, _ = table.positions()
    total = 9000
    widths = [total // table.width] * table.width
    if label_width:
        widths = [label_width] + [(total - label_width) // (table.width - 1)] * (table.width - 1)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = []
    for r in range(len(table.rows)):
        tcs = []
        c = 0
        while c < table.width:
            cell = origins.get((r, c))
            if cell is not None:
                span = cell.colspan
                props = f'<w:tcW w:w="{sum(widths[c : c + span])}" w:type="dxa"/>'
                props += f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
                props += '<w:vMerge w:val="restart"/>' if cell.rowspan > 1 else ""
                props += f'<w:vAlign w:val="{valign}"/>'
                tcs.append(
                    f"<w:tc><w:tcPr>{props}</w:tcPr>{_w_p(cell.text, size=18, center=True, split=split)}</w:tc>"
                )
                c += span
                continue
            # covered by a cell merged from above: find its origin to repeat its column span
            rr = r - 1
            while (rr, c) not in origins:
                rr -= 1
            span = origins[(rr, c)].colspan
            props = f'<w:tcW w:w="{sum(widths[c : c + span])}" w:type="dxa"/>'
            props += f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            tcs.append(f"<w:tc><w:tcPr>{props}<w:vMerge/></w:tcPr>{_w_p('')}</w:tc>")
            c += span
        trpr = f'<w:trPr><w:trHeight w:val="{row_height}" w:hRule="atLeast"/></w:trPr>' if row_height else ""
        rows.append(f"<w:tr>{trpr}{''.join(tcs)}</w:tr>")
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>'
    )


def tables_only_blocks(sample: Sample) -> list[tuple[str, object]]:
    """The report's title, then each table under its section heading: no narrative at all."""
    return [
        (k, p)
        for k, p in blocks(sample)
        if k == "table" or k == "title" or (k == "heading" and p[0] in "二三四")
    ]


_W_TEXT = {
    "title": {"size": 36, "bold": True, "center": True},
    "heading": {"size": 28, "bold": True, "indent": True},
    "subheading": {"bold": True, "indent": True},
    "para": {"indent": True},
}


def w_text(kind: str, text: str) -> str:
    """A paragraph of the Word report's text (title, heading, subheading or body) in its style."""
    return _w_p(text, **_W_TEXT[kind])


def _docx(sample: Sample, *, t3_labels: int = 3, tall_rows: bool = False, tables_only: bool = False) -> bytes:
    body: list[str] = []
    for kind, payload in tables_only_blocks(sample) if tables_only else blocks(sample, t3_labels):
        if kind in _W_TEXT:
            body.append(w_text(kind, payload))
        elif tall_rows and payload.table == "t3":
            # a narrow label column whose labels wrap over many lines: the table runs over pages and
            # rows break at the page end (Word lets a row break across pages unless told otherwise)
            body.extend(_w_p("") for _ in range(sample.seed % 9))
            valign = ("top", "center", "bottom")[sample.seed % 3]  # bottom: figures fall below the break
            body.append(_docx_table(payload, row_height=500, label_width=900, valign=valign))
            body.append(_w_p(""))
        else:
            body.append(_docx_table(payload))
            body.append(_w_p(""))
    sect = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1440" w:right="1300" w:bottom="1440" w:left="1300" w:header="851" w:footer="992" '
        'w:gutter="0"/></w:sectPr>'
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{''.join(body)}{sect}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
    return buffer.getvalue()


def render_docx(sample: Sample) -> bytes:
    return _docx(sample)


def render_docx_tables_only(sample: Sample) -> bytes:
    """The statistical tables as a Word attachment: title, the three tables under their headings."""
    return _docx(sample, tables_only=True)


def render_docx_tall_rows(sample: Sample) -> bytes:
    """The DOCX that ``pdf_row_break`` prints: 表三 with a narrow label column and tall rows."""
    return _docx(sample, t3_labels=1, tall_rows=True)


# ---------------------------------------------------------------------------------------------- XLSX


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value):  # beyond what a spreadsheet number holds: typed, it stays text
        return text
    return int(value) if value.is_integer() else value


def _put_table(ws, table: FormTable, top: int, left: int = 1) -> int:
    """Write ``table`` with its top-left at (top, left), merging as the form does; returns the next row."""
    origins, _ = table.positions()
    for (r, c), cell in origins.items():
        ws.cell(row=top + r, column=left + c, value=_number(cell.text) if cell.text else None)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=top + r,
                start_column=left + c,
                end_row=top + r + cell.rowspan - 1,
                end_column=left + c + cell.colspan - 1,
            )
    return top + len(table.rows)


def _save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render_xlsx_one_sheet(sample: Sample) -> bytes:
    """One sheet: title, headings and paragraphs in column A, the tables across the columns."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度报告"
    row = 1
    for kind, payload in blocks(sample):
        if kind == "table":
            row = _put_table(ws, payload, row) + 1
        else:
            ws.cell(row=row, column=1, value=payload)
            row += 1
    return _save(wb)


def _table_title(table: FormTable, sample: Sample) -> str:
    """A table sheet's title: the section heading the table belongs to, as the Word report has it."""
    tpl = load_catalogue().templates[sample.template]
    section = next(s for s in tpl.sections if SECTION_TABLE.get(s.id) == table.table)
    return f"{section.number}、{section.heading}"


_NOTES = {
    "t2": "注：本表数据统计期限为{year}年1月1日至{year}年12月31日。",
    "t3": "注：本表中“总计”列等于“自然人”与“法人或其他组织”各列之和。",
    "t4": "注：本表统计期限为{year}年1月1日至{year}年12月31日。",
}


def _sheet_per_table(sample: Sample, narrative: bool) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    tables = {t.table: t for t in form_tables(sample)}
    tpl = load_catalogue().templates[sample.template]
    if narrative:
        first.title = "总体情况"
        ws, row = first, 1
        ws.cell(row=1, column=1, value=sample.title)
        row = 2
    else:
        wb.remove(first)
        wb.properties.title = sample.title
    for section in tpl.sections:
        table = SECTION_TABLE.get(section.id)
        if table:
            sheet = wb.create_sheet(tpl.table(table).name)
            ft = tables[table]
            top = 1
            if not narrative and table == "t2":  # the workbook's own title above its first table
                sheet.cell(row=1, column=1, value=sample.title + "（统计表）")
                top = 2
            # a title row merged across the table, the table, then notes under it
            sheet.cell(row=top, column=1, value=_table_title(ft, sample))
            sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=ft.width)
            sheet.cell(row=top + 1, column=ft.width, value="单位：件")
            end = _put_table(sheet, ft, top + 2)
            sheet.cell(row=end + 1, column=1, value=_NOTES[table].format(year=sample.year))
            sheet.merge_cells(start_row=end + 1, start_column=1, end_row=end + 1, end_column=ft.width)
            sheet.cell(row=end + 2, column=1, value=f"填报单位：{sample.agency}")
            continue
        if not narrative:
            continue
        if section.id == "s5":
            ws, row = wb.create_sheet("存在问题及其他"), 1
        ws.cell(row=row, column=1, value=f"{section.number}、{section.heading}")
        row += 1
        for _, text in sample.sections.get(section.id, []):
            ws.cell(row=row, column=1, value=text)
            row += 1
    return _save(wb)


def render_xlsx_sheet_per_table(sample: Sample) -> bytes:
    return _sheet_per_table(sample, narrative=True)


def render_xlsx_tables_only(sample: Sample) -> bytes:
    """The statistical tables of the report as a workbook (a 附件), without its narrative."""
    return _sheet_per_table(sample, narrative=False)


# ---------------------------------------------------------------------------------------------- crawled


def _page_header(sample: Sample) -> list[str]:
    return [
        f"标题:{sample.title}",
        f"发布时间：{sample.published}",
        f"来源：{sample.agency}",
        f"发布机构：{sample.agency}",
        f"索引号：{sample.index_no}",
        "文号：",
    ]


def _origin_rows(table: FormTable) -> list[list[str]]:
    """Each row's cells as a crawler meets them in the page source: merged cells once."""
    origins, _ = table.positions()
    out = []
    for r in range(len(table.rows)):
        out.append([origins[(r, c)].text for c in range(table.width) if (r, c) in origins])
    return out


def _crawled(
    sample: Sample, table_lines: Callable[[FormTable, random.Random], list[str]], one_line: bool
) -> bytes:
    rng = random.Random(sample.seed * 7919 + 17)
    lines = _page_header(sample)
    body: list[str] = []
    for kind, payload in blocks(sample):
        if kind == "table":
            body.extend(table_lines(payload, rng))
        else:
            body.append(payload)
    if one_line:
        lines.append(" ".join(body) if rng.random() < 0.5 else "".join(body))
    else:
        lines.extend(body)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _run_together(table: FormTable, rng: random.Random) -> list[str]:
    rows = _origin_rows(table)
    return [" " + " ".join("".join(row) for row in rows) + " "]


_SEPARATORS = ["  ", "    ", "\u3000", "\u3000\u3000", "\t", " \t "]


def _spaced(table: FormTable, rng: random.Random) -> list[str]:
    # each table of a page its own separator, so that every seed mixes spaces, full-width spaces and tabs
    sep = _SEPARATORS[(rng.randrange(len(_SEPARATORS)) + int(table.table[1])) % len(_SEPARATORS)]
    return [sep.join(row) for row in _origin_rows(table)]


def _cell_lines(table: FormTable, rng: random.Random) -> list[str]:
    out: list[str] = []
    for row in _origin_rows(table):
        for cell in row:
            out.append(cell)
            out.append("")
    return out


def _deleted(table: FormTable, rng: random.Random) -> list[str]:
    return [" ".join(cell for cell in row if cell) for row in _origin_rows(table)]


def render_crawled_run_together(sample: Sample) -> bytes:
    return _crawled(sample, _run_together, one_line=True)


def render_crawled_spaced(sample: Sample) -> bytes:
    return _crawled(sample, _spaced, one_line=False)


def render_crawled_cell_lines(sample: Sample) -> bytes:
    return _crawled(sample, _cell_lines, one_line=False)


def render_crawled_deleted(sample: Sample) -> bytes:
    return _crawled(sample, _deleted, one_line=False)


# ---------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # ordinary | crawled
    suffix: str
    render: Callable[[Sample], bytes]
    via_pdf: bool = False  # render gives a DOCX that LibreOffice prints to PDF


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("docx", "ordinary", ".docx", render_docx),
        Family("docx_tables_only", "ordinary", ".docx", render_docx_tables_only),
        Family("html", "ordinary", ".html", render_html),
        Family("html_split", "ordinary", ".html", render_html_split),
        Family("xlsx_one_sheet", "ordinary", ".xlsx", render_xlsx_one_sheet),
        Family("xlsx_sheet_per_table", "ordinary", ".xlsx", render_xlsx_sheet_per_table),
        Family("xlsx_tables_only", "ordinary", ".xlsx", render_xlsx_tables_only),
        Family("pdf", "ordinary", ".pdf", render_docx, via_pdf=True),
        Family("pdf_row_break", "ordinary", ".pdf", render_docx_tall_rows, via_pdf=True),
        Family("crawled_run_together", "crawled", ".txt", render_crawled_run_together),
        Family("crawled_spaced", "crawled", ".txt", render_crawled_spaced),
        Family("crawled_cell_lines", "crawled", ".txt", render_crawled_cell_lines),
        Family("crawled_deleted", "crawled", ".txt", render_crawled_deleted),
    )
}


def write_many(items: list[tuple[Sample, Family]], folder: Path) -> list[Path]:
    """Write each (sample, family) as a file in ``folder``; the PDF families go through one LibreOffice run."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    to_print: list[tuple[Path, Path]] = []
    for sample, family in items:
        stem = f"{family.name}_{sample.template}_{sample.seed}{'_err' if sample.injected else ''}"
        path = folder / (stem + family.suffix)
        if family.via_pdf:
            to_print.append((folder / (stem + ".docx"), path))
            to_print[-1][0].write_bytes(family.render(sample))
        else:
            path.write_bytes(family.render(sample))
        out.append(path)
    if to_print:
        print_pdfs([docx for docx, _ in to_print], folder)
        for docx, pdf in to_print:
            if not pdf.is_file():
                raise RuntimeError(f"LibreOffice did not print {docx.name}")
            docx.unlink()
    return out


def print_pdfs(docx_files: list[Path], outdir: Path) -> None:
    """DOCX → PDF with LibreOffice (one run for all files)."""
    from validator.readers.convert import run_soffice

    with tempfile.TemporaryDirectory(prefix="ogi-layouts-") as tmp:
        run_soffice(docx_files, "pdf:writer_pdf_Export", Path(tmp), timeout=600)
        for docx in docx_files:
            made = Path(tmp) / (docx.stem + ".pdf")
            if made.is_file():
                shutil.move(str(made), outdir / made.name)


# ---------------------------------------------------------------------------------------------- scans


def image_only_pdf(pdf: Path, scale: float = 0.7) -> bytes:
    """What a scanner makes of a printed report: each page of ``pdf`` as a grey image, no text layer."""
    import zlib

    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(pdf))
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    try:
        for index in range(len(source)):
            page = source[index]
            width, height = page.get_size()
            bitmap = page.render(scale=scale, grayscale=True)
            w, h, stride = bitmap.width, bitmap.height, bitmap.stride
            raw = bytes(bitmap.buffer)
            pixels = b"".join(raw[row * stride : row * stride + w] for row in range(h))
            data = zlib.compress(pixels)
            image = (
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
                % (w, h, len(data))
                + data
                + b"\nendstream"
            )
            content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width, height)
            page_no = len(objects) + 1
            objects.append(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
                b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (width, height, page_no + 1, page_no + 2)
            )
            objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
            objects.append(image)
            kids.append(page_no)
            page.close()
    finally:
        source.close()
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
