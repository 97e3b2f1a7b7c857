"""Fuzz: mutated real files and generated files of every format → a finding, a doubt or a one-line read
error; never a traceback, a hang or a lost row.

Bounded for CI (about a minute on two cores): ``OGI_FUZZ_EXAMPLES`` (default 40) examples, derandomized so a
run is repeatable; set ``OGI_FUZZ_EXAMPLES=2000`` locally to search harder (and OGI_FUZZ_RANDOM=1 for new
seeds). Seeds: the generated layouts (DOCX, HTML, XLSX, crawled text), samples/, and the PDFs, HTML and
text of ../shared/corpus when present. A zip-based seed (DOCX/XLSX) is also mutated inside one of its
parts, so the XML readers see damage, not only a broken archive.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import zipfile
import zlib
from functools import cache
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.api import check

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLES = int(os.environ.get("OGI_FUZZ_EXAMPLES", "40"))
SECONDS_PER_FILE = 30  # a hang is a failure


@cache
def seeds() -> list[tuple[str, bytes]]:
    """(suffix, bytes) of every seed file."""
    from validator.testing.layouts import FAMILIES, make_sample

    out: list[tuple[str, bytes]] = []
    for k, family in enumerate(f for f in FAMILIES.values() if not f.via_pdf):
        out.append((family.suffix, family.render(make_sample(100 + k, error=k % 2 == 1))))
    for path in sorted((ROOT / "samples").glob("*.txt")):
        out.append((".txt", path.read_bytes()))
    if CORPUS.is_dir():
        picked = (
            sorted(CORPUS.glob("*.pdf")) + sorted(CORPUS.glob("*.html")) + sorted(CORPUS.glob("*.txt"))[:3]
        )
        for path in picked:
            if path.stat().st_size < 2_000_000:
                out.append((path.suffix, path.read_bytes()))
    return out


# ---------------------------------------------------------------------------------------------- mutations


def _flip(data: bytes, at: int, value: int) -> bytes:
    if not data:
        return bytes([value])
    at %= len(data)
    return data[:at] + bytes([value]) + data[at + 1 :]


def _truncate(data: bytes, at: int, value: int) -> bytes:
    return data[: at % (len(data) + 1)]


def _insert(data: bytes, at: int, value: int) -> bytes:
    at %= len(data) + 1
    chunk = bytes([value]) * (1 + value % 64)
    return data[:at] + chunk + data[at:]


def _duplicate(data: bytes, at: int, value: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + data[at : at + 1 + value * 16] + data[at:]


def _zero(data: bytes, at: int, value: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + b"\x00" * (1 + value) + data[at + 1 + value :]


def _digits(data: bytes, at: int, value: int) -> bytes:
    """A run of digits where a cell might be: numbers of every size, run together."""
    at %= len(data) + 1
    return data[:at] + str(value * 7919).encode() * (1 + value % 4) + data[at:]


MUTATIONS = [_flip, _truncate, _insert, _duplicate, _zero, _digits]


def _inside_zip(data: bytes, member: int, mutate, at: int, value: int) -> bytes:
    """The same package with one of its parts mutated (or the raw bytes, if it is not a zip)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            parts = [(i.filename, z.read(i)) for i in infos]
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, NotImplementedError, RuntimeError):
        return mutate(data, at, value)
    buffer = io.BytesIO()
    target = member % len(parts)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for k, (name, content) in enumerate(parts):
            z.writestr(name, mutate(content, at, value) if k == target else content)
    return buffer.getvalue()


def mutant(seed: int, steps: list[tuple[int, int, int, bool, int]]) -> tuple[str, bytes]:
    suffix, data = seeds()[seed % len(seeds())]
    for kind, at, value, in_zip, member in steps:
        mutate = MUTATIONS[kind % len(MUTATIONS)]
        data = _inside_zip(data, member, mutate, at, value) if in_zip else mutate(data, at, value)
    return suffix, data


STEP = st.tuples(
    st.integers(0, len(MUTATIONS) - 1),
    st.integers(0, 10_000_000),
    st.integers(0, 255),
    st.booleans(),
    st.integers(0, 50),
)


# ---------------------------------------------------------------------------------------------- checks


class Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise Hang


def assert_one_outcome(path: Path) -> None:
    """The whole pipeline on one file: a result for it, never an exception; errors are one line."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_FILE)
    try:
        _, results = check([path])
    except Hang:
        pytest.fail(f"{path.name}: no result within {SECONDS_PER_FILE} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert len(results) == 1
    result = results[0]
    assert result.status in ("ok", "warnings", "errors", "not_checked", "unreadable")
    if result.error:
        assert "\n" not in result.error and "Traceback" not in result.error, result.error
        assert result.error.startswith(f"{path.name}:"), result.error


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("OGI_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(seed=st.integers(0, 10_000), steps=st.lists(STEP, min_size=1, max_size=3))
def test_mutated_file_gives_a_result(tmp_path_factory, seed, steps):
    suffix, data = mutant(seed, steps)
    path = tmp_path_factory.mktemp("fuzz") / f"mutant{suffix}"
    path.write_bytes(data)
    assert_one_outcome(path)


def test_every_seed_reads(tmp_path):
    for k, (suffix, data) in enumerate(seeds()):
        path = tmp_path / f"seed{k}{suffix}"
        path.write_bytes(data)
        assert_one_outcome(path)


def test_batch_of_mutants_loses_no_row(tmp_path):
    """All mutants at once through `ogi batch` (two workers): every file has exactly one row."""
    from validator.batch import run_batch

    rng = random.Random(16)
    folder = tmp_path / "in"
    folder.mkdir()
    count = max(12, EXAMPLES // 2)
    for n in range(count):
        steps = [
            (
                rng.randrange(len(MUTATIONS)),
                rng.randrange(10**7),
                rng.randrange(256),
                rng.random() < 0.5,
                rng.randrange(50),
            )
            for _ in range(rng.randint(1, 3))
        ]
        suffix, data = mutant(rng.randrange(10_000), steps)
        (folder / f"m{n:03d}{suffix}").write_bytes(data)
    out = tmp_path / "out"
    run = run_batch([folder], out, jobs=2, quiet=True)
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = sorted(Path(r["文件"]).name for r in rows)
    assert names == sorted(p.name for p in folder.iterdir())
    assert len(run.entries) == count
    for row in rows:
        if row["状态代码"] == "unreadable":
            reason = row["无法读取原因"]
            assert reason and "\n" not in reason and "Traceback" not in reason, reason
