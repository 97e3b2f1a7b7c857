"""Benchmark documents that cost what real ones cost to read: the layout generator's reports (full
narrative, the form's merged header cells, tables as agencies lay them out), and Word packages as Word
saves them — a styles part of real size (document defaults, ~370 latent styles, heading, body and table
styles), a numbering part with several multi-level lists, theme, settings, font table and document
properties — with headings numbered automatically (一、 （一）) through that numbering part.

The figures and texts are the layout generator's (``validator.testing.layouts``), so the reader reads
the same report from every format; only the packaging is richer.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from validator.testing import layouts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = f'xmlns:w="{W}" xmlns:r="{R}"'

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-{kind}+xml"/>'
        for part, kind in (
            ("word/document.xml", "officedocument.wordprocessingml.document.main"),
            ("word/styles.xml", "officedocument.wordprocessingml.styles"),
            ("word/numbering.xml", "officedocument.wordprocessingml.numbering"),
            ("word/settings.xml", "officedocument.wordprocessingml.settings"),
            ("word/webSettings.xml", "officedocument.wordprocessingml.webSettings"),
            ("word/fontTable.xml", "officedocument.wordprocessingml.fontTable"),
            ("word/theme/theme1.xml", "officedocument.theme"),
            ("docProps/core.xml", "package.core-properties"),
            ("docProps/app.xml", "officedocument.extended-properties"),
        )
    )
    + "</Types>"
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/></Relationships>'
)
_DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + "".join(
        f'<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/{kind}" Target="{target}"/>'
        for k, (kind, target) in enumerate(
            (
                ("styles", "styles.xml"),
                ("numbering", "numbering.xml"),
                ("settings", "settings.xml"),
                ("webSettings", "webSettings.xml"),
                ("fontTable", "fontTable.xml"),
                ("theme", "theme/theme1.xml"),
            ),
            start=1,
        )
    )
    + "</Relationships>"
)
_LATENT = [f"heading {k}" for k in range(1, 10)] + [f"toc {k}" for k in range(1, 10)]
_LATENT += [f"List Number {k}" for k in range(2, 6)] + [f"List Bullet {k}" for k in range(2, 6)]
_LATENT += [f"Grid Table {k} Light Accent {a}" for k in range(1, 8) for a in range(1, 7)]
_LATENT += [f"List Table {k} Accent {a}" for k in range(1, 8) for a in range(1, 7)]
_LATENT += [f"Medium Shading {k} Accent {a}" for k in range(1, 3) for a in range(1, 7)]
_LATENT += [f"Light List Accent {a}" for a in range(1, 7)] + [
    f"Colorful Grid Accent {a}" for a in range(1, 7)
]
_LATENT += [f"Plain Table {k}" for k in range(1, 6)] + [f"Table Grid {k}" for k in range(1, 9)]
_LATENT += [f"Table Web {k}" for k in range(1, 4)] + [f"Table Classic {k}" for k in range(1, 5)]
_LATENT += [f"Smart Style {k}" for k in range(1, 120)]  # Word lists ~370 latent styles


def _rpr(size: int, bold: bool = False, font: str = "仿宋_GB2312") -> str:
    return (
        f'<w:rPr><w:rFonts w:ascii="{font}" w:eastAsia="{font}" w:hAnsi="{font}" w:cs="Times New Roman"/>'
        f'{"<w:b/><w:bCs/>" if bold else ""}<w:kern w:val="2"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
    )


def styles_xml() -> str:
    """A styles part as Word writes one: defaults, latent styles, and ~40 paragraph/character/table styles."""
    latent = "".join(
        f'<w:lsdException w:name="{name}" w:uiPriority="{k % 99}" w:semiHidden="1" w:unhideWhenUsed="1"'
        f' w:qFormat="{k % 2}"/>'
        for k, name in enumerate(_LATENT)
    )
    normal = (
        f'<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/><w:qFormat/>'
        f'<w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr>{_rpr(32)}</w:style>'
    )
    title = (
        f'<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="a"/>'
        f'<w:next w:val="a"/><w:qFormat/><w:pPr><w:spacing w:before="240" w:after="60"/><w:jc w:val="center"/>'
        f"</w:pPr>{_rpr(44, True, '方正小标宋简体')}</w:style>"
    )
    styles = [normal, title]
    for level in range(1, 10):
        numbered = (
            f'<w:numPr><w:ilvl w:val="{level - 1}"/><w:numId w:val="1"/></w:numPr>' if level <= 2 else ""
        )
        styles.append(
            f'<w:style w:type="paragraph" w:styleId="{level}"><w:name w:val="heading {level}"/>'
            f'<w:basedOn w:val="a"/><w:next w:val="a"/><w:link w:val="{level}Char"/><w:uiPriority w:val="9"/>'
            f'<w:qFormat/><w:pPr><w:keepNext/><w:keepLines/>{numbered}<w:spacing w:before="340" w:after="330"'
            f' w:line="578" w:lineRule="auto"/><w:outlineLvl w:val="{level - 1}"/></w:pPr>'
            f"{_rpr(32, True, '黑体' if level == 1 else '楷体_GB2312')}</w:style>"
        )
        styles.append(
            f'<w:style w:type="character" w:customStyle="1" w:styleId="{level}Char"><w:name w:val="标题 {level}'
            f' 字符"/><w:basedOn w:val="a0"/><w:link w:val="{level}"/><w:uiPriority w:val="9"/>{_rpr(32, True)}'
            "</w:style>"
        )
    for k, name in enumerate(("Body Text", "Body Text Indent", "Plain Text", "Date", "Header", "Footer")):
        styles.append(
            f'<w:style w:type="paragraph" w:styleId="p{k}"><w:name w:val="{name}"/><w:basedOn w:val="a"/>'
            f'<w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:ind w:firstLineChars="200"'
            f' w:firstLine="640"/></w:pPr>{_rpr(32)}</w:style>'
        )
    styles.append(
        '<w:style w:type="character" w:default="1" w:styleId="a0"><w:name w:val="Default Paragraph Font"/>'
        '<w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
    )
    borders = "".join(
        f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        for s in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    for k in range(12):
        styles.append(
            f'<w:style w:type="table" w:styleId="t{k}"><w:name w:val="Table Style {k}"/><w:basedOn w:val="a1"/>'
            f'<w:uiPriority w:val="59"/><w:tblPr><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'
            + "".join(
                f'<w:tblStylePr w:type="{part}"><w:rPr><w:b/></w:rPr><w:tcPr><w:shd w:val="clear"'
                f' w:color="auto" w:fill="D9E2F3"/></w:tcPr></w:tblStylePr>'
                for part in ("firstRow", "lastRow", "firstCol", "lastCol", "band1Vert", "band1Horz")
            )
            + "</w:style>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {_NS}><w:docDefaults>'
        f"<w:rPrDefault>{_rpr(21, font='Times New Roman')}</w:rPrDefault><w:pPrDefault/></w:docDefaults>"
        f'<w:latentStyles w:defLockedState="0" w:defUIPriority="99" w:defSemiHidden="0"'
        f' w:defUnhideWhenUsed="0" w:defQFormat="0" w:count="{len(_LATENT)}">{latent}</w:latentStyles>'
        f"{''.join(styles)}</w:styles>"
    )


_LEVELS = [
    ("chineseCounting", "%1、"),
    ("chineseCounting", "（%2）"),
    ("decimal", "%3."),
    ("decimal", "（%4）"),
    ("decimalEnclosedCircle", "%5"),
    ("lowerLetter", "%6)"),
    ("lowerRoman", "%7."),
    ("decimal", "%8."),
    ("decimal", "%9."),
]


def numbering_xml(lists: int = 8) -> str:
    """A numbering part with ``lists`` nine-level lists (list 1 numbers the headings), as documents that
    went through many hands carry."""
    abstracts, nums = [], []
    for a in range(lists):
        levels = "".join(
            f'<w:lvl w:ilvl="{i}" w:tplc="{0x04090019 + i:08X}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{420 * (i + 1)}"'
            f' w:hanging="420"/></w:pPr><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr></w:lvl>'
            for i, (fmt, text) in enumerate(_LEVELS if a == 0 else _LEVELS[2:] + _LEVELS[:2])
        )
        abstracts.append(
            f'<w:abstractNum w:abstractNumId="{a}"><w:nsid w:val="{0x1A2B3C00 + a:08X}"/>'
            f'<w:multiLevelType w:val="hybridMultilevel"/><w:tmpl w:val="{0x5E6F7A00 + a:08X}"/>{levels}'
            "</w:abstractNum>"
        )
        nums.append(f'<w:num w:numId="{a + 1}"><w:abstractNumId w:val="{a}"/></w:num>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering {_NS}>'
        f"{''.join(abstracts)}{''.join(nums)}</w:numbering>"
    )


def _theme() -> str:
    colours = "".join(
        f'<a:{n}><a:srgbClr val="{v}"/></a:{n}>'
        for n, v in (
            ("dk2", "44546A"),
            ("lt2", "E7E6E6"),
            ("accent1", "4472C4"),
            ("accent2", "ED7D31"),
            ("accent3", "A5A5A5"),
            ("accent4", "FFC000"),
            ("accent5", "5B9BD5"),
            ("accent6", "70AD47"),
            ("hlink", "0563C1"),
            ("folHlink", "954F72"),
        )
    )
    fonts = "".join(f'<a:font script="S{k}" typeface="Font {k}"/>' for k in range(60))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a:theme '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office 主题"><a:themeElements>'
        f'<a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>{colours}'
        f'</a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="等线 Light"/>{fonts}'
        f'</a:majorFont><a:minorFont><a:latin typeface="等线"/>{fonts}</a:minorFont></a:fontScheme>'
        "</a:themeElements></a:theme>"
    )


def _paragraph(text: str, style: str | None = None, size: int = 32, indent: bool = False) -> str:
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    ppr += '<w:spacing w:line="560" w:lineRule="exact"/>'
    ppr += '<w:ind w:firstLineChars="200" w:firstLine="640"/>' if indent else ""
    runs = []
    # Word splits a paragraph into runs where editing sessions or proofing marks fall
    pieces = [text[i : i + 17] for i in range(0, len(text), 17)] or [""]
    for k, piece in enumerate(pieces):
        runs.append(
            f'<w:r w:rsidR="00{k:06X}">{_rpr(size)}<w:t xml:space="preserve">{escape(piece)}</w:t></w:r>'
        )
        if k % 3 == 1:
            runs.append('<w:proofErr w:type="gramStart"/><w:bookmarkStart w:id="0" w:name="_GoBack"/>')
            runs.append('<w:bookmarkEnd w:id="0"/><w:proofErr w:type="gramEnd"/>')
    return f'<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00D4E5F6"><w:pPr>{ppr}</w:pPr>{"".join(runs)}</w:p>'


def _unnumbered(heading: str) -> str:
    """A heading's text without the numeral the numbering part writes (一、 or （一）)."""
    if "、" in heading[:4]:
        return heading.split("、", 1)[1]
    if heading.startswith("（") and "）" in heading[:5]:
        return heading.split("）", 1)[1]
    return heading


