"""The resume cache: what each file read as, keyed by content hash, under DIR/.ogi-cache/<fingerprint>/.

One small file per input, written atomically by the worker that read it, so an interrupted run loses
nothing. Entries are data only — zlib-compressed JSON, decoded by a closed set of tags and checked
against the shape of a ReportRow before use — never pickle: a file planted in the output folder is at
worst a cache miss, never code that runs on ``--resume``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
import threading
import zlib
from functools import cache
from pathlib import Path

import numpy as np

from validator import __version__
from validator.engine.frame import ReportRow
from validator.model import CellState, Provenance

CACHE_DIR = ".ogi-cache"
CACHE_FORMAT = "json-1"  # part of the fingerprint: entries of another format are never read
SUFFIX = ".json.z"
_ARRAY_KINDS = "fiub"  # numeric arrays only: an object array could hold anything
_PLACES = frozenset(Provenance.__slots__)
_STATES = frozenset(int(s) for s in CellState)


@cache
def tool_fingerprint() -> str:
    """Version plus a hash of everything that decides what a file reads as (readers, locator, forms)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__} {CACHE_FORMAT}".encode())
    sources = sorted(
        [
            *root.glob("readers/**/*.py"),
            *root.glob("locate/**/*.py"),
            *root.glob("catalogue/**/*.py"),
            *(
                root / n
                for n in (
                    "engine/frame.py",
                    "engine/identity.py",
                    "engine/similarity.py",
                    "model.py",
                    "api.py",
                    "batch/cache.py",
                )
            ),
        ]
    )
    from validator.catalogue import RULES_DIR

    sources += sorted((RULES_DIR / "templates").glob("*.yaml"))
    for path in sources:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{__version__}-{digest.hexdigest()[:12]}"


# ---------------------------------------------------------------------------------------------- codec


class InvalidEntry(ValueError):
    """Cache data that is not a valid entry: treated as a miss, the file is read again."""


_SCALARS = (str, int, float, bool, type(None))


def _encode(value):
    """Plain JSON plus three tags: $nd (numeric array), $t (tuple), $d (dict with keys JSON cannot key)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        if all(type(k) is str and not k.startswith("$") for k in value):
            if all(type(v) in _SCALARS for v in value.values()):
                return value  # the common case (raw text, provenance): nothing to tag
            return {k: _encode(v) for k, v in value.items()}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if kind is list:
        return [_encode(v) for v in value]
    if kind is tuple:
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"array of {value.dtype}")
        return {"$nd": value.dtype.str, "v": value.tolist()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | str):  # subclasses (IntEnum, str enums): as plain values
        return value
    for base in (dict, list, tuple):  # subclasses (defaultdict, namedtuple …): as their base
        if isinstance(value, base):
            return _encode(base(value))
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value):
    kind = type(value)
    if kind is list:
        return [_decode(v) for v in value]
    if kind is not dict:
        return value
    if "$nd" in value:
        dtype = np.dtype(str(value["$nd"]))
        if dtype.kind not in _ARRAY_KINDS or set(value) != {"$nd", "v"}:
            raise InvalidEntry("bad array")
        return np.array(value["v"], dtype=dtype)
    if "$t" in value:
        if set(value) != {"$t"}:
            raise InvalidEntry("bad tuple")
        return tuple(_decode(v) for v in value["$t"])
    if "$d" in value:
        if set(value) != {"$d"}:
            raise InvalidEntry("bad dict")
        out = {}
        for k, v in value["$d"]:
            key = _decode(k)
            out[tuple(key) if isinstance(key, list) else key] = _decode(v)
        return out
    if any(k.startswith("$") for k in value):
        raise InvalidEntry("unknown tag")
    if all(type(v) in _SCALARS for v in value.values()):
        return value
    return {k: _decode(v) for k, v in value.items()}


def row_to_data(row: ReportRow) -> dict:
    return {f.name: _encode(getattr(row, f.name)) for f in dataclasses.fields(ReportRow)}


def row_from_data(data: dict, width: int | None = None) -> ReportRow:
    """A ReportRow from its cache data, or ValueError when the data does not have a ReportRow's shape."""
    if not isinstance(data, dict):
        raise InvalidEntry("not a row")
    fields = {f.name: f for f in dataclasses.fields(ReportRow)}
    if set(data) - set(fields):
        raise InvalidEntry("unknown fields")
    kwargs = {name: _decode(value) for name, value in data.items()}
    values, states = kwargs.get("values"), kwargs.get("states")
    if not isinstance(values, np.ndarray) or values.dtype.kind != "f" or values.ndim != 1:
        raise InvalidEntry("values")
    if not isinstance(states, np.ndarray) or states.dtype.kind not in "iu" or states.shape != values.shape:
        raise InvalidEntry("states")
    if width is not None and values.shape != (width,):
        raise InvalidEntry("width")
    if not isinstance(kwargs.get("meta"), dict):
        raise InvalidEntry("meta")
    for name in ("raw", "provenance", "candidates", "section_texts"):
        if name in kwargs and not isinstance(kwargs[name], dict):
            raise InvalidEntry(name)
    return ReportRow(**kwargs)


