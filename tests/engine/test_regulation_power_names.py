"""T2-06: which agency names show a body without 规章制定权 (a county-level body or below). A list of
real-world name shapes across provinces, including region names with 州 and compounds that end in 区
but are not districts."""

from __future__ import annotations

import pandas as pd
import pytest

from validator.engine.checks.regulations import without_regulation_power

WITHOUT = [
    "淮安市洪泽区人民政府",
    "杭州市西湖区人民政府",
    "广州市越秀区财政局",
    "贵州省修文县教育局",
    "郑州市金水区市场监督管理局",
    "徐州市丰县人民政府",
    "江苏省苏州市吴中区人民政府办公室",
    "恩施土家族苗族自治州来凤县民政局",
    "内蒙古自治区阿拉善盟阿拉善左旗人民政府",
    "某某县某某镇人民政府",
    "某某区某某街道办事处",
]
WITH_OR_UNKNOWN = [
    "杭州市人民政府",
    "浙江省人民政府办公厅",
    "广西壮族自治区人民政府",
    "某某市城区管理局",
    "某某省林区管理局",
    "长白山保护开发区管理委员会",
    "某某市高新技术产业开发区管理委员会",
    "贵州省交通运输厅",
    "苏州市住房和城乡建设局",
    "义乌市人民政府",  # a county-level city: not shown by the name, so no finding
]


@pytest.mark.parametrize("name", WITHOUT)
def test_names_of_county_level_bodies_and_below(name):
    assert without_regulation_power(pd.Series([name]))[0], name


@pytest.mark.parametrize("name", WITH_OR_UNKNOWN)
def test_names_that_do_not_show_a_county_level_body(name):
    assert not without_regulation_power(pd.Series([name]))[0], name
