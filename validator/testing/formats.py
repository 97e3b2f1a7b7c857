"""Synthetic reports in every format the readers take (text, HTML, DOCX, XLSX), for tests and `make bench`.

All formats are rendered from the same blocks (title, headings, paragraphs, and the official tables from
``validator.testing.figures.table_rows``), so every format carries identical figures. ``series`` makes one agency's
reports for consecutive years whose cross-year chains hold (上年结转 = last year's 结转, 现行有效 stock,
上一年项目数量), and ``inject_error`` breaks one report in a known way.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from validator.catalogue import load_catalogue
from validator.testing.figures import Figures, consistent_figures, table_rows

FORMATS = ("text", "html", "docx", "xlsx")
SUFFIX = {"text": ".txt", "html": ".html", "docx": ".docx", "xlsx": ".xlsx"}
SECTION_TABLE = {"s2": "t2", "s3": "t3", "s4": "t4"}

_PHRASES = {
    "s1": [
        "全年通过政府门户网站主动公开政府信息{n}条，其中政策文件{m}件",
        "围绕优化营商环境，集中发布涉企政策{m}项，开展政策解读{k}次",
        "严格落实公开属性源头认定制度，新制发公文均标注公开属性",
        "依申请公开工作严格按照法定时限答复，答复文书规范率保持较高水平",
        "开展规范性文件清理，及时调整政府信息公开目录和公开指南",
        "推进政务新媒体规范运行，微信公众号全年发布信息{n}条",
        "优化门户网站栏目设置，新增重点领域信息公开专栏{k}个",
        "组织政务公开业务培训{k}次，参训人员{m}人次",
        "将政务公开工作纳入年度绩效考核，压实工作责任",
        "重大行政决策事项均在决策前向社会公开征求意见",
        "财政预决算和“三公”经费信息按规定时限公开",
        "建立健全政府信息公开申请登记、审核、办理、答复、归档工作机制",
        "完成网站适老化和无障碍改造，提升信息获取便利度",
        "及时公开突发事件应对和重要民生领域信息，回应社会关切",
        "设立政府信息公开查阅点{k}个，方便群众就近查阅",
        "邀请企业代表和群众参与政策制定前的意见征集{k}次",
        "通过图解、短视频等形式解读政策{k}件，增强解读实效",
        "加强公开前保密审查，全年未发生泄密事件",
        "梳理编制基层政务公开标准目录{k}项",
        "规范政府信息管理，落实政府信息公开保密审查制度",
    ],
    "s5": [
        "政策解读形式还比较单一，解读的针对性有待增强",
        "基层政务公开标准化规范化水平有待进一步提升",
        "部分信息更新不够及时，公开内容的完整性仍需加强",
        "依申请公开答复的说理性还需提高",
        "政务公开工作人员业务能力有待加强，人员流动较大",
        "下一步将加强图解、视频等多样化解读",
        "下一步将完善公开目录动态更新机制",
        "下一步将加大业务培训力度，提高工作人员业务水平",
        "下一步将强化公开平台建设，提升用户体验",
        "上年度存在的问题已通过专项整改逐项落实",
    ],
    "s6": [
        "本年度未收取信息处理费",
        "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{k}百元",
        "人大代表建议和政协委员提案办理结果已全部按规定公开",
        "认真落实上级年度政务公开工作要点，各项任务均已完成",
        "年度政务公开工作创新情况：推行政策“一网通查”服务",
        "无其他需要报告的事项",
    ],
}


@dataclass
class SynthReport:
    """One synthetic report: its figures, its narrative by section, and how it was broken (if at all)."""

    figures: Figures
    narrative: dict[str, str] = field(default_factory=dict)
    title_style: int = 0  # 0: <机关><年>年…  1: <年>年<机关>…
    agency_variant: str | None = None  # how the agency is written in this year's title
    injected: str | None = None  # kind of error injected, None for a clean report


def narrative(rng: random.Random) -> dict[str, str]:
    """Running text for sections 一、五、六: sentences drawn from a bank, so years differ."""
    out = {}
    for section, bank in _PHRASES.items():
        count = {"s1": 8, "s5": 4, "s6": 2}[section]
        picked = rng.sample(bank, min(count, len(bank)))
        out[section] = (
            "。".join(
                p.format(n=rng.randint(50, 3000), m=rng.randint(3, 90), k=rng.randint(1, 12)) for p in picked
            )
            + "。"
        )
        if section == "s6" and "信息处理费" not in out[section]:  # 六 states the fee (N-05); no extra draw
            out[section] = bank[0] + "。" + out[section]
    return out


def _renumber(text: str, rng: random.Random) -> str:
    """The same text with other figures (what copying last year's report looks like)."""
    return "".join(str(rng.randint(0, 9)) if ch.isdigit() else ch for ch in text)


def _retotal_t3(cells: dict, rows: list[str], columns: list[str]) -> None:
    for row in rows:
        cells[f"t3.{row}.tot"] = sum(cells[f"t3.{row}.{c}"] for c in columns)


def series(agency: str, years: list[int], rng: random.Random, scale: int = 20) -> list[SynthReport]:
    """Reports of one agency for consecutive years, each consistent, with the cross-year chains intact."""
    catalogue = load_catalogue()
    out: list[SynthReport] = []
    previous: Figures | None = None
    for year in years:
        template = catalogue.template_for_year(year)
        figures = consistent_figures(template.id, year, agency, rng, scale)
        cells = figures.cells
        columns = [c.id for c in template.table("t3").columns if not c.total]
        if previous is not None:
            for c in columns:  # carried_in = last year's carried_out, balance kept through 新收
                carried = previous.cells[f"t3.carried_out.{c}"]
                cells[f"t3.carried_in.{c}"] = carried
                new = cells[f"t3.res.total.{c}"] + cells[f"t3.carried_out.{c}"] - carried
                if new < 0:
                    cells[f"t3.res.total.{c}"] -= new
                    cells[f"t3.res.granted.{c}"] -= new
                    new = 0
                cells[f"t3.new.{c}"] = new
            _retotal_t3(cells, ["new", "carried_in", "res.granted", "res.total"], columns)
            if template.id == "gb2021" and previous.template == "gb2021":  # T2-03 stock chain
                for row in ("regulations", "normative_docs"):
                    stock = previous.cells[f"t2.{row}.valid"]
                    cells[f"t2.{row}.repealed"] = min(cells[f"t2.{row}.repealed"], stock)
                    cells[f"t2.{row}.valid"] = stock + cells[f"t2.{row}.made"] - cells[f"t2.{row}.repealed"]
            if template.id == "gb2019" and previous.template == "gb2019":  # T2-10 item chain
                for row in ("licensing", "other_mgmt_services", "punishment", "coercion", "admin_fees"):
                    cells[f"t2.{row}.prev_items"] = (
                        previous.cells[f"t2.{row}.prev_items"] + previous.cells[f"t2.{row}.delta"]
                    )
        if template.id == "gb2019":
            for row in ("licensing", "other_mgmt_services", "punishment", "coercion", "admin_fees"):
                low = -cells[f"t2.{row}.prev_items"]
                cells[f"t2.{row}.delta"] = max(cells[f"t2.{row}.delta"], low)
        text = narrative(rng)
        if agency.endswith("人民政府"):  # 条例第五十条第四项 (N-07); no extra draw from rng
            text["s1"] += "将政务公开工作纳入绩效考核，委托第三方开展社会评议，全年未发生责任追究情况。"
        out.append(SynthReport(figures, text, title_style=rng.randint(0, 1)))
        previous = figures
    return out


def inject_error(reports: list[SynthReport], index: int, rng: random.Random) -> str:
    """Break report ``index`` of a series in one known way; returns the kind of error."""
    report = reports[index]
    figures = report.figures
    cells = figures.cells
    kinds = ["t3_cell", "t4_total"]
    if index > 0 and figures.year >= 2020:
        kinds += ["carry_over", "copied_text"]
    if index > 0 and figures.template == "gb2021" and reports[index - 1].figures.template == "gb2021":
        kinds.append("stock_chain")
    kind = rng.choice(kinds)
    if kind == "t3_cell":
        cells["t3.res.granted.np"] += 1  # T3-01/T3-02 fail; the total column no longer adds up
    elif kind == "t4_total":
        cells["t4.review.total"] += 1
    elif kind == "carry_over":
        cells["t3.carried_in.np"] += 1
        cells["t3.carried_in.tot"] += 1
        cells["t3.res.total.np"] += 1  # the year still balances: only can see it
        cells["t3.res.total.tot"] += 1
        cells["t3.res.granted.np"] += 1
        cells["t3.res.granted.tot"] += 1
    elif kind == "copied_text":
        report.narrative = {k: _renumber(v, rng) for k, v in reports[index - 1].narrative.items()}
    elif kind == "stock_chain":
        for later in reports[index:]:  # later years carry on from the wrong stock: only this year breaks
            later.figures.cells["t2.normative_docs.valid"] += 3
    report.injected = kind
    return kind


# ---------------------------------------------------------------------------------------------- blocks


def title(report: SynthReport) -> str:
    f = report.figures
    agency = report.agency_variant or f.agency
    if report.title_style:
        return f"{f.year}年{agency}政府信息公开工作年度报告"
    return f"{agency}{f.year}年度政府信息公开工作年度报告"


def blocks(report: SynthReport) -> list[tuple[str, object]]:
    """("title" | "heading" | "para", text) and ("table", rows) in reading order."""
    f = report.figures
    template = load_catalogue().templates[f.template]
    tables = dict(table_rows(f))
    out: list[tuple[str, object]] = [
        ("title", title(report)),
        (
            "para",
            (
                f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告中所列数据统计期限为{f.year}年1月1日至12月31日。"
            ),
        ),
    ]
    sections = f.sections if f.sections is not None else [(s.number, s.heading) for s in template.sections]
    ids = {s.heading: s.id for s in template.sections}
    for number, heading in sections:
        out.append(("heading", f"{number}、{heading}"))
        sid = ids.get(heading, "")
        table = SECTION_TABLE.get(sid)
        if table and table not in f.omit_tables:
            out.append(("table", tables[table]))
        elif sid in report.narrative:
            for sentence in report.narrative[sid].split("。"):
                if sentence:
                    out.append(("para", sentence + "。"))
        else:
            out.append(("para", "（略）"))
    return out


def render_text(report: SynthReport) -> str:
    """Word-to-text layout (as validator.testing.figures.render_text): one table cell per tab-indented line."""
    lines: list[str] = []
    for kind, payload in blocks(report):
        if kind == "table":
            for row in payload:
                lines.extend("\t" + cell for cell in row)
                lines.append("")
        else:
            lines.append(payload)
    return "\n".join(lines) + "\n"


def render_html(report: SynthReport) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{escape(title(report))}</title></head><body>",
    ]
    for kind, payload in blocks(report):
        if kind == "title":
            parts.append(f"<h1>{escape(payload)}</h1>")
        elif kind == "heading":
            parts.append(f"<h2>{escape(payload)}</h2>")
        elif kind == "para":
            parts.append(f"<p>{escape(payload)}</p>")
        else:
            parts.append('<table border="1">')
            for row in payload:
                parts.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _w_p(text: str) -> str:
    run = f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f"<w:p>{run}</w:p>"


