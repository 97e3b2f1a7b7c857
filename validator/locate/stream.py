"""The Document as one folded string with the provenance of every piece, and the labels found in it.

Grid cells are joined by TAB, grid rows and text blocks end with a newline. Every label of a table (rows,
captions, headers) is searched in that string by one leftmost-longest regex, tolerant of spaces and
full/half-width forms.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from validator.model import Provenance
from validator.readers.document import Document, Grid, GridCell, TextBlock
from validator.readers.textnorm import FOLD_MAP

FOLD = str.maketrans(FOLD_MAP)

_ROW_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|\([一二三四五六七八九十]+\)|\d+\s*[.、])\s*"
)


def fold(text: str) -> str:
    return text.translate(FOLD)


@dataclass(slots=True)
class Span:
    start: int
    end: int
    owners: tuple[str, ...]  # label owners: "row:<path>", "caption:<i>", "header"


class Stream:
    """The document as one folded string, with the provenance of every piece."""

    def __init__(self, doc: Document) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.provenance: list[Provenance] = []
        self.line_blocks: list[tuple[int, int]] = []  # text blocks and one-cell rows: (start, end)
        pos = 0

        def add(text: str, prov: Provenance) -> None:
            nonlocal pos
            self.starts.append(pos)
            self.provenance.append(prov)
            parts.append(text)
            pos += len(text)

        for block in _join_split_labels(doc.blocks):
            if isinstance(block, TextBlock):
                text = fold(_text_line(block.text))
                self.line_blocks.append((pos, pos + len(text)))
                add(text, block.provenance)
                parts.append("\n")
                pos += 1
            elif isinstance(block, Grid):
                for full_row in block.rows:
                    # a cell merged across columns appears once: its covered positions share its provenance
                    row = [
                        c
                        for i, c in enumerate(full_row)
                        if i == 0 or c.provenance != full_row[i - 1].provenance or c.text.strip()
                    ]
                    texts = [fold(c.text.replace("\n", "").replace("\t", " ")) for c in row]
                    if sum(1 for t in texts if t.strip()) == 1:
                        lone = next(t for t in texts if t.strip())
                        offset = pos + sum(len(t) + 1 for t in texts[: texts.index(lone)])
                        self.line_blocks.append((offset, offset + len(lone)))
                    for index, (cell, text) in enumerate(zip(row, texts)):
                        if index:
                            parts.append("\t")
                            pos += 1
                        add(text, cell.provenance)
                    parts.append("\n")
                    pos += 1
        self.text = "".join(parts)

    def provenance_at(self, offset: int) -> Provenance | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return None
        prov = self.provenance[index]
        if prov.offset is None and prov.row is None and prov.ref is None and prov.line is not None:
            # a long text line: add the character offset inside it
            inner = offset - self.starts[index]
            if inner:
                return Provenance(**{**prov.as_dict(), "offset": inner})
        return prov


_STARTS_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|[(（][一二三四五六七八九十]+[)）]|\d+\s*[.、．])"
)


def _text_line(text: str) -> str:
    """A text line as it goes into the stream: a row typed with TABs between its cells keeps them and is
    read like a grid row (an empty cell shows as two TABs in a row): two TABs or more, or one TAB before a
    single figure (“行政事业性收费<TAB>37”, the empty cells after it cut off with the line's end). Other
    TABs become spaces, as line breaks do."""
    text = text.replace("\n", " ")
    tabs = text.count("\t")
    if tabs >= 2 or (tabs == 1 and _LONE_FIGURE.match(text.split("\t", 1)[1])):
        return text
    return text.replace("\t", " ")


_LONE_FIGURE = re.compile(r"^\s*[+-]?\d[\d.,]*\s*$")


def _join_split_labels(blocks: list) -> list:
    """A row label cut by a page break (“7.属于行” | next page “政执法案卷”): the next table's first row
    holds only the label's tail; join it to the last row's label so the label can be found whole."""
    out: list = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            isinstance(block, Grid)
            and isinstance(previous, Grid)
            and block.rows
            and previous.rows
            and previous.rows[-1]
            and block.rows[0]
        ):
            head = block.rows[0]
            tail_text = head[0].text.strip()
            if (
                tail_text
                and not any(c.text.strip() for c in head[1:])
                and not _STARTS_NUMBERED.match(tail_text)
                and previous.rows[-1][0].text.strip()
            ):
                last = list(previous.rows[-1])
                last[0] = GridCell(last[0].text.rstrip() + tail_text, last[0].provenance)
                out[-1] = Grid(previous.rows[:-1] + [last], previous.provenance)
                block = Grid(block.rows[1:], block.provenance)
        out.append(block)
    return out


def key_pattern(key: str) -> str:
    chars = [re.escape(ch) for ch in fold(key) if not ch.isspace()]
    return r"\s*".join(chars)


def strip_numbering(label: str) -> str:
    return _ROW_NUMBERING.sub("", fold(label)).strip()


class LabelIndex:
    """All labels of one table (rows, captions, headers) as a single leftmost-longest regex."""

    def __init__(
        self, labels: dict[str, set[str]], numbering: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.numbering = numbering or {}  # row owner → how its numbering may be written
        self.owners: dict[str, tuple[str, ...]] = {}
        for key, owners in labels.items():
            norm = re.sub(r"\s+", "", fold(key))
            if norm:
                self.owners[norm] = tuple(sorted(set(self.owners.get(norm, ())) | owners))
        keys = sorted(self.owners, key=len, reverse=True)
        self.pattern = re.compile("|".join(key_pattern(k) for k in keys))

    def spans(self, text: str, start: int, end: int) -> list[Span]:
        return list(self._iter(text, start, end))

    def first(self, text: str, start: int, end: int, want) -> int | None:
        """Where the first label with an owner `want` accepts starts (the scan stops there)."""
        return next(
            (span.start for span in self._iter(text, start, end) if any(want(o) for o in span.owners)), None
        )

    def _iter(self, text: str, start: int, end: int):
        for m in self.pattern.finditer(text, start, end):
            norm = re.sub(r"\s+", "", m.group(0))
            yield Span(m.start(), m.end(), self.owners.get(norm, ("header",)))
