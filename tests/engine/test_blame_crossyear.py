"""The blame over the cross-year relations too (issue 9): a slipped 上年结转 breaks 表三's column sum and
the chain to last year's 结转下年度 (X-01, X-02); with last year's report in the run the one cell that
explains both is named with certainty and last year's figure, and without it nothing changes."""

from __future__ import annotations

import random

import pytest

from validator.api import validate_reports
from validator.catalogue import load_catalogue
from validator.engine.blame import blame_frame
from validator.engine.frame import build_frame, to_row
from validator.engine.rules import build_ruleset
from validator.testing.figures import Figures, chained_figures, to_report

AGENCY = "某市某局"
YEAR = {"gb2019": 2020, "gb2021": 2023}  # the year each form is for; X-01 from 2020
FAMILY = [(template, seed) for template in ("gb2019", "gb2021") for seed in range(5)]


def _columns(template: str) -> list[str]:
    return [c.id for c in load_catalogue().templates[template].table("t3").columns if not c.total]


def _pair(template: str, seed: int) -> tuple[Figures, Figures]:
    """Last year's and this year's figures of one agency, every relation holding, the carry-over chain
    (this year's 上年结转 = last year's 结转下年度) included."""
    return chained_figures(template, YEAR[template], AGENCY, random.Random(seed), scale=40)


def _slip(now: Figures, rng: random.Random) -> tuple[str, float]:
    """This year's 上年结转 mistyped in one applicant column, its 总计 added up from the wrong figure."""
    column = rng.choice(_columns(now.template))
    cell = f"t3.carried_in.{column}"
    d = rng.choice([1, 2, 3, 10])
    d = d if now.cells[cell] < d or rng.random() < 0.5 else -d
    now.cells[cell] += d
    now.cells["t3.carried_in.tot"] += d
    return cell, d


def _errors(result) -> list[str]:
    return [f.rule for f in result.findings if f.severity == "error"]


@pytest.mark.parametrize(("template", "seed"), FAMILY)
def test_slipped_carried_in_is_named_with_certainty_and_last_years_value(template, seed):
    before, now = _pair(template, seed)
    clean = validate_reports([to_report(before, "a.txt"), to_report(now, "b.txt")])
    assert _errors(clean[0]) == [] and _errors(clean[1]) == [], "the generated pair must be consistent"
    cell, _ = _slip(now, random.Random(seed + 100))
    result = validate_reports([to_report(before, "a.txt"), to_report(now, "b.txt")])[1]
    assert {"T3-01", "X-01", "X-02"} <= set(_errors(result))
    [cause] = result.blame
    changes = {cause.cell: cause.suggested, **{c: v for c, (_, v) in cause.also.items()}}
    column = cell.rsplit(".", 1)[1]
    assert changes == {
        cell: before.cells[f"t3.carried_out.{column}"],
        "t3.carried_in.tot": before.cells["t3.carried_out.tot"],
    }
    assert cause.confidence == "certain"
    assert cause.alternatives == ()
    assert {"T3-01", "X-01", "X-02"} <= set(cause.explains)
    # the X-01 finding carries the same suggestion as the root cause
    x01 = next(f for f in result.findings if f.rule == "X-01")
    assert x01.suggestion == {cell: before.cells[f"t3.carried_out.{column}"]}


@pytest.mark.parametrize(("template", "seed"), FAMILY)
def test_without_last_years_report_the_blame_is_as_without_cross_year_rules(template, seed):
    before, now = _pair(template, seed)
    before.agency = "另一市另一局"  # last year's report in the run is another agency's
    _slip(now, random.Random(seed + 100))
    catalogue = load_catalogue()
    rows = [to_row(to_report(before, "a.txt"), catalogue), to_row(to_report(now, "b.txt"), catalogue)]
    frame = build_frame(rows, catalogue)
    assert frame.previous_index().tolist() == [-1, -1]
    with_cross = blame_frame(frame, build_ruleset(catalogue))
    without = blame_frame(frame, build_ruleset(catalogue, ignore=("X",)))
    assert with_cross == without
    [causes] = with_cross.values()
    assert all(c.confidence == "candidate" for c in causes)  # 上年结转 or 结转下年度 or 新收: no telling
    assert not any(r.startswith("X-") for c in causes for r in c.explains)


def test_last_years_report_with_an_unread_cell_leaves_that_link_out():
    before, now = _pair("gb2021", 3)
    cell, _ = _slip(now, random.Random(7))
    column = cell.rsplit(".", 1)[1]
    before.cells[f"t3.carried_out.{column}"] = "见附件"  # last year's figure not a number: X-01 undecided
    result = validate_reports([to_report(before, "a.txt"), to_report(now, "b.txt")])[1]
    assert "X-01" not in _errors(result)
    explained = {r for cause in result.blame for r in cause.explains}
    assert "X-02" in explained and "X-01" not in explained
    changes = {
        c: v
        for cause in result.blame
        for c, v in {cause.cell: cause.suggested, **{k: s for k, (_, s) in cause.also.items()}}.items()
    }
    assert changes["t3.carried_in.tot"] == before.cells["t3.carried_out.tot"]  # the 总计 link still holds
