"""Enumerate the splits of one run of run-together cells into numbers of the cells' kinds.

See validator.locate.digit_runs for the reading rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from validator.readers.textnorm import FOLD_MAP

Number = int | float

KINDS = ("count", "signed", "amount")


@dataclass(frozen=True, slots=True)
class RunLimits:
    """How much work reading runs may take; beyond it a run stays ambiguous (nothing is invented)."""

    #: maximal number of splits enumerated per run; beyond it the run takes no part in the joint search
    split_limit: int = 5000
    #: steps allowed for listing the splits of all runs of one resolve() call …
    enum_budget: int = 15_000
    #: … and of one run
    run_budget: int = 6_000
    #: search nodes allowed per connected group of ambiguous runs before giving up
    search_budget: int = 20_000
    #: a run longer than this many characters per cell is not a run of numbers (unreadable)
    max_chars_per_cell: int = 24
    #: largest set of partial sums kept while pruning one relation; beyond it the relation does not prune
    sumset_cap: int = 4096
    #: a figure has at most this many digits before any decimal point (below 10**12: what a report can
    #: hold); a longer one is no reading, so a run that needs one is unreadable
    max_digits: int = 12

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"RunLimits.{f.name} must be a positive integer, not {value!r}")
        if self.run_budget > self.enum_budget:
            raise ValueError("RunLimits.run_budget must not exceed enum_budget")


LIMITS = RunLimits()


@dataclass(frozen=True)
class RunSpec:
    cells: tuple[str, ...]  # cell ids the run must fill, in column order
    text: str  # the raw run, e.g. "200 000121"
    kinds: tuple[str, ...]  # per cell: "count" | "signed" | "amount"
    whole: bool = False  # the run's whitespace tokens are whole figures (cells were apart): only placed
    #: the crawler may have deleted empty cells (nothing between two figures): a cell may take no character
    #: and is then blank (0 in the identities); a value is determined only if no such reading fits too
    blanks: bool = False


# ----------------------------------------------------------------------------------------------------------
# reading a run

_FOLD_TABLE = str.maketrans({**FOLD_MAP, ord("减"): "-", ord("增"): "+"})  # 减12 is −12 in 本年增/减
_DIGITS = frozenset("0123456789")
_ALLOWED = frozenset("0123456789+-.元万")
_UNITS = ("万元", "元")

Exact = int | Decimal
Split = tuple[Exact, ...]


def normalise(text: str) -> tuple[str, list[str]] | None:
    """(the run without separators, its whitespace tokens), or None when it is not made of numbers."""
    folded = text.translate(_FOLD_TABLE)
    tokens = folded.split()
    s = "".join(tokens).replace(",", "")
    if not s or not _ALLOWED.issuperset(s) or not _DIGITS.intersection(s):
        return None
    return s, tokens


def check_kinds(kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown cell kind {kind!r}; expected one of {KINDS}")


Mask = frozenset[int]  # positions a split leaves empty


class Reader:
    """All splits of one normalised run into len(kinds) numbers; with ``blanks``, cells may also be empty
    (a crawler deleted them): an empty cell takes no character and counts 0, and ``masks`` records, per
    split found, which positions it leaves empty (several masks when 0 and empty both give the split)."""

    __slots__ = ("_end", "_tok", "blanks", "k", "kinds", "masks", "max_digits", "n", "s")

    def __init__(
        self, s: str, kinds: tuple[str, ...], blanks: bool = False, max_digits: int = LIMITS.max_digits
    ):
        self.s = s
        self.max_digits = max_digits
        self.n = len(s)
        self.kinds = kinds
        self.k = len(kinds)
        self.blanks = blanks
        self.masks: dict[Split, set[Mask]] | None = {} if blanks else None
        self._tok: dict[tuple[str, int], list[tuple[int, Exact]]] = {}
        self._end: dict[str, list[list[tuple[int, Exact]]]] = {}

    def tokens(self, kind: str, pos: int) -> list[tuple[int, Exact]]:
        """(end, value) of every number of `kind` that starts at `pos`; `end` is past any unit."""
        key = (kind, pos)
        hit = self._tok.get(key)
        if hit is not None:
            return hit
        s, n = self.s, self.n
        out: list[tuple[int, Exact]] = []
        i = pos
        negative = False
        if kind == "signed" and i < n and s[i] in "+-":
            negative = s[i] == "-"
            i += 1
        if i < n and s[i] in _DIGITS:
            if s[i] == "0":
                int_ends = [i + 1]
            else:
                j = i + 1
                while j < n and s[j] in _DIGITS and j - i < self.max_digits:
                    j += 1
                int_ends = list(range(i + 1, j + 1))
            if kind == "amount":
                for e in int_ends:
                    ends: list[tuple[int, Exact]] = [(e, int(s[i:e]))]
                    if e + 1 < n and s[e] == "." and s[e + 1] in _DIGITS:
                        j = e + 1
                        while j < n and s[j] in _DIGITS:
                            j += 1
                        ends.extend((f, Decimal(s[i:f])) for f in range(e + 2, j + 1))
                    for end, value in ends:
                        for unit in _UNITS:
                            if s.startswith(unit, end):
                                end += len(unit)
                                break
                        out.append((end, value))
                out.sort(key=lambda t: t[0])
            else:
                for e in int_ends:
                    v = int(s[i:e])
                    out.append((e, -v if negative else v))
        self._tok[key] = out
        return out

    def count(self) -> int:
        """How many splits there are (without enumerating them)."""
        n, k, kinds, blanks = self.n, self.k, self.kinds, self.blanks
        ways: dict[int, int] = {0: 1}
        for i in range(k):
            nxt: dict[int, int] = {}
            rest = 0 if blanks else k - i - 1
            for pos, w in ways.items():
                if blanks:
                    nxt[pos] = nxt.get(pos, 0) + w
                for end, _ in self.tokens(kinds[i], pos):
                    if n - end < rest:
                        break
                    nxt[end] = nxt.get(end, 0) + w
            ways = nxt
        return ways.get(n, 0)

    def search(
        self,
        limit: int,
        rels: list[tuple[tuple[tuple[int, int], ...], Exact]] = (),
        steps: list[int] | None = None,
    ) -> tuple[list[Split], bool]:
        """Up to `limit` splits that satisfy `rels` (linear relations over the run's positions: terms
        (pos, coeff) and a constant), and whether the search stopped early (more splits than `limit`, or
        the step allowance `steps[0]` ran out; it is decremented in place).

        Depth-first over the cells with two prunings that keep long runs cheap: a state (cell, position,
        partial sums of the relations) that led nowhere once is not explored again, and a partial sum
        that the unread cells cannot bring back to 0 (each is below 10**(characters left)) stops the
        branch.
        """
        s, n, k, kinds, blanks = self.s, self.n, self.k, self.kinds, self.blanks
        if n == k and s.isdigit() and not blanks:  # one character per cell: the only split
            split = tuple(int(c) for c in s)
            return ([split] if all(holds(split, rel) for rel in rels) else []), False
        nq = len(rels)
        # With relations the cells are read right to left: the form's totals stand right of their parts, so
        # a total is known before its parts and bounds them. Without relations, left to right.
        backward = nq > 0
        partial: list[Exact] = [const for _, const in rels]
        touched: list[list[tuple[int, int]]] = [[] for _ in range(k)]  # cell → (relation, coeff)
        done_at: list[list[int]] = [[] for _ in range(k)]  # cell → relations complete once it is read
        # up[i][q] / down[i][q]: how far the cells still unread when cell i is next can raise / lower
        # relation q, in units of the largest value one of them can have
        up = [[0] * nq for _ in range(k)]
        down = [[0] * nq for _ in range(k)]
        for q, (terms, _) in enumerate(rels):
            coeff_of: dict[int, int] = {}
            for p, c in terms:
                coeff_of[p] = coeff_of.get(p, 0) + c
            for p, c in coeff_of.items():
                if c:
                    touched[p].append((q, c))
            done_at[min(coeff_of) if backward else max(coeff_of)].append(q)
            acc_up = acc_down = 0
            for i in range(k) if backward else range(k - 1, -1, -1):
                c = coeff_of.get(i, 0)
                signed = kinds[i] == "signed"
                acc_up += abs(c) if c > 0 or signed else 0
                acc_down += abs(c) if c < 0 or signed else 0
                up[i][q] = acc_up
                down[i][q] = acc_down
        out: list[Split] = []
        vals: list[Exact] = [0] * k
        empty = [False] * k
        masks = self.masks
        dead: set = set()
        stop = False
        allowance = steps if steps is not None else [1 << 62]

        # caps[i]: relations whose cells still unread when cell i is next (right to left) are all counts
        # with a negative coefficient: each of them is at most partial / |coeff|, so it has at most as many
        # digits (no leading zeros), which bounds how many characters the unread cells can take
        caps: list[list[tuple[int, list[tuple[int, int]]]]] = [[] for _ in range(k)]
        if backward:
            for q, (terms, _) in enumerate(rels):
                for i in range(k):
                    unread = [(p, c) for p, c in terms if p <= i]
                    if unread and all(c < 0 and kinds[p] == "count" for p, c in unread):
                        caps[i].append((q, unread))

        def found_one() -> None:
            split = tuple(vals)
            out.append(split)
            if masks is not None:
                masks.setdefault(split, set()).add(frozenset(p for p in range(k) if empty[p]))

        def feasible(i: int, end: int) -> bool:
            """Can the unread cells (i and the rest, covering the `end` characters left; each below
            10**room) still bring every sum to 0?"""
            room = end if blanks else end - i  # without blanks each other unread cell takes a character
            bound = 10**room
            up_i, down_i = up[i], down[i]
            for q in range(nq):
                if partial[q] + bound * up_i[q] < 0 or partial[q] - bound * down_i[q] > 0:
                    return False
            if caps[i]:
                longest = [room] * (i + 1)
                for q, unread in caps[i]:
                    for p, c in unread:
                        digits = len(str(partial[q] // -c)) if partial[q] >= 0 else 0
                        longest[p] = min(longest[p], digits)
                if sum(longest) < end:  # the unread cells cannot cover the characters left
                    return False
            return True

        def forward(i: int, pos: int) -> bool:
            nonlocal stop
            if i == k:
                if pos == n:
                    found_one()
                    if len(out) > limit:
                        stop = True
                    return True
                return False
            key = (i, pos)
            if key in dead:
                return False
            rest = 0 if blanks else k - i - 1
            found = False
            options = self.tokens(kinds[i], pos)
            if blanks:
                options = [(pos, 0), *options]
            for end, value in options:
                if n - end < rest:
                    break
                allowance[0] -= 1
                if allowance[0] < 0:
                    stop = True
                    return True
                vals[i] = value
                empty[i] = end == pos
                if forward(i + 1, end):
                    found = True
                if stop:
                    return True
            if not found:
                dead.add(key)
            return found

        def backward_(i: int, end: int) -> bool:
            nonlocal stop
            if i < 0:
                if end == 0:
                    found_one()
                    if len(out) > limit:
                        stop = True
                    return True
                return False
            key = (i, end, *partial)
            if key in dead:
                return False
            if not feasible(i, end):
                dead.add(key)
                return False
            found = False
            options = self.ending(kinds[i], end)
            if blanks:
                options = [(end, 0), *options]
            first = 0 if blanks else i  # without blanks each cell before i takes a character
            for start, value in options:
                if start < first:
                    break
                allowance[0] -= 1
                if allowance[0] < 0:
                    stop = True
                    return True
                vals[i] = value
                empty[i] = start == end
                for q, c in touched[i]:
                    partial[q] += c * value
                if all(partial[q] == 0 for q in done_at[i]) and backward_(i - 1, start):
                    found = True
                for q, c in touched[i]:
                    partial[q] -= c * value
                if stop:
                    return True
            if not found:
                dead.add(key)
            return found

        if n >= k or blanks:
            if backward:
                backward_(k - 1, n)
            else:
                forward(0, 0)
        if blanks:  # the same numbers with a 0 or an empty cell: one split, several masks
            out = list(dict.fromkeys(out))
        if stop:
            return out[:limit], True
        return out, False

    def ending(self, kind: str, end: int) -> list[tuple[int, Exact]]:
        """(start, value) of every number of `kind` that ends at `end` (past any unit), latest start first."""
        table = self._end.get(kind)
        if table is None:
            table = [[] for _ in range(self.n + 1)]
            for start in range(self.n):
                for e, value in self.tokens(kind, start):
                    table[e].append((start, value))
            for lst in table:
                lst.sort(key=lambda t: -t[0])
            self._end[kind] = table
        return table[end]

    def value_sets(self) -> list[list[Exact]]:
        """For each cell, every value it takes in some split (exact, without enumerating the splits)."""
        n, k, kinds, blanks = self.n, self.k, self.kinds, self.blanks
        fwd: list[set[int]] = [set() for _ in range(k + 1)]
        fwd[0].add(0)
        for i in range(k):
            for pos in fwd[i]:
                if blanks:
                    fwd[i + 1].add(pos)
                for end, _ in self.tokens(kinds[i], pos):
                    fwd[i + 1].add(end)
        bwd: list[set[int]] = [set() for _ in range(k + 1)]
        bwd[k].add(n)
        for i in range(k - 1, -1, -1):
            for pos in fwd[i]:
                if (blanks and pos in bwd[i + 1]) or any(
                    end in bwd[i + 1] for end, _ in self.tokens(kinds[i], pos)
                ):
                    bwd[i].add(pos)
        sets: list[list[Exact]] = []
        for i in range(k):
            live = fwd[i] & bwd[i]
            values = {v for pos in live for end, v in self.tokens(kinds[i], pos) if end in bwd[i + 1]}
            if blanks and any(pos in bwd[i + 1] for pos in live):
                values.add(0)  # an empty cell
            sets.append(sorted(values))
        return sets


def holds(vals, rel: tuple[tuple[tuple[int, int], ...], Exact]) -> bool:
    terms, const = rel
    total = const
    for p, c in terms:
        total += c * vals[p]
    return total == 0


def _token_reading(tokens: list[str], kinds: tuple[str, ...]) -> Split | None:
    """The split the whitespace suggests, when every token is exactly one valid number of its kind."""
    if len(tokens) != len(kinds):
        return None
    out = []
    for token, kind in zip(tokens, kinds):
        t = token.replace(",", "")
        reader = Reader(t, (kind,))
        full = [v for end, v in reader.tokens(kind, 0) if end == len(t)]
        if len(full) != 1:
            return None
        out.append(full[0])
    return tuple(out)


def public(v: Exact) -> Number:
    return float(v) if isinstance(v, Decimal) else v


def split_candidates(text: str, kinds: tuple[str, ...], limit: int = 5000) -> list[tuple[Number, ...]]:
    """Every way to read `text` as exactly len(kinds) numbers (at most `limit` of them).

    The reading that follows the text's whitespace, if it is one, comes first. Empty when the text is not
    made of numbers, cannot be split into len(kinds) valid numbers, or is absurdly long for them (more than
    ``LIMITS.max_chars_per_cell`` characters per cell).
    """
    kinds = tuple(kinds)
    check_kinds(kinds)
    norm = normalise(text)
    if norm is None or not kinds or limit <= 0 or len(norm[0]) > LIMITS.max_chars_per_cell * len(kinds):
        return []
    s, tokens = norm
    found, _ = Reader(s, kinds).search(limit)
    first = _token_reading(tokens, kinds)
    if first is not None and found and found[0] != first:
        if first in found:
            found.remove(first)
        else:  # the listing was cut short before reaching it
            found.pop()
        found.insert(0, first)
    return [tuple(public(v) for v in split) for split in found]
