"""`ogi check FILE --annotate OUT.xlsx`: the workbook back with the findings marked, and a 校验结果 sheet."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from validator.api import read_one, validate_reports
from validator.cli import main
from validator.model import compact_report
from validator.render.annotate import COLOURS, RESULTS_SHEET, annotate, annotate_many
from validator.render.workbook import CHECKS_SHEET, build_workbook, read_cell_map, save_workbook, tool_sheets
from validator.testing.figures import consistent_figures

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
RED, PALE_RED = COLOURS["error"]
AMBER, PALE_AMBER = COLOURS["warning"]


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def filled(tmp_path: Path, year: int, template_id: str, change=None, name="年报.xlsx", seed=11):
    """A template filled with consistent figures (then changed) as staff would type them in."""
    values = consistent_figures(template_id, year, "示例市示例局", random.Random(seed)).cells
    original = dict(values)
    for cell_id, value in (change or {}).items():
        values[cell_id] = value(values[cell_id]) if callable(value) else value
    out = tmp_path / name
    run("template", "--year", year, "--agency", "示例市示例局", "-o", out)
    wb = openpyxl.load_workbook(out)
    where = read_cell_map(wb)
    for cell_id, value in values.items():
        sheet, ref = where[cell_id]
        # the gb2019 form gives 采购总金额 no unit: staff write it with the amount (T2-11)
        wb[sheet][ref] = f"{value}万元" if cell_id == "t2.procurement.amount" else value
    wb.save(out)
    return out, where, original


def findings_rows(ws) -> list[dict]:
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "序号")
    out = []
    for r in range(header + 1, ws.max_row + 1):
        if not isinstance(ws.cell(row=r, column=1).value, int):
            break
        link = ws.cell(row=r, column=5).hyperlink
        out.append(
            {
                "severity": ws.cell(row=r, column=2).value,
                "rule": ws.cell(row=r, column=3).value,
                "message": ws.cell(row=r, column=4).value,
                "cell": ws.cell(row=r, column=5).value,
                "where": ws.cell(row=r, column=6).value,
                "suggestion": ws.cell(row=r, column=7).value,
                "link": link.location if link is not None else None,
            }
        )
    return out


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None


# ------------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("year,template_id", [(2020, "gb2019"), (2025, "gb2021")])
def test_consistent_workbook_annotated_without_marks(tmp_path, year, template_id):
    source, where, _ = filled(tmp_path, year, template_id)
    out = tmp_path / "out.xlsx"
    before = digest(source)
    result = run("check", source, "--annotate", out)
    assert result.exit_code == 0, result.output
    assert digest(source) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == RESULTS_SHEET and wb.active.title == RESULTS_SHEET
    assert findings_rows(wb[RESULTS_SHEET]) == []
    assert any(c.value == "未发现问题" for row in wb[RESULTS_SHEET].iter_rows() for c in row)
    assert not any(wb[s][r].comment for s, r in where.values())


@pytest.mark.parametrize("year,template_id", [(2020, "gb2019"), (2025, "gb2021")])
def test_inconsistent_workbook_marked_with_comments_and_links(tmp_path, year, template_id):
    source, where, original = filled(tmp_path, year, template_id, {"t3.res.granted.np": lambda v: v + 2})
    out = tmp_path / "标注.xlsx"
    before = digest(source)
    result = run("check", source, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert digest(source) == before  # the input is never written
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == [RESULTS_SHEET, CHECKS_SHEET]
    assert tool_sheets(wb) == {RESULTS_SHEET, CHECKS_SHEET}
    rows = findings_rows(wb[RESULTS_SHEET])
    assert {r["rule"] for r in rows} == {"T3-02", "T3-03"}
    granted = where["t3.res.granted.np"]
    for r in rows:
        assert r["severity"] == "错误"
        # the one cell that explains both failures, with the value it should have
        assert r["link"] == f"'{granted[0]}'!{granted[1]}" and r["where"] == f"{granted[0]}!{granted[1]}"
        assert r["suggestion"].endswith(f"应为 {original['t3.res.granted.np']}")
        assert "「三、（一）予以公开」·「自然人」" in r["cell"]
    sheet = wb[granted[0]]
    cell = sheet[granted[1]]
    assert fill_of(cell) == RED
    text = cell.comment.text
    assert "【错误】T3-02" in text and "【错误】T3-03" in text
    assert f"现为 {original['t3.res.granted.np'] + 2}" in text
    assert "相差：2" in text and f"可能的正确值：{original['t3.res.granted.np']}" in text
    # the other cells of the failing relations: marked pale, with the same explanation
    total = sheet[where["t3.res.total.np"][1]]
    assert fill_of(total) == PALE_RED and "T3-02" in total.comment.text
    row_total = sheet[where["t3.res.granted.tot"][1]]
    assert fill_of(row_total) == PALE_RED and "T3-03" in row_total.comment.text
    # cells no finding names are left as they were
    untouched = sheet[where["t3.new.le_com"][1]]
    assert untouched.comment is None and fill_of(untouched) == "FFFFFBE6"
    # the annotated workbook is still the same report: it reads back to the same figures and findings
    outcome = read_one(out)
    assert outcome.report is not None
    again = validate_reports([outcome.report])[0]
    assert sorted((f.rule, f.cells) for f in again.findings) == sorted(
        (f.rule, f.cells) for f in validate_reports([read_one(source).report])[0].findings
    )


def test_warnings_are_amber_and_existing_output_is_kept_without_force(tmp_path):
    source, where, _ = filled(
        tmp_path, 2025, "gb2021", {"t2.licensing.decisions": None}
    )  # blank → M-09 warning
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    result = run("check", source, "--annotate", out)
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_bytes() == b"old"
    result = run("check", source, "--annotate", out, "--force")
    assert result.exit_code == 0, result.output  # a blank is a warning: no error, exit 0
    wb = openpyxl.load_workbook(out)
    sheet, ref = where["t2.licensing.decisions"]
    cell = wb[sheet][ref]
    assert fill_of(cell) == AMBER and "【警告】M-09" in cell.comment.text and "现为 空白" in cell.comment.text
    (row,) = [r for r in findings_rows(wb[RESULTS_SHEET]) if r["rule"] == "M-09"]
    assert row["severity"] == "警告" and row["link"] == f"'{sheet}'!{ref}"


def test_annotating_an_annotated_workbook_starts_clean(tmp_path):
    """Staff fix the red cell in the annotated copy and annotate again: no stale marks remain."""
    source, where, original = filled(tmp_path, 2025, "gb2021", {"t4.review.total": lambda v: v + 1})
    first = tmp_path / "first.xlsx"
    assert run("check", source, "--annotate", first).exit_code == 1
    wb = openpyxl.load_workbook(first)
    sheet, ref = where["t4.review.total"]
    assert fill_of(wb[sheet][ref]) == RED
    wb[sheet][ref] = original["t4.review.total"]
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    second = tmp_path / "second.xlsx"
    assert run("check", fixed, "--annotate", second).exit_code == 0
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames.count(RESULTS_SHEET) == 1 and findings_rows(wb[RESULTS_SHEET]) == []
    for cell_id in ("t4.review.total", "t4.review.upheld"):
        cell = wb[sheet][where[cell_id][1]]
        assert cell.comment is None and fill_of(cell) == "FFFFFBE6", cell_id


# ------------------------------------------------------------------------------------------ other inputs


def test_text_report_annotated_on_the_template_layout(tmp_path):
    source = SAMPLES / "2024_示例市交通运输局_勾稽错误.txt"
    before = digest(source)
    out = tmp_path / "txt.xlsx"
    result = run("check", source, "--annotate", out)
    assert result.exit_code == 1
    assert digest(source) == before
    outcome = read_one(source)
    findings = validate_reports([outcome.report])[0].findings
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == [RESULTS_SHEET, CHECKS_SHEET, "表二", "表三", "表四"]
    where = read_cell_map(wb)
    # the figures read from the text, in the form's layout
    for cell_id, cell in outcome.report.cells.items():
        if cell_id in where and cell.value is not None:
            assert wb[where[cell_id][0]][where[cell_id][1]].value == cell.value, cell_id
    rows = findings_rows(wb[RESULTS_SHEET])
    assert [r["rule"] for r in rows] == [f.rule for f in findings]
    for finding, row in zip(findings, rows):
        located = [c for c in finding.cells if c in where]
        if not located:
            assert row["link"] is None
            continue
        assert row["link"] is not None
        sheet, ref = row["link"].split("!")
        cell = wb[sheet.strip("'")][ref]
        assert finding.rule in cell.comment.text
        assert fill_of(cell) in {c for pair in COLOURS.values() for c in pair}
        if finding.provenance:
            assert "原文位置：" in cell.comment.text


def test_annotate_refuses_to_write_over_its_input(tmp_path):
    source, _, _ = filled(tmp_path, 2025, "gb2021")
    outcome = read_one(source)
    result = validate_reports([outcome.report])[0]
    with pytest.raises(ValueError):
        annotate(source, outcome.report, result, source)


def test_annotate_many_writes_one_workbook_per_report_with_findings(tmp_path):
    good, _, _ = filled(tmp_path, 2025, "gb2021", name="good.xlsx")
    bad, _, _ = filled(tmp_path, 2025, "gb2021", {"t4.review.total": lambda v: v + 1}, name="bad.xlsx")
    sub = tmp_path / "sub"
    sub.mkdir()
    bad2, _, _ = filled(sub, 2025, "gb2021", {"t4.review.total": lambda v: v + 3}, name="bad.xlsx")
    text = SAMPLES / "2024_示例市交通运输局_勾稽错误.txt"
    paths = [good, bad, bad2, text]
    reports = [read_one(p).report for p in paths]
    results = validate_reports(reports)
    out_dir = tmp_path / "annotated"
    outcomes = annotate_many(zip(paths, reports, results), out_dir)
    written = sorted(o.out.name for o in outcomes if o.out)
    assert written == sorted(["bad.校验.xlsx", "bad-2.校验.xlsx", f"{text.stem}.校验.xlsx"])
    assert all(o.error is None for o in outcomes)
    for name in written:
        assert openpyxl.load_workbook(out_dir / name).sheetnames[0] == RESULTS_SHEET
    again = annotate_many(zip(paths, reports, results), out_dir)
    assert all(o.out is None and "--force" in o.error for o in again)
    forced = annotate_many(zip(paths, reports, results), out_dir, force=True)
    assert sorted(o.out.name for o in forced) == written
    # the batch keeps the compact cell map, not the Report: the same workbook, and no file read again;
    # a display name names the output
    renamed = annotate_many(
        [(bad, compact_report(reports[1]), results[1], "archive.zip!/局年报.xlsx")], out_dir
    )
    assert [o.out.name for o in renamed] == ["局年报.校验.xlsx"]
    assert findings_rows(openpyxl.load_workbook(renamed[0].out)[RESULTS_SHEET]) == findings_rows(
        openpyxl.load_workbook(out_dir / "bad.校验.xlsx")[RESULTS_SHEET]
    )
    assert findings_rows(openpyxl.load_workbook(renamed[0].out)[RESULTS_SHEET])[0]["rule"] == "T4-01"
    kept_nothing = annotate_many([(bad, None, results[1], "again.xlsx")], out_dir)
    assert kept_nothing[0].out is None and "no cells kept" in kept_nothing[0].error


def test_template_layout_from_extracted_values_keeps_unreadable_text(tmp_path):
    """A cell read as text ("/") shows what the report had, with the finding on it."""
    values = consistent_figures("gb2021", 2023, "示例市示例局", random.Random(5)).cells
    values["t3.new.le_com"] = "/"
    path = tmp_path / "marker.xlsx"
    wb, layout = build_workbook(2023, "示例市示例局", values)
    save_workbook(wb, path)
    report = read_one(path).report
    report.source = str(tmp_path / "marker.txt")  # pretend it came from another format
    result = validate_reports([report])[0]
    out = tmp_path / "out.xlsx"
    annotate(tmp_path / "marker.txt", report, result, out)
    wb = openpyxl.load_workbook(out)
    sheet, ref = layout.cells["t3.new.le_com"]
    cell = wb[sheet][ref]
    assert cell.value == "/" and "M-09" in cell.comment.text and fill_of(cell) == AMBER


def test_rechecking_an_annotated_workbook_with_table2_findings(tmp_path):
    source, _, _ = filled(tmp_path, 2025, "gb2021", {"t2.regulations.made": -1})
    out = tmp_path / "out.xlsx"
    assert run("check", source, "--annotate", out).exit_code == 1
    before = validate_reports([read_one(source).report])[0].findings
    after = validate_reports([read_one(out).report])[0].findings
    assert sorted((f.rule, f.cells) for f in after) == sorted((f.rule, f.cells) for f in before)
