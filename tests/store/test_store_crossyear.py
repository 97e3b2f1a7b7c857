"""The store across runs: a 2024 batch alone finds the carry-over break against the 2023 batch recorded
earlier, names the earlier file, re-running never duplicates, `ogi history` shows both years, `ogi export`
writes Parquet."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from validator.batch import run_batch
from validator.cli import main
from validator.store import Store
from validator.testing.formats import series, write

AGENCY = "示例市交通运输局"


def _findings(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[int, Path]:
    """2023 and 2024 of one agency in separate folders; 2024 carries in one application more than 2023
    carried out (each year balances on its own: only the cross-year rules can see it)."""
    root = tmp_path_factory.mktemp("store-in")
    reports = series(AGENCY, [2023, 2024], random.Random(5))
    cells = reports[1].figures.cells
    for cell in ("carried_in.np", "carried_in.tot", "res.total.np", "res.total.tot", "res.granted.np"):
        cells[f"t3.{cell}"] += 1
    cells["t3.res.granted.tot"] += 1
    out = {}
    for report in reports:
        folder = root / str(report.figures.year)
        folder.mkdir()
        write(report, "text", folder)
        out[report.figures.year] = folder
    return out


@pytest.fixture(scope="module")
def stored(years, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("store-out")
    store = root / "shared.duckdb"
    first = run_batch([years[2023]], root / "o2023", quiet=True, store=store)
    second = run_batch([years[2024]], root / "o2024", quiet=True, store=store)
    return {"store": store, "root": root, "first": first, "second": second}


def test_2024_alone_finds_the_break_against_2023_in_the_store(stored):
    entry = stored["second"].entries[0]
    assert entry.previous_file and "2023_" in entry.previous_file and "存储库" in entry.previous_file
    x01 = [f for f in entry.result.findings if f.rule == "X-01"]
    assert [f.cells for f in x01] == [("t3.carried_in.np", "prev.t3.carried_out.np")]
    assert x01[0].severity == "error" and x01[0].difference == 1
    assert "2023_" in x01[0].provenance["prev.t3.carried_out.np"]  # the finding says which earlier file
    assert {f.rule for f in entry.result.findings} == {"X-01", "X-02"}
    written = [f for f in _findings(stored["root"] / "o2024") if f["rule"] == "X-02"]
    assert written and "2023_" in written[0]["previous_file"]
    # the run lists only its own file: the stored 2023 report is context, not an output row
    assert [e.year for e in stored["second"].entries] == [2024]
    manifest = json.loads((stored["root"] / "o2024" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"]["earlier_reports_used"] == 1 and manifest["store"]["recorded"] == 1


def test_without_the_store_the_pair_is_not_assessable(years, tmp_path):
    run = run_batch([years[2024]], tmp_path / "alone", quiet=True, store=None)
    result = run.entries[0].result
    assert not [f for f in result.findings if f.rule.startswith("X-0")]
    assert any(n.rule == "X-01" for n in result.not_assessable)
    assert not (tmp_path / "alone" / "ogi.duckdb").exists()


def test_rerunning_does_not_duplicate(stored, years):
    with Store.open(stored["store"]) as store:
        before = store.counts()
    run_batch([years[2023]], stored["root"] / "o2023", quiet=True, store=stored["store"])
    with Store.open(stored["store"]) as store:
        after = store.counts()
        per_file = store.db.execute("SELECT count(*) FROM reports GROUP BY digest").fetchall()
    assert after["reports"] == before["reports"] == 2
    assert after["cells"] == before["cells"] and after["findings"] == before["findings"]
    assert after["runs"] == before["runs"] + 1
    assert {n for (n,) in per_file} == {1}


def test_every_cell_with_its_state_and_the_findings_are_recorded(stored):
    with Store.open(stored["store"], read_only=True) as store:
        reports = store.db.execute(
            "SELECT year, agency, template, status, errors FROM reports ORDER BY year"
        ).fetchall()
        states = dict(store.db.execute("SELECT state_name, count(*) FROM cells GROUP BY 1").fetchall())
        rules = {r for (r,) in store.db.execute("SELECT rule FROM findings").fetchall()}
    assert reports == [(2023, AGENCY, "gb2021", "ok", 0), (2024, AGENCY, "gb2021", "errors", 2)]
    assert states.get("number", 0) > 300
    assert rules == {"X-01", "X-02"}


def test_default_store_is_in_the_output_folder(years, tmp_path):
    run_batch([years[2023]], tmp_path / "o", quiet=True)
    with Store.open(tmp_path / "o" / "ogi.duckdb", read_only=True) as store:
        assert store.counts()["reports"] == 1


def test_history_shows_both_years(stored, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["history", "--store", str(stored["store"]), "交通运输", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["years"] == [2023, 2024] and data["agency"] == AGENCY
    carried = next(c for c in data["cells"] if c["cell"] == "t3.carried_in.np")
    assert carried["change"]["2024"] == carried["values"]["2024"] - carried["values"]["2023"]
    assert [f["rule"] for f in data["findings"]["2024"]] == ["X-01", "X-02"]
    assert "2023" not in data["findings"]
    html = tmp_path / "h.html"
    result = runner.invoke(main, ["history", "--store", str(stored["store"]), AGENCY, "-o", str(html)])
    page = html.read_text(encoding="utf-8")
    assert result.exit_code == 0 and "2023" in page
    assert "表三「二、上年结转政府信息公开申请数量」·「自然人」" in page or "二、上年结转" in page
    assert ">t3.carried_in.np<" not in page  # ids only as a tooltip, never as text people read
    book = tmp_path / "h.xlsx"
    result = runner.invoke(
        main, ["history", "--store", str(stored["store"]), AGENCY, "--format", "xlsx", "-o", str(book)]
    )
    assert result.exit_code == 0, result.output
    import openpyxl

    ws = openpyxl.load_workbook(book)["逐年数据"]
    assert [c.value for c in ws[1]][:4] == ["项目", "单元格", "2023", "2023 变化"]


def test_history_of_an_unknown_agency_is_one_line(stored):
    result = CliRunner().invoke(main, ["history", "--store", str(stored["store"]), "不存在的机关"])
    assert result.exit_code == 2 and "不存在的机关" in result.output and "Traceback" not in result.output


def test_export_parquet(stored, tmp_path):
    result = CliRunner().invoke(main, ["export", "--store", str(stored["store"]), "--parquet", str(tmp_path)])
    assert result.exit_code == 0, result.output
    reports = duckdb.sql(f"SELECT * FROM '{tmp_path / 'reports.parquet'}'").df()  # another reader
    assert sorted(reports["year"]) == [2023, 2024] and "row_data" not in reports
    cells = duckdb.sql(f"SELECT DISTINCT digest FROM '{tmp_path / 'cells.parquet'}'").df()
    assert set(cells["digest"]) == set(reports["digest"])


def test_a_store_that_is_not_a_store_is_one_line(years, tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(
        main, ["batch", str(years[2023]), "--out", str(tmp_path / "o"), "--store", str(bad), "-q"]
    )
    assert result.exit_code == 2 and "bad.duckdb" in result.output and "Traceback" not in result.output


def test_a_store_in_use_by_another_process_is_one_line(years, tmp_path):
    path = tmp_path / "busy.duckdb"
    Store.open(path).close()
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys,time; c=duckdb.connect({str(path)!r}); print(1, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        holder.stdout.readline()
        result = CliRunner().invoke(
            main, ["batch", str(years[2023]), "--out", str(tmp_path / "o"), "--store", str(path), "-q"]
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2 and "busy.duckdb" in result.output and "Traceback" not in result.output


def test_a_store_of_other_agencies_changes_nothing(years, tmp_path):
    other = series("示例县统计局", [2023], random.Random(9))
    folder = tmp_path / "other"
    folder.mkdir()
    write(other[0], "text", folder)
    store = tmp_path / "s.duckdb"
    run_batch([folder], tmp_path / "o1", quiet=True, store=store)
    run = run_batch([years[2024]], tmp_path / "o2", quiet=True, store=store)
    assert run.entries[0].previous_file is None
    assert any(n.rule == "X-01" for n in run.entries[0].result.not_assessable)


def test_a_file_name_that_is_not_utf8_is_recorded(years, tmp_path):
    import os
    import shutil

    folder = tmp_path / "gbk"
    folder.mkdir()
    source = next(years[2023].iterdir())
    name = os.fsdecode(b"2023_\xca\xbe\xc0\xfd.txt")  # GBK bytes as unzip leaves them: lone surrogates
    shutil.copy(source, folder / name)
    store = tmp_path / "s.duckdb"
    run = run_batch([folder], tmp_path / "o", quiet=True, store=store)
    assert run.entries[0].status == "ok"
    with Store.open(store, read_only=True) as opened:
        (file,) = opened.db.execute("SELECT file FROM reports").fetchone()
    assert "\\udcc0" in file  # kept as an escape, as findings.jsonl keeps it
    later = run_batch([years[2024]], tmp_path / "o2", quiet=True, store=store)
    assert {f.rule for f in later.entries[0].result.findings} == {"X-01", "X-02"}
