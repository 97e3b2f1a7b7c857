"""Every finding's 「最可能出错的是…，应为 N」 comes from the report's blame (engine/blame), for every kind of
slip on generated reports; independent parts of a report get their own confidence; one 'broken' predicate."""

from __future__ import annotations

import random

import numpy as np
import pytest

from benchmarks.bench_blame import KINDS, slip
from validator.api import validate_reports
from validator.catalogue import load_catalogue
from validator.engine.blame import advice, findings_by_cause
from validator.engine.holds import violates
from validator.testing.figures import consistent_figures, to_report


def _reports(kind: str, seeds: range):
    """Generated reports with one slip of this kind each (a family: forms, scales and cells vary)."""
    out = []
    for seed in seeds:
        rng = random.Random(1000 + seed)
        template = "gb2019" if kind == "sign_lost" or seed % 3 == 0 else "gb2021"
        while True:
            figures = consistent_figures(
                template,
                2020 if template == "gb2019" else 2023,
                "某市某局",
                rng,
                scale=rng.choice([20, 60, 200]),
            )
            true = slip(figures, kind, rng)
            if true is not None:
                out.append((figures, true))
                break
    return out


def _changes(b) -> dict:
    return {b.cell: b.suggested, **{c: v for c, (_, v) in b.also.items()}}


@pytest.mark.parametrize("kind", KINDS)
def test_finding_suggestions_are_the_blame_for_every_slip_kind(kind):
    cases = _reports(kind, range(8))
    results = validate_reports([to_report(f) for f, _ in cases])
    for (_, true), result in zip(cases, results):
        assert result.blame, kind
        certain = {}
        for b in result.blame:
            if b.confidence == "certain":
                certain.update(_changes(b))
                # a root cause said to be certain is the slip itself, cells and values
                assert all(c in true and v == (true[c] or 0) for c, v in _changes(b).items()), (kind, b, true)
        for finding in result.findings:
            if finding.suggestion:  # only a certain root cause becomes a finding's suggestion
                assert all(certain.get(c) == v for c, v in finding.suggestion.items()), (kind, finding)
                if finding.rule != "M-09":  # a blank total's own check words its sum itself
                    assert "最可能出错的是" in finding.message_zh
        errors = [f for f in result.findings if f.severity == "error"]
        grouped = findings_by_cause(result, load_catalogue())
        for b, findings in grouped:  # one row per root cause: the errors it explains
            assert findings, (kind, b)
            assert b.explains, (kind, b)  # never an empty 「可解释」
            assert set(b.explains) <= {f.rule for f in findings}, (kind, b.explains)
        attached = [f for _, findings in grouped for f in findings]
        assert len(attached) == len({id(f) for f in attached})  # each finding under one cause
        assert {id(f) for f in errors} == {id(f) for f in attached}, kind


def test_candidate_blame_words_the_options_and_gives_no_suggestion():
    rng = random.Random(2)
    figures = consistent_figures("gb2021", 2023, "某市某局", rng, scale=60)
    figures.cells["t4.review.upheld"] += 1  # 表四 has one relation per group: any of its five cells
    result = validate_reports([to_report(figures)])[0]
    (cause,) = result.blame
    assert cause.confidence == "candidate" and cause.alternatives
    (finding,) = [f for f in result.findings if f.rule == "T4-01"]
    assert finding.suggestion is None
    assert "可能出错的单元格" in finding.message_zh and "表四「行政复议」·「结果维持」" in finding.message_zh


def test_independent_parts_get_their_own_confidence():
    figures = consistent_figures("gb2021", 2023, "某市某局", random.Random(3), scale=60)
    cell = max(("t3.res.granted.np", "t3.res.partial.np"), key=figures.cells.get)
    truth = figures.cells[cell]
    figures.cells[cell] = truth * 10 if truth else 7  # a clear slip in 表三 …
    figures.cells["t4.review.upheld"] += 1  # … and an ambiguous one in 表四
    result = validate_reports([to_report(figures)])[0]
    by_cell = {b.cell: b for b in result.blame}
    assert by_cell[cell].confidence == "certain" and by_cell[cell].suggested == truth
    assert by_cell[cell].alternatives == ()
    t4 = [b for b in result.blame if b.cell.startswith("t4.")]
    assert t4 and all(b.confidence == "candidate" for b in t4)
    (t3_finding,) = [f for f in result.findings if f.rule == "T3-02" and cell in f.cells]
    assert t3_finding.suggestion == {cell: truth}


def test_two_independent_slips_family():
    found = 0
    seeds = range(12)
    for seed in seeds:
        rng = random.Random(500 + seed)
        figures = consistent_figures("gb2021", 2023, "某市某局", rng, scale=60)
        true = slip(figures, "transposed", rng) or slip(figures, "times_ten", rng)
        rows = {c.rsplit(".", 1)[0] for c in true}
        cols = {c.rsplit(".", 1)[1] for c in true}
        avoid = {c for c in figures.cells if c.rsplit(".", 1)[0] in rows or c.rsplit(".", 1)[-1] in cols}
        more = slip(figures, "times_ten", rng, avoid=avoid)
        assert more is not None
        true = {**true, **more}
        result = validate_reports([to_report(figures)])[0]
        named = {c: v for b in result.blame for c, v in _changes(b).items()}
        found += named == {c: (v or 0) for c, v in true.items()}
        for b in result.blame:
            if b.confidence == "certain":
                assert all(c in true and v == true[c] for c, v in _changes(b).items())
    assert found >= 9


def test_advice_expands_an_aggregate_row_to_the_sub_rows_the_blame_names():
    from validator.model import Blame

    cause = Blame("t3.res.other.no_correction.np", 10, 0, "other", "certain", ("T3-02",))
    parts = {"t3.res.other.np": ["t3.res.other.no_correction.np", "t3.res.other.other.np"]}
    found = advice([cause], "T3-02", ["t3.res.total.np", "t3.res.other.np"], parts)
    assert found.certain and found.cells == (("t3.res.other.no_correction.np", 10, 0),)
    assert advice([cause], "T3-01", ["t3.res.total.np", "t3.res.other.np"], parts) is None  # not explained
    assert advice([cause], "T3-02", ["t3.res.total.np"], parts) is None  # not in the relation


def test_one_broken_predicate_for_a_single_operator_and_an_array_of_them():
    r = np.array([0.0, 1.0, -1.0, np.nan, 1e-9])
    for op in ("==", "<=", ">=", "<", ">"):
        assert (violates(r, op) == violates(r, np.full(r.shape, op))).all(), op
    assert violates(np.array([1.0, 1.0, -1.0]), np.array(["==", "<=", "<="])).tolist() == [True, True, False]
    assert not violates(np.array([np.nan]), "==").any()
