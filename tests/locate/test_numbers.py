"""Issue 16 “Numbers”: numeric text becomes an exact value that never overflows; a figure beyond what a report
can hold (≥ LocateSettings.number_limit, 10¹² by default) is never placed as a number — TEXT when certainly
typed in a real cell, UNPLACED in crawled text — noted 数值异常（位数过多）; JSON output stays valid."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from validator.cli import main
from validator.locate import LocateSettings
from validator.locate.cells import TOO_MANY_DIGITS, parse_cell
from validator.locate.digit_runs import RunSpec, resolve, split_candidates
from validator.model import CellState
from validator.testing.layouts import FAMILIES, make_sample, write_many

LONG = "9" * 309
FULL_WIDTH = "１２３４５６７８９０１２３"  # 13 digits: 1 234 567 890 123 ≥ 10¹²
TEXTS = {"309 digits": LONG, "1e400": "1e400", "full width": FULL_WIDTH}
CELL = "t3.new.le_com"


@pytest.mark.parametrize("raw", [LONG, FULL_WIDTH, "1000000000000", "减" + LONG, "-" + LONG, LONG + ".5"])
def test_a_figure_too_large_for_a_report_is_typed_text(raw):
    cell = parse_cell(raw, "signed", None)
    assert cell.state == CellState.TEXT and cell.value is None
    assert cell.note == TOO_MANY_DIGITS


def test_figures_below_the_limit_are_exact():
    assert parse_cell("999999999999", "count", None).value == 999_999_999_999
    assert parse_cell("１２３", "count", None).value == 123
    assert parse_cell("73802895.90", "amount", None).value == 73802895.9
    assert parse_cell("1e400", "count", None).state == CellState.TEXT  # not numeric text at all
    for raw in (LONG, "1e400", FULL_WIDTH, "9" * 400 + ".9"):
        value = parse_cell(raw, "count", None).value
        assert value is None or math.isfinite(value)


def test_the_limit_is_a_setting():
    assert parse_cell("5000", "count", None, limit=1000).note == TOO_MANY_DIGITS
    assert LocateSettings(number_limit=1000).number_digits == 3
    with pytest.raises(ValueError):
        LocateSettings(number_limit=0)


def test_digit_runs_never_read_a_figure_beyond_the_limit():
    assert split_candidates(LONG, ("count",)) == []
    assert split_candidates("1234567890123", ("count",)) == []
    assert all(max(s) < 10**12 for s in split_candidates("1234567890123", ("count", "count")))
    ids = tuple(f"c{i}" for i in range(15))
    res = resolve([RunSpec(ids, LONG, ("count",) * 15, blanks=True)], [])
    assert {r.how for r in res.values()} == {"unreadable"}


def _strict_json(text: str):
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _file(tmp_path, family: str, raw: str):
    sample = make_sample(12, "gb2021")
    sample.figures.cells[CELL] = raw
    [path] = write_many([(sample, FAMILIES[family])], tmp_path)
    return path


@pytest.mark.parametrize("family", ["html", "xlsx_one_sheet", "crawled_spaced", "crawled_run_together"])
@pytest.mark.parametrize("what", list(TEXTS))
def test_check_and_extract_json_stay_valid(tmp_path, family, what):
    path = _file(tmp_path, family, TEXTS[what])
    runner = CliRunner()
    extract = runner.invoke(main, ["extract", "--format", "json", str(path)])
    assert extract.exception is None, extract.output
    payload = _strict_json(extract.output)
    assert payload["cells"][CELL] is None  # never a number
    numbers = [v for v in payload["cells"].values() if isinstance(v, int | float)]
    assert all(abs(v) < 10**12 for v in numbers)
    check = runner.invoke(main, ["check", "--format", "json", str(path)])
    assert check.exit_code in (0, 1, 3), check.output
    _strict_json(check.output)
    reason = payload["unread"][CELL]
    crawled = FAMILIES[family].kind == "crawled"
    if what == "1e400":
        return  # words, not a figure: 不是数字 in a cell, not placed in crawled text
    if not crawled:
        assert "非数字内容" in reason and TOO_MANY_DIGITS in reason
    elif (
        family == "crawled_spaced" or what == "309 digits"
    ):  # a whole figure apart from the others: not placed
        assert "无法确定所在单元格" in reason and TOO_MANY_DIGITS in reason
    else:  # run together, 13 digits: read only as figures a report can hold (a doubt), never as one
        assert "无法" in reason


def test_a_limit_below_a_power_of_ten_holds_in_runs_too():
    from validator.locate import locate
    from validator.readers.text import parse_text
    from validator.testing.layouts import render_crawled_spaced

    sample = make_sample(12, "gb2021")
    sample.figures.cells[CELL] = "600"
    doc = parse_text(render_crawled_spaced(sample).decode("utf-8"), "page.txt")
    report = locate(doc, settings=LocateSettings(number_limit=500))
    cell = report.cells[CELL]
    assert cell.state == CellState.UNPLACED and cell.note == TOO_MANY_DIGITS
    table_figures = [
        c.value for i, c in report.cells.items() if i.startswith("t") and c.state == CellState.NUMBER
    ]
    assert table_figures and max(table_figures) < 500
