"""The batch's Entries on disk: each one written once, after its chunk is validated, read back as the outputs
are written — so the main process never holds the findings of the whole batch.

A Sequence (len, iteration in input order, random access), so the output writers and the command line use it
as they would a list. Entries are pickled: the file lives only in this run's private temp folder (created
0700 by mkdtemp), written and read back by the same process — unlike the resume cache under --out, which
another user could write and which is therefore plain data.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from validator.model import Entry


class EntryStore(Sequence):
    """One Entry per input file, in input order; a few fields kept in memory for counts."""

    def __init__(self, folder: Path, size: int) -> None:
        self.path = Path(folder) / "entries.bin"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = open(self.path, "wb")  # noqa: SIM115 - held while the run validates
        self._reader = None
        self.offset = np.full(size, -1, dtype=np.int64)
        self.length = np.zeros(size, dtype=np.int64)
        self._end = 0
        self.statuses: list[str] = [""] * size  # interned status names: tally and exit code without loading

    def put(self, k: int, entry: Entry) -> None:
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        self._writer.write(data)
        self.offset[k], self.length[k] = self._end, len(data)
        self._end += len(data)
        self.statuses[k] = entry.status

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` entries: those after are context (last year's reports from the store,
        validated with the run) and no output lists them."""
        self.offset, self.length = self.offset[:size], self.length[:size]
        self.statuses = self.statuses[:size]

    def __len__(self) -> int:
        return len(self.offset)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self) or self.offset[k] < 0:
            raise IndexError(k)
        if self._writer is not None:
            self._writer.flush()
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        self._reader.seek(int(self.offset[k]))
        return pickle.loads(self._reader.read(int(self.length[k])))

    def __iter__(self) -> Iterator[Entry]:
        for k in range(len(self)):
            yield self[k]

    def close(self) -> None:
        for fh in (self._writer, self._reader):
            if fh is not None:
                fh.close()
        self._writer = self._reader = None
        try:
            os.unlink(self.path)
        except OSError:
            pass
