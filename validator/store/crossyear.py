"""The batch's one call into the store: last year's reports that are not in this run come from the store
and join the validation as context (so cross-year rules X-01…X-05, T2-03 compare against them and their
findings name the earlier file), then this run's reports are recorded.

The context rows are validated with the run (the frame links years by agency key and year − 1, exactly
as for files of the run) and dropped from the results: the run's outputs list only its own files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from validator.engine.identity import identity
from validator.store.db import STORE_NAME, Store


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
    two calls: ``validate`` in place of its validation, ``hide_waived`` once the run is assembled."""

    store_path: Path | None = None
    waivers: list | None = None
    out: Path | None = None
    use: StoreUse | None = None

    @classmethod
    def of(cls, out: Path, store: str | Path | bool | None, waivers: list | None) -> Memory:
        path = Path(out) / STORE_NAME if store is True else (Path(store) if store else None)
        if path is not None:  # in use or not a store: said now, not after reading thousands of files
            Store.open(path).close()
        return cls(path, waivers, Path(out))

    def validate(self, items: list, ruleset, aliases: dict | None, validate_items: Callable):
        tool = ""
        if self.store_path is not None:
            from validator.batch.cache import tool_fingerprint

            tool = tool_fingerprint()
            self.use = StoreUse(self.store_path)
        return validate_with_store(
            items,
            ruleset,
            aliases,
            self.store_path,
            validate_items,
            tool=tool,
            out_dir=str(self.out),
            use=self.use,
        )

    def hide_waived(self, run) -> None:
        """The run's findings that a waiver names exactly are hidden; the count and the stale waivers
        go to the run (manifest, summary, the summary line), and so does what the store did."""
        from validator.store.waivers import hide_in_entries

        run.waived, run.stale_waivers = hide_in_entries(run.entries, self.waivers).counts()
        if self.use is not None:
            run.store = {
                "path": str(self.use.path),
                "recorded": self.use.recorded,
                "earlier_reports_used": len(self.use.earlier),
                "load_seconds": round(self.use.load_seconds, 3),
                "record_seconds": round(self.use.record_seconds, 3),
            }


def validate_with_store(
    items: list,
    ruleset,
    aliases: dict | None,
    store_path: str | Path | None,
    validate_items: Callable,
    *,
    tool: str = "",
    out_dir: str = "",
    use: StoreUse | None = None,
) -> tuple[list, float]:
    """``validate_items(items, ruleset, aliases)`` with earlier years from the store at ``store_path``
    (None: no store), then the run recorded there. Raises StoreError (one line) when the store cannot
    be used."""
    if store_path is None:
        return validate_items(items, ruleset, aliases)
    from validator.batch.inputs import InputFile
    from validator.batch.pool import ReadItem
    from validator.catalogue import load_catalogue
    from validator.render.summary.records import cross_year_rules

    catalogue = load_catalogue()
    crossing = cross_year_rules(ruleset)
    use = use or StoreUse(Path(store_path))
    with Store.open(store_path) as store:
        started = time.perf_counter()
        earlier = []
        if crossing:
            present, wanted = set(), set()
            for item in items:
                if item.row is None:
                    continue
                meta = identity(dict(item.row.meta), item.input.display, aliases or {})
                if meta.get("agency_key") and meta.get("year"):
                    present.add((meta["agency_key"], int(meta["year"])))
                    wanted.add((meta["agency_key"], int(meta["year"]) - 1))
            exclude = {item.input.digest for item in items if item.input.digest}
            earlier = store.earlier(wanted - present, aliases or {}, catalogue, exclude)
        use.load_seconds = time.perf_counter() - started
        use.earlier = [e.display for e in earlier]
        context = [ReadItem(InputFile(e.display, None, e.digest), row=e.row) for e in earlier]
        entries, seconds = validate_items(items + context, ruleset, aliases)
        entries = entries[: len(items)]
        started = time.perf_counter()
        use.recorded = store.record(
            entries, [item.row for item in items], catalogue.cell_ids, crossing, tool, out_dir
        )
        use.record_seconds = time.perf_counter() - started
    return entries, seconds
