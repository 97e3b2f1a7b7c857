"""Cross-year rules on the frame joined to itself on (agency, year − 1): which pairs are compared, which
are not assessable and why, and which file a duplicate year contributed."""

from __future__ import annotations

import random

import numpy as np
from support import run_case

from validator.api import validate_reports
from validator.engine import similarity
from validator.engine.frame import agency_key
from validator.testing.figures import consistent_figures, to_report, zero_figures


def _reasons(result, rule: str) -> set[str]:
    entry = next((n for n in result.not_assessable if n.rule == rule), None)
    return set(entry.reasons.values()) if entry else set()


def test_2019_is_not_assessable_for_the_carry_over_chain():
    result = run_case({"template": "gb2019", "year": 2019})
    for rule in ("X-01", "X-02", "T2-10"):
        assert any("2019年度为新格式首年" in r for r in _reasons(result, rule)), rule
    assert not [f for f in result.findings if f.rule.startswith("X-0") and f.rule != "X-05"]


def test_2021_after_2020_template_change():
    case = {
        "year": 2021,
        "previous": {
            "template": "gb2019",
            "year": 2020,
            "cells": {"t3.carried_out.np": 2, "t3.carried_out.tot": 2},
        },
        "cells": {"t3.carried_in.np": 2, "t3.carried_in.tot": 2},
    }
    result = run_case(case)
    assert _reasons(result, "T2-03") == {"上一年度使用不同的表格格式"}
    assert not _reasons(result, "X-01") and not _reasons(result, "X-02"), "X-01 compares across the change"
    assert not [f for f in result.findings if f.rule in ("X-01", "X-02")]


def test_missing_year_and_unknown_agency():
    gap = run_case({"year": 2023, "previous": {"year": 2021}})
    assert _reasons(gap, "X-01") == {"没有同一机关上一年度的报告"}
    assert _reasons(gap, "X-04") == {"没有同一机关上一年度的报告"}
    nameless = run_case({"year": 2023, "report": {"agency": None}})
    assert any("未能确定报告的机关或年度" in r for r in _reasons(nameless, "X-01"))


def test_every_consecutive_pair_and_every_column():
    rng = random.Random(11)
    reports = []
    for year in range(2019, 2026):
        template = "gb2019" if year < 2021 else "gb2021"
        figures = consistent_figures(template, year, "示例市示例局", rng)
        for column in ("np", "le_com", "le_res", "le_npo", "le_law", "le_oth", "tot"):
            figures.cells[f"t3.carried_in.{column}"] = 100 + year  # never last year's carried_out
        reports.append(to_report(figures, f"{year}.txt"))
    results = validate_reports(reports)
    for result in results:
        year = result.meta["year"]
        x01 = {f.cells[0] for f in result.findings if f.rule == "X-01"}
        x02 = [f for f in result.findings if f.rule == "X-02"]
        if year == 2019:
            assert not x01 and not x02
        else:
            assert x01 == {
                f"t3.carried_in.{c}" for c in ("np", "le_com", "le_res", "le_npo", "le_law", "le_oth")
            }
            assert len(x02) == 1


def test_duplicate_previous_year_names_the_file_used():
    prev_a = to_report(zero_figures("gb2021", 2022, "示例市示例局"), "b_second.txt")
    prev_b = to_report(zero_figures("gb2021", 2022, "示例市示例局"), "a_first.txt")
    prev_a.cells["t3.carried_out.np"].value = 5.0
    prev_b.cells["t3.carried_out.np"].value = 3.0
    current = to_report(zero_figures("gb2021", 2023, "示例市示例局"), "current.txt")
    result = validate_reports([prev_a, prev_b, current])[-1]
    x01 = next(f for f in result.findings if f.rule == "X-01")
    assert x01.values["prev.t3.carried_out.np"] == 3  # a_first.txt: the first by file name
    assert "a_first.txt" in x01.provenance["prev.t3.carried_out.np"]


def test_agency_key_folds_variants():
    assert agency_key("平潭综合实验区") == agency_key(" 平潭综合实验区 ")
    assert (
        agency_key("示例市（高新区）管委会")
        == agency_key("示例市(高新区)管委会")
        == agency_key("示例市（高新区）管委会")
    )
    assert agency_key("示例县人民政府办公室") == agency_key("示例县政府办公室")
    assert agency_key("ＡＢＣ市") == agency_key("abc市")
    assert agency_key("示例县人民政府") != agency_key("示例县政府办公室")


def test_text_similarity_ignores_numbers_and_years():
    a = "2022年本机关主动公开政府信息1200条，政策解读18篇，组织培训两次，推进政务公开标准化规范化建设。" * 3
    b = a.replace("2022", "2023").replace("1200", "1350").replace("18", "22")
    assert similarity.jaccard(a, b) == 1.0
    assert similarity.jaccard(a, "完全不同的内容，关于另一项工作的总结与下一步计划安排。" * 3) < 0.1
    sig_a, chars = similarity.fingerprint(a)
    sig_b, _ = similarity.fingerprint(b)
    assert chars > 100 and np.array_equal(sig_a, sig_b)
    again, _ = similarity.fingerprint(a)
    assert np.array_equal(again, sig_a)  # deterministic: workers and runs agree
