"""The rules of issue 15 on ../shared/corpus: every finding they give, each read against the source
document, listed here as expected; anything else they say is a false alarm and fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from validator.api import read_one, validate_reports

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
NEW_RULES = {
    "T3-06", "T3-08", "T2-05", "T2-06", "N-02", "N-04", "N-05", "N-06", "N-07", "M-03", "M-05", "M-06",
    "M-07", "T2-11",
}  # fmt: skip

#: (file, rule, words the message must hold) — each checked by hand against the file:
EXPECTED = {
    # 上海 2019 (format_spec S4, §6): 予以公开及部分公开258 + 不予公开35 + 无法提供265 + 不予处理158 + 其他0
    # = 716, while the same paragraph says 答复 805 件
    ("2019_shanghai_szfbgt.html", "N-02", "之和为 716 件"),
    # its 表三 总计 column is blank, counted as the sum of each row's parts (issue 17's blanks policy):
    # 予以公开 272 + 部分公开 3 = 275 against the text's 258; 无法提供 265 + 47 + 25 = 337 against
    # “因本机关不掌握等原因无法提供265件” — the text and the table disagree, as its 716 ≠ 805 shows
    ("2019_shanghai_szfbgt.html", "N-02", "正文称予以公开及部分公开 258 件"),
    ("2019_shanghai_szfbgt.html", "N-02", "正文称无法提供 265 件"),
    # 平潭财政金融局 2021: the report ends after 五 — no section 六, no word of 信息处理费 anywhere
    ("2021_fujian-pingtan_czjrj.txt", "N-05", "报告没有第六部分"),
    # 洪泽区人民政府 2023: 监督保障 speaks only of 内容保障责任单位; no 考核, 评议 or 责任追究 in the PDF
    ("2023_jiangsu-huaian_hongzequ.pdf", "N-07", "工作考核、社会评议、责任追究"),
    # 洪泽区人民政府 2024: “纳入全区高质量发展考核内容” is the only one of the three
    ("2024_jiangsu-huaian_hongzequ.pdf", "N-07", "正文未提及：社会评议、责任追究"),
    # 淮安市人民政府 2024: 监督保障 lists 检查 and 评估分报告 of counties, none of the three results
    ("2024_jiangsu-huaian_huaianshi.pdf", "N-07", "工作考核、社会评议、责任追究"),
}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def test_new_rules_on_the_corpus_find_exactly_the_verified_findings():
    files = sorted(p for p in CORPUS.iterdir() if p.name != "SOURCES.tsv")
    reports = [read_one(p).report for p in files]
    results = validate_reports(reports)
    found = [
        (path.name, f.rule, f.message_zh)
        for path, result in zip(files, results)
        for f in result.findings
        if f.rule in NEW_RULES
    ]
    unexpected = [
        f for f in found if not any(f[0] == e[0] and f[1] == e[1] and e[2] in f[2] for e in EXPECTED)
    ]
    missing = [e for e in EXPECTED if not any(f[0] == e[0] and f[1] == e[1] and e[2] in f[2] for f in found)]
    assert unexpected == [] and missing == [], (unexpected, missing)
    assert len(found) == len(EXPECTED)
