"""The resume cache holds data, never code: a file planted in the output folder is a cache miss on
--resume (the file is read again), never something that runs. And --annotate reads each file once."""

from __future__ import annotations

import hashlib
import json
import pickle
import random
import zlib
from pathlib import Path

import numpy as np

from validator.batch import run_batch
from validator.batch.cache import CACHE_DIR, SUFFIX, ResultCache, dumps, loads, tool_fingerprint
from validator.testing.formats import series, write


class _Planted:
    """Unpickling this writes a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path(self.marker).write_text, ("pwned",))


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    reports = series("示例市审计局", [2022, 2023], random.Random(3))
    reports[1].figures.cells["t3.new.np"] += 1  # 本年新收 no longer adds up: a report with findings
    for report in reports:
        write(report, "text", folder)
    return folder


def test_planted_pickle_is_ignored_not_executed(tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    first = run_batch([folder], out, jobs=1, quiet=True)
    marker = tmp_path / "marker"
    entry_dir = out / CACHE_DIR / tool_fingerprint()
    planted = pickle.dumps((_Planted(str(marker)), None))
    for source in sorted(folder.iterdir()):
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        (entry_dir / f"{digest}{SUFFIX}").write_bytes(zlib.compress(planted))  # where an entry lives
        (entry_dir / f"{digest}.pkl").write_bytes(zlib.compress(planted))  # where the old cache kept it
    again = run_batch([folder], out, jobs=1, quiet=True, resume=True)
    assert not marker.exists()
    assert again.cached == 0  # both files read again
    assert [e.status for e in again.entries] == [e.status for e in first.entries]
    assert [len(e.result.findings) for e in again.entries] == [len(e.result.findings) for e in first.entries]
    resumed = run_batch([folder], out, jobs=1, quiet=True, resume=True)
    assert resumed.cached == 2 and not marker.exists()  # the entries written over the planted ones


def test_entries_of_the_wrong_shape_are_misses(tmp_path):
    cache = ResultCache(tmp_path, width=10)
    cache.prepare()
    bad = {
        "a": b"not zlib",
        "b": zlib.compress(b"{not json"),
        "c": zlib.compress(json.dumps({"format": "json-1", "row": None, "error": None}).encode()),
        "d": zlib.compress(json.dumps({"format": "pickle", "row": None, "error": "x"}).encode()),
        "e": zlib.compress(
            json.dumps(
                {"format": "json-1", "row": {"meta": {}, "values": {"$nd": "|O", "v": [1]}}, "error": None}
            ).encode()
        ),
        "f": zlib.compress(json.dumps({"format": "json-1", "row": {"evil": 1}, "error": None}).encode()),
    }
    for digest, data in bad.items():
        cache.path(digest).write_bytes(data)
        assert cache.load(digest) is None, digest


def test_round_trip_keeps_the_row(tmp_path):
    from validator.api import read_one
    from validator.catalogue import load_catalogue
    from validator.engine import similarity
    from validator.engine.frame import to_row
    from validator.model import compact_report

    path = write(series("示例市审计局", [2023], random.Random(4))[0], "text", tmp_path)
    report = read_one(path).report
    row = to_row(report)
    similarity.attach(row)
    cells = compact_report(report)
    back, error, cells_back = loads(dumps(row, None, cells), len(load_catalogue().cell_ids))
    assert error is None and cells_back == json.loads(json.dumps(cells))
    assert np.array_equal(back.values, row.values, equal_nan=True) and back.values.dtype == row.values.dtype
    assert np.array_equal(back.states, row.states) and back.states.dtype == row.states.dtype
    assert np.array_equal(back.meta.pop("text_sig"), row.meta.pop("text_sig"))
    assert back.meta == row.meta and back.sections == row.sections and back.candidates == row.candidates
    assert (back.raw, back.provenance, back.narrative, back.section_texts) == (
        row.raw,
        row.provenance,
        row.narrative,
        row.section_texts,
    )


def test_annotate_reads_each_file_once(tmp_path, monkeypatch):
    import validator.api

    folder = _folder(tmp_path)
    reads: list[str] = []
    original = validator.api.read_one

    def counting(path):
        reads.append(str(path))
        return original(path)

    monkeypatch.setattr(validator.api, "read_one", counting)
    run = run_batch([folder], tmp_path / "out", jobs=1, quiet=True, annotate=True)
    assert len(reads) == len(run.entries) == 2
    resumed = run_batch([folder], tmp_path / "out", jobs=1, quiet=True, annotate=True, resume=True)
    assert resumed.cached == 2 and len(reads) == 2  # the cache keeps the cells annotation needs
    assert run.annotated == resumed.annotated == 1 and not run.annotate_errors
