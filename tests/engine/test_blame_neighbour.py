"""A figure typed in the neighbouring column (engine/blame): named and certain when it is the only figure
whose move back makes every relation hold, a candidate with the other listed when another row holds the
same pair, and told apart from two figures that merely trade places (two misplaced figures, not one)."""

from __future__ import annotations

from validator.api import validate_reports
from validator.testing.figures import Figures, to_report, zero_figures

COLUMNS = ("np", "le_com", "le_res", "le_npo", "le_law", "le_oth")


def _figures(results: dict[str, dict[str, int]]) -> Figures:
    """A consistent gb2021 report: these 办理结果 rows (row → column → figure), 本年新收 their sum, nothing
    carried in or out, every 总计 added up."""
    figures = zero_figures("gb2021", 2023, "某市某局")
    cells = figures.cells
    for row, values in results.items():
        for col, v in values.items():
            cells[f"t3.res.{row}.{col}"] = v
    for col in COLUMNS:
        done = sum(values.get(col, 0) for values in results.values())
        cells[f"t3.res.total.{col}"] = cells[f"t3.new.{col}"] = done
    for row in ("new", "carried_in", "carried_out", "res.total", *(f"res.{r}" for r in results)):
        cells[f"t3.{row}.tot"] = sum(cells[f"t3.{row}.{c}"] for c in COLUMNS)
    return figures


def _move_right(figures: Figures, row: str, col: str) -> None:
    """The figure of (row, col) typed one column to the right, into a 0; its own cell left at 0."""
    cells = figures.cells
    right = COLUMNS[COLUMNS.index(col) + 1]
    here, there = f"t3.res.{row}.{col}", f"t3.res.{row}.{right}"
    assert cells[there] == 0 and cells[here] > 0
    cells[here], cells[there] = 0, cells[here]


def _blame(figures: Figures):
    return validate_reports([to_report(figures)])[0].blame


def _changes(b) -> dict[str, float]:
    return {b.cell: b.suggested, **{c: s for c, (_, s) in b.also.items()}}


def test_the_only_figure_that_moves_back_is_named_certain():
    # 予以公开 holds (3, 2) in the same two columns: (4, 1) also fits, but that is two figures each off by
    # one in opposite directions — two slips where the move is one
    figures = _figures(
        {
            "granted": {"np": 9, "le_com": 3, "le_res": 2},
            "partial": {"np": 4, "le_com": 1},
            "denied.state_secret": {"np": 2},
        }
    )
    _move_right(figures, "partial", "le_com")
    causes = _blame(figures)
    assert len(causes) == 1
    b = causes[0]
    assert b.kind == "neighbour_column"
    assert b.confidence == "certain"
    assert _changes(b) == {"t3.res.partial.le_com": 1, "t3.res.partial.le_res": 0}
    assert set(b.explains) == {"T3-02"}
    assert {"t3.res.granted.le_com": 4, "t3.res.granted.le_res": 1} in [dict(a) for a in b.alternatives]


def test_another_row_with_the_same_pair_leaves_a_candidate_with_both_listed():
    figures = _figures(
        {
            "granted": {"np": 9, "le_com": 3},
            "partial": {"np": 4, "le_com": 1},
            "denied.state_secret": {"np": 2, "le_res": 1},  # (0, 1) in the same two columns
        }
    )
    _move_right(figures, "partial", "le_com")
    causes = _blame(figures)
    assert len(causes) == 1
    b = causes[0]
    assert b.kind == "neighbour_column"
    assert b.confidence == "candidate"
    offered = [_changes(b), *(dict(a) for a in b.alternatives)]
    assert {"t3.res.partial.le_com": 1, "t3.res.partial.le_res": 0} in offered
    assert {"t3.res.denied.state_secret.le_com": 1, "t3.res.denied.state_secret.le_res": 0} in offered


def test_a_moved_figure_is_preferred_to_two_figures_trading_places_but_not_certain():
    # 予以公开 holds (2, 3): trading them also fits; a figure moved into a 0 is one slip, trading two
    # figures is two, so the move is shown first, the trade listed, and both are one-cause stories: candidate
    figures = _figures(
        {
            "granted": {"np": 9, "le_com": 2, "le_res": 3},
            "partial": {"np": 4, "le_com": 1},
        }
    )
    _move_right(figures, "partial", "le_com")
    causes = _blame(figures)
    assert len(causes) == 1
    b = causes[0]
    assert (b.kind, b.confidence) == ("neighbour_column", "candidate")
    assert _changes(b) == {"t3.res.partial.le_com": 1, "t3.res.partial.le_res": 0}
    assert {"t3.res.granted.le_com": 3, "t3.res.granted.le_res": 2} in [dict(a) for a in b.alternatives]


def test_two_figures_trading_places_are_said_so():
    figures = _figures({"granted": {"np": 9, "le_com": 3, "le_res": 2}, "partial": {"np": 4}})
    cells = figures.cells
    cells["t3.res.granted.le_com"], cells["t3.res.granted.le_res"] = 2, 3
    causes = _blame(figures)
    assert len(causes) == 1
    b = causes[0]
    assert b.kind == "swapped"
    assert _changes(b) == {"t3.res.granted.le_com": 3, "t3.res.granted.le_res": 2}
