"""Crawled-page layouts as families (issue 8 item 3): the same consistent figures of both forms in each
layout, with and without one injected error. Every cell is read with its true value or left as a doubt;
0 cells are read with a wrong value; the agency and the publication date come from the page header."""

from __future__ import annotations

import random

import pytest

from tests.locate.crawled import AGENCIES, FAMILIES, Score, figures_for, inject, read, render, score
from validator.model import CellState

#: per family, the share of cells that must be read with their true value (the rest may only be doubts)
MIN_RIGHT = {"spaces": 0.98, "lines": 0.99, "run": 0.85, "deleted": 0.2}
SEEDS = range(6)


def _page(family: str, year: int, seed: int, error: bool):
    rng = random.Random(f"{family}-{year}-{seed}-{error}")
    figures = figures_for(rng, year, rng.choice(AGENCIES), blanks=family in ("lines", "deleted", "spaces"))
    injected = inject(figures, rng) if error else None
    page = render(figures, family, rng, ascii_colon=seed % 2 == 0)
    page.injected = injected
    return page


@pytest.mark.parametrize("error", [False, True], ids=["consistent", "one-error"])
@pytest.mark.parametrize("year", [2020, 2023], ids=["gb2019", "gb2021"])
@pytest.mark.parametrize("family", FAMILIES)
def test_family_reads_right_or_doubts_never_wrong(family, year, error):
    total = Score()
    for seed in SEEDS:
        page = _page(family, year, seed, error)
        report = read(page)
        result = score(report, page.figures)
        assert not result.wrong, f"{family} seed {seed}: {result.wrong[:5]}"
        total.add(result)
        assert report.agency == page.agency
        assert report.published == page.published
        assert report.year == year
        assert not any(c.state == CellState.TEXT for c in report.cells.values()), (
            "no typed text on a crawled page"
        )
        if error and family in ("spaces", "lines"):
            cell = report.cells[page.injected]
            assert cell.state == CellState.NUMBER and cell.value == page.figures.cells[page.injected]
    cells = total.right + total.doubts
    assert total.right >= MIN_RIGHT[family] * cells, f"{family}: {total.right} right, {total.doubts} doubts"


def test_header_lines_are_metadata_never_cells_or_agency():
    page = _page("spaces", 2023, 1, False)
    report = read(page)
    assert report.title and not report.title.startswith(("标题", "标题:"))
    assert report.agency == page.agency
    assert all(
        "发布时间" not in (c.raw or "") and "索引号" not in (c.raw or "") for c in report.cells.values()
    )
