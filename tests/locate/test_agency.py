"""Agency identity and publication date (issue 8 item 6): title, page header, first lines, signature, file
name, in that order of trust; a name looks like a name; body text never becomes one."""

from __future__ import annotations

import pytest

from validator.locate import locate
from validator.locate.metadata import looks_like_name
from validator.readers.text import parse_text

BODY = "一、总体情况\n本机关认真贯彻落实条例，按时完成各项工作。\n"


def _read(text: str, name: str = "page.txt"):
    return locate(parse_text(text, name))


@pytest.mark.parametrize(
    "title",
    [
        "某某县财政局2023年度政府信息公开工作年度报告",
        "某某县财政局2023年政府信息公开工作年度报告",
        "2023年某某县财政局政府信息公开工作年度报告",
        "《某某县财政局2023年政府信息公开工作年度报告》",
        "“某某县财政局2023年度政府信息公开工作年度报告”",
        "某某县财政局关于2023年度政府信息公开工作的年度报告",
        "标题：某某县财政局2023年度政府信息公开工作年度报告",
        "标题:某某县财政局2023年度政府信息公开工作年度报告",
    ],
)
def test_agency_from_the_title(title):
    report = _read(f"{title}\n{BODY}")
    assert report.agency == "某某县财政局"
    assert report.year == 2023


@pytest.mark.parametrize(
    "tail",
    ["（统计表）", "（附表）", "（全文）", "（草案）", "(表格)", "（征求意见稿）", "（附件）（统计表）"],
)
@pytest.mark.parametrize(
    "pattern",
    ["某某县财政局2023年政府信息公开工作年度报告{tail}", "某某县财政局{tail}2023年政府信息公开工作年度报告"],
)
def test_a_bracketed_tail_of_the_title_is_not_part_of_the_name(pattern, tail):
    # what the document is (the statistical tables, an annex, a draft) is not who published it
    report = _read(pattern.format(tail=tail) + f"\n{BODY}")
    assert report.agency == "某某县财政局"


def test_a_bracket_inside_a_name_is_kept():
    report = _read(f"中共某某县委（某某县人民政府）办公室2023年政府信息公开工作年度报告\n{BODY}")
    assert report.agency == "中共某某县委（某某县人民政府）办公室"


@pytest.mark.parametrize(
    "agency",
    ["某某市人民政府办公室", "某某区卫生健康委员会", "某某街道办事处", "某某镇人民政府", "某某省自然资源厅"],
)
def test_organ_suffixes(agency):
    assert _read(f"{agency}2022年政府信息公开工作年度报告\n{BODY}").agency == agency


def test_page_header_gives_agency_and_date_when_the_title_has_no_name():
    text = "标题: 2023年政府信息公开工作年度报告\n发布时间: 2024-01-18 10:20\n发布机构: 某某县财政局\n" + BODY
    report = _read(text)
    assert report.agency == "某某县财政局"
    assert report.published == "2024-01-18"
    assert report.title == "2023年政府信息公开工作年度报告"


def test_only_the_signature():
    text = "2023年政府信息公开工作年度报告\n" + BODY + "\n某某县财政局\n2024年1月15日\n"
    report = _read(text)
    assert report.agency == "某某县财政局"
    assert report.published == "2024-01-15"


def test_only_the_file_name():
    report = _read("2023年政府信息公开工作年度报告\n" + BODY, "2023_某某县财政局.txt")
    assert report.agency == "某某县财政局"


def test_body_text_never_becomes_the_name():
    text = (
        "2023年政府信息公开工作年度报告\n"
        "本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实条例，全面推进政务公开工作\n"
        + BODY
        + "全年共办理政府信息公开申请12件，均在法定期限内答复\n"
    )
    assert _read(text, "report.txt").agency is None


@pytest.mark.parametrize(
    "text, ok",
    [
        ("某某县财政局", True),
        ("局", False),
        ("某某县财政局，认真落实", False),
        ("本机关认真贯彻落实条例要求按时完成各项工作无其他需要说明的情况某某局", False),
        ("2023年某某局", False),
    ],
)
def test_looks_like_name(text, ok):
    assert looks_like_name(text) is ok


def test_name_from_file_for_callers_that_cannot_read_the_file():
    from validator.locate.metadata import name_from_file

    assert name_from_file("2023_某某县财政局.txt") == "某某县财政局"
    assert name_from_file("report_final.pdf") is None
