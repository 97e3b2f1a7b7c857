"""The store's cost (issue 12): recording a run, reading last year's reports back for the cross-year rules,
re-recording the same files, and the size on disk — per report.

    python -m benchmarks.bench_store [--n 4000] [--seed 12]

Standalone, it generates consistent reports of several years per agency (no files: rows straight from the
figures); `make bench` runs it on the rows its end-to-end run read. The latest year is then validated
alone against the store holding the earlier years, and its cross-year findings are compared with those of
one run over every year (they must be the same).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import tempfile
import time
from pathlib import Path


def synthetic_rows(n: int, seed: int) -> list:
    """n ReportRows: agencies of four consecutive years with their cross-year chains; the latest year of
    every fifth agency carries in one application more than the year before carried out."""
    from validator.catalogue import load_catalogue
    from validator.engine.frame import to_row
    from validator.testing.figures import to_report
    from validator.testing.formats import series

    catalogue = load_catalogue()
    rng = random.Random(seed)
    rows = []
    agency = 0
    while len(rows) < n:
        agency += 1
        for report in series(f"示例市第{agency}局", [2021, 2022, 2023, 2024], rng):
            if report.figures.year == 2024 and agency % 5 == 1:  # a carry-over break for
                report.figures.cells["t3.carried_in.np"] += 1
            row = to_row(to_report(report.figures, f"{report.figures.year}_{agency}.txt"), catalogue)
            row.meta["source"] = f"{report.figures.year}_{agency}.txt"
            rows.append(row)
    return rows[:n]


def _items(rows: list, folder: Path) -> tuple[list, object]:
    """The rows as a batch holds them after reading: items with (agency, year), rows in a disk spill."""
    from validator.batch.cache import dumps
    from validator.batch.inputs import InputFile
    from validator.batch.pool import ReadItem
    from validator.batch.spill import Spill

    spill = Spill(Path(tempfile.mkdtemp(prefix="spill-", dir=folder)), len(rows), len(rows[0].values))
    items = []
    for k, row in enumerate(rows):
        source = str(row.meta.get("source"))
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        spill.put(k, dumps(row, None, None))
        items.append(
            ReadItem(InputFile(source, None, digest), ident=(row.meta.get("agency"), row.meta.get("year")))
        )
    return items, spill


def _validate(rows: list, folder: Path, store: Path | None = None):
    """The batch's validation of ``rows`` (validator.batch.validate_items), with ``store``: (entries,
    what the store did)."""
    from validator.batch import validate_items
    from validator.catalogue import load_catalogue
    from validator.engine.rules import build_ruleset
    from validator.store.crossyear import Memory

    items, spill = _items(rows, folder)
    memory = Memory(store, None, folder)
    try:
        entries, _ = memory.validate(items, spill, build_ruleset(load_catalogue()), {}, validate_items)
    finally:
        spill.close()
    return entries, memory.use


def _cross(entries, crossing) -> dict:
    return {
        e.file: sorted((f.rule, f.cells) for f in e.result.findings if f.rule in crossing) for e in entries
    }


def run(rows: list, folder: Path | None = None) -> dict:
    from validator.catalogue import load_catalogue
    from validator.engine.rules import build_ruleset
    from validator.render.summary.records import cross_year_rules
    from validator.store import Store

    crossing = cross_year_rules(build_ruleset(load_catalogue()))
    root = Path(tempfile.mkdtemp(prefix="ogi-bench-store-", dir=folder))
    try:
        years = [int(r.meta["year"]) for r in rows if r.meta.get("year")]
        latest = max(years)
        _validate(rows[:50], root)  # warm up
        started = time.perf_counter()
        whole, _ = _validate(rows, root)  # every year in one run, no store
        whole_seconds = time.perf_counter() - started

        path = root / "ogi.duckdb"
        earlier = [r for r in rows if r.meta.get("year") != latest]
        last = [r for r in rows if r.meta.get("year") == latest]
        _, use = _validate(earlier, root, path)
        record_seconds = use.record_seconds
        size = path.stat().st_size
        started = time.perf_counter()
        alone, use_last = _validate(last, root, path)
        last_seconds = time.perf_counter() - started
        wanted = {e.file for e in alone}
        same = _cross(alone, crossing) == {k: v for k, v in _cross(whole, crossing).items() if k in wanted}
        with Store.open(path) as store:
            before = store.counts()
        _, again = _validate(earlier, root, path)
        with Store.open(path) as store:
            after = store.counts()
        return {
            "reports": len(rows),
            "earlier": len(earlier),
            "latest": len(last),
            "latest_year": latest,
            "whole_seconds": whole_seconds,
            "record_seconds": record_seconds,
            "bytes": size,
            "loaded": len(use_last.earlier),
            "load_seconds": use_last.load_seconds,
            "last_seconds": last_seconds,
            "last_record_seconds": use_last.record_seconds,
            "same_cross_year": same,
            "cross_year_findings": sum(len(v) for v in _cross(alone, crossing).values()),
            "rerecord_seconds": again.record_seconds,
            "duplicated": after["reports"] != before["reports"] or after["cells"] != before["cells"],
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report(r: dict, batch_out: Path | None = None) -> list[str]:
    """The figures as lines; ``batch_out``: an `ogi batch` output folder whose default store is sized too."""
    ms = 1000 / max(r["earlier"], 1)
    kept = batch_out / "ogi.duckdb" if batch_out is not None else None
    lines = []
    if kept is not None and kept.is_file():
        from validator.store import Store

        with Store.open(kept, read_only=True) as store:
            n = store.counts()["reports"]
        size = kept.stat().st_size
        lines.append(
            f"store of the end-to-end run (DIR/ogi.duckdb, on by default): {n:,} reports, "
            f"{size / 2**20:.1f} MiB ({size / max(n, 1) / 1024:.1f} KiB/report)"
        )
    lines.append(
        f"store (DuckDB): recording {r['earlier']:,} reports {r['record_seconds']:.2f} s "
        f"({r['record_seconds'] * ms:.2f} ms/report), {r['bytes'] / max(r['earlier'], 1) / 1024:.1f} KiB/report "
        f"on disk; re-recording the same files {r['rerecord_seconds']:.2f} s, "
        f"{'DUPLICATED' if r['duplicated'] else 'no duplicates'}"
    )
    lines.append(
        f"  {r['latest_year']} alone ({r['latest']:,} reports) against the store: last year's {r['loaded']:,} "
        f"reports read back in {r['load_seconds']:.2f} s ({r['load_seconds'] * 1000 / max(r['loaded'], 1):.2f} "
        f"ms/report), validate + record {r['last_seconds']:.2f} s; cross-year findings "
        f"{'the same as' if r['same_cross_year'] else 'DIFFERENT FROM'} one run over every year "
        f"({r['reports']:,} reports, {r['whole_seconds']:.2f} s without a store)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_store", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = synthetic_rows(args.n, args.seed)
    print(f"generated {len(rows):,} report rows in {time.perf_counter() - started:.1f} s")
    print("\n".join(report(run(rows))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
