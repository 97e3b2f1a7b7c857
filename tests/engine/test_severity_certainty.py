"""Certainty decides severity (issue 8, engine side): only what was read with certainty makes an error;
what was not read makes a report 无法核对, never 通过."""

from __future__ import annotations

import random
from pathlib import Path

import yaml
from support import case_reports, run_case

from validator.api import validate_reports
from validator.catalogue import load_catalogue
from validator.model import CERTAIN_STATES, CellState, CellValue
from validator.testing.figures import consistent_figures, to_report

T4_CELLS = [c.id for c in load_catalogue().templates["gb2021"].cells_of("t4")]
T4_RULES = ("T4-01", "T4-02")


def errors(result):
    return [f for f in result.findings if f.severity == "error"]


def test_a_consistent_report_is_ok():
    report = to_report(consistent_figures("gb2021", 2023, "示例市示例局", random.Random(7)), "ok.txt")
    result = validate_reports([report])[0]
    assert not errors(result), [f.message_zh for f in errors(result)]
    assert result.not_checked is None
    assert result.status in ("ok", "warnings")  # the random figures may trip a soft rule, never an error


def test_table_4_unplaced_is_not_checked_and_never_an_error():
    # even 表四 figures that would break T4-01 and T4-02: they were not placed, so nothing is known
    result = run_case({"cells": {"t4.review.upheld": -3, "t4.review.total": 9}, "unplaced": T4_CELLS})
    assert not errors(result), [f.message_zh for f in errors(result)]
    assessable = {n.rule: n for n in result.not_assessable}
    assert "T4-01" in assessable
    assert set(assessable["T4-01"].reasons.values()) == {"无法确定数字所在的单元格"}
    assert result.status == "not_checked"
    assert "表四" in result.not_checked


