"""The batch's per-file items in columns, so that what the main process holds for the whole run is a few
bytes per file in arrays, not Python objects: measured on generated reports, a slotted InputFile and
ReadItem per file (name, path, hash, agency, year, seconds) held about 0.5 KB a file, and their
allocations interleaved with the reading's left the allocator's arenas fragmented.

Names and paths are UTF-8 in one growing buffer (surrogatepass: a file name that is not UTF-8 comes back
exactly), hashes 32 raw bytes, agency names interned once per agency, numbers in numpy arrays; errors,
rare, in a dict. ``items[k]`` is a view with the attributes of pool.ReadItem (``.input.display``,
``.error``, ``.ident`` …), read and written through to the columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

_HEX = re.compile(r"[0-9a-f]{64}")
_NO_YEAR = np.iinfo(np.int64).min  # ident's year None
_ODD_YEAR = _NO_YEAR + 1  # ident's year not an int: kept as it is in ``_odd_years``


class _Texts:
    """Append-only texts (or None) in one UTF-8 buffer with offsets."""

    __slots__ = ("_buffer", "_end", "_size", "_start")

    def __init__(self, capacity: int = 0) -> None:
        self._buffer = bytearray()
        self._start = np.zeros(max(capacity, 16), dtype=np.int64)
        self._end = np.zeros(max(capacity, 16), dtype=np.int64)
        self._size = 0

    def append(self, text: str | None) -> None:
        if self._size == len(self._start):
            grown = max(16, 2 * self._size)
            self._start = np.resize(self._start, grown)
            self._end = np.resize(self._end, grown)
        if text is None:
            self._start[self._size] = self._end[self._size] = -1
        else:
            self._start[self._size] = len(self._buffer)
            self._buffer += text.encode("utf-8", "surrogatepass")
            self._end[self._size] = len(self._buffer)
        self._size += 1

    def __getitem__(self, k: int) -> str | None:
        start = int(self._start[k])
        if start < 0:
            return None
        return self._buffer[start : int(self._end[k])].decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return self._size


class ReadItems(Sequence):
    """One item per input file, in input order (see the module's docstring)."""

    def __init__(self, capacity: int = 0) -> None:
        self._display = _Texts(capacity)
        self._path = _Texts(0)  # only the paths that differ from the display name (zip members' copies)
        self._path_at = np.zeros(capacity, dtype=np.int32)  # 0 none, -1 the display name, else 1 + index
        self._digest = np.zeros((capacity, 32), dtype=np.uint8)
        self._odd_digests: dict[int, str] = {}  # a digest that is not a sha256 in hex, as it came
        self._has_digest = np.zeros(capacity, dtype=bool)
        self._input_error: dict[int, str] = {}
        self._error: dict[int, str] = {}
        self._cached = np.zeros(capacity, dtype=bool)
        self._seconds = np.zeros(capacity, dtype=np.float64)
        self._has_ident = np.zeros(capacity, dtype=bool)
        self._agency = np.full(capacity, -1, dtype=np.int32)  # index into _agencies, -1 None
        self._year = np.full(capacity, _NO_YEAR, dtype=np.int64)
        self._odd_years: dict[int, object] = {}
        self._odd_agencies: dict[int, object] = {}  # an agency that is not text, as it came
        self._agencies: list[str] = []
        self._agency_index: dict[str, int] = {}
        self._size = 0

    @classmethod
    def of(cls, items: Iterable) -> ReadItems:
        """From InputFile objects (collect's) or ReadItem-like objects (with ``.input``)."""
        items = list(items) if not isinstance(items, Sequence) else items
        out = cls(len(items))
        for item in items:
            out.append(item)
        return out

    def append(self, item) -> None:
        """Add an InputFile (an item not read yet) or a ReadItem-like object."""
        source = getattr(item, "input", item)
        k = self._size
        if k == len(self._path_at):
            self._grow(max(16, 2 * k))
        self._size += 1
        display = source.display
        self._display.append(display)
        path = source.path
        if path is None:
            self._path_at[k] = 0
        elif path == display:
            self._path_at[k] = -1
        else:
            self._path.append(path)
            self._path_at[k] = len(self._path)
        self.set_digest(k, source.digest)
        if source.error is not None:
            self._input_error[k] = source.error
        if item is source:
            self.set_error(k, source.error)
        else:
            self.set_error(k, item.error)
            self._cached[k] = item.cached
            self._seconds[k] = item.seconds
            self.set_ident(k, item.ident)

    def _grow(self, size: int) -> None:
        def grown(array: np.ndarray, fill) -> np.ndarray:
            out = np.full(size, fill, dtype=array.dtype)
            out[: len(array)] = array
            return out

        self._path_at = grown(self._path_at, 0)
        digest = np.zeros((size, 32), dtype=np.uint8)
        digest[: len(self._digest)] = self._digest
        self._digest = digest
        self._has_digest = grown(self._has_digest, False)
        self._cached = grown(self._cached, False)
        self._seconds = grown(self._seconds, 0.0)
        self._has_ident = grown(self._has_ident, False)
        self._agency = grown(self._agency, -1)
        self._year = grown(self._year, _NO_YEAR)

    def __add__(self, other: Iterable) -> ReadItems:
        """These items followed by ``other``'s (e.g. last year's reports from the store), a new sequence."""
        out = ReadItems(self._size)
        for item in self:
            out.append(item)
        for item in other:
            out.append(item)
        return out

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._size))]
        if k < 0:
            k += self._size
        if not 0 <= k < self._size:
            raise IndexError(k)
        return ItemView(self, k)

    def __iter__(self) -> Iterator[ItemView]:
        for k in range(self._size):
            yield ItemView(self, k)

    # ------------------------------------------------------------------------------------------ fields

    def display(self, k: int) -> str:
        return self._display[k]

    def path(self, k: int) -> str | None:
        at = int(self._path_at[k])
        if at == 0:
            return None
        return self._display[k] if at < 0 else self._path[at - 1]

    def digest(self, k: int) -> str | None:
        if not self._has_digest[k]:
            return self._odd_digests.get(k)
        return self._digest[k].tobytes().hex()

    def set_digest(self, k: int, digest: str | None) -> None:
        self._has_digest[k] = False
        self._odd_digests.pop(k, None)
        if digest is None:
            return
        if len(digest) == 64 and _HEX.fullmatch(digest) and digest == digest.lower():
            self._digest[k] = np.frombuffer(bytes.fromhex(digest), dtype=np.uint8)
            self._has_digest[k] = True
        else:
            self._odd_digests[k] = digest

    def input_error(self, k: int) -> str | None:
        return self._input_error.get(k)

    def set_input_error(self, k: int, error: str | None) -> None:
        if error is None:
            self._input_error.pop(k, None)
        else:
            self._input_error[k] = error

    def error(self, k: int) -> str | None:
        return self._error.get(k)

    def set_error(self, k: int, error: str | None) -> None:
        if error is None:
            self._error.pop(k, None)
        else:
            self._error[k] = error

    def ident(self, k: int) -> tuple | None:
        if not self._has_ident[k]:
            return None
        at = int(self._agency[k])
        agency = self._agencies[at] if at >= 0 else self._odd_agencies.get(k)
        year = int(self._year[k])
        if year == _NO_YEAR:
            year = None
        elif year == _ODD_YEAR:
            year = self._odd_years[k]
        return agency, year

    def set_ident(self, k: int, ident: tuple | None) -> None:
        self._odd_years.pop(k, None)
        self._odd_agencies.pop(k, None)
        if ident is None:
            self._has_ident[k] = False
            return
        agency, year = ident
        self._has_ident[k] = True
        if isinstance(agency, str):
            at = self._agency_index.get(agency)
            if at is None:
                at = self._agency_index[agency] = len(self._agencies)
                self._agencies.append(agency)
            self._agency[k] = at
        else:
            self._agency[k] = -1
            if agency is not None:
                self._odd_agencies[k] = agency
        if year is None:
            self._year[k] = _NO_YEAR
        elif type(year) is int and _ODD_YEAR < year:
            self._year[k] = year
        else:
            self._year[k] = _ODD_YEAR
            self._odd_years[k] = year

    def cached_count(self) -> int:
        return int(self._cached[: self._size].sum())