def render_docx(report: SynthReport) -> bytes:
    """A minimal Word package: [Content_Types].xml, _rels/.rels and word/document.xml."""
    body: list[str] = []
    for kind, payload in blocks(report):
        if kind != "table":
            body.append(_w_p(payload))
            continue
        width = max(len(r) for r in payload)
        column = 9000 // width  # the whole table fits an A4 page, as a real report's does
        grid = "".join(f'<w:gridCol w:w="{column}"/>' for _ in range(width))
        rows = []
        for row in payload:
            cells = [*row, *[""] * (width - len(row))]
            rows.append("<w:tr>" + "".join(f"<w:tc>{_w_p(c)}</w:tc>" for c in cells) + "</w:tr>")
        borders = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        body.append(
            f"<w:tbl><w:tblPr><w:tblBorders>{borders}</w:tblBorders></w:tblPr>"
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )
        body.append(_w_p(""))
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{''.join(body)}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
    return buffer.getvalue()


def render_xlsx(report: SynthReport) -> bytes:
    """One sheet: title, headings and paragraphs in column A, the tables' cells across the columns;
    figures are written as numbers, as a spreadsheet would hold them."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("年度报告")
    for kind, payload in blocks(report):
        if kind == "table":
            for row in payload:
                ws.append([_number(c) for c in row])
            ws.append([])
        else:
            ws.append([payload])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def render(report: SynthReport, fmt: str) -> bytes:
    if fmt == "text":
        return render_text(report).encode("utf-8")
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "docx":
        return render_docx(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValueError(f"unknown format {fmt!r}")


def write(report: SynthReport, fmt: str, folder: Path, name: str | None = None) -> Path:
    f = report.figures
    path = Path(folder) / ((name or f"{f.year}_{f.agency}") + SUFFIX[fmt])
    path.write_bytes(render(report, fmt))
    return path
