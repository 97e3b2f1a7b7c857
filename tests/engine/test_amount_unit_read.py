"""T2-11 end to end on generated gb2019 reports (validator/testing/layouts.py): the unit of 采购总金额 is read
from the cell (“121.37万元”), from its header (“采购总金额（万元）”) or a note, and an amount without one is
the T2-11 finding; the generated tables print the amount as the template does, without a unit."""

from __future__ import annotations

import pytest

from validator.api import read_report, validate_reports
from validator.testing import layouts

CELL = "t2.procurement.amount"


def _read(tmp_path, edit):
    sample = layouts.make_sample(1, "gb2019")
    html = layouts.render_html(sample).decode("utf-8")
    amount = f"{sample.figures.cells[CELL]:g}"
    path = tmp_path / "report.html"
    path.write_text(edit(html, amount), encoding="utf-8")
    report = read_report(path)
    return report, validate_reports([report])[0], float(amount)


@pytest.mark.parametrize(
    ("edit", "unit"),
    [
        (lambda h, a: h.replace("<p>采购总金额</p>", "<p>采购总金额（万元）</p>"), 10000),
        (lambda h, a: h.replace("<p>采购总金额</p>", "<p>采购总金额(单位：元)</p>"), 1),
        (lambda h, a: h.replace(f"<p>{a}</p>", f"<p>{a}万元</p>", 1), 10000),
    ],
    ids=["header 万元", "header 单位：元", "cell 万元"],
)
def test_a_stated_unit_is_read_and_passes(tmp_path, edit, unit):
    report, result, amount = _read(tmp_path, edit)
    assert report.cells[CELL].value == amount
    assert report.cells["n.procurement_amount_unit"].value == unit
    assert not [f for f in result.findings if f.rule == "T2-11"]
    assert not [n for n in result.not_assessable if n.rule == "T2-11"]


def test_an_amount_without_a_unit_is_named(tmp_path):
    report, result, amount = _read(tmp_path, lambda h, a: h)
    assert "n.procurement_amount_unit" not in report.cells
    (finding,) = [f for f in result.findings if f.rule == "T2-11"]
    assert finding.cells == (CELL,) and finding.severity == "info"
    assert f"为 {amount:g}" in finding.message_zh
