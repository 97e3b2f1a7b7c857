"""Change each cell of 表三 and 表四 of the sample in turn: every change must be caught at that cell."""

from __future__ import annotations

import copy
from pathlib import Path

from validator.api import validate_reports
from validator.catalogue import load_catalogue
from validator.locate import locate
from validator.readers.text import read_text

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "2019_hangzhou_xiacheng_kejiju.txt"


def test_every_table3_and_table4_change_is_an_error_naming_the_cell():
    base = locate(read_text(SAMPLE))
    template = load_catalogue().templates["gb2019"]
    cells = [c.id for c in template.form_cells if c.table in ("t3", "t4")]
    assert len(cells) == 161 + 15
    mutants = []
    for cell_id in cells:
        mutant = copy.deepcopy(base)
        mutant.cells[cell_id].value += 1
        mutants.append(mutant)
    # all mutants in one vectorised pass, as a batch would
    results = validate_reports(mutants)
    missed = [
        cell_id
        for cell_id, result in zip(cells, results)
        if not any(f.severity == "error" and cell_id in f.cells for f in result.findings)
    ]
    assert missed == []
    # 表三 has enough identities to point at the changed cell and its original value;
    # 表四 has one per group, so any of the five cells could be the wrong one: no single guess.
    for cell_id, result in zip(cells, results):
        suggestions = [f.suggestion for f in result.findings if f.suggestion]
        if cell_id.startswith("t3."):
            assert suggestions and all(s == {cell_id: base.cells[cell_id].value} for s in suggestions), (
                cell_id
            )
            # … and the root cause says the same (one source of truth for both)
            (b,) = result.blame
            assert (b.cell, b.suggested, b.confidence, b.kind) == (
                cell_id,
                base.cells[cell_id].value,
                "certain",
                "off_by_one",
            )
        else:
            assert suggestions == [], cell_id
            assert any("可能出错的单元格" in f.message_zh for f in result.findings), cell_id
            assert result.blame and all(b.confidence == "candidate" for b in result.blame), cell_id
