"""M-07 on generated reports (validator/testing/layouts.py): a report saved under a name that states its
own year gives no M-07 finding and is assessed; saved under another year's name, the one M-07 error names
the file name and the title; a publication date in the name is not read as the report year."""

from __future__ import annotations

import pytest

from validator.api import read_report, validate_reports
from validator.testing import layouts


def _check(tmp_path, seed: int, template: str, name: str):
    sample = layouts.make_sample(seed, template)
    path = tmp_path / name.format(year=sample.year, next=sample.year + 1, agency=sample.agency)
    path.write_bytes(layouts.render_html(sample))
    result = validate_reports([read_report(path)])[0]
    return sample, path.name, result


@pytest.mark.parametrize("template", ["gb2019", "gb2021"])
@pytest.mark.parametrize("seed", (0, 3))
@pytest.mark.parametrize("name", ["{year}_{agency}.html", "{agency}年报（{next}-01-20发布）.html"])
def test_a_name_that_agrees_or_states_no_report_year_gives_nothing(tmp_path, seed, template, name):
    _, _, result = _check(tmp_path, seed, template, name)
    assert [f.message_zh for f in result.findings if f.rule == "M-07"] == []
    assert [n.reasons for n in result.not_assessable if n.rule == "M-07"] == []


@pytest.mark.parametrize("template", ["gb2019", "gb2021"])
def test_another_years_name_is_one_error_naming_both(tmp_path, template):
    sample, name, result = _check(tmp_path, 1, template, "{next}年{agency}政府信息公开工作年度报告.html")
    (finding,) = [f for f in result.findings if f.rule == "M-07"]
    assert finding.severity == "error"
    assert f"文件名“{name}”所示年度 {sample.year + 1} 年" in finding.message_zh
    assert f"与标题“{sample.title}”所示年度 {sample.year} 年不一致" in finding.message_zh


@pytest.mark.parametrize("template", ["gb2019", "gb2021"])
def test_a_page_title_of_another_year_than_the_heading_is_one_error(tmp_path, template):
    """The CMS's ArticleTitle (what the page says it is) against the document's own heading line."""
    sample = layouts.make_sample(2, template)
    html = layouts.render_html(sample).decode("utf-8")
    stale = sample.title.replace(f"{sample.year}年", f"{sample.year - 1}年")
    html = html.replace("</head>", f'<meta name="ArticleTitle" content="{sample.title}">\n</head>', 1)
    html = html.replace(f'<h1 class="title">{sample.title}</h1>', f'<h1 class="title">{stale}</h1>', 1)
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    report = read_report(path)
    assert report.title == sample.title and report.cells["n.heading_year"].value == sample.year - 1
    result = validate_reports([report])[0]
    (finding,) = [f for f in result.findings if f.rule == "M-07"]
    assert finding.kind == "heading" and finding.cells == ("n.heading_year",)
    assert f"与正文标题行“{stale}”所示年度 {sample.year - 1} 年不一致" in finding.message_zh
