"""The auditor's memory: what every batch read and found, kept across runs in one embedded DuckDB file.

    db.py         the Store: schema, record a run (keyed on file hash: a file read again replaces its
                  rows, never duplicates them), earlier years' rows for cross-year rules, Parquet export
    crossyear.py  the batch hook: last year's rows from the store join this run's validation when last
                  year's file is not in the run; then the run is recorded
    history.py    one agency's years side by side (cells by year with the change, findings by year)
    waivers.py    reviewed findings written once (`ogi baseline`) and hidden while they still match

By default a batch to DIR keeps its store at DIR/ogi.duckdb; `--store PATH` shares one across runs.
"""

from __future__ import annotations

from validator.store.db import STORE_NAME, Store, StoreError

__all__ = ["STORE_NAME", "Store", "StoreError"]
