"""manifest.json: what the run was (tool, fingerprint, counts per status, timings) and what it wrote."""

from __future__ import annotations

import time
from pathlib import Path

from validator import __version__
from validator.model import STATUSES
from validator.render.safe import json_dumps


def write_manifest(path: Path, run, names: list[str]) -> None:
    tally = run.tally()
    payload = {
        "tool": "ogi-validator",
        "version": __version__,
        "fingerprint": run.fingerprint,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": len(run.entries),
        "status": {s: tally.get(s, 0) for s in STATUSES},
        "agencies": len({e.agency_key for e in run.entries if e.agency_key}),
        "findings": sum(len(e.result.findings) for e in run.entries),
        "reused_from_cache": run.cached,
        "jobs": run.jobs,
        "read_seconds": round(run.read_seconds, 3),
        "validate_seconds": round(run.validate_seconds, 3),
        "ignored_files": run.ignored,
        "possible_aliases": [list(pair) for pair in run.alias_hints],
        "waived_findings": run.waived,  # hidden by --waivers (exact matches)
        "stale_waivers": run.stale_waivers,  # waivers that matched nothing: figures changed or fixed
        "store": run.store or None,  # validator.store: path, reports recorded, last years taken from it
        "outputs": names,
    }
    path.write_text(json_dumps(payload, indent=2), encoding="utf-8")
