"""Synthetic reports from figures: consistent random tables, Reports built directly, and the official
tables as rows of cell texts (rendered in every format by validator.testing.formats). Used by the tests,
samples/ and `make bench`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from validator.catalogue import Template, load_catalogue
from validator.model import CellState, CellValue, Provenance, Report, SectionHit


@dataclass
class Figures:
    """One report's content: who, when, which form, and the value (or raw text) of each cell."""

    template: str
    year: int
    agency: str
    cells: dict[str, float | str | None] = field(default_factory=dict)  # None = blank, str = raw text
    sections: list[tuple[str, str]] | None = None  # (number, heading); None = the six official ones
    omit_rows: tuple[str, ...] = ()  # row paths (e.g. "t3.res.partial") left out of the document
    omit_tables: tuple[str, ...] = ()


def zero_figures(template_id: str, year: int, agency: str = "示例市示例局") -> Figures:
    template = load_catalogue().templates[template_id]
    return Figures(template_id, year, agency, {c.id: 0 for c in template.form_cells})


def consistent_figures(
    template_id: str, year: int, agency: str, rng: random.Random, scale: int = 20
) -> Figures:
    """Random figures that satisfy every identity of the form (T3-01…03, T4-01, T2 soft rules)."""
    template = load_catalogue().templates[template_id]
    figures = zero_figures(template_id, year, agency)
    cells = figures.cells
    t3 = template.table("t3")
    results = [r.path for r in t3.rows if r.is_leaf and r.path.startswith("res.") and r.path != "res.total"]
    for col in (c.id for c in t3.columns if not c.total):
        weight = scale if col == "np" else max(1, scale // 8)
        new = rng.randint(0, weight)
        carried_in = rng.randint(0, max(1, weight // 5))
        carried_out = rng.randint(0, min(new + carried_in, max(1, weight // 5)))
        done = new + carried_in - carried_out
        cells[f"t3.new.{col}"], cells[f"t3.carried_in.{col}"] = new, carried_in
        cells[f"t3.carried_out.{col}"], cells[f"t3.res.total.{col}"] = carried_out, done
        for _ in range(done):
            key = f"t3.{rng.choice(results[:4] if rng.random() < 0.7 else results)}.{col}"
            cells[key] += 1
    for row in (r.path for r in t3.rows if r.is_leaf):
        cells[f"t3.{row}.tot"] = sum(cells[f"t3.{row}.{c.id}"] for c in t3.columns if not c.total)
    for group in template.table("t4").rows:
        parts = [rng.randint(0, 2) for _ in range(4)]
        for col, value in zip(("upheld", "corrected", "other", "pending"), parts):
            cells[f"t4.{group.path}.{col}"] = value
        cells[f"t4.{group.path}.total"] = sum(parts)
    for cell in template.cells_of("t2"):
        if cell.kind == "amount":
            cells[cell.id] = round(rng.uniform(0, 500), 2)
        elif cell.kind == "signed":
            cells[cell.id] = rng.randint(-3, 5)
        else:
            cells[cell.id] = rng.randint(0, 30)
    for row in ("regulations", "normative_docs"):
        if template_id == "gb2021":
            made = cells[f"t2.{row}.made"]
            cells[f"t2.{row}.valid"] = made + rng.randint(0, 40)
        else:
            made = cells[f"t2.{row}.new_made"]
            cells[f"t2.{row}.new_published"] = rng.randint(0, made)
            cells[f"t2.{row}.total_published"] = cells[f"t2.{row}.new_published"] + rng.randint(0, 40)
    if template_id == "gb2019":
        for row in ("licensing", "other_mgmt_services", "punishment", "coercion", "admin_fees"):
            cells[f"t2.{row}.prev_items"] = rng.randint(5, 40)
    if _makes_no_regulations(agency):  # a county bureau makes no 规章 (T2-06); no extra draw from rng
        cells["t2.regulations.made" if template_id == "gb2021" else "t2.regulations.new_made"] = 0
        if template_id == "gb2019":
            cells["t2.regulations.new_published"] = 0
    return figures


def chained_figures(
    template_id: str, year: int, agency: str, rng: random.Random, scale: int = 20
) -> tuple[Figures, Figures]:
    """Last year's and this year's consistent figures of one agency, the carry-over chain included (this
    year's 上年结转 = last year's 结转下年度, X-01/X-02): last year's 结转下年度 is set to this year's 上年结转
    and its column kept balanced through 本年新收 or 予以公开."""
    before = consistent_figures(template_id, year - 1, agency, rng, scale)
    now = consistent_figures(template_id, year, agency, rng, scale)
    cells = before.cells
    t3 = load_catalogue().templates[template_id].table("t3")
    columns = [c.id for c in t3.columns if not c.total]
    for c in columns:
        delta = now.cells[f"t3.carried_in.{c}"] - cells[f"t3.carried_out.{c}"]
        cells[f"t3.carried_out.{c}"] += delta
        cells[f"t3.new.{c}"] += max(delta, 0)
        cells[f"t3.res.granted.{c}"] += max(-delta, 0)
        cells[f"t3.res.total.{c}"] += max(-delta, 0)
    for row in ("carried_out", "new", "res.granted", "res.total"):
        cells[f"t3.{row}.tot"] = sum(cells[f"t3.{row}.{c}"] for c in columns)
    return before, now


def _makes_no_regulations(agency: str) -> bool:
    import pandas as pd

    from validator.engine.checks.regulations import without_regulation_power

    return bool(without_regulation_power(pd.Series([agency]))[0])


def _official_sections(template: Template) -> list[tuple[str, str]]:
    return [(s.number, s.heading) for s in template.sections]


def to_report(figures: Figures, source: str = "synthetic.txt") -> Report:
    """A Report as a perfect reader would produce it from these figures."""
    catalogue = load_catalogue()
    template = catalogue.templates[figures.template]
    report = Report(
        source=source,
        format="synthetic",
        agency=figures.agency,
        year=figures.year,
        title=f"{figures.agency}{figures.year}年政府信息公开工作年度报告",
        template=template.id,
    )
    for cell in template.form_cells:
        row_key = f"{cell.table}.{cell.row}"
        if cell.table in figures.omit_tables or any(
            row_key == r or row_key.startswith(r + ".") for r in figures.omit_rows
        ):
            report.cells[cell.id] = CellValue(CellState.MISSING)
            continue
        report.cells[cell.id] = _cell_value(figures.cells.get(cell.id, 0), cell.kind)
    for cell_id, value in figures.cells.items():
        if cell_id.startswith("n.") and value is not None:  # a figure the narrative states
            report.cells[cell_id] = CellValue(
                CellState.NUMBER, float(value), f"（正文）{value}件", Provenance()
            )
    for table in figures.omit_tables:
        report.tables_missing[table] = f"{template.table(table).name}未找到"
    sections = figures.sections if figures.sections is not None else _official_sections(template)
    for position, (number, heading) in enumerate(sections):
        section = next((s for s in template.sections if s.heading == heading), None) or next(
            (s for s in template.sections if any(k in heading for k in s.keys)), None
        )  # as the locator keys it
        report.sections.append(SectionHit(number, heading, section.id if section else None, position))
    return report


def _cell_value(value, kind: str) -> CellValue:
    from validator.locate import parse_cell

    if value is None:
        return CellValue(CellState.BLANK, None, "", Provenance())
    if isinstance(value, str):
        return parse_cell(value, kind, Provenance())
    return CellValue(CellState.NUMBER, float(value), str(value), Provenance())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_rows(figures: Figures) -> list[tuple[str, list[list[str]]]]:
    """The figures as the official tables' rows of cell texts: [(table id, rows)], labels included.

    Shared by every format renderer so that all formats carry identical figures.
    """
    template = load_catalogue().templates[figures.template]
    out = []
    t2_rows: list[list[str]] = []
    for block in template.table("t2").blocks:
        t2_rows.append([block.caption])
        t2_rows.append([*template.table("t2").header_keys[:1], *(c.label for c in block.columns)])
        for row in block.rows:
            if f"t2.{row.path}" in figures.omit_rows:
                continue
            t2_rows.append(
                [row.label, *(_text(figures.cells.get(f"t2.{row.path}.{c.id}", 0)) for c in block.columns)]
            )
    out.append(("t2", t2_rows))
    t3 = template.table("t3")
    t3_rows = [
        [t3.corner_note or "", "申请人情况"],
        ["", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", *(c.label for c in t3.columns[1:6]), ""],
    ]
    for row in t3.rows:
        if f"t3.{row.path}" in figures.omit_rows or any(
            f"t3.{row.path}".startswith(r + ".") for r in figures.omit_rows
        ):
            continue
        if not row.is_leaf:
            t3_rows.append([row.label])
            continue
        t3_rows.append(
            [row.label, *(_text(figures.cells.get(f"t3.{row.path}.{c.id}", 0)) for c in t3.columns)]
        )
    out.append(("t3", t3_rows))
    t4 = template.table("t4")
    header1 = ["行政复议", "", "", "", "", "行政诉讼"]
    header2 = ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉"]
    header3 = [c.label for _ in range(3) for c in t4.columns]
    values = [_text(figures.cells.get(f"t4.{r.path}.{c.id}", 0)) for r in t4.rows for c in t4.columns]
    out.append(("t4", [header1, header2, header3, values]))
    return out
