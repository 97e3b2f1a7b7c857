"""One cell's text → a reading: number, blank, not-applicable marker, typed text, or a token not placed."""

from __future__ import annotations

import re
from decimal import Decimal

from validator.locate.settings import DEFAULT_SETTINGS
from validator.locate.stream import fold
from validator.model import CellState, CellValue, Provenance

_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)\s*(万元|元|件|项|个|条)?$")
_SIGN_WORD = re.compile(r"^(增加|增|减少|减)\s*(\d+(?:\.\d+)?)\s*(项|个|件)?$")
NA_MARKERS = frozenset({"/", "-", "—", "——", "–", "无", "\\", "×", "不适用", "－"})
_CJK = re.compile(r"[\u4e00-\u9fff]")


#: the note of a figure too large for any report (LocateSettings.number_limit)
TOO_MANY_DIGITS = "数值异常（位数过多）"


def exact_number(digits: str) -> int | Decimal:
    """The exact value of unsigned ASCII digits with an optional decimal part: never a float, never inf."""
    return Decimal(digits) if "." in digits else int(digits)


def too_large(value: int | Decimal, limit: int = DEFAULT_SETTINGS.number_limit) -> bool:
    return abs(value) >= limit


def parse_cell(
    raw: str, kind: str, prov: Provenance | None, limit: int = DEFAULT_SETTINGS.number_limit
) -> CellValue:
    """One cell's text → number, blank, not-applicable marker or unreadable text.

    Values are read exactly (int or Decimal) and become a float only below `limit`; a figure at or above
    it is TEXT noted 数值异常（位数过多）: typed, but not a number a report can hold."""
    text = fold(raw).strip()
    compact = re.sub(r"(?<=\d),(?=\d{3})", "", text.replace(" ", ""))
    if not compact:
        return CellValue(CellState.BLANK, None, raw, prov)
    if compact in NA_MARKERS:
        return CellValue(CellState.NA_MARKER, None, raw, prov, note=f"“{text}”代替了数字")
    m = _NUMBER.match(compact)
    if m:
        exact = exact_number(m.group(2))
        if too_large(exact, limit):
            return CellValue(CellState.TEXT, None, raw, prov, note=TOO_MANY_DIGITS)
        value = float(exact) * (-1 if m.group(1) == "-" else 1)
        return CellValue(CellState.NUMBER, value, raw, prov, unit=m.group(3))
    m = _SIGN_WORD.match(compact)
    if m and kind == "signed":
        exact = exact_number(m.group(2))
        if too_large(exact, limit):
            return CellValue(CellState.TEXT, None, raw, prov, note=TOO_MANY_DIGITS)
        value = float(exact) * (-1 if m.group(1).startswith("减") else 1)
        return CellValue(CellState.NUMBER, value, raw, prov, note=f"“{text}”读作 {value:g}")
    return CellValue(CellState.TEXT, None, raw, prov, note=f"“{text}”不是数字")


def unplaced_if_too_large(cell: CellValue) -> CellValue:
    """Crawled text: a figure too large for a report is not placed (UNPLACED), never typed text."""
    if cell.state == CellState.TEXT and cell.note == TOO_MANY_DIGITS:
        return CellValue(CellState.UNPLACED, None, cell.raw, cell.provenance, note=TOO_MANY_DIGITS)
    return cell


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def is_note(text: str, min_cjk: int = 2) -> bool:
    """Words, not a figure: a remark beside a table row."""
    return not has_digit(text) and cjk_count(text) >= min_cjk


def has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)
