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


@dataclass(slots=True)
class GridCell:
    """One cell of a table as laid out in the source; merged cells appear once, at their first position."""

    text: str
    provenance: Provenance


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
