"""`make bench` runs end to end on a tiny corpus and prints every figure the issue asks for."""

from __future__ import annotations

from benchmarks import bench


def test_bench_prints_the_figures(capsys, tmp_path):
    assert (
        bench.main(
            [
                "--n",
                "16",
                "--jobs",
                "2",
                "--validate-n",
                "300",
                "--single",
                "5",
                "--blame-n",
                "90",
                "--ocr-n",
                "1",
                "--keep",
                str(tmp_path),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    for text in (
        "generated 16 reports",
        "end to end: 16 reports",
        "reports/s",
        "reading",
        "validation",
        "peak RSS",
        "injected errors found: 1/1",
        "end to end on --scheduler local:2: 16 reports",
        "same findings and statuses as the local run: yes",
        "one at a time",
        "validation of 300 read reports",
        "which cell is wrong",
        "two slips, both cells found",
        "×",
        "OCR",
    ):
        assert text in out, text
    assert "clean reports with a warning or error: 0" in out


def test_plan_mixes_templates_formats_and_years():
    agencies = bench.plan(400, seed=1)
    years = [y for a in agencies for y in a["years"]]
    assert len(years) == 400
    assert min(years) <= 2020 and max(years) >= 2021  # both templates
    assert {f for a in agencies for f in a["formats"]} == {"text", "html", "docx", "xlsx"}
    assert all(a["years"] == list(range(a["years"][0], a["years"][-1] + 1)) for a in agencies)
    assert sum(len(a.get("broken", [])) for a in agencies) == 8  # 2 %