def render_docx(sample: layouts.Sample) -> bytes:
    """The sample as a Word package as Word saves it (see the module docstring)."""
    body: list[str] = []
    for kind, payload in layouts.blocks(sample):
        if kind == "title":
            body.append(_paragraph(payload, "Title", 44))
        elif kind == "heading":
            body.append(_paragraph(_unnumbered(payload), "1"))
        elif kind == "subheading":
            body.append(_paragraph(_unnumbered(payload), "2"))
        elif kind == "para":
            body.append(_paragraph(payload, indent=True))
        else:
            body.append(layouts._docx_table(payload))
            body.append(_paragraph(""))
    sect = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984"'
        ' w:left="1588" w:header="851" w:footer="992" w:gutter="0"/><w:cols w:space="425"/>'
        '<w:docGrid w:type="lines" w:linePitch="312"/></w:sectPr>'
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}>'
        f"<w:body>{''.join(body)}{sect}</w:body></w:document>"
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings {_NS}><w:zoom w:percent="100"/>'
        + "".join(f'<w:rsid w:val="00{k:06X}"/>' for k in range(400))
        + "</w:settings>"
    )
    fonts = "".join(
        f'<w:font w:name="{name}"><w:charset w:val="86"/><w:family w:val="modern"/></w:font>'
        for name in (
            "宋体",
            "仿宋_GB2312",
            "黑体",
            "楷体_GB2312",
            "方正小标宋简体",
            "Times New Roman",
            "等线",
        )
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title></dc:title><dc:creator>办公室</dc:creator>'
        "</cp:coreProperties>"
    )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _PACKAGE_RELS,
        "word/_rels/document.xml.rels": _DOCUMENT_RELS,
        "word/document.xml": document,
        "word/styles.xml": styles_xml(),
        "word/numbering.xml": numbering_xml(),
        "word/settings.xml": settings,
        "word/webSettings.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:webSettings {_NS}/>',
        "word/fontTable.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:fonts {_NS}>{fonts}</w:fonts>',
        "word/theme/theme1.xml": _theme(),
        "docProps/core.xml": core,
        "docProps/app.xml": '<?xml version="1.0" encoding="UTF-8"?><Properties/>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buffer.getvalue()


#: format → how the benchmark renders it: the Word package above, the layout generator's other families
RENDER = {
    ".docx": render_docx,
    ".html": layouts.render_html,
    ".xlsx": layouts.render_xlsx_sheet_per_table,
    ".txt": layouts.render_crawled_cell_lines,
}


def write(folder: Path, per_format: int, seed: int = 2024) -> dict[str, list[Path]]:
    """``per_format`` realistic reports of each format in ``folder`` (both forms, seeded)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for suffix, render in RENDER.items():
        for k in range(per_format):
            sample = layouts.make_sample(rng.randrange(2**31))
            path = folder / f"{k:03d}_{sample.template}{suffix}"
            path.write_bytes(render(sample))
            out.setdefault(suffix, []).append(path)
    return out
