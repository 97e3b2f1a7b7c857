"""Which cell is wrong (engine/blame.py): one slip of each kind, two slips, and the real corpus."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchmarks.bench_blame import KINDS, slip
from validator.api import read_one, validate_reports
from validator.engine.blame import classify
from validator.testing.figures import consistent_figures, to_report

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _blame(figures):
    return validate_reports([to_report(figures)])[0].blame


def _named(causes) -> dict:
    out = {}
    for b in causes:
        out[b.cell] = b.suggested
        out.update({c: v for c, (_, v) in b.also.items()})
    return out


def _case(kind: str, seed: int):
    rng = random.Random(seed)
    template = "gb2019" if kind == "sign_lost" else "gb2021"
    while True:
        figures = consistent_figures(
            template, 2020 if template == "gb2019" else 2023, "某市某局", rng, scale=60
        )
        true = slip(figures, kind, rng)
        if true is not None:
            return figures, true


@pytest.mark.parametrize("kind", KINDS)
def test_one_slip_of_each_kind_is_found_and_never_confidently_wrong(kind):
    right = 0
    for seed in range(6):
        figures, true = _case(kind, seed)
        causes = _blame(figures)
        assert causes, f"{kind} seed {seed}: nothing blamed"
        named = _named(causes)
        ok = set(named) == set(true) and all(named[c] == (true[c] or 0) for c in true)
        right += ok
        if all(b.confidence == "certain" for b in causes):
            assert ok, f"{kind} seed {seed}: certain but wrong {causes} vs {true}"
    assert right >= (3 if kind == "neighbour_column" else 5)


def test_transposed_digits_certain_with_the_rules_it_explains():
    figures = consistent_figures("gb2021", 2023, "某市某局", random.Random(1), scale=60)
    d = 12 - figures.cells["t3.res.granted.np"]  # granted np becomes 12, every relation kept
    for cell in ("t3.res.granted.np", "t3.res.granted.tot", "t3.res.total.np", "t3.res.total.tot"):
        figures.cells[cell] += d
    for cell in ("t3.new.np", "t3.new.tot"):
        figures.cells[cell] += d
    figures.cells["t3.res.granted.np"] = 21  # … then typed as 21
    causes = _blame(figures)
    assert len(causes) == 1
    b = causes[0]
    assert (b.cell, b.reported, b.suggested, b.kind, b.confidence) == (
        "t3.res.granted.np",
        21,
        12,
        "transposed",
        "certain",
    )
    assert set(b.explains) == {"T3-02", "T3-03"}
    assert b.as_dict()["explains"] == list(b.explains)


def test_two_independent_slips_both_found():
    figures = consistent_figures("gb2021", 2023, "某市某局", random.Random(3), scale=60)
    figures.cells["t4.review.upheld"] += 10  # a digit too many in 表四
    cell = max(("t3.res.granted.np", "t3.res.partial.np", "t3.new.np"), key=figures.cells.get)
    assert figures.cells[cell] > 0
    true = {"t4.review.upheld": figures.cells["t4.review.upheld"] - 10, cell: figures.cells[cell]}
    figures.cells[cell] *= 10
    named = _named(_blame(figures))
    assert named.get(cell) == true[cell]
    assert "t4.review.upheld" in named or "t4.review.total" in named  # 表四 alone cannot tell which


def test_classify():
    assert classify(21, 12) == "transposed"
    assert classify(120, 12) == "times_ten"
    assert classify(12, 120) == "tenth"
    assert classify(-7, 7) == "sign_lost"
    assert classify(13, 12) == "off_by_one"
    assert classify(17, 12) == "one_digit"
    assert classify(0, 5, blank=True, total=True) == "blank_total"


def test_uncertain_cells_are_never_blamed():
    from validator.model import CellState, CellValue

    figures = consistent_figures("gb2021", 2023, "某市某局", random.Random(5), scale=60)
    figures.cells["t3.res.granted.np"] += 3
    report = to_report(figures)
    report.cells["t3.res.partial.np"] = CellValue(CellState.AMBIGUOUS, None, "1213", candidates=(12.0, 13.0))
    causes = validate_reports([report])[0].blame
    assert all(b.cell != "t3.res.partial.np" and "t3.res.partial.np" not in b.also for b in causes)


def _corpus_blame(name: str):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    outcome = read_one(path)
    return validate_reports([outcome.report])[0].blame


def test_corpus_pingtan_police_2021_one_application_handled_and_carried_forward():
    # 表三: new 1, carried_in 0, results 1 (handled), carried_out 1: the same application counted twice
    causes = _corpus_blame("2021_fujian-pingtan_gaj.txt")
    assert len(causes) == 1
    b = causes[0]
    assert (b.cell, b.reported, b.suggested) == ("t3.carried_out.np", 1, 0)
    assert b.also == {"t3.carried_out.tot": (1.0, 0.0)}
    assert b.explains == ("T3-01",) and b.confidence == "candidate"  # new 1→2 fits as well


def test_corpus_hongze_2023_review_total_left_at_zero():
    causes = _corpus_blame("2023_jiangsu-huaian_hongzequ.pdf")
    totals = {b.cell: b for b in causes}
    assert totals["t4.review.total"].suggested == 11 and totals["t4.review.total"].kind == "blank_total"
    assert totals["t4.suit_after_review.total"].suggested == 5
    assert all(b.explains == ("T4-01",) for b in causes)


def test_corpus_pingtan_2020_results_counted_twice():
    # 表三 三、（一）予以公开 6 and （二）部分公开 6 while （七）总计 is 6 short: the same applications
    # counted as granted and as partly granted; either row may be the one to clear, so a candidate
    causes = _corpus_blame("2020_fujian-pingtan_ptzhsyq.txt")
    assert len(causes) == 1
    b = causes[0]
    assert b.explains == ("T3-02",) and b.confidence == "candidate"
    options = [{b.cell: b.suggested, **{c: v for c, (_, v) in b.also.items()}}, *b.alternatives]
    assert {"t3.res.granted.np": 0, "t3.res.granted.tot": 1} in options
    assert any(set(o) == {"t3.res.partial.np", "t3.res.partial.tot"} for o in options)


def test_three_slips_by_the_integer_program():
    figures = consistent_figures("gb2021", 2023, "某市某局", random.Random(7), scale=60)
    true = {c: figures.cells[c] for c in ("t3.res.granted.np", "t3.res.partial.le_com", "t3.new.le_res")}
    figures.cells["t3.res.granted.np"] += 5
    figures.cells["t3.res.partial.le_com"] += 3
    figures.cells["t3.new.le_res"] += 2
    causes = _blame(figures)
    assert _named(causes) == true
    assert all(b.confidence == "certain" for b in causes)  # no other three cells do it
