"""Text normalisation shared by the readers: one line per cell or block, no spaces between CJK characters.

Readers see text cut by line breaks (<br>, Word paragraphs inside a cell, wrapped PDF lines) and padded
with spaces (&nbsp;, justified PDF text, ideographic spaces). A label such as 本年新<br/>制作数量 or
"总 计" must come out as 本年新制作数量 / 总计, and no cell or block may hold a TAB or newline, because the
locator serialises a Grid row as its cells joined by TAB and a block as one line.
"""

from __future__ import annotations

import re

# Characters that never take a space next to another such character in Chinese text: CJK ideographs,
# CJK and full-width punctuation, and the curly quotes, dashes and ellipsis Chinese text uses.
_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」【】…)
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x312F),  # bopomofo
    (0x3190, 0x31FF),
    (0x3200, 0x4DBF),  # enclosed, compatibility, extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms （），：；
    (0x20000, 0x2FA1F),  # extensions B–F, compatibility supplement
)
_CJK_EXTRA = frozenset("‘’“”—…·•")

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# every kind of space (incl. &nbsp; U+00A0 and the ideographic space U+3000) and every line/tab break
_SPACE_RUN = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def is_cjk(ch: str) -> bool:
    """True for a character that Chinese typesetting never separates from its neighbour by a space."""
    if ch in _CJK_EXTRA:
        return True
    o = ord(ch)
    if o < 0x2E80:
        return False
    for lo, hi in _CJK_RANGES:
        if lo <= o <= hi:
            return True
    return False


def clean_line(text: str) -> str:
    """One line of text: spaces collapsed, removed between CJK characters, stripped; no TAB/newline left."""
    if not text:
        return ""
    text = text.translate(_ZERO_WIDTH)
    parts = _SPACE_RUN.split(text)
    if len(parts) == 1:
        return text
    out = parts[0]
    for part in parts[1:]:
        if not part:
            continue
        if out and not (is_cjk(out[-1]) and is_cjk(part[0])):
            out += " "
        out += part
    return out.strip()


def join_lines(lines) -> str:
    """Join pieces cut by line breaks: no space between CJK (or a CJK and anything), a space between words.

    ``["本年新", "制作数量"]`` → ``本年新制作数量``; ``["Hello", "World"]`` → ``Hello World``;
    ``["12", "34"]`` → ``12 34`` (two numbers stay two numbers).
    """
    out = ""
    for line in lines:
        line = clean_line(line)
        if not line:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(line[0])):
            out += " "
        out += line
    return out


def join_wrapped(lines) -> str:
    """Join the lines of a paragraph wrapped by the layout (PDF): a wrap never means a space in Chinese."""
    out = ""
    for line in lines:
        line = clean_line(line)
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and line[0].isascii() and line[0].isalpha():
            out += " "
        out += line
    return out


_DATE = re.compile(
    r"(?:发布日期|发布时间|发稿时间|发布于)\s*[:：]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)


def find_published(text: str) -> str | None:
    """ISO date after 发布日期/发布时间 in a line of text, if any."""
    m = _DATE.search(text)
    if not m:
        return None
    return iso_date(m.group(1), m.group(2), m.group(3))


def iso_date(y: str, m: str, d: str) -> str | None:
    yi, mi, di = int(y), int(m), int(d)
    if 1990 <= yi <= 2100 and 1 <= mi <= 12 and 1 <= di <= 31:
        return f"{yi:04d}-{mi:02d}-{di:02d}"
    return None


_CJK_CLASS = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_AUTOSPACE = re.compile(rf"(?<=[0-9A-Za-z%])[ ]+(?=[{_CJK_CLASS}])|(?<=[{_CJK_CLASS}])[ ]+(?=[0-9A-Za-z])")


def drop_autospace(text: str) -> str:
    """Remove the gap a PDF shows between CJK and Latin/digits ("2023 年" → "2023年").

    Word/WPS add that gap when rendering (auto-spacing); it is not in the author's text, so PDF text
    would otherwise differ from the same report as DOCX or HTML. Spaces between two digits are kept.
    """
    return _AUTOSPACE.sub("", text) if " " in text else text


# Full-width ASCII → ASCII, odd spaces → space, curly quotes → straight, “−” → “-”: one character to one,
# so offsets in folded text are offsets in the original (the locator relies on that).
FOLD_MAP: dict[int, str | int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FOLD_MAP.update(
    {
        0x3000: " ",
        0xA0: " ",
        0x2002: " ",
        0x2003: " ",
        0x2009: " ",
        0x200B: " ",
        0xFEFF: " ",
        0x201C: '"',
        0x201D: '"',
        0x2018: "'",
        0x2019: "'",
        0x2212: "-",
    }
)
