"""How the fill-in workbook looks: font, borders, fills, protection, text measure and print setup."""

from __future__ import annotations

import math

from openpyxl.styles import Border, Font, PatternFill, Protection, Side

FONT = "宋体"
THIN = Side(style="thin", color="FF000000")
NONE = Side(style=None)
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="FFF2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFBE6")
BAD_FILL = PatternFill("solid", fgColor="FFFF7C80")  # the colours annotation uses (render/annotate.py)
WARN_FILL = PatternFill("solid", fgColor="FFFFC000")
GOOD_FILL = PatternFill("solid", fgColor="FFC6EFCE")
# the tables' own live check (a total that does not add up while staff type): lavender with violet bold
# figures — never the red or amber the annotation puts on the cell the tool blames (render/annotate)
LIVE_FILL = PatternFill("solid", fgColor="FFE4DFEC", bgColor="FFE4DFEC")
LIVE_FONT = Font(name=FONT, bold=True, color="FF7030A0")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)


def text_width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def text_lines(text: str, width: float) -> int:
    return max(1, math.ceil(text_width(text) / max(1.0, width - 1)))


def landscape(ws) -> None:
    """Print across the page, as wide as the table: staff print the form to have it signed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