class InputView:
    """``item.input`` of a view: the file's display name, path, hash and collection error."""

    __slots__ = ("_items", "_k")

    def __init__(self, items: ReadItems, k: int) -> None:
        self._items, self._k = items, k

    display = property(lambda self: self._items.display(self._k))
    path = property(lambda self: self._items.path(self._k))
    digest = property(
        lambda self: self._items.digest(self._k), lambda self, v: self._items.set_digest(self._k, v)
    )
    error = property(
        lambda self: self._items.input_error(self._k),
        lambda self, v: self._items.set_input_error(self._k, v),
    )


class ItemView:
    """``items[k]``: pool.ReadItem's attributes over the columns."""

    __slots__ = ("_items", "_k")

    def __init__(self, items: ReadItems, k: int) -> None:
        self._items, self._k = items, k

    @property
    def input(self) -> InputView:
        return InputView(self._items, self._k)

    error = property(
        lambda self: self._items.error(self._k), lambda self, v: self._items.set_error(self._k, v)
    )
    ident = property(
        lambda self: self._items.ident(self._k), lambda self, v: self._items.set_ident(self._k, v)
    )

    @property
    def cached(self) -> bool:
        return bool(self._items._cached[self._k])

    @cached.setter
    def cached(self, value: bool) -> None:
        self._items._cached[self._k] = value

    @property
    def seconds(self) -> float:
        return float(self._items._seconds[self._k])

    @seconds.setter
    def seconds(self, value: float) -> None:
        self._items._seconds[self._k] = value
