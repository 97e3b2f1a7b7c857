"""The store keeps one row per file and per agency name without primary keys (DuckDB pins a key's index in
memory, a row per report): a file recorded again replaces its rows, a name seen again is not added, and a
store written with keys (schema 1) is copied once into tables without them, its rows kept."""

from __future__ import annotations

import random

import duckdb

from validator.batch import run_batch
from validator.store import Store
from validator.testing.formats import series, write

SCHEMA_1 = [
    """CREATE TABLE reports (
        digest VARCHAR PRIMARY KEY, run_id VARCHAR, recorded TIMESTAMP, file VARCHAR, agency VARCHAR,
        agency_name VARCHAR, agency_key VARCHAR, year INTEGER, template VARCHAR, format VARCHAR,
        title VARCHAR, published VARCHAR, url VARCHAR, status VARCHAR, error VARCHAR, not_checked VARCHAR,
        errors INTEGER, warnings INTEGER, infos INTEGER, not_assessable INTEGER, previous_file VARCHAR,
        row_data BLOB)""",
    "CREATE TABLE agency_names (agency_key VARCHAR, name VARCHAR, PRIMARY KEY (agency_key, name))",
    "INSERT INTO reports (digest, file, agency_key, year) VALUES ('d1', 'a.txt', 'k', 2023)",
    "INSERT INTO agency_names VALUES ('k', '示例县统计局')",
]


def _keys(path) -> int:
    with duckdb.connect(str(path), read_only=True) as db:
        return db.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
            "AND table_name IN ('reports', 'agency_names')"
        ).fetchone()[0]


def test_a_schema_1_store_loses_its_keys_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as db:
        for statement in SCHEMA_1:
            db.execute(statement)
    assert _keys(path) == 2
    with Store.open(path) as store:
        assert store.db.execute("SELECT digest, file, year FROM reports").fetchall() == [
            ("d1", "a.txt", 2023)
        ]
        assert store.db.execute("SELECT * FROM agency_names").fetchall() == [("k", "示例县统计局")]
    assert _keys(path) == 0


def test_recording_the_same_files_again_keeps_one_row_each(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for report in series("示例县统计局", [2022, 2023], random.Random(3)):
        write(report, "text", folder)
    store = tmp_path / "s.duckdb"
    for out in ("o1", "o2"):
        run_batch([folder], tmp_path / out, quiet=True, store=store)
    with Store.open(store, read_only=True) as s:
        assert s.counts()["reports"] == 2
        assert s.counts()["runs"] == 2
        names = s.db.execute("SELECT agency_key, name, count(*) FROM agency_names GROUP BY ALL").fetchall()
        assert names and all(n == 1 for _, _, n in names)
        cells = s.db.execute("SELECT digest, cell_id, count(*) AS n FROM cells GROUP BY ALL HAVING n > 1")
        assert cells.fetchall() == []
    assert _keys(store) == 0
