"""Local rules (rules/local/<name>.yaml): publication deadlines by filer type, default 条例第四十九条.

The file is chosen by the environment variable OGI_LOCAL (default ``default``); a file may ``extends``
another and override what it names."""

from __future__ import annotations

import os
from functools import cache

import yaml

from validator.catalogue import RULES_DIR

LOCAL_DIR = RULES_DIR / "local"
ENV = "OGI_LOCAL"


class LocalRulesError(ValueError):
    """An unknown local-rules name or a malformed file."""


def local_name() -> str:
    return os.environ.get(ENV, "").strip() or "default"


@cache
def load_local(name: str = "default") -> dict:
    path = LOCAL_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in LOCAL_DIR.glob("*.yaml")))
        raise LocalRulesError(f"{ENV}={name}: no rules/local/{name}.yaml (known: {known})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    base = data.pop("extends", None)
    if base:
        merged = load_local(base)
        out = {**merged, **{k: v for k, v in data.items() if k not in ("deadlines", "filer_types")}}
        out["deadlines"] = {**merged.get("deadlines", {}), **(data.get("deadlines") or {})}
        out["filer_types"] = {**merged.get("filer_types", {}), **(data.get("filer_types") or {})}
        data = out
    for key in ("deadlines", "not_before", "filer_types"):
        if key not in data:
            raise LocalRulesError(f"rules/local/{name}.yaml: missing {key}")
    for kind, spec in data["deadlines"].items():
        if spec is not None and not {"month", "day"} <= set(spec):
            raise LocalRulesError(f"rules/local/{name}.yaml: deadline {kind} needs month and day")
    return data


def current() -> dict:
    return load_local(local_name())
