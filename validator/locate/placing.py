"""Which cell each figure of a row belongs to, when the row is not a real table row (crawled pages).

Only certain placements are made here: as many whole figures as cells, apart by whitespace (one row a
line); or one figure per line with blank lines between, where an empty cell shows only as more blank lines
(the line numbers the text reader keeps say how many). Everything else goes to the digit-run solver,
which places by the form's identities or leaves the doubt visible. A row's values stop at the first line of
words: a heading, a sheet title, a note (注：、说明：、单位：…).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from itertools import pairwise

from validator.locate.cells import NA_MARKERS, cjk_count, parse_cell, unplaced_if_too_large
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import Stream
from validator.model import CellState, CellValue

_NOTE_LINE = re.compile(r"^\s*(?:注|说明|备注|单位|数据来源|填报说明|填表说明|附注)\s*\d*\s*[:：]")
_WHOLE = {
    "count": re.compile(r"^(?:0|[1-9]\d*)(?:件|项|个|条)?$"),
    "signed": re.compile(r"^(?:[+-]?(?:0|[1-9]\d*)|(?:增加|增|减少|减)(?:0|[1-9]\d*))(?:件|项|个)?$"),
    "amount": re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?$"),
}
_FIGURE_STATES = (CellState.NUMBER, CellState.NA_MARKER)


def is_wording(text: str, settings: LocateSettings = DEFAULT_SETTINGS) -> bool:
    """Words, not figures: a heading, a title, a note or prose (markers such as 无 or 不适用 are figures)."""
    if _NOTE_LINE.match(text):
        return True
    if cjk_count(text) < settings.note_min_cjk:
        return False
    return any(parse_cell(tok, "signed", None).state not in _FIGURE_STATES for tok in text.split())


def cut_at_wording(segment: str, settings: LocateSettings = DEFAULT_SETTINGS) -> str:
    """The segment up to its first line of words after the label's own line."""
    lines = segment.split("\n")
    for index in range(1, len(lines)):
        if lines[index].strip() and is_wording(lines[index].strip(), settings):
            return "\n".join(lines[:index])
    return segment


def _whole(token: str, kind: str) -> bool:
    return token in NA_MARKERS or bool(_WHOLE.get(kind, _WHOLE["count"]).match(token))


def place_tokens(
    stream: Stream,
    label_end: int,
    start: int,
    end: int,
    ids: list[str],
    kinds: list[str],
    limit: int = DEFAULT_SETTINGS.number_limit,
) -> dict[str, CellValue] | None:
    """Cells of a row whose figures lie in stream.text[start:end] when their places are certain, else None.
    A figure too large for a report (≥ `limit`) is UNPLACED there: crawled text is not a typed cell."""
    if len(ids) < 2:
        return None
    text = stream.text
    tokens = [(m.group(), start + m.start()) for m in re.finditer(r"\S+", text[start:end])]
    if not tokens:
        return None
    if len(tokens) == len(ids):
        if all(_whole(tok, kind) for (tok, _), kind in zip(tokens, kinds)):
            return {
                cid: unplaced_if_too_large(parse_cell(tok, kind, stream.provenance_at(off), limit))
                for cid, kind, (tok, off) in zip(ids, kinds, tokens)
            }
        return None
    positions = _by_line_gaps(stream, label_end, tokens, end, len(ids))
    if positions is None or not all(_whole(tok, kinds[p]) for (tok, _), p in zip(tokens, positions)):
        return None
    out: dict[str, CellValue] = {}
    by_position = dict(zip(positions, tokens))
    for p, (cid, kind) in enumerate(zip(ids, kinds)):
        if p in by_position:
            tok, off = by_position[p]
            out[cid] = unplaced_if_too_large(parse_cell(tok, kind, stream.provenance_at(off), limit))
        else:
            out[cid] = CellValue(
                CellState.BLANK, None, "", stream.provenance_at(label_end), note="空行处为空白单元格"
            )
    return out


def _line_of(stream: Stream, offset: int) -> int | None:
    prov = stream.provenance_at(offset)
    return prov.line if prov is not None else None


def _by_line_gaps(
    stream: Stream, label_end: int, tokens: list[tuple[str, int]], end: int, cells: int
) -> list[int] | None:
    """Positions of one-figure-per-line tokens from the blank lines between them, when they count exactly."""
    label_line = _line_of(stream, max(label_end - 1, 0))
    lines = [_line_of(stream, off) for _, off in tokens]
    rest = re.search(r"\S", stream.text[end:])
    end_line = _line_of(stream, end + rest.start()) if rest else None
    if label_line is None or None in lines or end_line is None:
        return None
    seq = [label_line, *lines, end_line]
    gaps = [b - a for a, b in pairwise(seq)]
    step = _spacing(stream, label_end)
    if step is None or step < 2 or min(gaps) < step or any(g % step for g in gaps):
        return None  # no blank lines between cells, or uneven ones
    empties = [g // step - 1 for g in gaps]
    positions = []
    position = 0
    for index in range(len(tokens)):
        position += empties[index]
        positions.append(position)
        position += 1
    if position + empties[-1] != cells:
        return None
    return positions


def _spacing(stream: Stream, offset: int, window: int = 30) -> int | None:
    """How many lines apart consecutive text lines usually are around `offset` (2: one blank line between)."""
    starts = [start for start, _ in stream.line_blocks]
    index = bisect.bisect_right(starts, offset)
    near = [_line_of(stream, start) for start in starts[max(0, index - window) : index + window]]
    gaps = Counter(b - a for a, b in pairwise(n for n in near if n is not None) if b > a)
    return gaps.most_common(1)[0][0] if gaps else None
