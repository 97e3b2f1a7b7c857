"""The fill-in workbook (`ogi template`): layout from the catalogue, protection and validation, 校验 formulas
that mirror the rules, an exact read-back by the XLSX reader, and — with LibreOffice — live ✓/✗."""

from __future__ import annotations

import random
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from libreoffice import require_libreoffice
from openpyxl.utils import range_boundaries

from validator.api import read_one, read_report, validate_reports
from validator.catalogue import load_catalogue
from validator.cli import main
from validator.engine.blank_policy import total_parts
from validator.engine.rules import build_ruleset
from validator.model import CellState
from validator.readers.convert import run_soffice
from validator.render.workbook import (
    CELLS_SHEET,
    CHECKS_SHEET,
    build_workbook,
    read_cell_map,
    save_workbook,
    tool_sheets,
)
from validator.render.workbook.style import LIVE_FILL
from validator.testing.figures import consistent_figures

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
YEARS = [(2020, "gb2019"), (2025, "gb2021")]


def make_template(tmp_path: Path, year: int, *extra: str) -> Path:
    out = tmp_path / f"年报表格{year}.xlsx"
    result = CliRunner().invoke(
        main, ["template", "--year", str(year), "--agency", "示例市示例局", "-o", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def type_in(path: Path, values: dict, out: Path | None = None) -> Path:
    """What staff do: open the workbook and type figures into the input cells (openpyxl, no recalculation)."""
    wb = openpyxl.load_workbook(path)
    where = read_cell_map(wb)
    for cell_id, value in values.items():
        sheet, ref = where[cell_id]
        wb[sheet][ref] = value
    out = out or path
    wb.save(out)
    return out


def figures(template_id: str, year: int, seed: int = 7) -> dict:
    return consistent_figures(template_id, year, "示例市示例局", random.Random(seed)).cells


# ------------------------------------------------------------------------------------------ the command


@pytest.mark.parametrize("year,template_id", YEARS)
def test_template_command_picks_the_format_of_the_year(tmp_path, year, template_id):
    path = make_template(tmp_path, year)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [CHECKS_SHEET, "表二", "表三", "表四", CELLS_SHEET]
    assert wb[CELLS_SHEET].sheet_state == "hidden"
    assert wb.active.title == "表二"
    assert tool_sheets(wb) == {CHECKS_SHEET}
    template = load_catalogue().templates[template_id]
    assert set(read_cell_map(wb)) == {c.id for c in template.form_cells}
    assert wb["表二"]["A1"].value == f"示例市示例局{year}年政府信息公开工作年度报告"
    meta = {r[0]: r[1] for r in wb[CELLS_SHEET].iter_rows(min_col=7, max_col=8, values_only=True) if r[0]}
    assert meta["template"] == template_id and meta["year"] == year


def test_template_command_refuses_to_overwrite_and_unknown_years(tmp_path):
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"keep")
    result = CliRunner().invoke(main, ["template", "--year", "2025", "-o", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_bytes() == b"keep"
    result = CliRunner().invoke(main, ["template", "--year", "2025", "-o", str(out), "--force"])
    assert result.exit_code == 0 and openpyxl.load_workbook(out)
    result = CliRunner().invoke(main, ["template", "--year", "2018", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "2018" in result.output
    result = CliRunner().invoke(main, ["template", "--year", "2025", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2


# ------------------------------------------------------------------------------------------ the form


@pytest.mark.parametrize("year,template_id", YEARS)
def test_labels_come_from_the_catalogue(year, template_id):
    wb, _ = build_workbook(year)
    texts = {
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and not c.value.startswith("=")
    }
    template = load_catalogue().templates[template_id]
    for table in template.tables:
        for block in table.blocks:
            assert block.caption is None or block.caption in texts
            for col in block.columns:
                assert col.label in texts and (col.parent is None or col.parent in texts)
            for row in block.rows:
                assert row.label in texts, row.label
                assert row.group_label is None or row.group_label in texts
    assert template.table("t3").corner_note in texts
    for section in template.sections:
        assert f"{section.number}、{section.heading}" in texts


@pytest.mark.parametrize("year,template_id", YEARS)
def test_inputs_unlocked_labels_locked_and_validated(year, template_id):
    wb, layout = build_workbook(year)
    template = load_catalogue().templates[template_id]
    for title in ("表二", "表三", "表四", CHECKS_SHEET):
        assert wb[title].protection.sheet is True and not wb[title].protection.password
    validations = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for ref in str(dv.sqref).split():
                key = (ws.title, ref)
                assert key not in validations, f"two validations on {key}"
                validations[key] = dv
    for cell_id, (sheet, ref) in layout.cells.items():
        cell = wb[sheet][ref]
        assert cell.protection.locked is False, cell_id
        dv = validations[(sheet, ref)]
        kind = template.cells[cell_id].kind
        expected = {
            "count": ("whole", "greaterThanOrEqual"),
            "amount": ("decimal", "greaterThanOrEqual"),
            "signed": ("whole", "between"),
        }[kind]
        assert (dv.type, dv.operator) == expected, cell_id
        assert dv.showInputMessage and dv.showErrorMessage and dv.prompt
        assert template.cells[cell_id].label_zh in dv.prompt
        # Excel's own limits: a longer text makes Excel "repair" the file on opening
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255 and len(dv.error) <= 225
    labels = [
        c
        for ws in wb.worksheets
        if ws.title != CELLS_SHEET
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.coordinate != "A1"
    ]
    assert labels and all(c.protection.locked for c in labels)
    assert wb["表二"]["A1"].protection.locked is False  # the title: staff add their agency's name


@pytest.mark.parametrize("layout", ["sheets", "single"])
def test_no_overlapping_merges_and_valid_names(layout):
    """Overlapping merged ranges or bad sheet names make Excel and WPS repair the file with a warning."""
    for year, _ in YEARS:
        wb, _ = build_workbook(year, layout=layout)
        for ws in wb.worksheets:
            assert len(ws.title) <= 31 and not re.search(r"[\[\]:*?/\\]", ws.title)
            seen = set()
            for merged in ws.merged_cells.ranges:
                min_col, min_row, max_col, max_row = range_boundaries(str(merged))
                cells = {(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)}
                assert not cells & seen, f"{ws.title}: {merged} overlaps"
                seen |= cells


# ------------------------------------------------------------------------------------------ 校验 formulas


_REF = re.compile(r"'((?:[^']|'')+)'!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?")


def _cells_in(formula: str, where: dict) -> set[str]:
    from openpyxl.utils import column_index_from_string, get_column_letter

    by_place = {place: cid for cid, place in where.items()}
    out = set()
    for sheet, c0, r0, c1, r1 in _REF.findall(formula):
        c1, r1 = c1 or c0, r1 or r0
        for r in range(int(r0), int(r1) + 1):
            for c in range(column_index_from_string(c0), column_index_from_string(c1) + 1):
                out.add(by_place[(sheet.replace("''", "'"), f"{get_column_letter(c)}{r}")])
    return out


@pytest.mark.parametrize("year,template_id", YEARS)
def test_checks_mirror_the_rules(year, template_id):
    """One 校验 line per relation of the rules over the tables (cross-year and narrative ones aside), over
    exactly the relation's cells — plus, for each total among them, the parts a blank total is read as
    (engine total_parts) — and one M-09 line per table with totals, over its totals and their parts."""
    wb, layout = build_workbook(year)
    template = load_catalogue().templates[template_id]
    relations = [
        cr
        for cr in build_ruleset().relations
        if cr.template == template_id
        and not cr.rule.cross_year
        and not any(c.startswith("n.") for c in cr.coeffs)
    ]
    ws = wb[CHECKS_SHEET]
    assert len(layout.checks) == len(relations)
    rules = {cr.rule.id for cr in relations}
    assert {"T3-01", "T3-02", "T3-03", "T4-01"} <= rules
    aggregates = template.aggregate_cells()
    parts_of = total_parts(template)

    def expand(coeffs):
        return {p for c in coeffs for p in aggregates.get(c, [c])}

    def with_parts(cells):
        out, todo = set(), list(cells)
        while todo:
            cell = todo.pop()
            if cell not in out:
                out.add(cell)
                todo += expand(parts_of.get(cell, ()))
        return out

    def derived_totals(formula):
        """The cells a formula reads as 'its figure if a number, else the sum of its parts'."""
        return _cells_in(",".join(re.findall(r"ISNUMBER\(([^)]*)\)", formula)), layout.cells)

    for check, cr in zip(layout.checks, relations):
        row = check["row"]
        assert ws[f"A{row}"].value == cr.rule.id
        for column, relation_side in (("D", cr.relation.lhs), ("E", cr.relation.rhs)):
            formula = ws[f"{column}{row}"].value
            cells = expand(relation_side.coeffs)
            assert _cells_in(formula, layout.cells) == with_parts(cells)
            assert derived_totals(formula) == {c for c in with_parts(cells) if c in parts_of}
        assert ws[f"G{row}"].value.startswith("=IF(") and "相差" in ws[f"G{row}"].value
    lines = {c["table"]: c for c in layout.blank_checks}
    assert set(lines) == {c.split(".")[0] for c in parts_of} == {"t3", "t4"}
    for table_id, line in lines.items():
        row = line["row"]
        totals = {c for c in parts_of if c.startswith(table_id + ".")}
        assert ws[f"A{row}"].value == "M-09" and ws[f"B{row}"].value == "错误"
        assert _cells_in(ws[f"D{row}"].value, layout.cells) == with_parts(totals)
        assert derived_totals(ws[f"D{row}"].value) == totals
        # inside the table's block of lines, so its status line and the summary count it
        table_rows = [c["row"] for c in layout.checks if c["table"] == table_id]
        assert row == max(table_rows) + 1


# ------------------------------------------------------------------------------------------ reading back


def _assert_reads(path: Path, values: dict, layout_cells: dict | None = None):
    outcome = read_one(path)
    assert outcome.report is not None, outcome.error
    report = outcome.report
    assert report.tables_missing == {}
    for cell_id, value in values.items():
        cell = report.cells[cell_id]
        assert cell.state == CellState.NUMBER and cell.value == value, (cell_id, value, cell)
        if layout_cells is not None:
            assert (cell.provenance.sheet, cell.provenance.ref) == layout_cells[cell_id], cell_id
    return report


@pytest.mark.parametrize("year,template_id", YEARS)
@pytest.mark.parametrize("one_sheet", [False, True])
def test_filled_template_reads_back_exactly(tmp_path, year, template_id, one_sheet):
    path = make_template(tmp_path, year, *(["--one-sheet"] if one_sheet else []))
    values = figures(template_id, year)
    type_in(path, values)
    report = _assert_reads(path, values, read_cell_map(openpyxl.load_workbook(path)))
    assert (report.template, report.year, report.agency) == (template_id, year, "示例市示例局")
    assert [h.section_id for h in report.sections] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    result = validate_reports([report])[0]
    assert _findings(result) == []


def _findings(result) -> list:
    """Findings but T2-11: the gb2019 form, and so the workbook, gives 采购总金额 no unit, so the rule (info)
    asks for one until staff write it (“347.65万元”)."""
    return [f for f in result.findings if f.rule != "T2-11"]


@pytest.mark.parametrize("year,template_id", YEARS)
def test_staff_variants_read_back(tmp_path, year, template_id):
    """Protection off, notes under and beside the tables, totals typed as formulas."""
    path = make_template(tmp_path, year)
    values = figures(template_id, year, seed=3)
    type_in(path, values)
    wb = openpyxl.load_workbook(path)
    where = read_cell_map(wb)
    for title in ("表二", "表三", "表四"):
        ws = wb[title]
        ws.protection.sheet = False
        ws.cell(row=ws.max_row + 2, column=1, value="注：本表数据统计时限为当年1月1日至12月31日。")
    sheet, ref = where["t3.res.total.tot"]
    row = int(ref[1:])
    wb[sheet][ref] = f"=SUM(D{row}:I{row})"
    sheet, ref = where["t4.review.total"]
    col = ref.rstrip("0123456789")
    row = int(ref[len(col) :])
    wb[sheet][ref] = f"=A{row}+B{row}+C{row}+D{row}"
    wb["表三"]["K1"] = "（单位：件）"
    wb.save(path)
    report = _assert_reads(path, values)
    assert _findings(validate_reports([report])[0]) == []


# ------------------------------------------------------------------------------------------ the sample


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_sample_figures_typed_into_a_template_give_the_same_findings(tmp_path, sample):
    """Sections (M-01) aside, which the workbook always has in order, the findings are the same."""
    original = read_report(SAMPLES / sample)
    expected = validate_reports([original])[0]
    template = load_catalogue().templates[original.template]
    path = tmp_path / "sample.xlsx"
    wb, _ = build_workbook(original.year, original.agency, template=template)
    save_workbook(wb, path)
    typed = {}
    for cell_id, cell in original.cells.items():
        if (
            cell_id in template.cells
            and not template.cells[cell_id].aggregate
            and not template.cells[cell_id].narrative
        ):
            if cell.state == CellState.NUMBER:
                typed[cell_id] = int(cell.value) if cell.value.is_integer() else cell.value
            elif cell.state in (CellState.TEXT, CellState.NA_MARKER):
                typed[cell_id] = cell.raw
    type_in(path, typed)
    report = read_report(path)
    assert (report.template, report.year, report.agency) == (
        original.template,
        original.year,
        original.agency,
    )
    got = validate_reports([report])[0]

    def key(f):
        return (f.rule, f.kind, f.severity, f.cells, f.message_zh, f.difference, f.suggestion)

    assert sorted(map(key, (f for f in got.findings if f.rule != "M-01"))) == sorted(
        map(key, (f for f in expected.findings if f.rule != "M-01"))
    )
    assert [f for f in got.findings if f.rule == "M-01"] == []
    # the workbook holds the tables only (no narrative typed in): section and narrative rules are not
    # assessable for that reason, never errors; every other check is assessed exactly as for the text
    tables_only = [n for n in got.not_assessable if any("只含表格" in r for r in n.reasons.values())]
    assert {n.rule for n in tables_only} >= {"M-01"}
    text_rules = ("M-", "N-", "T3-06")  # T3-06 compares the fee row with what section 六 says
    assert all(n.rule.startswith(text_rules) for n in tables_only)  # text rules only, never table rules
    assert [(n.rule, n.cells) for n in got.not_assessable if n not in tables_only] == [
        (n.rule, n.cells) for n in expected.not_assessable if n.rule not in {t.rule for t in tables_only}
    ]


def test_hangzhou_sample_reads_cell_for_cell(tmp_path):
    original = read_report(SAMPLES / "2019_hangzhou_xiacheng_kejiju.txt")
    values = {c: int(v.value) for c, v in original.cells.items() if v.state == CellState.NUMBER}
    path = tmp_path / "hz.xlsx"
    wb, _ = build_workbook(2019, "杭州市下城区科技局", values)
    save_workbook(wb, path)
    _assert_reads(path, values)


# ------------------------------------------------------------------------------------------ LibreOffice


def recalculate(path: Path, out_dir: Path) -> openpyxl.Workbook:
    """Open and save the workbook in LibreOffice headless, which computes every formula; read the results."""
    out_dir.mkdir(exist_ok=True)
    code, err = run_soffice([path], "xlsx", out_dir, timeout=180, calc=True)
    assert code == 0, err
    return openpyxl.load_workbook(out_dir / path.name, data_only=True)


def _check_rows(wb, layout_checks, **where) -> list[dict]:
    ws = wb[CHECKS_SHEET]
    out = []
    for check in layout_checks:
        if all(check.get(k) == v or check["bindings"].get(k) == v for k, v in where.items()):
            row = check["row"]
            out.append(
                {
                    "rule": check["rule"],
                    "lhs": ws[f"D{row}"].value,
                    "rhs": ws[f"E{row}"].value,
                    "diff": ws[f"F{row}"].value,
                    "result": ws[f"G{row}"].value,
                    "bad": ws[f"H{row}"].value,
                }
            )
    return out


@pytest.mark.parametrize("year,template_id", YEARS)
def test_libreoffice_shows_ticks_and_differences(tmp_path, year, template_id):
    require_libreoffice()
    wb, layout = build_workbook(year, "示例市示例局")
    good = tmp_path / "good.xlsx"
    save_workbook(wb, good)
    values = figures(template_id, year)
    type_in(good, values)
    bad = tmp_path / "bad.xlsx"
    wrong = dict(values)
    wrong["t3.res.granted.np"] += 2  # T3-02 (自然人) and T3-03 (（一）予以公开) fail by 2
    wrong["t4.review.total"] += 1  # T4-01 (行政复议) fails by 1
    type_in(good, wrong, bad)

    computed = recalculate(good, tmp_path / "lo-good")
    checks = computed[CHECKS_SHEET]
    results = [checks[f"G{c['row']}"].value for c in layout.checks]
    assert results == ["✓"] * len(layout.checks)
    assert str(checks["A3"].value).startswith("✓")
    for title in ("表二", "表三", "表四"):
        statuses = [
            c.value
            for row in computed[title].iter_rows(max_row=8)
            for c in row
            if isinstance(c.value, str) and "本表" in c.value
        ]
        assert statuses and statuses[0].startswith("✓"), (title, statuses)

    computed = recalculate(bad, tmp_path / "lo-bad")
    failing = {}
    for check in layout.checks:
        row = check["row"]
        result = computed[CHECKS_SHEET][f"G{row}"].value
        if result != "✓":
            failing[(check["rule"], tuple(check["bindings"].values()))] = result
    assert failing == {
        ("T3-02", ("np",)): "✗ 相差 2",
        ("T3-03", ("res.granted",)): "✗ 相差 2",
        ("T4-01", ("review",)): "✗ 相差 1",
    }
    (t302,) = _check_rows(computed, layout.checks, rule="T3-02", c="np")
    assert t302["lhs"] == values["t3.res.total.np"] and t302["rhs"] == values["t3.res.total.np"] + 2
    assert t302["diff"] == -2 and t302["bad"] == 1
    assert str(computed[CHECKS_SHEET]["A3"].value).startswith("✗ 错误 3 项")
    status = next(
        c.value
        for row in computed["表三"].iter_rows(max_row=4)
        for c in row
        if isinstance(c.value, str) and "本表" in c.value
    )
    assert status.startswith("✗ 本表有 2 项校验不相符")
    # what LibreOffice saved (cached values included) still reads back exactly
    _assert_reads(tmp_path / "lo-bad" / "bad.xlsx", wrong)


def _blank_total_lines(wb, layout) -> dict[str, tuple]:
    """Each table's live M-09 line: (count, result)."""
    ws = wb[CHECKS_SHEET]
    return {c["table"]: (ws[f"D{c['row']}"].value, ws[f"G{c['row']}"].value) for c in layout.blank_checks}


def test_libreoffice_counts_blanks_as_the_engine_does(tmp_path):
    """The blanks policy of the engine (engine/blank_policy.py), live: a blank cell counts as 0, a blank
    total as the sum of its parts (T3-03 holds), and such a total with parts not all zero is the M-09 error
    on its own line, counted in the summary and the table's status line and marked on the table."""
    require_libreoffice()
    wb, layout = build_workbook(2020)
    path = tmp_path / "blank.xlsx"
    save_workbook(wb, path)
    typed = {
        "t3.new.np": 3,
        "t3.res.granted.np": 2,
        "t3.res.total.np": 2,
        "t3.carried_out.np": 1,
        "t2.licensing.prev_items": 2,
        "t2.licensing.delta": -5,
    }
    type_in(path, typed)
    computed = recalculate(path, tmp_path / "lo")
    rows = {
        (c["rule"], tuple(c["bindings"].values())): computed[CHECKS_SHEET][f"G{c['row']}"].value
        for c in layout.checks
    }
    assert rows[("T3-01", ("np",))] == "✓"  # 3 + blank = 2 + 1
    # every 总计 left blank counts as the sum of its row: T3-03 holds, and T3-01 over the 总计 column too
    assert rows[("T3-03", ("new",))] == "✓"
    assert rows[("T3-01", ("tot",))] == "✓"
    assert rows[("T2-09", ("licensing",))] == "✗ 相差 3"  # 2 + (−5) < 0
    # the blank totals whose parts have figures: 一 (3), （一） (2), 总计·总计 (2), 四 (1)
    lines = _blank_total_lines(computed, layout)
    assert lines["t3"] == (4, "✗ 4 个总计空白")
    assert lines["t4"] == (0, "✓")
    assert str(computed[CHECKS_SHEET]["A3"].value).startswith("✗ 错误 2 项")  # M-09 表三 and T2-09
    status = next(
        c.value
        for row in computed["表三"].iter_rows(max_row=4)
        for c in row
        if isinstance(c.value, str) and "本表" in c.value
    )
    assert status.startswith("✗ 本表有 1 项校验不相符")
    # the engine says the same of the same figures: M-09 names the blank 总计 (应为 3), T3-03 holds
    result = validate_reports([read_report(tmp_path / "lo" / "blank.xlsx")])[0]
    (m09,) = [f for f in result.findings if f.rule == "M-09" and f.kind == "blank_total"]
    assert m09.severity == "error" and "应为 3" in m09.message_zh
    assert len(m09.cells) == 4 and "有 4 个总计空白" in m09.message_zh
    assert not [f for f in result.findings if f.rule == "T3-03"]
    # each total is marked live (lavender, the workbook's own colour) while blank over parts with figures
    sheet, ref = layout.cells["t3.new.tot"]
    (rule,) = [
        r
        for cf in wb[sheet].conditional_formatting
        if str(cf.sqref) == ref
        for r in cf.rules
        if "NOT(ISNUMBER(" in r.formula[0]
    ]
    assert rule.formula[0].startswith(f"AND(NOT(ISNUMBER({ref}))")
    assert rule.dxf.fill.fgColor.rgb == LIVE_FILL.fgColor.rgb


def test_libreoffice_blank_totals_over_blank_or_zero_parts_are_fine(tmp_path):
    """A blank total whose parts are all blank or zero is the sum of its parts, 0: no M-09 error, and a
    typed total that does not add up is still found through it."""
    require_libreoffice()
    wb, layout = build_workbook(2025)
    path = tmp_path / "zeros.xlsx"
    save_workbook(wb, path)
    type_in(path, {"t3.new.np": 0, "t3.new.le_com": 0, "t4.review.upheld": 1, "t4.review.total": 2})
    computed = recalculate(path, tmp_path / "lo")
    lines = _blank_total_lines(computed, layout)
    assert lines["t3"] == (0, "✓")
    assert lines["t4"] == (0, "✓")
    failing = {
        (c["rule"], tuple(c["bindings"].values())): computed[CHECKS_SHEET][f"G{c['row']}"].value
        for c in layout.checks
        if computed[CHECKS_SHEET][f"G{c['row']}"].value != "✓"
    }
    assert failing == {("T4-01", ("review",)): "✗ 相差 1"}


def test_a_note_typed_beside_a_table3_row_is_ignored(tmp_path):
    """Staff often write 备注 to the right of a row; the row's figures must still be read."""
    import random

    import openpyxl
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

    from validator.api import read_one
    from validator.render.workbook import read_cell_map, write_template
    from validator.testing.figures import consistent_figures

    path = tmp_path / "notes.xlsx"
    write_template(path, 2025)
    wb = openpyxl.load_workbook(path)
    cells = read_cell_map(wb)
    figures = consistent_figures("gb2021", 2025, "示例市示例局", random.Random(3))
    for cell_id, (sheet, ref) in cells.items():
        if cell_id in figures.cells:
            wb[sheet][ref] = figures.cells[cell_id]
    sheet, ref = cells["t3.new.tot"]
    column, row = coordinate_from_string(ref)
    wb[sheet].protection.sheet = False
    wb[sheet][f"{get_column_letter(column_index_from_string(column) + 2)}{row}"] = "备注：含电话申请"
    wb.save(path)
    report = read_one(path).report
    for cell_id in (c for c in cells if c.startswith("t3.new.")):
        assert report.cells[cell_id].value == figures.cells[cell_id], cell_id


@pytest.mark.parametrize("ignore", [[], ["--ignore", "M-09"]])
def test_a_workbook_with_table3_left_blank_is_not_checked(tmp_path, ignore):
    """表三 left entirely blank: nothing in it can be checked, so the report is 无法核对 (exit 3) — never
    通过, whichever rules are selected."""
    path = make_template(tmp_path, 2023)
    zeros = {c: 0 for c, v in figures("gb2021", 2023).items() if c.startswith(("t2.", "t4."))}
    type_in(path, zeros)
    result = CliRunner().invoke(main, ["check", str(path), *ignore])
    assert result.exit_code == 3, result.output
    assert (
        "表三未填写（全部空白），无法核对" in result.output and "通过" not in result.output.split("\n共")[0]
    )
