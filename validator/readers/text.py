"""Plain-text reports: Word-to-text extractions (one cell per tab-indented line) and crawled pages."""

from __future__ import annotations

import re
from pathlib import Path

from validator.model import Provenance, ReadError
from validator.readers.document import Document, Grid, GridCell, TextBlock

_NOISE = re.compile(r"\[bookmark:[^\]]*\]|<!--.*?-->|<!\[[^\]]*\]>")
_CRAWLER_SPLIT = re.compile(r"^=+\s*正文\s*=+\s*$")
_CRAWLER_FIELDS = {"标题": "title", "发布时间": "published", "原文链接": "url", "发布机构": "publisher"}
MAX_BYTES = 20 * 1024 * 1024


def decode(data: bytes, name: str) -> str:
    """Text from bytes in the encodings Chinese government sites use; junk is refused, not guessed."""
    if not data.strip():
        raise ReadError(f"{name}: 文件为空 (empty file)")
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
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise ReadError(f"{path.name}: 文件过大（{len(data) // 1024 // 1024} MB） (file too large)")
    return parse_text(decode(data, path.name), path.name)


def parse_text(text: str, name: str) -> Document:
    """Lines starting with a tab are table cells (blank lines end a row); other lines are paragraphs."""
    doc = Document(source=name, format="text")
    lines = text.splitlines()
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
    """Metadata lines of a crawler's page.txt ("标题: …") above its "=== 正文 ===" line."""
    for index, line in enumerate(lines[:40]):
        if _CRAWLER_SPLIT.match(line.strip()):
            for head in lines[:index]:
                key, _, value = head.partition(":")
                field = _CRAWLER_FIELDS.get(key.strip())
                if field and value.strip():
                    doc.meta[field] = value.strip()
            return index + 1
    return 0
