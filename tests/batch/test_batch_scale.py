"""Streaming batch and `--scheduler`: rows spilled to disk, validation a chunk of agencies at a time, and
reading on a Dask cluster — each must give exactly the outputs of a plain one-pass run."""

from __future__ import annotations

import csv
import json
import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.batch import Spill, run_batch
from validator.batch.cache import dumps
from validator.batch.inputs import InputFile
from validator.batch.pool import ReadItem
from validator.batch.validate import plan_chunks
from validator.cli import main
from validator.engine.frame import ReportRow
from validator.testing.formats import series, write


def _reports(out: Path) -> list[dict]:
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _findings(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Four agencies over several years in four formats, a carry-over broken across years (X-01), a
    duplicate year, a zip, a broken file: every kind of row the outputs have."""
    root = tmp_path_factory.mktemp("scale-in")
    rng = random.Random(13)
    folder = root / "in"
    folder.mkdir()
    formats = ["text", "html", "docx", "xlsx"]
    for a, name in enumerate(["甲市交通运输局", "乙县财政局", "丙区教育局", "丁市人民政府办公室"]):
        reports = series(name, [2020, 2021, 2022, 2023], rng)
        if a == 0:  # 2022 carries in one application more than 2021 carried out
            cells = reports[2].figures.cells
            cells["t3.carried_in.np"] += 1
            cells["t3.carried_in.tot"] += 1
            cells["t3.carried_out.np"] += 1
            cells["t3.carried_out.tot"] += 1
        for y, report in enumerate(reports):
            write(report, formats[(a + y) % 4], folder, name=f"{2020 + y}_{name}")
    dup = series("乙县财政局", [2023], rng)[0]
    member = write(dup, "text", root, name="2023_乙县财政局_重复")
    with zipfile.ZipFile(folder / "重复.zip", "w") as z:
        z.write(member, f"重复/{member.name}")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a word file")
    return folder


@pytest.fixture(scope="module")
def plain(folder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scale-plain") / "out"
    run_batch([folder], out, jobs=2, quiet=True)
    return out


def test_plain_run_has_cross_year_findings_and_every_status(plain):
    rules = {f["rule"] for f in _findings(plain)}
    assert any(r.startswith("X-") for r in rules), rules  # the chunks must keep years of an agency together
    statuses = {r["状态代码"] for r in _reports(plain)}
    assert "unreadable" in statuses and len(_reports(plain)) == 18


def test_chunks_of_one_agency_give_the_same_outputs(folder, plain, tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_BATCH_CHUNK", "1")  # every agency alone in its pass
    out = tmp_path / "out"
    run_batch([folder], out, jobs=1, quiet=True)
    assert _findings(out) == _findings(plain)
    assert _reports(out) == _reports(plain)


def test_scheduler_local_cluster_gives_the_same_findings_and_summary_rows(folder, plain, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["batch", str(folder), "--out", str(out), "--scheduler", "local:2", "--quiet"]
    )
    assert result.exit_code == 2, result.output  # broken.docx: a file could not be read
    assert _findings(out) == _findings(plain)
    assert _reports(out) == _reports(plain)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jobs"] == 2
    # the cluster's results were cached by the main process: a resumed plain run reads nothing again (the broken file's error is cached too)
    again = run_batch([folder], out, jobs=1, quiet=True, resume=True)
    assert again.cached == 18 and _findings(out) == _findings(plain)


def test_scheduler_sending_bytes_gives_the_same_findings(folder, plain, tmp_path):
    out = tmp_path / "out"
    run_batch([folder], out, quiet=True, scheduler="local:1", send="bytes")
    assert _findings(out) == _findings(plain)
    assert _reports(out) == _reports(plain)


def test_bad_scheduler_address_is_one_line(folder, tmp_path):
    result = CliRunner().invoke(
        main, ["batch", str(folder), "--out", str(tmp_path / "o"), "--scheduler", "local:x"]
    )
    assert result.exit_code == 2
    assert "local:N" in result.output and "Traceback" not in result.output


def _item(display: str, agency: str | None, year: int | None) -> ReadItem:
    return ReadItem(InputFile(display), ident=(agency, year) if agency is not None or year else None)


def test_plan_chunks_never_splits_an_agency_and_keeps_every_readable_file_once():
    items = [
        _item("a1.txt", "甲局", 2020),
        _item("b1.txt", "乙局", 2020),
        _item("gone.txt", None, None),  # unreadable: no ident, validated nowhere
        _item("a2.txt", "甲 局", 2021),  # the same agency written with a space
        _item("x.txt", "", None),  # no agency: links to nothing
        _item("2022_丙局.txt", "", 2022),  # agency from the file name
        _item("b2.txt", "乙局", 2021),
    ]
    items[2].ident = None
    chunks = plan_chunks(items, {}, size=2)
    flat = sorted(k for chunk in chunks for k in chunk)
    assert flat == [0, 1, 3, 4, 5, 6]
    where = {k: n for n, chunk in enumerate(chunks) for k in chunk}
    assert where[0] == where[3] and where[1] == where[6]
    assert all(chunk == sorted(chunk) for chunk in chunks)
    assert plan_chunks(items, {}, size=100) == [[0, 1, 3, 4, 5, 6]]


def test_spill_gives_back_each_row_by_its_slot(tmp_path, monkeypatch):
    import numpy as np

    import validator.batch.spill as spill_module

    monkeypatch.setattr(spill_module, "PART_BYTES", 300)  # several part files
    spill = Spill(tmp_path / "parts", 5)
    rows = {}
    for k in (3, 0, 4):
        row = ReportRow(
            {"agency": f"局{k}", "year": 2020 + k}, np.arange(4.0) * k, np.full(4, k, dtype=np.int8)
        )
        rows[k] = row
        spill.put(k, dumps(row, None, None))
    assert len(list((tmp_path / "parts").iterdir())) > 1
    for k, row in rows.items():
        back, error, cells = spill.load(k)
        assert error is None and cells is None and back.meta == row.meta
        assert (back.values == row.values).all() and (back.states == row.states).all()
    assert not spill.has(1) and spill.has(4)
    spill.close()
    assert not list((tmp_path / "parts").iterdir())


def test_temp_folder_full_is_one_line_and_dir_keeps_its_outputs(folder, plain, tmp_path, monkeypatch):
    import errno
    import os
    import shutil

    out = tmp_path / "out"
    shutil.copytree(plain, out)
    before = (out / "findings.jsonl").read_bytes()

    def full(self, k, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Spill, "put", full)
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "-q", "-j", "1"])
    assert result.exit_code == 2
    assert "No space left" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (out / "findings.jsonl").read_bytes() == before
