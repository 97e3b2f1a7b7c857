"""The narrative against the tables on generated reports (validator/testing/layouts.py): a narrative that
agrees with the tables gives no finding from the narrative rules; one number changed in one sentence gives
the finding that quotes the sentence and names the cell. Figures in Chinese numerals are read; an
approximation is never compared as exact."""

from __future__ import annotations

import pytest

from validator.api import read_report, validate_reports
from validator.locate.claims import chinese_number
from validator.testing import layouts

#: the rules of issue 15 and the other narrative rules; T3-08 judges the tables' plausibility only
#: (the generator's small random figures sometimes have no 自然人), so it is not part of this test
NARRATIVE_RULES = {
    "N-01",
    "N-02",
    "N-03",
    "N-04",
    "N-05",
    "N-07",
    "N-08",
    "N-09",
    "T3-06",
    "M-03",
    "M-05",
    "M-06",
    "M-07",
    "N-06",
    "T2-06",
}
SEEDS = (0, 1, 2, 5)


def _cn(n: int) -> str:
    """n in Chinese numerals, as reports write them (一千二百三十四, 十二, 一百零五)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += ("" if (unit == "十" and d == 1 and not out) else digits[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _report(tmp_path, seed: int, template: str, edit=None):
    sample = layouts.make_sample(seed, template)
    if edit is not None:
        sample.sections["s1"] = [(kind, edit(sample, text)) for kind, text in sample.sections["s1"]]
    path = tmp_path / f"r{seed}{template}.html"
    path.write_bytes(layouts.render_html(sample))
    return sample, validate_reports([read_report(path)])[0]


def _sentence(sample) -> str:
    return f"{sample.year}年本机关新收政府信息公开申请{int(sample.figures.cells['t3.new.tot'] or 0)}件"


@pytest.mark.parametrize("template", ["gb2019", "gb2021"])
@pytest.mark.parametrize("seed", SEEDS)
def test_agreeing_narrative_gives_no_narrative_finding(tmp_path, seed, template):
    _, result = _report(tmp_path, seed, template)
    assert [f.message_zh for f in result.findings if f.rule in NARRATIVE_RULES] == []


@pytest.mark.parametrize("template", ["gb2019", "gb2021"])
def test_one_number_changed_names_the_sentence_and_the_cell(tmp_path, template):
    def bump(sample, text):
        said = _sentence(sample)
        return text.replace(
            said,
            said.replace(
                f"申请{int(sample.figures.cells['t3.new.tot'] or 0)}件",
                f"申请{int(sample.figures.cells['t3.new.tot'] or 0) + 1}件",
            ),
        )

    sample, result = _report(tmp_path, 1, template, bump)
    new = int(sample.figures.cells["t3.new.tot"] or 0)
    found = [f for f in result.findings if f.rule == "N-01"]
    assert len(found) == 1, [f.message_zh for f in result.findings]
    finding = found[0]
    assert set(finding.cells) == {"n.new_total", "t3.new.tot"}
    assert f"新收政府信息公开申请{new + 1}件，均在法定期限内答复" in finding.message_zh  # the sentence
    assert (
        "一、本年新收政府信息公开申请数量" in finding.message_zh and f"为 {new}，相差 1" in finding.message_zh
    )


@pytest.mark.parametrize("offset", [0, 1])
def test_chinese_numerals_are_read(tmp_path, offset):
    def chinese(sample, text):
        new = int(sample.figures.cells["t3.new.tot"] or 0)
        return text.replace(f"申请{new}件", f"申请{_cn(new + offset)}件")

    _, result = _report(tmp_path, 1, "gb2021", chinese)
    found = [f for f in result.findings if f.rule == "N-01"]
    assert len(found) == offset


@pytest.mark.parametrize("approx", ["{cn}余件", "近{cn}件", "约{n}件", "{n}件左右", "{n}多件"])
def test_approximations_are_never_compared(tmp_path, approx):
    def vague(sample, text):
        new = int(sample.figures.cells["t3.new.tot"] or 0)
        wrong = new + 7
        return text.replace(
            f"申请{new}件",
            "申请"
            + approx.format(n=wrong, cn=_cn(wrong)).removesuffix("件")
            + ("件" if not approx.endswith("左右") else ""),
        )

    _, result = _report(tmp_path, 1, "gb2021", vague)
    assert not [f for f in result.findings if f.rule == "N-01"]


def test_chinese_number_parser():
    cases = {
        "一千二百三十四": 1234,
        "两": 2,
        "〇": 0,
        "十二": 12,
        "二十万": 200000,
        "一百零五": 105,
        "二〇二三": 2023,
    }
    assert {k: chinese_number(k) for k in cases} == cases
    assert chinese_number("五五十") is None
