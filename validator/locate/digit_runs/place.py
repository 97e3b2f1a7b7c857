"""Enumerate the placements of a run whose empty cells the crawler deleted (positions lost).

``5 1 6`` for a seven-cell row is three whole numbers in order, with four cells left empty somewhere:
every choice of three positions (where each number is valid for its cell's kind) is a candidate. Empty
cells count as 0 in the form's identities; each candidate remembers which positions it leaves empty, so
that a cell is read as blank only when every surviving candidate leaves it empty.
"""

from __future__ import annotations

from itertools import combinations

from validator.locate.digit_runs.split import LIMITS, Exact, Reader, Split, holds, normalise

Mask = frozenset[int]  # positions left empty


def whole_tokens(
    text: str, kinds: tuple[str, ...], max_digits: int = LIMITS.max_digits
) -> list[dict[str, Exact]] | None:
    """The run's whitespace tokens as whole numbers (per kind they are valid for), or None."""
    norm = normalise(text)
    if norm is None:
        return None
    out: list[dict[str, Exact]] = []
    for token in norm[1]:
        t = token.replace(",", "")
        values: dict[str, Exact] = {}
        for kind in set(kinds):
            reader = Reader(t, (kind,), max_digits=max_digits)
            full = [v for end, v in reader.tokens(kind, 0) if end == len(t)]
            if len(full) == 1:
                values[kind] = full[0]
        if not values:
            return None
        out.append(values)
    return out


class Placements:
    """Every way to put the run's whole numbers, in order, into fewer-or-equal cells, the rest empty."""

    def __init__(self, tokens: list[dict[str, Exact]], kinds: tuple[str, ...], limit: int) -> None:
        self.kinds = kinds
        self.masks: dict[Split, set[Mask]] = {}
        self.capped = False
        self.splits: list[Split] = []
        k, m = len(kinds), len(tokens)
        for positions in combinations(range(k), m):
            values: list[Exact] = [0] * k
            ok = True
            for token, p in zip(tokens, positions):
                value = token.get(kinds[p])
                if value is None:
                    ok = False
                    break
                values[p] = value
            if not ok:
                continue
            split = tuple(values)
            if split not in self.masks:
                if len(self.splits) >= limit:
                    self.capped = True
                    break
                self.splits.append(split)
                self.masks[split] = set()
            self.masks[split].add(frozenset(set(range(k)) - set(positions)))

    def count(self) -> int:
        return len(self.splits)

    def search(self, limit: int, rels=(), steps: list[int] | None = None) -> tuple[list[Split], bool]:
        found = [s for s in self.splits if all(holds(s, rel) for rel in rels)]
        if steps is not None:
            steps[0] -= len(self.splits)
        return found[:limit], self.capped or len(found) > limit

    def value_sets(self) -> list[list[Exact]]:
        return [sorted({s[p] for s in self.splits}) for p in range(len(self.kinds))]


class Either:
    """A run that may be cells run together or whole numbers whose positions were lost: both readings."""

    def __init__(self, reader: Reader | None, placements: Placements) -> None:
        self.reader = reader
        self.placements = placements
        self.masks = placements.masks

    def count(self) -> int:
        return (self.reader.count() if self.reader else 0) + self.placements.count()

    def search(self, limit: int, rels=(), steps: list[int] | None = None) -> tuple[list[Split], bool]:
        found, capped = self.placements.search(limit, rels, steps)
        if self.reader is not None:
            more, capped_more = self.reader.search(limit, rels, steps)
            capped = capped or capped_more
            for split in more:
                if split not in self.masks:
                    found.append(split)
                self.masks.setdefault(split, set()).add(frozenset())
        return found[:limit], capped or len(found) > limit

    def value_sets(self) -> list[list[Exact]]:
        sets = self.placements.value_sets()
        if self.reader is not None:
            sets = [sorted(set(a) | set(b)) for a, b in zip(sets, self.reader.value_sets())]
        return sets
