"""The 跨年 sheet of `ogi batch` on a pair whose text is too short to compare: X-04 is 无法判断 with its
reason, never “已与上一年度报告核对，未发现问题” (the sheet read the absence of both a finding and a doubt as
a checked pair)."""

from __future__ import annotations

import random

import openpyxl

from validator.batch import run_batch
from validator.testing.formats import series, write

SHORT = {"s1": "本年度各项工作正常开展。", "s5": "无。", "s6": "本年度未收取信息处理费。"}


def _cross_rows(out) -> list[dict]:
    ws = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)["跨年"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_short_texts_are_not_assessable_on_the_crossyear_sheet(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for report in series("示例市交通运输局", [2022, 2023], random.Random(11)):
        report.narrative = dict(SHORT)
        write(report, "text", folder)
    out = tmp_path / "out"
    run_batch([folder], out, jobs=1, quiet=True)
    x04 = [r for r in _cross_rows(out) if r["年度"] == 2023 and r["规则"] == "X-04"]
    assert len(x04) == 1, x04
    assert x04[0]["结果"] == "无法判断"
    assert "正文过短" in x04[0]["说明"] and "未发现问题" not in x04[0]["说明"]
    x01 = [r for r in _cross_rows(out) if r["年度"] == 2023 and r["规则"] == "X-01"]
    assert x01 and x01[0]["结果"] == "一致"  # the pair itself was linked and its tables compared
