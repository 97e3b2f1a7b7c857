"""The batch's one call into the store: last year's reports that are not in this run come from the store
and join the validation as context (so cross-year rules X-01…X-05, T2-03 compare against them and their
findings name the earlier file), each chunk of the run is recorded as it is validated, and reviewed
findings (waivers) are hidden before the chunk goes to disk.

The context rows are appended to the run's spill as extra items, validated in their agency's chunk (the
frame links years by agency key and year − 1, exactly as for files of the run) and dropped from the
results: the run's outputs list only its own files. Nothing here holds the run's rows or entries: the
store is written a chunk at a time, last year's rows are read back a chunk at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from validator.engine.identity import identity
from validator.store.db import STORE_NAME, Recording, Store
from validator.store.waivers import WaiverFilter

LOAD_CHUNK = 1000  # last year's reports read back from the store per query


@dataclass
class StoreUse:
    """What the store did for a run (for the bench and the run's summary line)."""

    path: Path
    earlier: list[str] = field(default_factory=list)  # display names of stored reports used as last year
    recorded: int = 0
    load_seconds: float = 0.0
    record_seconds: float = 0.0


@dataclass
class Memory:
    """What a batch carries across runs: the store (or none) and the waivers (or none). The batch makes
    two calls: ``validate`` in place of its validation, ``report`` once the run is assembled."""

    store_path: Path | None = None
    waivers: list | None = None
    out: Path | None = None
    use: StoreUse | None = None
    hider: WaiverFilter | None = None

    @classmethod
    def of(cls, out: Path, store: str | Path | bool | None, waivers: list | None) -> Memory:
        path = Path(out) / STORE_NAME if store is True else (Path(store) if store else None)
        if path is not None:  # in use or not a store: said now, not after reading thousands of files
            Store.open(path).close()
        return cls(path, waivers, Path(out))

    def validate(self, items: list, spill, ruleset, aliases: dict | None, validate_items: Callable):
        """``validate_items(items, spill, ruleset, aliases, on_chunk=…)`` (validator.batch.validate_items)
        with last year's reports from the store as context, each chunk recorded and its waived findings
        hidden. Raises StoreError (one line) when the store cannot be used."""
        aliases = aliases or {}
        self.hider = WaiverFilter(self.waivers)
        own = len(items)
        if self.store_path is None:
            if not self.waivers:
                return validate_items(items, spill, ruleset, aliases)
            return validate_items(items, spill, ruleset, aliases, on_chunk=self._hide(own))
        from validator.batch.cache import tool_fingerprint
        from validator.catalogue import load_catalogue
        from validator.render.summary.records import cross_year_rules

        catalogue = load_catalogue()
        crossing = cross_year_rules(ruleset)
        use = self.use = StoreUse(self.store_path)
        with Store.open(self.store_path) as store:
            started = time.perf_counter()
            context = _context(store, items, spill, aliases, catalogue) if crossing else []
            use.load_seconds = time.perf_counter() - started
            use.earlier = [item.input.display for item in context]
            recording = Recording(store, catalogue.cell_ids, crossing, tool_fingerprint(), str(self.out))
            hide = self._hide(own)

            def on_chunk(entries: dict, rows: dict) -> None:
                ks = sorted(k for k in entries if k < own)  # the run's own files, never the context
                started = time.perf_counter()
                recording.add([entries[k] for k in ks], [rows.get(k) for k in ks])  # before waivers
                use.record_seconds += time.perf_counter() - started
                hide(entries, rows)

            entries, seconds = validate_items(items + context, spill, ruleset, aliases, on_chunk=on_chunk)
            entries.truncate(own)
            started = time.perf_counter()
            use.recorded = recording.finish()
            use.record_seconds += time.perf_counter() - started
        return entries, seconds

    def _hide(self, own: int) -> Callable[[dict, dict], None]:
        def hide(entries: dict, rows: dict) -> None:
            self.hider.apply(
                (e.agency, e.agency_key, e.year, e.result) for k, e in entries.items() if k < own
            )

        return hide

    def report(self, run) -> None:
        """The count of hidden findings and the stale waivers go to the run (manifest, summary, the
        summary line), and so does what the store did."""
        if self.hider is not None:
            run.waived, run.stale_waivers = self.hider.outcome().counts()
        if self.use is not None:
            run.store = {
                "path": str(self.use.path),
                "recorded": self.use.recorded,
                "earlier_reports_used": len(self.use.earlier),
                "load_seconds": round(self.use.load_seconds, 3),
                "record_seconds": round(self.use.record_seconds, 3),
            }


def _context(store: Store, items: list, spill, aliases: dict, catalogue) -> list:
    """Last year's stored report for every (agency, year) of the run whose year − 1 is not in it:
    appended to ``spill`` (read back a chunk at a time), returned as items that follow the run's."""
    from validator.batch.cache import dumps
    from validator.batch.inputs import InputFile
    from validator.batch.pool import ReadItem

    present, wanted = set(), set()
    for item in items:
        if item.ident is None:
            continue
        agency, year = item.ident
        meta = identity({"agency": agency, "year": year}, item.input.display, aliases)
        if meta.get("agency_key") and meta.get("year"):
            present.add((meta["agency_key"], int(meta["year"])))
            wanted.add((meta["agency_key"], int(meta["year"]) - 1))
    exclude = {item.input.digest for item in items if item.input.digest}
    found = store.earlier_found(wanted - present, aliases, exclude)
    if not found:
        return []
    first = spill.grow(len(found))
    context = []
    for start in range(0, len(found), LOAD_CHUNK):
        part = found[start : start + LOAD_CHUNK]
        for (display, digest), row in zip(part, store.rows([d for _, d in part], catalogue)):
            spill.put(first + len(context), dumps(row, None, None))
            ident = (row.meta.get("agency"), row.meta.get("year"))
            context.append(ReadItem(InputFile(display, None, digest), ident=ident))
    return context
