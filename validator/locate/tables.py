"""Where each of the form's tables lies in the stream, by the roles the catalogue gives them.

A table's role is its layout in the template: the ``blocks`` table (表二) starts at its first block
caption; the ``grid`` table (表三) starts at a row on the left of its printed balance and runs to the
last row on the right; the ``groups`` table (表四) starts at its section heading or its first row. Each
table is searched after the one before it, and ends at the next table or the next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from validator.catalogue import Table, Template, load_catalogue
from validator.locate.rows import read_groups_table, read_rows_table
from validator.locate.sections import Sections
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import LabelIndex, Stream, fold, strip_numbering
from validator.model import CellState, CellValue, Report


@dataclass(frozen=True, slots=True)
class Roles:
    """The template's tables by role, and the labels that bound them."""

    blocks: Table
    grid: Table
    groups: Table
    grid_first: frozenset[str]  # owners of the rows that may open the grid table
    grid_last: str  # owner of the row that closes it
    groups_first: str  # owner of the groups table's first row
    after_grid_section: str | None  # the section after the groups table's (ends the grid when 表四 is absent)


@cache
def roles(template_id: str) -> Roles:
    template = load_catalogue().templates[template_id]
    by_layout = {t.layout: t for t in template.tables}
    grid = by_layout["grid"]
    groups = by_layout["groups"]
    balance = grid.balance or {"left": [grid.rows[0].path], "right": [grid.rows[-1].path]}
    section_ids = [s.id for s in template.sections]
    after = section_ids.index(groups.section) + 1 if groups.section in section_ids else len(section_ids)
    return Roles(
        blocks=by_layout["blocks"],
        grid=grid,
        groups=groups,
        grid_first=frozenset(f"row:{p}" for p in balance["left"]),
        grid_last=f"row:{balance['right'][-1]}",
        groups_first=f"row:{groups.rows[0].path}",
        after_grid_section=section_ids[after] if after < len(section_ids) else None,
    )


def _row_labels(row) -> set[str]:
    labels = {strip_numbering(row.label), *row.keys, *(strip_numbering(a) for a in row.aliases)}
    return {k for k in labels if k}


@cache
def table_index(template_id: str, table_id: str) -> LabelIndex:
    template = load_catalogue().templates[template_id]
    table = template.table(table_id)
    labels: dict[str, set[str]] = {}

    def own(key: str, owner: str) -> None:
        labels.setdefault(key, set()).add(owner)

    for b_index, block in enumerate(table.blocks):
        if block.caption:
            own(block.caption, f"caption:{b_index}")
            for key in block.keys:
                own(key, f"caption:{b_index}")
        for col in block.columns:
            for key in (col.label, *col.keys, *col.aliases):
                own(key, "header")
        for row in block.rows:
            for key in _row_labels(row):
                own(key, f"row:{row.path}")
    for key in table.header_keys:
        own(key, "header")
    return LabelIndex(labels, {f"row:{row.path}": numbering_forms(row.label) for row in table.rows})


def numbering_forms(label: str) -> tuple[str, ...]:
    """“2.” → 2. 2、 2,   “（三）” → (三) 三、   “三、” → 三、 (三)."""
    m = re.match(
        r"^\s*(?:(\d+)\s*[.、]|\(([一二三四五六七八九十]+)\)|([一二三四五六七八九十]+)、)", fold(label)
    )
    if not m:
        return ()
    if m.group(1):
        return f"{m.group(1)}.", f"{m.group(1)}、", f"{m.group(1)},"
    numeral = m.group(2) or m.group(3)
    return f"({numeral})", f"{numeral}、"


def _shortest_key(row) -> str:
    return min(row.keys, key=len) if row.keys else row.label


def missing_reasons(template: Template) -> dict[str, str]:
    """Why each table is missing, in the form's own words."""
    r = roles(template.id)
    first_grid = next(row for row in r.grid.rows if f"row:{row.path}" in r.grid_first)
    first_group = r.groups.rows[0]
    group_label = next((row.group_label for row in r.groups.rows if row.group_label), "")
    return {
        r.blocks.id: f"{r.blocks.name}未找到：没有“{r.blocks.blocks[0].caption}”等栏目标题",
        r.grid.id: f"{r.grid.name}未找到：没有标注“{_shortest_key(first_grid)}”的行",
        r.groups.id: f"{r.groups.name}未找到：没有“{first_group.label}”“{group_label}”表头",
    }


def locate_tables(
    template: Template,
    stream: Stream,
    report: Report,
    sections: Sections,
    settings: LocateSettings = DEFAULT_SETTINGS,
) -> None:
    text = stream.text
    r = roles(template.id)
    i_blocks, i_grid, i_groups = (table_index(template.id, t.id) for t in (r.blocks, r.grid, r.groups))
    doc_end = len(text)
    after_grid = sections.get(r.after_grid_section)

    b_start = i_blocks.first(text, 0, doc_end, lambda o: o.startswith("caption:"))
    if b_start is None and r.blocks.section in sections:
        b_start = sections.get(r.blocks.section)
    search_from = b_start if b_start is not None else sections.get(r.grid.section, 0)
    g_start = i_grid.first(text, search_from, doc_end, lambda o: o in r.grid_first)
    g_end_hint = None
    if g_start is not None:
        g_end_hint = i_grid.first(text, g_start, doc_end, lambda o: o == r.grid_last)
    groups_from = g_end_hint if g_end_hint is not None else (g_start or search_from)
    groups_section = sections.get(r.groups.section, -1)
    q_start = groups_section if groups_section > (groups_from or 0) else None
    if q_start is None:
        q_start = i_groups.first(text, groups_from, doc_end, lambda o: o == r.groups_first)
    q_end = doc_end
    if q_start is not None:
        q_end = sections.next_after(q_start, doc_end)

    b_end = g_start if g_start is not None else (sections.get(r.grid.section) or q_start or doc_end)
    if b_start is not None:
        b_end = min(b_end, sections.next_after(b_start, b_end))
    if q_start is not None:
        g_end = q_start
    else:
        g_end = after_grid if after_grid and g_start and after_grid > g_start else doc_end

    reasons = missing_reasons(template)
    if b_start is None or (b_end is not None and b_end <= b_start):
        report.tables_missing[r.blocks.id] = reasons[r.blocks.id]
    else:
        read_rows_table(template, r.blocks, i_blocks, stream, b_start, b_end, report, settings)
    if g_start is None:
        report.tables_missing[r.grid.id] = reasons[r.grid.id]
    else:
        read_rows_table(template, r.grid, i_grid, stream, g_start, g_end, report, settings)
    if q_start is None:
        report.tables_missing[r.groups.id] = reasons[r.groups.id]
    else:
        read_groups_table(template, r.groups, i_groups, stream, q_start, q_end, report, settings)
    for table in template.tables:
        for cell in template.cells_of(table.id):
            report.cells.setdefault(cell.id, CellValue(CellState.MISSING))
