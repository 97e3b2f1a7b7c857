"""The store with the streaming batch: last year's reports from the store are validated in their agency's
chunk (one report per chunk here) and never listed, each chunk is recorded as it is validated, and waivers
hidden chunk by chunk are counted (and found stale) over the whole run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from validator.batch import run_batch
from validator.render.summary.records import cross_year_rules
from validator.store import Store
from validator.store.waivers import load_waivers
from validator.testing.formats import series, write

AGENCIES = ("示例市交通运输局", "示例县统计局", "示例区民政局")


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[int, Path]:
    """2023 and 2024 of three agencies in separate folders; every 2024 report carries in one application
    more than its 2023 report carried out (a break only the cross-year rules see)."""
    root = tmp_path_factory.mktemp("stream-in")
    folders = {year: root / str(year) for year in (2023, 2024)}
    for folder in folders.values():
        folder.mkdir()
    for n, agency in enumerate(AGENCIES):
        for report in series(agency, [2023, 2024], random.Random(20 + n)):
            if report.figures.year == 2024:
                report.figures.cells["t3.carried_in.np"] += 1
                report.figures.cells["t3.carried_in.tot"] += 1
            write(report, "text", folders[report.figures.year])
    return folders


def _cross(run) -> dict[str, list]:
    crossing = cross_year_rules(run.ruleset)
    return {
        e.file.rsplit("/", 1)[-1]: sorted(
            (f.rule, f.cells, f.difference) for f in e.result.findings if f.rule in crossing
        )
        for e in run.entries
        if e.year == 2024
    }


def test_last_year_from_the_store_one_report_per_chunk(years, tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_BATCH_CHUNK", "1")  # agencies are never split: each chunk is one agency
    together = run_batch([years[2023], years[2024]], tmp_path / "both", quiet=True, store=None)
    store = tmp_path / "s.duckdb"
    run_batch([years[2023]], tmp_path / "o2023", quiet=True, store=store)
    alone = run_batch([years[2024]], tmp_path / "o2024", quiet=True, store=store)
    assert len(alone.entries) == 3 and {e.year for e in alone.entries} == {2024}
    assert all("存储库" in e.previous_file for e in alone.entries)
    assert _cross(alone) == _cross(together) and all(_cross(alone).values())
    manifest = json.loads((tmp_path / "o2024" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"]["recorded"] == 3 and manifest["store"]["earlier_reports_used"] == 3
    lines = (tmp_path / "o2024" / "reports.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4  # header + the run's three files: the stored 2023 reports are context only
    with Store.open(store, read_only=True) as opened:
        assert opened.counts()["reports"] == 6 and opened.counts()["runs"] == 2
        years_recorded = opened.db.execute(
            "SELECT year, count(*) FROM reports GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert years_recorded == [(2023, 3), (2024, 3)]


def test_waivers_over_chunks_and_the_store_keeps_every_finding(years, tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_BATCH_CHUNK", "1")
    first = run_batch([years[2023], years[2024]], tmp_path / "o1", quiet=True, store=None)
    found = sum(len(e.result.findings) for e in first.entries)
    assert found >= 3
    from validator.store.waivers import baseline, write_waivers

    entries = baseline(tmp_path / "o1" / "findings.jsonl")
    entries.append(
        {**entries[0], "rule": "T3-01", "cells": ["t3.res.total.np"], "values": {"t3.res.total.np": -1}}
    )
    path = tmp_path / "w.yaml"
    write_waivers(entries, path)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["waivers"]
    store = tmp_path / "s.duckdb"
    run = run_batch(
        [years[2023], years[2024]], tmp_path / "o2", quiet=True, store=store, waivers=load_waivers(path)
    )
    assert run.waived == found  # every chunk's findings hidden, counted over the run
    assert len(run.stale_waivers) == 1  # only the waiver that names nothing of the run
    assert all(not e.result.findings for e in run.entries) and run.tally()["errors"] == 0
    with Store.open(store, read_only=True) as opened:
        (kept,) = opened.db.execute("SELECT count(*) FROM findings").fetchone()
    assert kept == found  # recorded before the waivers hide anything
