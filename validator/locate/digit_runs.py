"""Split runs of table cells that a crawler glued together ("6000017", "200 000121", "1-10", "73802895.90元").

A crawled report often loses the boundaries between the cells of a table row: the seven cells of a 表三 row
(自然人 … 其他, 总计) come out as ``6000017`` (6,0,0,0,0,1,7) or ``200 000121`` (20,0,0,0,0,1,21), with spaces
that may sit in the wrong places (``10 0 0 0 01`` is 1,0,0,0,0,0,1). This module reads such a run as every
sequence of numbers it can be (``split_candidates``) and then lets the table's own identities choose
(``resolve``). A value is reported as determined only when the document allows exactly one reading of it;
everything else stays visibly ambiguous. Pure Python, no dependencies.

Reading rules (``split_candidates``):

* whitespace and commas are ignored when splitting (a misplaced space must not force a wrong value); the
  reading that follows the whitespace, when it has the right number of valid tokens, is listed first;
* ``count``: ``0`` or digits without a leading zero; ``signed``: the same with an optional leading ``+``/``-``
  (``增``/``减`` read as ``+``/``-``); ``amount``: a count optionally followed by ``.`` and digits, then
  optionally a unit ``元``/``万元`` which is dropped;
* full-width digits and signs are folded to ASCII; any other character makes the run unreadable.

Choosing (``resolve``):

1. every run gets its candidate splits; a cell on which all of them agree is ``unique`` (also when the run
   has other cells in doubt: in ``2648-18538`` read as 上一年项目数量, 本年增/减, 处理决定数量 the first
   cell is 2648 in every split);
2. each run's candidates are filtered by the relations whose cells all lie in that run or in ``known``
   (a row total, a known value). If none survives, the run contradicts itself: it keeps all its candidates
   and is never disambiguated by other runs (relations through its uncertain cells are not used);
3. the remaining relations link runs (column sums, balances). Relations whose value does not depend on any
   choice still open are left out: they hold or fail whatever is chosen, so they say nothing about the
   readings (a violated one is the validator's business, not a reason to refuse every reading). The rest
   are solved jointly per connected group of ambiguous runs: pruning by sum reachability (generalised arc
   consistency per linear relation), then a depth-first search with interval bounds. The candidates that
   occur in some solution survive;
4. if a group has no solution (the document is inconsistent there) or the search exceeds its budget, its
   runs fall back to the candidates of step 2: nothing is invented;
5. a cell is ``identity`` when all surviving candidates of its run agree on it, else ``ambiguous`` with the
   distinct values (sorted). Values are exact internally (``int``; ``Decimal`` for amounts with a decimal
   point) and returned as ``int`` or ``float``.

Work is bounded: a run with more than SPLIT_LIMIT splits, or whose listing exceeds its step allowance,
takes no part in step 3 and its cells are ``ambiguous`` with every value some split gives them (computed
without listing the splits); the joint search stops after SEARCH_BUDGET nodes per group (→ step 4).
A cell id may appear in only one run (ValueError otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from validator.readers.textnorm import FOLD_MAP

__all__ = ["KINDS", "Number", "Relation", "Resolution", "RunSpec", "resolve", "split_candidates"]

Number = int | float

KINDS = ("count", "signed", "amount")

#: maximal number of splits enumerated per run (resolve); beyond it the run takes no part in the joint search
SPLIT_LIMIT = 5000
#: steps allowed for listing the splits of all runs of one resolve() call, and of one run (beyond: ambiguous)
ENUM_BUDGET = 15_000
RUN_BUDGET = 6_000
#: search nodes allowed per connected group of ambiguous runs before giving up (→ fallback, nothing invented)
SEARCH_BUDGET = 20_000
#: a run longer than this many characters per cell is not a run of numbers (unreadable)
MAX_CHARS_PER_CELL = 24
#: largest set of partial sums kept while pruning one relation; beyond it the relation is not used to prune
SUMSET_CAP = 4096


@dataclass(frozen=True)
class RunSpec:
    cells: tuple[str, ...]  # cell ids the run must fill, in column order
    text: str  # the raw run, e.g. "200 000121"
    kinds: tuple[str, ...]  # per cell: "count" | "signed" | "amount"


@dataclass(frozen=True)
class Relation:
    coeffs: dict[str, int]  # sum(coeff * cell) == 0


@dataclass(frozen=True)
class Resolution:
    value: Number | None  # the value if determined
    candidates: tuple[Number, ...]  # distinct possible values when not determined (empty if determined)
    how: str  # "unique" | "identity" | "ambiguous" | "unreadable"


# ----------------------------------------------------------------------------------------------------------
# reading a run

_FOLD_TABLE = str.maketrans({**FOLD_MAP, ord("减"): "-", ord("增"): "+"})  # 减12 is −12 in 本年增/减
_DIGITS = frozenset("0123456789")
_ALLOWED = frozenset("0123456789+-.元万")
_UNITS = ("万元", "元")

Exact = int | Decimal
Split = tuple[Exact, ...]


def _normalise(text: str) -> tuple[str, list[str]] | None:
    """(the run without separators, its whitespace tokens), or None when it is not made of numbers."""
    folded = text.translate(_FOLD_TABLE)
    tokens = folded.split()
    s = "".join(tokens).replace(",", "")
    if not s or not _ALLOWED.issuperset(s) or not _DIGITS.intersection(s):
        return None
    return s, tokens


def _check_kinds(kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown cell kind {kind!r}; expected one of {KINDS}")


class _Reader:
    """All splits of one normalised run into len(kinds) numbers."""

    __slots__ = ("_end", "_tok", "k", "kinds", "n", "s")

    def __init__(self, s: str, kinds: tuple[str, ...]):
        self.s = s
        self.n = len(s)
        self.kinds = kinds
        self.k = len(kinds)
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
                while j < n and s[j] in _DIGITS:
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
        n, k, kinds = self.n, self.k, self.kinds
        ways: dict[int, int] = {0: 1}
        for i in range(k):
            nxt: dict[int, int] = {}
            rest = k - i - 1
            for pos, w in ways.items():
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
        s, n, k, kinds = self.s, self.n, self.k, self.kinds
        if n == k and s.isdigit():  # one character per cell: the only split
            split = tuple(int(c) for c in s)
            return ([split] if all(_holds(split, rel) for rel in rels) else []), False
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

        def feasible(i: int, room: int) -> bool:
            """Can the unread cells (i and the rest; each below 10**room) still bring every sum to 0?"""
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
                if sum(longest) < room + i:  # the unread cells cannot cover the characters left
                    return False
            return True

        def forward(i: int, pos: int) -> bool:
            nonlocal stop
            if i == k:
                if pos == n:
                    out.append(tuple(vals))
                    if len(out) > limit:
                        stop = True
                    return True
                return False
            key = (i, pos)
            if key in dead:
                return False
            rest = k - i - 1
            found = False
            for end, value in self.tokens(kinds[i], pos):
                if n - end < rest:
                    break
                allowance[0] -= 1
                if allowance[0] < 0:
                    stop = True
                    return True
                vals[i] = value
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
                    out.append(tuple(vals))
                    if len(out) > limit:
                        stop = True
                    return True
                return False
            key = (i, end, *partial)
            if key in dead:
                return False
            if not feasible(i, end - i):
                dead.add(key)
                return False
            found = False
            for start, value in self.ending(kinds[i], end):
                if start < i:
                    break
                allowance[0] -= 1
                if allowance[0] < 0:
                    stop = True
                    return True
                vals[i] = value
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

        if n >= k:
            if backward:
                backward_(k - 1, n)
            else:
                forward(0, 0)
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
        n, k, kinds = self.n, self.k, self.kinds
        fwd: list[set[int]] = [set() for _ in range(k + 1)]
        fwd[0].add(0)
        for i in range(k):
            for pos in fwd[i]:
                for end, _ in self.tokens(kinds[i], pos):
                    fwd[i + 1].add(end)
        bwd: list[set[int]] = [set() for _ in range(k + 1)]
        bwd[k].add(n)
        for i in range(k - 1, -1, -1):
            for pos in fwd[i]:
                if any(end in bwd[i + 1] for end, _ in self.tokens(kinds[i], pos)):
                    bwd[i].add(pos)
        sets: list[list[Exact]] = []
        for i in range(k):
            values = {
                v for pos in fwd[i] & bwd[i] for end, v in self.tokens(kinds[i], pos) if end in bwd[i + 1]
            }
            sets.append(sorted(values))
        return sets


def _holds(vals, rel: tuple[tuple[tuple[int, int], ...], Exact]) -> bool:
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
        reader = _Reader(t, (kind,))
        full = [v for end, v in reader.tokens(kind, 0) if end == len(t)]
        if len(full) != 1:
            return None
        out.append(full[0])
    return tuple(out)


def _public(v: Exact) -> Number:
    return float(v) if isinstance(v, Decimal) else v


def split_candidates(text: str, kinds: tuple[str, ...], limit: int = 5000) -> list[tuple[Number, ...]]:
    """Every way to read `text` as exactly len(kinds) numbers (at most `limit` of them).

    The reading that follows the text's whitespace, if it is one, comes first. Empty when the text is not
    made of numbers, cannot be split into len(kinds) valid numbers, or is absurdly long for them (more than
    MAX_CHARS_PER_CELL characters per cell).
    """
    kinds = tuple(kinds)
    _check_kinds(kinds)
    norm = _normalise(text)
    if norm is None or not kinds or limit <= 0 or len(norm[0]) > MAX_CHARS_PER_CELL * len(kinds):
        return []
    s, tokens = norm
    found, _ = _Reader(s, kinds).search(limit)
    first = _token_reading(tokens, kinds)
    if first is not None and found and found[0] != first:
        if first in found:
            found.remove(first)
        else:  # the listing was cut short before reaching it
            found.pop()
        found.insert(0, first)
    return [tuple(_public(v) for v in split) for split in found]


# ----------------------------------------------------------------------------------------------------------
# choosing with the relations


def _exact(value) -> Exact:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"known value {value!r} is not a finite number")
        return int(value) if value.is_integer() else Decimal(repr(value))
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"known value {value!r} is not a number") from exc
    return int(d) if d == d.to_integral_value() else d


@dataclass
class _Run:
    spec: RunSpec
    readable: bool = False
    raw: list[Split] | None = None  # None when the enumeration was capped
    sets: list[list[Exact]] | None = None  # per cell, every value of some split
    dom: list[Split] | None = None  # candidates after the within-run relations (None: unknown, capped)
    self_consistent: bool = False  # some candidate satisfies the within-run relations
    final: list[Split] | None = None


class _Budget(Exception):
    pass


def resolve(
    runs: list[RunSpec], relations: list[Relation], known: dict[str, Number] | None = None
) -> dict[str, Resolution]:
    """Values for every cell of every run: determined where the document allows exactly one reading.

    `relations` are the table's identities (sum(coeff·cell) == 0); `known` holds values already read
    elsewhere. Relations with a cell that is neither in a run nor known are not used.
    """
    known_x = {cell: _exact(v) for cell, v in (known or {}).items() if v is not None}
    where: dict[str, tuple[int, int]] = {}
    state: list[_Run] = []
    for r, spec in enumerate(runs):
        kinds = tuple(spec.kinds)
        if len(spec.cells) != len(kinds):
            raise ValueError(f"run {spec.text!r}: {len(spec.cells)} cells but {len(kinds)} kinds")
        _check_kinds(kinds)
        for p, cell in enumerate(spec.cells):
            if cell in where:
                raise ValueError(f"cell {cell} appears in more than one run")
            where[cell] = (r, p)
        state.append(_Run(spec))

    # relations as {run: ((pos, coeff), ...)} + constant; known values of run cells become equalities
    rels: list[tuple[dict[int, tuple[tuple[int, int], ...]], Exact]] = []
    for relation in relations:
        by_run: dict[int, list[tuple[int, int]]] = {}
        const: Exact = 0
        usable = True
        for cell, coeff in relation.coeffs.items():
            if not coeff:
                continue
            if cell in where:
                r, p = where[cell]
                by_run.setdefault(r, []).append((p, coeff))
            elif cell in known_x:
                const += coeff * known_x[cell]
            else:
                usable = False
                break
        if usable and by_run:
            rels.append(({r: tuple(t) for r, t in by_run.items()}, const))
    for cell, value in known_x.items():
        if cell in where:
            r, p = where[cell]
            rels.append(({r: ((p, 1),)}, -value))

    local: dict[int, list[tuple[tuple[tuple[int, int], ...], Exact]]] = {}
    cross: list[tuple[dict[int, tuple[tuple[int, int], ...]], Exact]] = []
    for by_run, const in rels:
        if len(by_run) == 1:
            ((r, terms),) = by_run.items()
            local.setdefault(r, []).append((terms, const))
        else:
            cross.append((by_run, const))

    # 1–2: candidates of each run, then its within-run relations. Listing splits is bounded per call and
    # per run (then the run stays ambiguous); runs with fewer splits go first so one monster run cannot
    # starve the ordinary ones.
    readers: list[tuple[int, int, _Reader]] = []
    for r, run in enumerate(state):
        norm = _normalise(run.spec.text)
        if norm is None or not run.spec.kinds or len(norm[0]) > MAX_CHARS_PER_CELL * len(run.spec.kinds):
            continue
        reader = _Reader(norm[0], tuple(run.spec.kinds))
        total = reader.count()
        if total:
            readers.append((total, r, reader))
    readers.sort(key=lambda t: (t[0], t[1]))
    left = ENUM_BUDGET
    for total, r, reader in readers:
        run = state[r]
        run.readable = True
        own = local.get(r, [])
        allowance = [min(left, RUN_BUDGET)]
        if total == 1:
            only, _ = reader.search(1)
            run.sets = [[v] for v in only[0]]
            run.raw = only
        else:
            run.sets = reader.value_sets()
        if run.raw is None and total <= SPLIT_LIMIT and not own:
            run.raw, capped = reader.search(SPLIT_LIMIT, (), allowance)
            if capped:
                run.raw = None
        if run.raw is not None:
            run.dom = [c for c in run.raw if all(_holds(c, rel) for rel in own)]
        elif own:
            dom, capped = reader.search(SPLIT_LIMIT, own, allowance)
            run.dom = None if capped else dom
        if run.dom == [] and run.raw is None and total <= SPLIT_LIMIT:
            # nothing satisfies the run's own relations: all its candidates, if they can be listed
            run.raw, capped = reader.search(SPLIT_LIMIT, (), allowance)
            if capped:
                run.raw = None
        left -= min(left, RUN_BUDGET) - max(allowance[0], 0)
        if run.dom:
            run.self_consistent = True
        elif run.dom is not None:  # no candidate satisfies the run's own relations
            run.dom = run.raw  # None if capped: all candidates unknown
        run.final = run.dom

    # 3: relations between runs, over the runs that still hesitate
    def contrib(cand: Split, terms: tuple[tuple[int, int], ...]) -> Exact:
        total: Exact = 0
        for p, c in terms:
            total += c * cand[p]
        return total

    open_rels: list[tuple[dict[int, list[Exact]], Exact]] = []  # {var run: contribution per dom index}, const
    for by_run, const in cross:
        variables: dict[int, list[Exact]] = {}
        usable = True
        for r, terms in by_run.items():
            run = state[r]
            if run.dom is None:
                usable = False
                break
            values = [contrib(c, terms) for c in run.dom]
            if len(set(values)) == 1:
                const += values[0]
            elif run.self_consistent:
                variables[r] = values
            else:
                usable = False  # a run that contradicts itself is never chosen by others
                break
        if usable and variables:
            open_rels.append((variables, const))

    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for variables, _ in open_rels:
        vs = list(variables)
        for v in vs[1:]:
            parent[find(v)] = find(vs[0])
        find(vs[0])
    groups: dict[int, list[int]] = {}
    for rel_index, (variables, _) in enumerate(open_rels):
        groups.setdefault(find(next(iter(variables))), []).append(rel_index)
    for rel_indices in groups.values():
        group_rels = [open_rels[i] for i in rel_indices]
        supported = _solve(group_rels, {r: len(state[r].dom) for vs, _ in group_rels for r in vs})
        if supported is None:
            continue  # 4: inconsistent or too big: keep the within-run candidates
        for r, indices in supported.items():
            dom = state[r].dom
            state[r].final = [dom[i] for i in sorted(indices)]

    # 5: per cell
    out: dict[str, Resolution] = {}
    for run in state:
        cells = run.spec.cells
        if not run.readable:
            for cell in cells:
                out[cell] = Resolution(None, (), "unreadable")
            continue
        for p, cell in enumerate(cells):
            raw_values = run.sets[p]
            if len(raw_values) == 1:
                out[cell] = Resolution(_public(raw_values[0]), (), "unique")
                continue
            if run.final is None:
                out[cell] = Resolution(None, tuple(_public(v) for v in raw_values), "ambiguous")
                continue
            values = sorted({c[p] for c in run.final})
            if len(values) == 1:
                out[cell] = Resolution(_public(values[0]), (), "identity")
            else:
                out[cell] = Resolution(None, tuple(_public(v) for v in values), "ambiguous")
    return out


def _solve(
    rels: list[tuple[dict[int, list[Exact]], Exact]], sizes: dict[int, int]
) -> dict[int, set[int]] | None:
    """Candidate indices of each run that occur in some joint solution; None if there is none, or if the
    search exceeds its budget."""
    alive = {r: list(range(n)) for r, n in sizes.items()}
    if not _prune(rels, alive):
        return None
    order = sorted(alive, key=lambda r: len(alive[r]))
    depth_of = {r: d for d, r in enumerate(order)}
    nv = len(order)
    # per depth: (relation index, contributions) of the run assigned there; remaining bounds per relation
    at_depth: list[list[tuple[int, list[Exact]]]] = [[] for _ in range(nv)]
    lo: list[list[Exact]] = []
    hi: list[list[Exact]] = []
    for q, (variables, _) in enumerate(rels):
        lo_q: list[Exact] = [0] * (nv + 1)
        hi_q: list[Exact] = [0] * (nv + 1)
        mins = {}
        maxs = {}
        for r, values in variables.items():
            at_depth[depth_of[r]].append((q, values))
            live = [values[i] for i in alive[r]]
            mins[depth_of[r]] = min(live)
            maxs[depth_of[r]] = max(live)
        for d in range(nv - 1, -1, -1):
            lo_q[d] = lo_q[d + 1] + mins.get(d, 0)
            hi_q[d] = hi_q[d + 1] + maxs.get(d, 0)
        lo.append(lo_q)
        hi.append(hi_q)
    residual: list[Exact] = [const for _, const in rels]
    supported: dict[int, set[int]] = {r: set() for r in order}
    chosen = [0] * nv
    need = sum(len(alive[r]) for r in order)
    count = 0
    nodes = 0

    def bt(d: int) -> bool:
        nonlocal count, nodes
        if d == nv:
            for dd in range(nv):
                bucket = supported[order[dd]]
                if chosen[dd] not in bucket:
                    bucket.add(chosen[dd])
                    count += 1
            return count == need  # every candidate is in some solution: nothing more to learn
        touched = at_depth[d]
        for ci in alive[order[d]]:
            nodes += 1
            if nodes > SEARCH_BUDGET:
                raise _Budget
            for q, values in touched:
                residual[q] += values[ci]
            ok = True
            for q, _ in touched:
                rest = residual[q]
                if rest + lo[q][d + 1] > 0 or rest + hi[q][d + 1] < 0:
                    ok = False
                    break
            done = False
            if ok:
                chosen[d] = ci
                done = bt(d + 1)
            for q, values in touched:
                residual[q] -= values[ci]
            if done:
                return True
        return False

    try:
        bt(0)
    except _Budget:
        return None
    if count == 0:
        return None
    return supported


def _prune(rels: list[tuple[dict[int, list[Exact]], Exact]], alive: dict[int, list[int]]) -> bool:
    """Remove candidates that cannot satisfy some relation whatever the other runs read (sum reachability,
    to a fixpoint). False when a run has no candidate left: no joint solution."""
    changed = True
    while changed:
        changed = False
        for variables, const in rels:
            vs = list(variables)
            valsets = [{variables[r][i] for i in alive[r]} for r in vs]
            prefix = [{0}]
            suffix = [{0}]
            too_big = False
            for vals in valsets[:-1]:
                nxt = {a + b for a in prefix[-1] for b in vals}
                if len(nxt) > SUMSET_CAP:
                    too_big = True
                    break
                prefix.append(nxt)
            if too_big:
                continue
            for vals in reversed(valsets[1:]):
                nxt = {a + b for a in suffix[-1] for b in vals}
                if len(nxt) > SUMSET_CAP:
                    too_big = True
                    break
                suffix.append(nxt)
            if too_big:
                continue
            suffix.reverse()  # suffix[j]: sums of the runs after vs[j]
            for j, r in enumerate(vs):
                before, after = prefix[j], suffix[j]
                ok_values = set()
                small, large = (before, after) if len(before) <= len(after) else (after, before)
                for x in valsets[j]:
                    target = -(const + x)
                    if any((target - b) in large for b in small):
                        ok_values.add(x)
                if len(ok_values) < len(valsets[j]):
                    values = variables[r]
                    alive[r] = [i for i in alive[r] if values[i] in ok_values]
                    changed = True
                    if not alive[r]:
                        return False
    return True
