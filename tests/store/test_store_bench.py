"""benchmarks/bench_store.py on a few agencies: the latest year validated alone against the store finds
the same cross-year findings as one run over every year, re-recording duplicates nothing, and the lines
`make bench` prints carry the per-report cost."""

from __future__ import annotations

from benchmarks import bench_store


def test_bench_store_figures():
    rows = bench_store.synthetic_rows(48, seed=3)
    result = bench_store.run(rows)
    assert result["latest"] == 12 and result["earlier"] == 36
    assert result["loaded"] == 12  # every 2024 report found its 2023 report in the store
    assert result["same_cross_year"] and not result["duplicated"]
    lines = "\n".join(bench_store.report(result))
    assert "ms/report" in lines and "KiB/report" in lines and "no duplicates" in lines
    assert result["cross_year_findings"] > 0  # the comparison has something to compare
