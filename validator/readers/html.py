"""HTML → Document: running text as TextBlocks, data tables as Grids, in document order.

Handles: encoding detection (BOM, <meta charset>, XML declaration, then UTF-8 / GB18030), rowspan and
colspan, <br> and <p>/<span> wrappers inside cells, &nbsp; blanks, layout tables around the content
(a table that contains tables, or that has a single column, is a container: its cells are read as
running text and its inner tables as Grids), a table split over several <table> elements (back to back,
as wide as each other: joined into one Grid), script/style/hidden elements dropped. Metadata: title, published date, url, agency when the
page states them.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable
from pathlib import Path

from validator.model import Provenance, ReadError
from validator.readers.document import Document, Grid, TextBlock
from validator.readers.grid import SpanCell, build_grid, clamp_span
from validator.readers.safety import fail, html_parser, read_bytes
from validator.readers.textnorm import clean_line, find_published, iso_date, join_lines

_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "select",
        "option",
        "optgroup",
        "button",
        "textarea",
        "input",
        "map",
        "area",
        "audio",
        "video",
        "canvas",
    ]
)
_BLOCK = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "blockquote",
        "pre",
        "address",
        "center",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "legend",
        "hr",
        "caption",
        "details",
        "summary",
        "body",
        "html",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
    ]
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENC = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_GB_ALIASES = {
    "gb2312",
    "gbk",
    "x-gbk",
    "cp936",
    "ms936",
    "gb_2312-80",
    "gb_2312",
    "euc-cn",
    "hz-gb-2312",
    "gb18030",
}
_SINGLE_BYTE = {
    "latin-1",
    "iso8859-1",
    "iso-8859-1",
    "cp1252",
    "windows-1252",
    "ascii",
    "us-ascii",
    "iso-8859-15",
}


def decode_html(data: bytes) -> tuple[str, str]:
    """Text of an HTML file and the encoding used: BOM, declared charset, then UTF-8, then GB18030."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc
    head = data[:8192]
    declared = None
    m = _XML_ENC.search(head) or _CHARSET.search(head)
    if m:
        declared = m.group(1).decode("ascii", "replace").strip().lower()
        if declared in _GB_ALIASES:
            declared = "gb18030"
        try:
            declared = codecs.lookup(declared).name
        except LookupError:
            declared = None
    candidates: list[str] = []
    if declared and declared not in _SINGLE_BYTE:
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    if declared and declared in _SINGLE_BYTE:
        candidates.append(declared)
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacement)"


def read_html(path: str | os.PathLike, *, data: bytes | None = None, name: str | None = None) -> Document:
    """Read an HTML page or fragment. ``data`` may be given directly (e.g. the HTML part of an MHT file)."""
    if data is None:
        data = read_bytes(path)
    text, encoding = decode_html(data)
    return read_html_text(text, source=str(path), name=name or Path(path).name, encoding=encoding)


def read_html_text(
    text: str,
    *,
    source: str,
    name: str,
    encoding: str = "",
    resources: Callable[[str], bytes | None] | None = None,
) -> Document:
    """``resources`` gives the bytes an <img src> names (default: a file beside ``source``, under its folder)."""

    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        raise ReadError("文件为空 / empty file")
    root = _parse(text)
    if _depth(root) >= MAX_DEPTH:
        # libxml2 stops nesting at 256 levels and drops the rest without a word, which would read as a
        # report with its tables and sections missing: wrappers that carry no structure are flattened
        root = _parse(_flatten(text))
        if _depth(root) >= MAX_DEPTH:
            raise fail(
                f"HTML嵌套超过{MAX_DEPTH}层，无法完整读取", f"HTML nested deeper than {MAX_DEPTH} levels"
            )
    doc = Document(source=source, format="html")
    if encoding:
        doc.meta["encoding"] = encoding
    _read_head_meta(root, doc)
    walker = _Walker(name, resources or _beside(source))
    body = root.find("body")
    try:
        walker.walk(body if body is not None else root)
        walker.flush()
    except RecursionError:
        raise fail("HTML嵌套过深", "HTML nested too deeply") from None
    blocks = walker.blocks
    if walker.images is not None:
        walker.images.mark(doc)
        if walker.images.read:  # before the tables continued picture to picture are put together
            from validator.readers.ocr import join_broken_rows

            blocks = join_broken_rows(blocks)
    doc.blocks = _join_continued_tables(blocks)
    _fill_meta(doc)
    return doc


