"""The annotated workbook's marks cannot be confused and its 校验结果 sheet prints (issue 17): the blamed
cell has a frame of its own, the fill-in workbook's live colour is distinct, a legend shows every mark, rows
are as tall as their wrapped text, A4 across the page; LibreOffice prints it to PDF with nothing cut."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pdfplumber
from click.testing import CliRunner
from libreoffice import require_libreoffice

from validator.cli import main
from validator.readers.convert import run_soffice
from validator.render.annotate import COLOURS, RESULTS_SHEET
from validator.render.annotate.marks import FRAMES, comment_size
from validator.render.annotate.results import LINE_HEIGHT, WIDTHS
from validator.render.workbook import read_cell_map
from validator.render.workbook.style import LIVE_FILL, text_lines
from validator.testing.figures import consistent_figures


def _annotated(tmp_path: Path) -> tuple[Path, dict, dict]:
    values = consistent_figures("gb2019", 2020, "示例市示例局", random.Random(5)).cells
    right = values["t3.res.granted.np"]
    values["t3.res.granted.np"] = right + 10  # one slip
    source = tmp_path / "年报.xlsx"
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["template", "--year", "2020", "--agency", "示例市示例局", "-o", str(source)]
        ).exit_code
        == 0
    )
    wb = openpyxl.load_workbook(source)
    where = read_cell_map(wb)
    for cell_id, value in values.items():
        if value:  # zeros left blank, as many agencies do
            sheet, ref = where[cell_id]
            wb[sheet][ref] = value
    wb.save(source)
    out = tmp_path / "标注.xlsx"
    result = runner.invoke(main, ["check", str(source), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    return out, where, {"t3.res.granted.np": right}


def _rgb(fill) -> str:
    return fill.fgColor.rgb if fill is not None and fill.fgColor is not None else ""


def test_blamed_cell_has_its_own_frame_and_the_live_colour_is_distinct(tmp_path):
    out, where, _ = _annotated(tmp_path)
    wb = openpyxl.load_workbook(out)
    sheet, ref = where["t3.res.granted.np"]
    blamed = wb[sheet][ref]
    assert _rgb(blamed.fill) == COLOURS["error"][0]
    assert blamed.border.left.style == "thick" and blamed.border.left.color.rgb == FRAMES["error"]
    sheet, ref = where["t3.res.total.np"]  # in the broken relation, not blamed: pale, no frame
    related = wb[sheet][ref]
    assert _rgb(related.fill) == COLOURS["error"][1] and related.border.left.style != "thick"
    live = {
        rule.dxf.fill.fgColor.rgb
        for ws in wb.worksheets
        for rng in ws.conditional_formatting
        for rule in rng.rules
        if ws.title != "校验" and rule.dxf is not None and rule.dxf.fill is not None
    }
    assert live == {LIVE_FILL.fgColor.rgb}
    assert not live & {c for pair in COLOURS.values() for c in pair}
    # comment boxes sized to their text (openpyxl does not read the size back: the VML has it)
    sizes = set()
    with zipfile.ZipFile(out) as package:
        for name in package.namelist():
            if name.endswith(".vml"):
                vml = package.read(name).decode("utf-8")
                sizes |= {(int(w), int(h)) for w, h in re.findall(r"width:(\d+)px;height:(\d+)px", vml)}
    text = blamed.comment.text
    assert comment_size(text) in sizes
    assert comment_size(text)[1] >= 17 * len(text.split("\n"))
    assert len({h for _, h in sizes}) > 1  # not one size for every box


def test_results_sheet_rows_fit_their_wrapped_text_and_print_on_a4(tmp_path):
    out, _, _ = _annotated(tmp_path)
    ws = openpyxl.load_workbook(out)[RESULTS_SHEET]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    texts = [c for row in ws.iter_rows(min_row=5) for c in row if isinstance(c.value, str) and c.value]
    assert any(c.value == "图例" for c in texts)
    merged = {r.start_cell.coordinate: r for r in ws.merged_cells.ranges}
    checked = 0
    for cell in texts:
        if cell.column not in WIDTHS:
            continue
        assert cell.alignment.wrap_text, cell.coordinate
        span = merged.get(cell.coordinate)
        columns = range(span.min_col, span.max_col + 1) if span else [cell.column]
        width = sum(WIDTHS[k] for k in columns)
        need = sum(text_lines(p, width) for p in cell.value.split("\n"))
        height = ws.row_dimensions[cell.row].height
        assert height is not None and height >= LINE_HEIGHT * need, (cell.coordinate, cell.value, height)
        checked += 1
    assert checked > 10


def test_libreoffice_prints_the_legend_and_every_message_whole(tmp_path):
    require_libreoffice()
    out, _, _ = _annotated(tmp_path)
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets[1:]:
        ws.sheet_state = "hidden"  # print the 校验结果 sheet alone
    only = tmp_path / "only.xlsx"
    wb.save(only)
    (tmp_path / "pdf").mkdir()
    code, err = run_soffice([only], "pdf", tmp_path / "pdf", timeout=180, calc=True)
    assert code == 0, err
    with pdfplumber.open(tmp_path / "pdf" / "only.pdf") as pdf:
        pages = pdf.pages
        assert all(round(p.width) == 842 and round(p.height) == 595 for p in pages)  # A4 landscape
        fills = {tuple(round(v, 2) for v in r["non_stroking_color"]) for p in pages for r in p.rects}
        printed = sum(len(p.chars) for p in pages)
    # the legend is printed: its sample cells carry the blamed cell's red and the live lavender
    for rgb in (COLOURS["error"][0], LIVE_FILL.fgColor.rgb, COLOURS["warning"][0]):
        assert tuple(round(int(rgb[k : k + 2], 16) / 255, 2) for k in (2, 4, 6)) in fills, rgb
    # every character of the sheet reaches the page (a clipped or hidden row would lose some); the
    # CJK glyphs depend on the fonts installed, so characters are counted, not read
    sheet = wb[RESULTS_SHEET]
    written = sum(len(re.sub(r"\s", "", str(c.value))) for row in sheet.iter_rows() for c in row if c.value)
    assert printed >= written, (printed, written)
