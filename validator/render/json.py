"""The public JSON shape of `ogi check --format json` (keep it stable; fields may be added, not renamed)."""

from __future__ import annotations

from validator.engine.wording import json_default
from validator.model import ReportResult
from validator.render.safe import json_dumps


def report_dict(result: ReportResult, *, not_assessable: bool = True) -> dict:
    meta = result.meta
    out = {
        "file": meta.get("source"),
        "agency": meta.get("agency"),
        "year": meta.get("year"),
        "template": meta.get("template"),
        "status": result.status,
        "findings": [f.as_dict() for f in result.findings],
    }
    if result.blame:
        out["blame"] = [b.as_dict() for b in result.blame]
    if result.error:
        out["error"] = result.error
    if result.not_checked:
        out["not_checked"] = result.not_checked
    if not_assessable and result.not_assessable:
        out["not_assessable"] = [n.as_dict() for n in result.not_assessable]
    return out


def render(results: list[ReportResult]) -> str:
    payload = {"reports": [report_dict(r) for r in results]}
    return json_dumps(payload, indent=2, default=json_default)
