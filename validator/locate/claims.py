"""Figures the narrative states (rules/narrative.yaml): the earliest matching sentence wins.

A pattern's ``(\\d+)`` reads a figure written in Arabic or in Chinese numerals (一千二百三十四, 两, 〇,
十二, 二十万). A figure given as an approximation (十余件, 近百件, 约20件, 20件左右, 30多件) is never a
claim: it cannot be compared with a table cell as an exact number, so the match is passed over.
"""

from __future__ import annotations

import re
from functools import cache

from validator.catalogue import Catalogue
from validator.locate.stream import Stream
from validator.model import CellState, CellValue, Report

#: what ``(\d+)`` in a claim pattern reads: the figure, then an approximation marker if any (余/多/来)
NUMBER = r"([0-9]+|[零〇一二两三四五六七八九十百千万]+)\s*(余|多|来)?"
_APPROX_BEFORE = re.compile(r"(?:约|近|大约|将近|接近|逾|超过|不足)$")
_APPROX_AFTER = re.compile(r"^\s*(?:左右|上下|以上|有余)")
_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """一千二百三十四 → 1234, 两 → 2, 十二 → 12, 二十万 → 200000, 一〇五 → 105 (digit by digit); None
    when the text is not a number."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(ch in _CN_DIGIT for ch in text):  # written digit by digit: 二〇二三, 一〇五
        return int("".join(str(_CN_DIGIT[ch]) for ch in text)) if len(text) > 1 else _CN_DIGIT[text]
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGIT:
            if digit is not None and _CN_DIGIT[ch] != 0:
                return None  # two digits without a unit between them (五五十)
            digit = _CN_DIGIT[ch] if _CN_DIGIT[ch] else None
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0) or 1) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


@cache
def _claim_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p.replace(r"(\d+)", NUMBER)) for p in patterns)


def _exact(text: str, m: re.Match) -> float | None:
    """The figure a match states, or None when it is an approximation or not a number."""
    if m.re.groups < 2:  # a pattern of its own (a year): the group as written
        return float(m.group(1)) if m.re.groups and m.group(1) and m.group(1).isdigit() else None
    if m.group(2) or _APPROX_BEFORE.search(text[max(0, m.start(1) - 2) : m.start(1)]):
        return None
    if _APPROX_AFTER.search(text[m.end() : m.end() + 3]):
        return None
    value = chinese_number(m.group(1))
    return None if value is None else float(value)


def read_claims(catalogue: Catalogue, stream: Stream, report: Report) -> None:
    text = stream.text
    blocks = stream.line_blocks
    for claim in catalogue.claims:
        if claim.source == "year":
            if report.year is not None:
                report.cells[claim.id] = CellValue(CellState.NUMBER, float(report.year), report.title or "")
            continue
        if claim.source == "unit":
            _read_unit(claim, stream, report)
            continue
        best = value = None
        for pattern in _claim_patterns(claim.patterns):
            for m in pattern.finditer(text):
                if not any(start <= m.start() < end for start, end in blocks):
                    continue
                if claim.value is not None:
                    found = float(claim.value)
                else:
                    found = _exact(text, m)
                    if found is None:
                        continue  # an approximation: look for an exact statement further on
                if best is None or m.start() < best.start():
                    best, value = m, found
                break
        if best is None:
            continue
        sentence = _sentence(text, best.start(), best.end())
        report.cells[claim.id] = CellValue(
            CellState.NUMBER,
            value,
            sentence,
            stream.provenance_at(best.start()),
            note=sentence,
        )


_STOPS = "。；;！!？?\n"


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or clause between full stops) a figure was read from, as the finding quotes it."""
    left = max((text.rfind(ch, 0, start) for ch in _STOPS), default=-1)
    right = min((i for i in (text.find(ch, end) for ch in _STOPS) if i >= 0), default=len(text))
    left = max(left + 1, start - 60)
    right = min(right, end + 40)
    sentence = text[left:right].replace("\t", " ").strip()
    # the text was folded to half-width for matching: quote Chinese punctuation as the report wrote it
    return _CJK_PUNCT.sub(lambda m: _FULL[m.group(0)], sentence)


_FULL = {",": "，", ";": "；", ":": "："}
_CJK_PUNCT = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef0-9%])[,;:](?=[^\x00-\x7f])")


#: a unit's value in 元
UNITS = {"元": 1.0, "万元": 10000.0, "亿元": 100000000.0}
_UNIT_AT_END = re.compile(r"(亿元|万元|元)\s*$")


def _read_unit(claim, stream: Stream, report: Report) -> None:
    """The unit a form cell's amount is given in (元 = 1, 万元 = 10000): written in the cell itself
    (“251000元”), else in the column header or a note anywhere in the document (the claim's patterns,
    group 1 the unit; tables included, since a header is a table cell). Absent when nowhere stated."""
    cell = report.cells.get(claim.cell or "")
    written = (cell.unit or "") if cell is not None else ""
    if not written and cell is not None and cell.raw:
        m = _UNIT_AT_END.search(cell.raw)
        written = m.group(1) if m else ""
    if written in UNITS:
        report.cells[claim.id] = CellValue(
            CellState.NUMBER, UNITS[written], cell.raw, cell.provenance, note=f"单元格注明“{written}”"
        )
        return
    for pattern in _claim_patterns(claim.patterns):
        m = pattern.search(stream.text)
        if m and m.group(1) in UNITS:
            quote = m.group(0).strip()
            report.cells[claim.id] = CellValue(
                CellState.NUMBER, UNITS[m.group(1)], quote, stream.provenance_at(m.start()), note=quote
            )
            return