def _beside(source: str) -> Callable[[str], bytes | None]:
    """Pictures a saved page references by a relative path (NAME_files/t3.png), inside its folder only;
    data: URIs decoded; nothing fetched from a network."""
    folder = Path(source).resolve().parent if source else None

    def load(src: str) -> bytes | None:
        data = data_uri(src)
        if data is not None or folder is None:
            return data
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith(("/", "\\")):
            return None
        from urllib.parse import unquote

        try:  # a name with NUL, too long, or a symlink loop names no picture (never a reason to refuse the page)
            target = (folder / unquote(src.split("?", 1)[0].split("#", 1)[0])).resolve()
            if not target.is_relative_to(folder) or not target.is_file():
                return None
        except (OSError, ValueError, RuntimeError):
            return None
        try:
            return read_bytes(target)
        except ReadError:
            return None

    return load


def data_uri(src: str) -> bytes | None:
    m = re.match(r"^data:image/[\w.+-]+;base64,", src.strip(), re.IGNORECASE)
    if not m:
        return None
    import base64
    import binascii

    try:
        return base64.b64decode(src.strip()[m.end() :], validate=False)
    except (binascii.Error, ValueError):
        return None


MAX_DEPTH = 250  # libxml2 cuts an HTML tree at 256 levels
_INLINE_WRAPPERS = re.compile(
    r"</?(?:span|font|b|i|u|s|strong|em|small|big|a|label|abbr|cite|code|sup|sub|o:p|st1:[\w-]+)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_WRAPPERS = re.compile(
    r"<(/?)(?:div|section|article|center|blockquote|main|header|footer|nav|aside|form|figure)\b[^>]*>",
    re.IGNORECASE,
)


def _parse(text: str):
    from lxml import etree

    try:
        root = etree.fromstring(text, html_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise fail("HTML无法解析", "cannot parse HTML", e) from None
    if root is None:
        raise fail("HTML无法解析", "cannot parse HTML", "no content")
    return root


def _depth(root) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in el)
    return deepest


def _flatten(text: str) -> str:
    """Inline wrappers removed, block wrappers turned into paragraph breaks: same text and tables, no depth."""
    return _BLOCK_WRAPPERS.sub("<p>", _INLINE_WRAPPERS.sub("", text))


# ---- walking ------------------------------------------------------------------------------------------
def _tag(el) -> str:
    t = el.tag
    return t.lower() if isinstance(t, str) else ""


def _hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN.search(style))


class _Walker:
    def __init__(self, name: str, resources: Callable[[str], bytes | None]):
        self.name = name
        self.blocks: list = []
        self.buf: list[str] = []
        self.ntables = 0
        self.resources = resources
        self.images = None  # validator.readers.ocr.ImageReader, made at the first picture

    def image(self, el) -> None:
        """A picture (a table published as an image): read by OCR where it stands, when installed."""
        src = (el.get("src") or "").strip()
        if not src:
            return
        data = self.resources(src)
        if not data:
            return
        if self.images is None:
            from validator.readers.ocr import ImageReader

            self.images = ImageReader(self.name)
        self.blocks.extend(self.images.blocks(data, src[:200]))  # tables numbered among the pictures

    def flush(self) -> None:
        if self.buf:
            text = clean_line("".join(self.buf))
            self.buf = []
            if text:
                self.blocks.append(TextBlock(text, Provenance(file=self.name)))

    def walk(self, el) -> None:
        """Running text of ``el`` and its descendants (el.tail is the caller's business)."""
        tag = _tag(el)
        if not tag or tag in _SKIP or _hidden(el):
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            self.image(el)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)
        if block:
            self.flush()

    def table(self, tbl) -> None:
        caption, rows = _table_rows(tbl)
        if caption is not None:
            self.walk(caption)
            self.flush()
        if not rows:
            return
        cells = [[td for td in tr if _tag(td) in ("td", "th") and not _hidden(td)] for tr in rows]
        nested = any(True for _ in tbl.iterdescendants("table"))
        if nested or all(len(c) <= 1 for c in cells):
            # a layout table: read its cells as running text, its inner tables as tables
            for row in cells:
                for td in row:
                    self.walk(td)
                    self.flush()
            return
        self.ntables += 1
        t = self.ntables
        span_rows = [
            [
                SpanCell(_cell_text(td), clamp_span(td.get("rowspan")), clamp_span(td.get("colspan")))
                for td in row
            ]
            for row in cells
        ]
        name = self.name
        grid = build_grid(
            span_rows,
            lambda r, c: Provenance(file=name, table=t, row=r + 1, column=c + 1),
            Provenance(file=name, table=t),
        )
        if grid.rows:
            self.blocks.append(grid)


