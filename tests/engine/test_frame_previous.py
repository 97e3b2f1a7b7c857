"""The frame links each report to the same agency's report of the year before with integer codes and
one sort: it must pick what the plain rule says — same agency key, year − 1, and among several such
reports the first by file name (then the first given) — and −1 when agency or year is unknown."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.catalogue import load_catalogue
from validator.engine.frame import ReportRow, build_frame

WIDTH = len(load_catalogue().cell_ids)


def reference(metas: list[dict]) -> list[int]:
    out = []
    for meta in metas:
        key, year = meta["agency_key"], meta["year"]
        if not key or year is None:
            out.append(-1)
            continue
        earlier = [
            (m["source"] or "", k)
            for k, m in enumerate(metas)
            if m["agency_key"] == key and m["year"] == year - 1
        ]
        out.append(min(earlier)[1] if earlier else -1)
    return out


report = st.fixed_dictionaries(
    {
        "agency_key": st.sampled_from(["", "甲局", "乙局", "丙县人民政府"]),
        "year": st.one_of(st.none(), st.integers(2019, 2021), st.sampled_from([1, 99999])),
        "source": st.one_of(st.none(), st.sampled_from(["a.docx", "b.txt", "z.html", ""])),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(report, min_size=1, max_size=30))
def test_previous_report_is_the_plain_rule(metas):
    rows = [ReportRow(dict(m), np.full(WIDTH, np.nan), np.zeros(WIDTH, dtype=np.int8)) for m in metas]
    assert build_frame(rows).previous_index().tolist() == reference(metas)


def test_of_two_reports_for_last_year_the_first_by_file_name_is_taken():
    metas = [
        {"agency_key": "甲局", "year": 2019, "source": "z.html"},
        {"agency_key": "甲局", "year": 2019, "source": "a.docx"},
        {"agency_key": "甲局", "year": 2020, "source": "q.txt"},
        {"agency_key": "乙局", "year": 2019, "source": "a.docx"},
    ]
    rows = [ReportRow(dict(m), np.full(WIDTH, np.nan), np.zeros(WIDTH, dtype=np.int8)) for m in metas]
    assert build_frame(rows).previous_index().tolist() == [-1, -1, 1, -1]


def test_rows_of_other_lengths_are_refused_as_before():
    rows = [ReportRow({}, np.zeros(WIDTH), np.zeros(WIDTH, np.int8)), ReportRow({}, np.zeros(3), np.zeros(3))]
    try:
        build_frame(rows)
    except ValueError:
        return
    raise AssertionError("rows of different lengths were stacked")
