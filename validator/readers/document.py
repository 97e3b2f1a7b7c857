"""What every reader produces: the document's text and tables in reading order, with provenance.

Readers know nothing about the form or the rules; validator/locate.py turns a Document into a Report
by finding the form's labels, so that HTML, DOCX, XLSX, PDF and text all share one locator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from validator.model import Provenance


@dataclass(slots=True)
class TextBlock:
    """A paragraph, heading or line of running text."""

    text: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Reading:
    """How sure a recogniser (OCR) is of a cell's text: the lowest probability of its characters, and
    the other texts it may be (e.g. 38 for 36 when the last digit is unsure). Absent for typed text."""

    confidence: float
    alternatives: tuple[str, ...] = ()


@dataclass(slots=True)
class GridCell:
    """One cell of a table as laid out in the source; merged cells appear once, at their first position."""

    text: str
    provenance: Provenance
    reading: Reading | None = None  # set by OCR: the cell was read from an image


@dataclass(slots=True)
class Grid:
    """A table: rows of cells in source order (empty cells kept, as empty text)."""

    rows: list[list[GridCell]]
    provenance: Provenance


Block = TextBlock | Grid


@dataclass(slots=True)
class Document:
    """A source file as a sequence of blocks, plus metadata the container itself states."""

    source: str
    format: str  # text | html | docx | xlsx | pdf
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # title, published, url, agency … when stated
    tables_only: bool = False  # the container holds only the tables (its narrative sections are elsewhere)


_NOTE_PREFIXES = ("注", "备注", "说明", "填报", "单位", "制表", "审核", "联系")


def is_body_text(text: str) -> bool:
    """Running prose: a sentence of some length ending in a full stop (not a title, label or table note)."""
    text = text.strip()
    if not text or text.startswith(_NOTE_PREFIXES):
        return False
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 15 and ("。" in text or text.endswith((".", "；", ";")))


def holds_tables_only(doc: Document) -> bool:
    """The document holds tables (and their titles and notes) but no running text at all: no paragraph,
    in a text block or in a cell, reads as prose. Decided from the content, never from the file name."""
    grids = [b for b in doc.blocks if isinstance(b, Grid)]
    tabular = any(sum(1 for row in g.rows if sum(1 for c in row if c.text.strip()) >= 3) >= 3 for g in grids)
    if not tabular:
        return False
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            if is_body_text(block.text):
                return False
        else:
            if any(is_body_text(c.text) for row in block.rows for c in row):
                return False
    return True
