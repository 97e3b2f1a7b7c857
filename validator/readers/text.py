"""Plain-text reports: Word-to-text extractions (one cell per tab-indented line) and crawled pages."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from validator.model import Provenance, ReadError
from validator.readers.document import Document, Grid, GridCell, TextBlock

_NOISE = re.compile(r"\[bookmark:[^\]]*\]|<!--.*?-->|<!\[[^\]]*\]>")
_CRAWLER_SPLIT = re.compile(r"^=+\s*正文\s*=+\s*$")
_CRAWLER_FIELDS = {"标题": "title", "发布时间": "published", "原文链接": "url", "发布机构": "publisher"}
# a web page's header block as crawlers keep it: "key：value" lines above the body (value may be empty)
_PAGE_FIELDS = {
    **_CRAWLER_FIELDS,
    "发布日期": "published",
    "发文日期": "issued",
    "成文日期": "written",
    "来源": "source",
    "信息来源": "source",
    "索引号": "index_no",
    "文号": "doc_no",
    "发文字号": "doc_no",
    "主题分类": "topic",
    "栏目": "column",
    "浏览次数": "views",
    "发文机关": "issuer",
}
_PAGE_FIELD = re.compile(
    r"^\s*(" + "|".join(sorted(_PAGE_FIELDS, key=len, reverse=True)) + r")\s*[:：]\s*(.*?)\s*$"
)
MAX_BYTES = 20 * 1024 * 1024
# a report is a few thousand lines and about 300 table cells; these bounds keep a 20 MB file within
# about 300 MB and 30 s (5 million short lines took 2.7 GB and 70 s), and refuse it with a clear reason
MAX_LINES = 300_000
MAX_CELLS = 200_000


def decode(data: bytes, name: str) -> str:
    """Text from bytes in the encodings Chinese government sites use; junk is refused, not guessed."""
    if not data.strip():
        raise ReadError(f"{name}: 文件为空 (empty file)")
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):  # Notepad's "Unicode": NUL bytes are half of every character
            text = data[len(bom) :].decode(encoding, errors="replace")
            if not text.strip():
                raise ReadError(f"{name}: 文件为空 (empty file)")
            return text
    if b"\x00" in data[:4096]:
        raise ReadError(f"{name}: 不是文本文件，无法识别的二进制内容 (binary content, not a report)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls > 8:
            break
        return text
    raise ReadError(f"{name}: 无法识别文本编码，可能是二进制文件 (undecodable, probably binary)")


def read_text(path: str | Path) -> Document:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:  # said before reading it all
        raise ReadError(
            f"{path.name}: 文本文件过大（{size // 1024 // 1024} MB，上限 {MAX_BYTES // 1024 // 1024} MB） "
            "(text file too large)"
        )
    data = path.read_bytes()
    return parse_text(decode(data, path.name), path.name)


def parse_text(text: str, name: str) -> Document:
    """Lines starting with a tab are table cells (blank lines end a row); a line of several cells apart by
    tabs is one table row (each tab a cell boundary, so an empty cell keeps its place); other lines are
    paragraphs."""
    doc = Document(source=name, format="text")
    lines = text.splitlines()
    filled = sum(1 for line in lines if line.strip())
    if filled > MAX_LINES:
        raise ReadError(
            f"{name}: 文本行数过多（{filled} 行，上限 {MAX_LINES} 行），不像一份年度报告 "
            f"(too many lines: {filled} > {MAX_LINES})"
        )
    cells = 0
    start = _crawler_header(lines, doc)
    grid: Grid | None = None
    row: list[GridCell] = []
    tables = 0

    def close_row() -> None:
        nonlocal row
        if grid is not None and row:
            grid.rows.append(row)
        row = []

    for number, line in enumerate(lines[start:], start=start + 1):
        line = _NOISE.sub("", line)
        pieces = line.rstrip("\r\n").split("\t")
        if sum(1 for p in pieces if p.strip()) >= 2:  # one row of a table, its cells apart by tabs
            cells += len(pieces)
            if cells > MAX_CELLS:
                raise ReadError(
                    f"{name}: 表格单元格过多（超过 {MAX_CELLS} 个），不像一份年度报告 (too many table cells)"
                )
            close_row()
            if grid is None:
                tables += 1
                grid = Grid(rows=[], provenance=Provenance(file=name, table=tables, line=number))
                doc.blocks.append(grid)
            grid.rows.append(
                [
                    GridCell(p.strip(), Provenance(file=name, table=tables, line=number, column=i + 1))
                    for i, p in enumerate(pieces)
                ]
            )
            continue
        if line.startswith("\t"):
            if grid is None:
                tables += 1
                grid = Grid(rows=[], provenance=Provenance(file=name, table=tables, line=number))
                doc.blocks.append(grid)
            row.append(GridCell(line.strip(), Provenance(file=name, table=tables, line=number)))
        elif not line.strip():
            close_row()
        else:
            close_row()
            grid = None
            doc.blocks.append(TextBlock(line.strip(), Provenance(file=name, line=number)))
    close_row()
    return doc


def _crawler_header(lines: list[str], doc: Document) -> int:
    """Metadata lines of a crawler's page.txt ("标题: …") above its "=== 正文 ===" line, or a page header
    block (标题、发布时间、来源、发布机构、索引号、文号 …, one "key：value" a line) at the top of the file:
    read as metadata, never as body text."""
    for index, line in enumerate(lines[:40]):
        if _CRAWLER_SPLIT.match(line.strip()):
            for head in lines[:index]:
                key, _, value = head.partition(":")
                field = _CRAWLER_FIELDS.get(key.strip())
                if field and value.strip():
                    doc.meta[field] = value.strip()
            return index + 1
    fields: list[tuple[str, str]] = []
    end = 0
    for index, line in enumerate(lines[:40]):
        if not line.strip():
            if fields:
                end = index + 1
            continue
        m = _PAGE_FIELD.match(line)
        if not m:
            break
        fields.append((_PAGE_FIELDS[m.group(1)], m.group(2)))
        end = index + 1
    if len(fields) < 2:  # one "来源：…" line is body text, not a page header
        return 0
    for field, value in fields:
        if value and field not in doc.meta:
            doc.meta[field] = value
    return end
