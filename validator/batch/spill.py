"""Disk parts of a batch: what each file read as, appended as it arrives, so the main process holds none of it.

A worker hands back its result already encoded (the cache codec: compressed JSON, data only); the main
process appends those bytes to a part file in the run's temp folder and keeps only two integers per
file (offset, length). Validation and outputs read a file's row back when they need it, a chunk at a time,
so the main process's memory does not grow with the number of reports.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from validator.batch.cache import loads

PART_BYTES = 1 << 30  # a new part file every GiB: no single huge file on small temp file systems


class Spill:
    """Append-only encoded results, one slot per input file (``put`` once, ``get`` any number of times)."""

    def __init__(self, folder: Path, size: int, width: int | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.width = width
        self.part = np.full(size, -1, dtype=np.int32)
        self.offset = np.zeros(size, dtype=np.int64)
        self.length = np.zeros(size, dtype=np.int64)
        self._parts: list[Path] = []
        self._writer = None
        self._written = 0

    def _open(self) -> None:
        if self._writer is not None:
            self._writer.close()
        path = self.folder / f"part-{len(self._parts):04d}.bin"
        self._parts.append(path)
        self._writer = open(path, "ab")  # noqa: SIM115 - held while the run appends
        self._written = 0

    def put(self, k: int, data: bytes) -> None:
        if self._writer is None or self._written + len(data) > PART_BYTES:
            self._open()
        self._writer.write(data)
        self.part[k] = len(self._parts) - 1
        self.offset[k] = self._written
        self.length[k] = len(data)
        self._written += len(data)

    def grow(self, extra: int) -> int:
        """``extra`` more slots (rows that join the run as context, e.g. last year's from the store);
        returns the first new slot's index."""
        first = len(self.part)
        self.part = np.concatenate([self.part, np.full(extra, -1, dtype=np.int32)])
        self.offset = np.concatenate([self.offset, np.zeros(extra, dtype=np.int64)])
        self.length = np.concatenate([self.length, np.zeros(extra, dtype=np.int64)])
        return first

    def has(self, k: int) -> bool:
        return bool(self.part[k] >= 0)

    def get(self, k: int) -> bytes:
        if self._writer is not None:
            self._writer.flush()
        with open(self._parts[int(self.part[k])], "rb") as fh:
            fh.seek(int(self.offset[k]))
            return fh.read(int(self.length[k]))

    def load(self, k: int):
        """(ReportRow | None, error | None, compact cells | None) of file ``k``."""
        return loads(self.get(k), self.width)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        for path in self._parts:
            try:
                os.unlink(path)
            except OSError:
                pass