def _check_cells(cells) -> dict | None:
    """The compact cell map of model.compact_report, or None; anything else is refused."""
    if cells is None:
        return None
    if not isinstance(cells, dict) or not isinstance(cells.get("cells"), dict):
        raise InvalidEntry("cells")
    for entry in cells["cells"].values():
        if not isinstance(entry, list) or len(entry) != 5 or not isinstance(entry[0], int):
            raise InvalidEntry("cell")
        if entry[1] is not None and not isinstance(entry[1], int | float):
            raise InvalidEntry("cell value")
        if entry[4] is not None and not (isinstance(entry[4], dict) and set(entry[4]) <= _PLACES):
            raise InvalidEntry("provenance")
        if entry[0] not in _STATES:
            raise InvalidEntry("cell state")
    return cells


def dumps(row: ReportRow | None, error: str | None, cells: dict | None) -> bytes:
    payload = {
        "format": CACHE_FORMAT,
        "row": row_to_data(row) if row is not None else None,
        "error": error,
        "cells": cells,  # plain JSON already (model.compact_report): lists, dicts, numbers, text
    }
    text = json.dumps(payload, ensure_ascii=False, allow_nan=True)
    # surrogatepass: a file name that is not UTF-8 (GBK names as unzip leaves them) is in the row's meta
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def loads(data: bytes, width: int | None = None) -> tuple[ReportRow | None, str | None, dict | None]:
    """(row, error, cells) from an entry's bytes; ValueError for anything that is not a valid entry."""
    try:
        payload = json.loads(zlib.decompress(data).decode("utf-8", "surrogatepass"), parse_constant=_constant)
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEntry(str(exc)) from None
    if not isinstance(payload, dict) or payload.get("format") != CACHE_FORMAT:
        raise InvalidEntry("format")
    error = payload.get("error")
    if error is not None and not isinstance(error, str):
        raise InvalidEntry("error")
    row = row_from_data(payload["row"], width) if payload.get("row") is not None else None
    if (row is None) == (error is None):
        raise InvalidEntry("an entry holds a row or an error")
    return row, error, _check_cells(payload.get("cells"))


def _constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


# ---------------------------------------------------------------------------------------------- store


class ResultCache:
    """What each file read as (ReportRow or error, and its compact cell map), one small file per entry."""

    def __init__(self, out_dir: Path, width: int | None = None) -> None:
        self.root = Path(out_dir) / CACHE_DIR
        self.dir = self.root / tool_fingerprint()
        self.width = width  # cells per row (the catalogue's), to refuse entries of another shape

    def prepare(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.root.iterdir():  # entries of other tool versions can never be used again
            if stale.is_dir() and stale != self.dir:
                shutil.rmtree(stale, ignore_errors=True)
        for temp in self.dir.glob(".tmp-*"):  # left by a run that was killed mid-write
            temp.unlink(missing_ok=True)

    def path(self, digest: str) -> Path:
        return self.dir / f"{digest}{SUFFIX}"

    def load(self, digest: str) -> tuple[ReportRow | None, str | None, dict | None] | None:
        """The entry for this content, or None (absent, unreadable or not a valid entry: read again)."""
        hit = self.load_bytes(digest)
        return hit[1] if hit is not None else None

    def load_bytes(
        self, digest: str
    ) -> tuple[bytes, tuple[ReportRow | None, str | None, dict | None]] | None:
        """The entry's bytes and what they decode to (checked), or None as ``load``."""
        try:
            data = self.path(digest).read_bytes()
            return data, loads(data, self.width)
        except (OSError, ValueError, TypeError, KeyError):
            return None


def store(path: Path, row: ReportRow | None, error: str | None, cells: dict | None) -> None:
    """Write one entry atomically (a temp file renamed into place)."""
    store_bytes(path, dumps(row, error, cells))


def store_bytes(path: Path, data: bytes) -> None:
    """Write one encoded entry atomically (a temp file renamed into place)."""
    temp = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")
    temp.write_bytes(data)
    os.replace(temp, path)