def test_most_of_a_table_not_placed_is_not_checked():
    half = T4_CELLS[: len(T4_CELLS) // 2 + 1]
    most = run_case({"unplaced": half})
    assert most.status == "not_checked" and "未能准确读取" in most.not_checked
    few = run_case({"unplaced": T4_CELLS[:2]})  # a few figures unsettled: incomplete, said as such
    assert few.status == "not_checked" and "2 个数字无法确定" in few.not_checked


def test_a_report_with_an_unsettled_figure_is_never_counted_as_passed():
    """One run with two readings in 表三 and nothing else wrong: the checks through it are incomplete."""
    result = run_case({"ambiguous": {"t3.res.total.np": [0, 11]}})  # all else zero: consistent
    assert not [f for f in result.findings if f.severity == "error"]
    assert result.status == "not_checked"
    assert "表三" in result.not_checked and "1 个数字无法确定" in result.not_checked


def test_a_certain_error_stands_beside_an_unsettled_figure():
    case = {
        "cells": {"t4.review.upheld": 2, "t4.review.total": 9},
        "ambiguous": {"t3.res.total.np": [0, 11]},
    }
    result = run_case(case)
    assert result.status == "errors" and result.not_checked is None


def test_no_text_layer_is_not_checked():
    result = run_case({"report": {"machine_readable": False}})
    assert result.status == "not_checked"
    assert "文本层" in result.not_checked


def test_table_3_missing_is_not_checked():
    result = run_case({"omit_tables": ["t3"]})
    assert result.status == "not_checked"
    assert "表三" in result.not_checked


def test_every_reading_of_an_ambiguous_total_breaks_t3_01():
    """（七）总计 printed as a run no split can balance: broken whichever reading is true (issue 8 §5)."""
    case = {
        "cells": {"t3.new.np": 5, "t3.new.tot": 5, "t3.res.granted.np": 5, "t3.res.granted.tot": 5},
        "ambiguous": {"t3.res.total.np": [1, 12]},
    }
    result = run_case(case)
    broken = [f for f in result.findings if f.rule == "T3-01" and "t3.res.total.np" in f.cells]
    assert broken and broken[0].severity == "error"
    assert "1/12" in broken[0].message_zh and "无论按哪种读法" in broken[0].message_zh


def test_one_reading_that_holds_leaves_the_rule_not_assessable():
    case = {
        "cells": {"t3.new.np": 5, "t3.new.tot": 5, "t3.res.granted.np": 5, "t3.res.granted.tot": 5},
        "ambiguous": {"t3.res.total.np": [5, 55]},
    }
    result = run_case(case)
    assert not [f for f in result.findings if f.rule == "T3-01" and "t3.res.total.np" in f.cells]
    entry = next(n for n in result.not_assessable if n.rule == "T3-01")
    assert "t3.res.total.np" in entry.cells


def test_readability_is_one_note_per_table_and_short():
    ids = [c.id for c in load_catalogue().templates["gb2021"].cells_of("t3")][:40]
    result = run_case({"ambiguous": {cid: [1, 11, 111, 1111, 11111] for cid in ids}})
    notes = [f for f in result.findings if f.rule == "M-08"]
    assert len(notes) == 1
    assert notes[0].cells == tuple(ids)
    assert "等 40 个" in notes[0].message_zh and len(notes[0].message_zh) < 400


def test_an_unplaced_row_is_not_reported_missing():
    """A row absent from a table whose other values could not be placed may be among them: no M-02 error."""
    result = run_case({"omit_rows": ["t3.res.partial"], "unplaced": ["t3.res.granted.np"]})
    assert not [f for f in result.findings if f.rule == "M-02"]


def test_an_error_never_names_a_cell_not_read_with_certainty():
    text_unplaced = {"cells": {"t4.review.other": "若干"}, "unplaced": ["t4.review.other"]}
    cases = [
        text_unplaced,
        {"unplaced": T4_CELLS},
        {"ambiguous": {"t3.new.np": [1, 12]}, "cells": {"t3.new.tot": 3}},
        {"omit_tables": ["t4"]},
    ]
    certain = {int(s) for s in CERTAIN_STATES}
    for case in cases:
        result = run_case(case)
        report_states = _states(case)
        for finding in errors(result):
            if finding.kind == "rows_missing" or "无论按哪种读法" in finding.message_zh:
                continue
            doubtful = [
                c for c in finding.cells if report_states.get(c, int(CellState.NUMBER)) not in certain
            ]
            assert not doubtful, (finding.rule, finding.message_zh)


def _states(case) -> dict[str, int]:
    out = {c: int(CellState.UNPLACED) for c in case.get("unplaced", ())}
    out.update({c: int(CellState.AMBIGUOUS) for c in case.get("ambiguous", {})})
    return out


def test_a_workbook_of_tables_only_has_no_section_errors():
    result = run_case({"sections": [], "report": {"tables_only": True}})
    assert not [f for f in result.findings if f.rule == "M-01"]
    reasons = {n.rule: set(n.reasons.values()) for n in result.not_assessable}
    assert reasons.get("M-01") == {"只含表格"}


def test_a_workbook_of_tables_only_leaves_narrative_rules_not_assessable():
    report = to_report(consistent_figures("gb2021", 2023, "示例市示例局", random.Random(3)), "tables.xlsx")
    report.tables_only = True
    report.cells["n.new_total"] = CellValue(CellState.NUMBER, 999.0, "999")  # would contradict 表三
    result = validate_reports([report])[0]
    assert not [f for f in result.findings if f.rule.startswith("N-")]
    reasons = {n.rule: set(n.reasons.values()) for n in result.not_assessable}
    assert reasons.get("N-01") == {"只含表格"}


def test_no_error_in_any_rule_case_names_a_cell_not_read_with_certainty():
    """Over every case of tests/rules: an error names only cells read with certainty (a row reported
    absent, and a relation broken under every reading of an ambiguous run, are the two exceptions)."""
    certain = {int(s) for s in CERTAIN_STATES}
    aggregates = {k: v for t in load_catalogue().templates.values() for k, v in t.aggregate_cells().items()}

    def is_certain(cell: str, states: dict[str, int]) -> bool:  # an aggregate row: the sum of its parts
        if cell in aggregates and states.get(cell, int(CellState.MISSING)) == int(CellState.MISSING):
            return all(is_certain(part, states) for part in aggregates[cell])
        return states.get(cell, int(CellState.MISSING)) in certain

    for path in sorted((Path(__file__).parents[1] / "rules").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            reports = case_reports(case)
            states = {cid: int(cell.state) for cid, cell in reports[-1].cells.items()}
            result = validate_reports(reports)[-1]
            for finding in errors(result):
                if finding.kind == "rows_missing" or "无论按哪种读法" in finding.message_zh:
                    continue
                own = [c for c in finding.cells if not c.startswith("prev.")]
                doubtful = [c for c in own if not is_certain(c, states)]
                assert not doubtful, (path.name, case["name"], finding.rule, doubtful)


def test_readings_of_a_total_the_frame_filled_never_stand_in_for_a_missing_cell():
    """（六）其他处理 is filled from its sub-rows even when its own run was ambiguous; a MISSING 予以公开
    beside it must stay not assessable, not become 0 under 'every reading breaks'."""
    spec = {"cells": {"t3.new.np": 5, "t3.new.tot": 5, "t3.res.granted.np": 5, "t3.res.granted.tot": 5}}
    spec["cells"].update({"t3.res.total.np": 5, "t3.res.total.tot": 5})
    (report,) = case_reports(spec)
    report.cells["t3.res.granted.np"] = CellValue(CellState.MISSING)
    report.cells["t3.res.other.np"] = CellValue(CellState.AMBIGUOUS, None, "23", candidates=(2.0, 3.0))
    (result,) = validate_reports([report])
    named = [f.rule for f in result.findings if f.severity == "error" and "t3.res.granted.np" in f.cells]
    assert named == []