def _join_continued_tables(blocks: list) -> list:
    """One table pasted as several ``<table>`` elements, back to back (nothing but blank paragraphs
    between them) and as wide as each other, is one Grid: its parts' rows in order, each cell keeping
    its own provenance (the ``<table>`` it is in)."""
    out: list = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            isinstance(block, Grid)
            and isinstance(previous, Grid)
            and block.rows
            and previous.rows
            and len(block.rows[0]) == len(previous.rows[0])
            and len(block.rows[0]) >= 2
        ):
            out[-1] = Grid(previous.rows + block.rows, previous.provenance)
            continue
        out.append(block)
    return out


def _table_rows(tbl):
    """(caption element or None, the table's own <tr> elements in display order; <tfoot> rows last)."""
    caption = None
    rows, foot = [], []
    for child in tbl:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody"):
            rows.extend(tr for tr in child if _tag(tr) == "tr")
        elif tag == "tfoot":
            foot.extend(tr for tr in child if _tag(tr) == "tr")
        elif tag == "caption" and caption is None:
            caption = child
    return caption, [tr for tr in rows + foot if not _hidden(tr)]


def _cell_text(td) -> str:
    """A data cell's text: <br> and block wrappers are line breaks, joined without spaces between CJK."""
    lines: list[str] = []
    buf: list[str] = []

    def brk():
        if buf:
            lines.append("".join(buf))
            buf.clear()

    def walk(el):
        tag = _tag(el)
        if not tag or tag in _SKIP or _hidden(el):
            return
        if tag == "br":
            brk()
            return
        block = tag in _BLOCK or tag == "table"
        if block:
            brk()
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            brk()

    walk(td)
    brk()
    return join_lines(lines)


# ---- metadata -----------------------------------------------------------------------------------------
_META_DATE = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "article:published_time")
_ISO_ISH = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


def _read_head_meta(root, doc: Document) -> None:
    title = root.find(".//title")
    if title is not None:
        t = clean_line(title.text_content() if hasattr(title, "text_content") else (title.text or ""))
        if t:
            doc.meta["html_title"] = t
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = clean_line(meta.get("content") or "")
        if not key or not content:
            continue
        if key in _META_DATE and "published" not in doc.meta:
            m = _ISO_ISH.search(content)
            if m and (d := iso_date(*m.groups())):
                doc.meta["published"] = d
        elif key in ("url", "og:url") and "url" not in doc.meta:
            doc.meta["url"] = content
        elif key == "contentsource" and "agency" not in doc.meta:
            doc.meta["agency"] = content
        elif key == "articletitle" and "meta_title" not in doc.meta:
            doc.meta["meta_title"] = content
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href") and "url" not in doc.meta:
            doc.meta["url"] = link.get("href").strip()


def _fill_meta(doc: Document) -> None:
    texts = [b.text for b in doc.blocks[:60] if isinstance(b, TextBlock)]
    # the CMS <meta name="ArticleTitle">, else the first short line naming the report, else <title>
    title = doc.meta.get("meta_title")
    if not title:
        title = next((t for t in texts if "年度报告" in t and len(t) <= 80), None)
    if not title:
        title = doc.meta.get("html_title")
    if title:
        doc.meta["title"] = title
    if "published" not in doc.meta:
        for t in texts:
            d = find_published(t)
            if d:
                doc.meta["published"] = d
                break
