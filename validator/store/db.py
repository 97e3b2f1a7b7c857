"""The store itself: one DuckDB file holding, for every report file ever recorded (keyed on its content
hash), what was read (agency, year, template, every cell with its state) and what was found.

A file recorded again replaces its earlier rows (the latest reading and findings win), so re-running the
same files never duplicates them. Rows are written column-wise through DataFrames, never one insert per
cell, so recording costs milliseconds per report.
"""

from __future__ import annotations

import json
import re
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from validator.batch.outputs import OutputError
from validator.engine.identity import identity
from validator.model import CellState

STORE_NAME = "ogi.duckdb"
SCHEMA_VERSION = "2"  # 2: no primary keys (DuckDB pins an ART index in memory: a row per report)
STORE_MEMORY = "64MB"  # DuckDB memory limit (OGI_STORE_MEMORY overrides): the batch's memory stays flat

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY, recorded TIMESTAMP, tool VARCHAR, out_dir VARCHAR, files INTEGER)""",
    """CREATE TABLE IF NOT EXISTS reports (
        digest VARCHAR, run_id VARCHAR, recorded TIMESTAMP, file VARCHAR, agency VARCHAR,
        agency_name VARCHAR, agency_key VARCHAR, year INTEGER, template VARCHAR, format VARCHAR,
        title VARCHAR, published VARCHAR, url VARCHAR, status VARCHAR, error VARCHAR, not_checked VARCHAR,
        errors INTEGER, warnings INTEGER, infos INTEGER, not_assessable INTEGER, previous_file VARCHAR,
        row_data BLOB)""",
    """CREATE TABLE IF NOT EXISTS cells (
        digest VARCHAR, cell_id VARCHAR, state TINYINT, state_name VARCHAR, value DOUBLE, raw VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS findings (
        digest VARCHAR, rule VARCHAR, severity VARCHAR, kind VARCHAR, cells VARCHAR, cell_values VARCHAR,
        difference DOUBLE, suggestion VARCHAR, message_zh VARCHAR, message_en VARCHAR,
        previous_file VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS agency_names (agency_key VARCHAR, name VARCHAR)",
]
# one row per file and per name is kept by the writer (Recording, _forget), not by primary keys: DuckDB holds
# a key's index in memory, pinned (~120 bytes a report), so a store of a national audit's years would grow the
# batch's memory past any bound and, past the memory limit, fail to commit
_UNKEYED = ("reports", "agency_names")
TABLES = ("runs", "reports", "cells", "findings", "agency_names")


class StoreError(OutputError):
    """The store cannot be opened or written: one line naming the file and the reason (exit 2, like any
    output that cannot be written)."""


class Store:
    """One DuckDB file; open with ``Store.open(path)`` (as a context manager: closed on exit)."""

    def __init__(self, path: Path, connection) -> None:
        self.path = path
        self.db = connection

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Store:
        import duckdb

        path = Path(path)
        if read_only and not path.is_file():
            raise StoreError(f"{path}: 存储库不存在 (no such store)")
        try:
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = duckdb.connect(str(path), read_only=read_only, config=_config())
        except (duckdb.Error, OSError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            busy = "lock" in reason.lower()
            hint = "另一个进程正在使用该存储库" if busy else "无法打开存储库"
            raise StoreError(f"{path}: {hint} ({reason})") from None
        store = cls(path, connection)
        if not read_only:
            try:
                for statement in _SCHEMA:
                    connection.execute(statement)
                _drop_keys(connection)
                connection.execute("INSERT OR REPLACE INTO store_info VALUES ('schema', ?)", [SCHEMA_VERSION])
            except duckdb.Error as exc:
                connection.close()
                raise StoreError(f"{path}: 不是本工具的存储库 ({str(exc).splitlines()[0]})") from None
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ write

    def record(
        self,
        entries,
        rows: list,
        cell_ids: list[str],
        crossing=frozenset(),
        tool: str = "",
        out_dir: str = "",
    ) -> int:
        """Append a run: ``entries`` (model.Entry) with ``rows`` (the ReportRow of each, or None). A file
        already in the store (same content hash) is replaced. Returns the number of reports recorded."""
        recording = Recording(self, cell_ids, crossing, tool, out_dir)
        recording.add(entries, rows)
        return recording.finish()

    def _write(self, frames: dict, digests: pd.DataFrame | None = None, run: list | None = None) -> None:
        """One transaction: the files replace their earlier rows; ``run``: the runs row. StoreError on
        failure, except a text that DuckDB cannot encode (InvalidInputException: the caller escapes and
        retries)."""
        import duckdb

        db = self.db
        try:
            db.execute("BEGIN TRANSACTION")
            if digests is not None:
                self._forget(digests)
            for table, frame in frames.items():
                if len(frame):
                    db.register("incoming", frame)
                    if table == "agency_names":  # each name once
                        db.execute(
                            "INSERT INTO agency_names SELECT DISTINCT agency_key, name FROM incoming i WHERE NOT "
                            "EXISTS (SELECT 1 FROM agency_names a WHERE a.agency_key = i.agency_key "
                            "AND a.name = i.name)"
                        )
                    else:
                        db.execute(f"INSERT INTO {table} SELECT * FROM incoming")
                    db.unregister("incoming")
            if run is not None:
                db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?)", run)
            db.execute("COMMIT")
        except duckdb.Error as exc:
            try:
                db.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if isinstance(exc, duckdb.InvalidInputException):
                raise
            raise StoreError(f"{self.path}: 无法写入存储库 ({str(exc).splitlines()[0]})") from None

    def _forget(self, digests: pd.DataFrame) -> None:
        """Delete the earlier rows of the files among ``digests`` that the store already holds. Looked up
        in `reports` (one row per file) first: a file new to the store — every file of a first run — costs
        no scan of `cells`, which holds a few hundred rows per report and would otherwise be read whole
        (into DuckDB's buffers) for every part a batch records."""
        db = self.db
        db.register("new_digests", digests)
        try:
            old = db.execute(
                "SELECT digest FROM reports WHERE digest IN (SELECT digest FROM new_digests)"
            ).df()
        finally:
            db.unregister("new_digests")
        if old.empty:
            return
        db.register("old_digests", old)
        try:
            for table in ("cells", "findings", "reports"):
                db.execute(f"DELETE FROM {table} WHERE digest IN (SELECT digest FROM old_digests)")
        finally:
            db.unregister("old_digests")

    # ------------------------------------------------------------------------------------------- read

    def recorded_by(self, run_id: str, digests: list[str]) -> set[str]:
        """Those of ``digests`` the run ``run_id`` has recorded already."""
        import duckdb

        self.db.register("ogi_asked", pd.DataFrame({"digest": digests}, dtype=object))
        try:
            found = self.db.execute(
                "SELECT DISTINCT digest FROM reports WHERE run_id = ? AND digest IN "
                "(SELECT digest FROM ogi_asked)",
                [run_id],
            ).fetchall()
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: 无法读取存储库 ({str(exc).splitlines()[0]})") from None
        finally:
            self.db.unregister("ogi_asked")
        return {digest for (digest,) in found}

    def counts(self) -> dict[str, int]:
        return {t: int(self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}

    def earlier_found(
        self, wanted: set[tuple[str, int]], aliases: dict, exclude: set[str]
    ) -> list[tuple[str, str]]:
        """(display name, digest) of the stored reports for the (agency key, year) pairs in ``wanted``
        (keys as this run's aliases make them), one per pair (the latest recorded, then the first by file
        name), never one of ``exclude`` (content hashes of this run's files); rows loaded apart (rows()).

        The key is computed once per distinct stored agency name (identity's folding and the aliases, in
        Python), the rest is one query: no row per stored report comes into this process."""
        years = sorted({y for _, y in wanted})
        if not years:
            return []
        usable = f"year IN ({', '.join('?' * len(years))}) AND error IS NULL AND row_data IS NOT NULL"
        names = self.db.execute(
            f"SELECT DISTINCT agency FROM reports WHERE agency IS NOT NULL AND {usable}", years
        ).fetchall()
        keys = {key for key, _ in wanted}
        mapped = []
        for (name,) in names:  # a report stored without an agency had none by its file name either
            key = identity({"agency": name, "year": 1}, "", aliases)["agency_key"]
            if key in keys:
                mapped.append((name, key))
        if not mapped:
            return []
        frames = {
            "ogi_agency_map": pd.DataFrame(mapped, columns=["agency", "key"]),
            "ogi_wanted": pd.DataFrame(sorted(wanted), columns=["key", "year"]),
            "ogi_exclude": pd.DataFrame({"digest": sorted(exclude)}, dtype=object),
        }
        for name, frame in frames.items():
            self.db.register(name, frame)
        try:
            found = self.db.execute(
                f"""SELECT r.digest, r.file, r.recorded FROM reports r
                    JOIN ogi_agency_map m ON r.agency = m.agency
                    JOIN ogi_wanted w ON w.key = m.key AND w.year = r.year
                    WHERE {usable.replace("year IN", "r.year IN")}
                      AND r.digest NOT IN (SELECT digest FROM ogi_exclude)
                    QUALIFY row_number() OVER (
                        PARTITION BY m.key, r.year ORDER BY r.recorded DESC, r.file, r.digest) = 1
                    ORDER BY m.key, r.year""",
                years,
            ).fetchall()
        finally:
            for name in frames:
                self.db.unregister(name)
        return [(f"{file}（存储库 {str(when)[:10]}）", digest) for digest, file, when in found]

    def rows(self, digests: list[str], catalogue) -> list:
        """The ReportRow of each stored report (values and states rebuilt from its cells by id, so a
        report recorded with another version of the forms still lines up)."""
        from validator.batch.cache import row_from_data

        if not digests:
            return []
        frame = pd.DataFrame({"digest": digests})
        self.db.register("wanted", frame)
        blobs = dict(
            self.db.execute(
                "SELECT digest, row_data FROM reports WHERE digest IN (SELECT digest FROM wanted)"
            ).fetchall()
        )
        cells = self.db.execute(
            "SELECT digest, cell_id, state, value FROM cells WHERE digest IN (SELECT digest FROM wanted)"
        ).df()
        self.db.unregister("wanted")
        width = len(catalogue.cell_ids)
        position = {d: k for k, d in enumerate(digests)}
        values = np.full((len(digests), width), np.nan)
        states = np.zeros((len(digests), width), dtype=np.int8)
        index = catalogue.cell_index
        col = cells["cell_id"].map(index)
        keep = col.notna().to_numpy()
        r = cells["digest"].map(position).to_numpy()[keep].astype(np.int64)
        c = col.to_numpy()[keep].astype(np.int64)
        states[r, c] = cells["state"].to_numpy()[keep].astype(np.int8)
        values[r, c] = cells["value"].to_numpy(dtype=float, na_value=np.nan)[keep]
        out = []
        for k, digest in enumerate(digests):
            text = zlib.decompress(blobs[digest]).decode("utf-8", "surrogatepass")
            data = json.loads(text, parse_constant=_constant)
            data["values"] = {"$nd": "<f8", "v": values[k].tolist()}
            data["states"] = {"$nd": "|i1", "v": states[k].tolist()}
            out.append(row_from_data(data, width))
        return out

    def export_parquet(self, folder: str | Path) -> list[Path]:
        """Every table as DIR/<table>.parquet (reports without the packed row), for other tools."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for table in TABLES:
            target = folder / f"{table}.parquet"
            select = (
                f"SELECT * EXCLUDE (row_data) FROM {table}"
                if table == "reports"
                else f"SELECT * FROM {table}"
            )
            self.db.execute(f"COPY ({select}) TO '{_quoted(target)}' (FORMAT PARQUET)")
            written.append(target)
        return written


@dataclass
class Recording:
    """One run recorded a part at a time (a batch records each chunk as it is validated, so the run's
    rows and findings are never all in memory): ``add`` per part, ``finish`` once (the runs row)."""

    store: Store
    cell_ids: list[str]
    crossing: frozenset = frozenset()
    tool: str = ""
    out_dir: str = ""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    now: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now().floor("s"))
    recorded: int = 0  # reports recorded by this run so far

    def add(self, entries, rows) -> int:
        """``entries`` with their ``rows`` (ReportRow or None each); returns how many were recorded. A
        file recorded earlier in this run (same content hash) is not recorded again: the first file wins
        (asked of the store, not kept in a set: that would hold a hash per report of the run)."""
        import duckdb

        picked, seen = [], set()
        for entry, row in zip(entries, rows):
            if entry.digest and entry.digest not in seen:
                seen.add(entry.digest)
                picked.append((entry, row))
        if picked:
            earlier = self.store.recorded_by(self.run_id, list(seen))
            picked = [(e, r) for e, r in picked if e.digest not in earlier]
        if not picked:
            return 0
        names = pd.DataFrame(
            sorted(
                {(e.agency_key, n) for e, _ in picked if e.agency_key for n in (e.agency, e.agency_name) if n}
            ),
            columns=["agency_key", "name"],
        )
        frames = {
            "reports": _report_frame(picked, self.run_id, self.now),
            "cells": _cell_frame(picked, self.cell_ids),
            "findings": _finding_frame(picked, self.crossing),
            "agency_names": names,
        }
        digests = pd.DataFrame({"digest": [e.digest for e, _ in picked]})
        try:
            self.store._write(frames, digests)
        except duckdb.InvalidInputException as exc:
            if "surrogate" not in str(exc):
                raise StoreError(f"{self.store.path}: 无法写入存储库 ({str(exc).splitlines()[0]})") from None
            # a file name that is not UTF-8 (GBK names as unzip leaves them): kept as \udcXX text
            self.store._write({name: _escaped(frame) for name, frame in frames.items()}, digests)
        self.recorded += len(picked)
        return len(picked)

    def finish(self) -> int:
        """The runs row; returns the number of reports the run recorded."""
        self.store._write({}, run=[self.run_id, self.now, self.tool, _escape(self.out_dir), self.recorded])
        return self.recorded


def _drop_keys(connection) -> None:
    """A store written by an earlier version (schema 1) has primary keys on reports and agency_names:
    each such table is copied once into one without (same rows, same columns)."""
    for table in _UNKEYED:
        keyed = connection.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
            [table],
        ).fetchone()[0]
        if not keyed:
            continue
        connection.execute("BEGIN TRANSACTION")
        connection.execute(f"CREATE TABLE {table}_unkeyed AS SELECT * FROM {table}")
        connection.execute(f"DROP TABLE {table}")
        connection.execute(f"ALTER TABLE {table}_unkeyed RENAME TO {table}")
        connection.execute("COMMIT")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escape(text):
    if isinstance(text, str) and _SURROGATE.search(text):
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with lone surrogates written as \\udcXX (as the JSON outputs keep them)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [_escape(v) for v in out[column]]
    return out


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _constant(name: str) -> float:
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


def pack_row(row) -> bytes | None:
    """A ReportRow without its value and state arrays (kept as cells), as compressed JSON."""
    from validator.batch.cache import row_to_data

    if row is None:
        return None
    data = row_to_data(row)
    data.pop("values", None)
    data.pop("states", None)
    text = json.dumps(data, ensure_ascii=False, allow_nan=True)
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)  # non-UTF-8 file names kept exact


def _report_frame(picked, run_id: str, now) -> pd.DataFrame:
    records = []
    for entry, row in picked:
        result = entry.result
        counts = result.counts()
        meta = row.meta if row is not None else {}
        records.append(
            {
                "digest": entry.digest,
                "run_id": run_id,
                "recorded": now,
                "file": entry.file,
                "agency": entry.agency or None,
                "agency_name": entry.agency_name or None,
                "agency_key": entry.agency_key or None,
                "year": entry.year,
                "template": entry.template,
                "format": entry.format,
                "title": meta.get("title"),
                "published": meta.get("published"),
                "url": meta.get("url"),
                "status": entry.status,
                "error": entry.error,
                "not_checked": result.not_checked,
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "infos": counts.get("info", 0),
                "not_assessable": len(result.not_assessable),
                "previous_file": entry.previous_file,
                "row_data": pack_row(row),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=_REPORT_COLUMNS)
    frame["year"] = frame["year"].astype("Int32")
    return frame


_REPORT_COLUMNS = [
    "digest", "run_id", "recorded", "file", "agency", "agency_name", "agency_key", "year", "template",
    "format", "title", "published", "url", "status", "error", "not_checked", "errors", "warnings", "infos",
    "not_assessable", "previous_file", "row_data",
]  # fmt: skip

_STATE_NAMES = np.array([s.name.lower() for s in sorted(CellState, key=int)], dtype=object)


def _cell_frame(picked, cell_ids: list[str]) -> pd.DataFrame:
    """Every cell read (state other than MISSING) of every report, long: one row per cell."""
    with_rows = [(e.digest, r) for e, r in picked if r is not None]
    if not with_rows:
        return pd.DataFrame(columns=["digest", "cell_id", "state", "state_name", "value", "raw"])
    states = np.vstack([r.states for _, r in with_rows])
    values = np.vstack([r.values for _, r in with_rows])
    at, col = np.nonzero(states != int(CellState.MISSING))
    ids = np.asarray(cell_ids, dtype=object)
    digests = np.asarray([d for d, _ in with_rows], dtype=object)
    raws = [r.raw for _, r in with_rows]
    cell_names = ids[col]
    return pd.DataFrame(
        {
            "digest": digests[at],
            "cell_id": cell_names,
            "state": states[at, col].astype(np.int8),
            "state_name": _STATE_NAMES[states[at, col]],
            "value": values[at, col],
            "raw": [raws[a].get(c) for a, c in zip(at.tolist(), cell_names.tolist())],
        }
    )


def _finding_frame(picked, crossing) -> pd.DataFrame:
    records = []
    for entry, _ in picked:
        for f in entry.result.findings:
            records.append(
                (
                    entry.digest,
                    f.rule,
                    f.severity,
                    f.kind,
                    ", ".join(f.cells),
                    json.dumps(f.values, ensure_ascii=False, default=_plain),
                    f.difference,
                    json.dumps(f.suggestion, ensure_ascii=False, default=_plain) if f.suggestion else None,
                    f.message_zh,
                    f.message_en,
                    entry.previous_file if f.rule in crossing else None,
                )
            )
    columns = [
        "digest", "rule", "severity", "kind", "cells", "cell_values", "difference", "suggestion",
        "message_zh", "message_en", "previous_file",
    ]  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["difference"] = frame["difference"].astype(float)
    return frame


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _config() -> dict:
    """DuckDB's buffer pool bounded (it otherwise keeps what a batch wrote cached, up to 80 % of RAM, so
    the main process would grow with the batch); past the bound it works from the file and temp spills."""
    import os

    return {"memory_limit": os.environ.get("OGI_STORE_MEMORY") or STORE_MEMORY}
