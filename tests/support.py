"""Build small reports from case specs (tests/rules/*.yaml) and run them through the real engine."""

from __future__ import annotations

from validator.api import validate_reports
from validator.model import CellState, CellValue, Report, ReportResult
from validator.testing.figures import Figures, to_report, zero_figures


def figures_from_spec(spec: dict, default_template: str = "gb2021") -> Figures:
    template = spec.get("template", default_template)
    year = spec.get("year", 2023 if template == "gb2021" else 2020)
    figures = zero_figures(template, year, spec.get("agency", "示例市示例局"))
    for cell, value in (spec.get("cells") or {}).items():
        figures.cells[cell] = value
    for cell in spec.get("blank") or []:
        figures.cells[cell] = None
    if "sections" in spec:
        figures.sections = [tuple(s.split("、", 1)) for s in spec["sections"]]
    figures.omit_rows = tuple(spec.get("omit_rows") or ())
    figures.omit_tables = tuple(spec.get("omit_tables") or ())
    return figures


def run_case(case: dict, default_template: str = "gb2021") -> ReportResult:
    """The case's report (and its previous year's, when given), validated in one pass."""
    return validate_reports(case_reports(case, default_template))[-1]


def case_reports(case: dict, default_template: str = "gb2021") -> list[Report]:
    """The case's reports: its previous year's when given, then its own (last)."""
    reports = []
    if "previous" in case:
        prev_spec = {"agency": case.get("agency", "示例市示例局"), **case["previous"]}
        previous = to_report(figures_from_spec(prev_spec, default_template), "previous.txt")
        for key, value in (case["previous"].get("report") or {}).items():
            setattr(previous, key, value)
        reports.append(previous)
    report = to_report(figures_from_spec(case, default_template), "case.txt")
    for key, value in (case.get("report") or {}).items():
        setattr(report, key, value)
    for cell, candidates in (case.get("ambiguous") or {}).items():
        report.cells[cell] = CellValue(
            CellState.AMBIGUOUS,
            None,
            "".join(map(str, candidates)),
            candidates=tuple(float(c) for c in candidates),
        )
    for cell in case.get("unplaced") or []:  # something was there, the reader cannot tell which cell
        report.cells[cell] = CellValue(CellState.UNPLACED, None, "")
    reports.append(report)
    return reports
