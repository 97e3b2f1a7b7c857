"""Text from reports and file names made safe for where it is shown: spreadsheets (no formula runs), the
terminal (no escape sequences), Markdown/HTML (no markup), and file names that are not UTF-8.

A file name that is not UTF-8 (GBK bytes as `unzip` leaves them) reaches us as a str holding lone
surrogates (Python's surrogateescape): kept so until shown; ``shown`` turns each into U+FFFD, and
``json_bytes`` keeps them exact as ``\\udcXX`` escapes (``json.loads`` gives back the same str, and
``os.fsencode`` the original bytes).
"""

from __future__ import annotations

import html
import json
import re

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0 controls but tab/newline, DEL, C1 controls, and ANSI/VT escape sequences (CSI, OSC, single ESC)
_ESCAPE_SEQ = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]"
)
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = tuple("=+-@") + tuple(chr(c) for c in range(32)) + ("\x7f",)
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def shown(text: str) -> str:
    """The text with any lone surrogate (a non-UTF-8 byte of a file name) as U+FFFD."""
    if not isinstance(text, str):
        text = str(text)
    return _SURROGATE.sub("\ufffd", text)


def terminal(text: str) -> str:
    """For the terminal: escape sequences and control characters (but newline and tab) removed."""
    return _TERMINAL_CONTROLS.sub("", _ESCAPE_SEQ.sub("", shown(text)))


def is_formula_like(value) -> bool:
    """A text a spreadsheet could take for a formula (or a DDE payload): starts with = + - @ or a control."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_cell(value):
    """A CSV cell: text a spreadsheet would run gets a leading apostrophe; names shown."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = shown(value)
        if is_formula_like(value):
            return "'" + value
    return value


def xlsx_text(value) -> str:
    """Text for an XLSX cell: names shown, characters XML cannot hold replaced."""
    return _XLSX_ILLEGAL.sub(" ", shown(value))


def xlsx_cell(ws, value):
    """A value to append to a write-only sheet: text that starts like a formula is a string cell."""
    if not isinstance(value, str):
        return value
    value = xlsx_text(value)
    if value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    return value


def set_text(cell, value) -> None:
    """Write a value into an ordinary openpyxl cell; text is always a string cell, never a formula."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


def markdown(text) -> str:
    """Inline Markdown text: HTML escaped, table pipes and line breaks neutralised, names shown."""
    return html.escape(shown(text), quote=False).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def json_dumps(payload, **kwargs) -> str:
    """JSON text in which a lone surrogate is kept exact as a \\udcXX escape (still valid JSON)."""
    text = json.dumps(payload, ensure_ascii=False, **kwargs)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text
