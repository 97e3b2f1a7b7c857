"""N-06 searches all reports' texts in one pass over them joined: the matches must be exactly those of
each text searched on its own (no sentence across two reports, a text's start still a sentence start),
whatever characters the texts hold, separators included."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.engine.checks.text_claims import _SEPARATORS, YEAR_OPENING, _year_openings

NAMED = re.compile(f"(?P<sentence>{YEAR_OPENING.replace('((?:19', '(?P<year>(?:19', 1)})")
PIECES = [
    "2019",
    "2022",
    "1998",
    "年",
    "度",
    "，",
    "我局",
    "本",
    "在",
    "。",
    "；",
    "\n",
    " ",
    "\u3000",
    "\t",
    "工作",
]
PIECES += [
    "2019年，我局",
    "2021年度本",
    " 2020 年在",
    "2023年全",
]  # whole openings, so that most texts hold one
PIECES += list(_SEPARATORS) + ["x"]


def one_by_one(first: list[str], second: list[str]) -> tuple[list[int], list[int], list[str]]:
    at, said, sentences = [], [], []
    for i, (a, b) in enumerate(zip(first, second)):
        for m in NAMED.finditer(a + "。" + b):
            at.append(i)
            said.append(int(m.group("year")))
            sentences.append(m.group("sentence"))
    return at, said, sentences


texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=8))
def test_joined_scan_finds_what_each_text_holds(pairs):
    first = np.array([a for a, _ in pairs], dtype=object)
    second = np.array([b for _, b in pairs], dtype=object)
    at, said, sentences = _year_openings(first, second)
    assert (list(map(int, at)), list(map(int, said)), sentences) == one_by_one(list(first), list(second))


def test_a_text_holding_every_separator_is_still_searched():
    first = np.array(["".join(_SEPARATORS) + "。2019年，我局开展", "2020年本局"], dtype=object)
    second = np.array(["", "。2018年度在"], dtype=object)
    at, said, sentences = _year_openings(first, second)
    assert list(map(int, at)) == [0, 1, 1]
    assert list(map(int, said)) == [2019, 2020, 2018]
    assert sentences == one_by_one(list(first), list(second))[2]


def test_a_sentence_never_runs_into_the_next_report():
    first = np.array(["工作。2019年我局推进", "后续内容很长", "开头"], dtype=object)
    second = np.array(["", "2021年本局", "结尾"], dtype=object)
    _, _, sentences = _year_openings(first, second)
    assert sentences == ["。2019年我局推进", "。2021年本局"]
