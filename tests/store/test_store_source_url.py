"""The page a report was published on (a crawler's 原文链接 line, a saved page's canonical link) reaches
the auditor: `ogi extract`, reports.csv / summary.xlsx 原文链接, and the store's reports table."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import openpyxl

from validator.api import read_one
from validator.batch import run_batch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "2023_示例市交通运输局_无错误.txt"
URL = "https://www.example.gov.cn/zwgk/ndbg/202401/t20240115_1.htm"


def _crawled(folder: Path, url_line: str) -> Path:
    """The sample as a crawler saves a page: its header lines, then the report."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SAMPLE.name
    header = (
        f"标题: 示例市交通运输局2023年政府信息公开工作年度报告\n发布时间: 2024-01-15 10:00\n{url_line}\n\n"
    )
    path.write_text(header + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_the_source_url_is_read_from_a_crawled_page(tmp_path):
    report = read_one(_crawled(tmp_path, f"原文链接: {URL}")).report
    assert report is not None and report.url == URL


def test_text_that_is_not_an_address_is_not_taken_as_one(tmp_path):
    report = read_one(_crawled(tmp_path, "原文链接: 见附件")).report
    assert report is not None and report.url is None
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(SAMPLE, plain / SAMPLE.name)
    assert read_one(plain / SAMPLE.name).report.url is None


def test_the_source_url_reaches_the_summary_and_the_store(tmp_path):
    _crawled(tmp_path / "in", f"原文链接: {URL}")
    out = tmp_path / "out"
    run_batch([tmp_path / "in"], out, jobs=1, quiet=True)
    with (out / "reports.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["原文链接"] for r in rows] == [URL]
    sheet = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)["报告"]
    header, first = list(sheet.iter_rows(max_row=2, values_only=True))
    assert first[list(header).index("原文链接")] == URL
    with duckdb.connect(str(out / "ogi.duckdb"), read_only=True) as con:
        assert con.execute("SELECT url FROM reports").fetchall() == [(URL,)]
