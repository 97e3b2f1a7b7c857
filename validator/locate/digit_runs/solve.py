"""Choose among the splits of runs with the form's identities (see validator.locate.digit_runs).

``resolve`` goes in named steps: index the runs, turn the relations into per-run terms, list each run's
candidates and filter them by its own relations, link the runs that still hesitate through the relations
between them and solve each connected group jointly, then say per cell what is determined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from validator.locate.digit_runs.joint import solve_group
from validator.locate.digit_runs.place import Either, Mask, Placements, whole_tokens
from validator.locate.digit_runs.split import (
    LIMITS,
    Exact,
    Number,
    Reader,
    RunLimits,
    RunSpec,
    Split,
    check_kinds,
    holds,
    normalise,
    public,
)


@dataclass(frozen=True)
class Relation:
    coeffs: dict[str, int]  # sum(coeff * cell) == 0


@dataclass(frozen=True)
class Resolution:
    value: Number | None  # the value if determined
    candidates: tuple[Number, ...]  # distinct possible values when not determined (empty if determined)
    how: str  # "unique" | "identity" | "blank" (an empty cell the crawler deleted) | "ambiguous" | "unreadable"


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
    masks: dict[Split, set[Mask]] | None = None  # positions each candidate leaves empty (cells may be empty)


Terms = tuple[tuple[int, int], ...]  # (position in the run, coefficient)
RunRelation = tuple[dict[int, Terms], Exact]  # {run: terms} + constant: sum == 0
OpenRelation = tuple[dict[int, list[Exact]], Exact]  # {run: contribution per candidate} + constant


def resolve(
    runs: list[RunSpec],
    relations: list[Relation],
    known: dict[str, Number] | None = None,
    limits: RunLimits = LIMITS,
) -> dict[str, Resolution]:
    """Values for every cell of every run: determined where the document allows exactly one reading.

    `relations` are the table's identities (sum(coeff·cell) == 0); `known` holds values already read
    elsewhere. Relations with a cell that is neither in a run nor known are not used.
    """
    known_x = {cell: _exact(v) for cell, v in (known or {}).items() if v is not None}
    lost = [spec for spec in runs if _positions_maybe_lost(spec)]
    out: dict[str, Resolution] = {}
    for spec in lost:  # placed by the row's own identities only (see _positions_maybe_lost)
        cells = set(spec.cells)
        own = [rel for rel in relations if cells.issuperset(c for c, k in rel.coeffs.items() if k)]
        out.update(_resolve([spec], own, {}, limits))
    settled = {
        cell: _exact(r.value if r.value is not None else 0) for cell, r in out.items() if r.how != "ambiguous"
    }
    settled = {c: v for c, v in settled.items() if out[c].how != "unreadable"}
    rest = [spec for spec in runs if spec not in lost]
    out.update(_resolve(rest, relations, {**known_x, **settled}, limits))
    return out


def _positions_maybe_lost(spec: RunSpec) -> bool:
    """Fewer whole numbers than cells: empty cells may have been deleted. Such a run is placed by its own
    row's identities only: placements are so many that relations through other rows (or known values)
    could pick one that hides a real error elsewhere, reading a wrong value where the document is wrong."""
    norm = normalise(spec.text)
    if norm is None or not whole_tokens(spec.text, spec.kinds):
        return False
    if spec.whole:  # whole figures (cells were apart): as many as cells is the one placement
        return 1 <= len(norm[1]) <= len(spec.kinds)
    return 2 <= len(norm[1]) < len(spec.kinds)


def _resolve(
    runs: list[RunSpec], relations: list[Relation], known_x: dict[str, Exact], limits: RunLimits
) -> dict[str, Resolution]:
    state, where = _index_runs(runs)
    local, cross = _split_relations(_run_relations(relations, where, known_x))
    _list_candidates(state, local, limits)
    _choose_jointly(state, _open_relations(state, cross), limits)
    return _per_cell(state)


def _index_runs(runs: list[RunSpec]) -> tuple[list[_Run], dict[str, tuple[int, int]]]:
    """One state per run, and where each cell sits (run, position); a cell may sit in one run only."""
    where: dict[str, tuple[int, int]] = {}
    state: list[_Run] = []
    for r, spec in enumerate(runs):
        kinds = tuple(spec.kinds)
        if len(spec.cells) != len(kinds):
            raise ValueError(f"run {spec.text!r}: {len(spec.cells)} cells but {len(kinds)} kinds")
        check_kinds(kinds)
        for p, cell in enumerate(spec.cells):
            if cell in where:
                raise ValueError(f"cell {cell} appears in more than one run")
            where[cell] = (r, p)
        state.append(_Run(spec))
    return state, where


def _run_relations(
    relations: list[Relation], where: dict[str, tuple[int, int]], known_x: dict[str, Exact]
) -> list[RunRelation]:
    """Relations as {run: terms} + constant (known cells folded in); known run cells become equalities."""
    rels: list[RunRelation] = []
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
    return rels


def _split_relations(
    rels: list[RunRelation],
) -> tuple[dict[int, list[tuple[Terms, Exact]]], list[RunRelation]]:
    """Relations within one run, by run; and relations between runs."""
    local: dict[int, list[tuple[Terms, Exact]]] = {}
    cross: list[RunRelation] = []
    for by_run, const in rels:
        if len(by_run) == 1:
            ((r, terms),) = by_run.items()
            local.setdefault(r, []).append((terms, const))
        else:
            cross.append((by_run, const))
    return local, cross


def _readers(state: list[_Run], limits: RunLimits) -> list[tuple[int, int, Reader | Either]]:
    """(number of candidates, run, reader) of every readable run, fewest candidates first. A run of fewer
    whole numbers than cells may also be numbers whose empty cells were deleted: both readings count."""
    readers: list[tuple[int, int, Reader | Either]] = []
    for r, run in enumerate(state):
        norm = normalise(run.spec.text)
        kinds = tuple(run.spec.kinds)
        if norm is None or not kinds or len(norm[0]) > limits.max_chars_per_cell * len(kinds):
            continue
        reader: Reader | Either | None = Reader(norm[0], kinds, max_digits=limits.max_digits)
        total = 0 if run.spec.whole else reader.count()
        if not total and _may_have_blanks(run.spec):  # too few figures: some cells must have been empty
            reader = Reader(norm[0], kinds, blanks=True, max_digits=limits.max_digits)
            run.masks = reader.masks
            total = reader.count()
        elif _positions_maybe_lost(run.spec):
            tokens = whole_tokens(run.spec.text, kinds, limits.max_digits)
            if tokens:
                placements = Placements(tokens, kinds, limits.split_limit)
                if placements.count():
                    reader = Either(reader if total else None, placements)
                    run.masks = reader.masks
                    total = reader.count()
        if total:
            readers.append((total, r, reader))
    readers.sort(key=lambda t: (t[0], t[1]))
    return readers


def _list_candidates(
    state: list[_Run], local: dict[int, list[tuple[Terms, Exact]]], limits: RunLimits
) -> None:
    """Steps 1–2: each run's candidates, then those its own relations allow. Listing is bounded per call
    and per run (then the run stays ambiguous); runs with fewer splits go first so one monster run cannot
    starve the ordinary ones."""
    left = limits.enum_budget
    for total, r, reader in _readers(state, limits):
        allowance = [min(left, limits.run_budget)]
        _candidates_of(state[r], reader, total, local.get(r, []), allowance, limits)
        left -= min(left, limits.run_budget) - max(allowance[0], 0)


def _candidates_of(
    run: _Run,
    reader: Reader | Either,
    total: int,
    own: list[tuple[Terms, Exact]],
    allowance: list[int],
    limits: RunLimits,
) -> None:
    run.readable = True
    if total == 1:
        only, _ = reader.search(1)
        run.sets = [[v] for v in only[0]]
        run.raw = only
    else:
        run.sets = reader.value_sets()
    listable = total <= limits.split_limit
    if run.raw is None and listable and not own:
        run.raw = _all_splits(reader, allowance, limits)
    if run.raw is not None:
        run.dom = [c for c in run.raw if all(holds(c, rel) for rel in own)]
    elif own:
        dom, capped = reader.search(limits.split_limit, own, allowance)
        run.dom = None if capped else dom
    if run.dom == [] and run.raw is None and listable:
        # nothing satisfies the run's own relations: all its candidates, if they can be listed
        run.raw = _all_splits(reader, allowance, limits)
    if run.dom:
        run.self_consistent = True
    elif run.dom is not None:  # no candidate satisfies the run's own relations
        run.dom = run.raw  # None if capped: all candidates unknown
    run.final = run.dom
    filled = isinstance(reader, Reader) and not reader.blanks
    if not run.self_consistent and own and filled and _may_have_blanks(run.spec):
        gapped = Reader(reader.s, reader.kinds, blanks=True, max_digits=limits.max_digits)
        _read_with_blanks(run, gapped, own, allowance, limits)


def _may_have_blanks(spec: RunSpec) -> bool:
    return spec.blanks and not spec.whole


def _read_with_blanks(
    run: _Run, reader: Reader, own: list[tuple[Terms, Exact]], allowance: list[int], limits: RunLimits
) -> None:
    """No reading with every cell filled fits the run's own identities: perhaps the crawler deleted empty
    cells. If some reading with empty cells fits, those readings are the run's candidates (a value only
    where all agree, on the number and on the cell being empty or not); if the listing is cut short, every
    cell is in doubt. If none fits either, the run contradicts itself whatever was deleted: it keeps its
    readings without empty cells (the identity is broken under every reading)."""
    dom, capped = reader.search(limits.split_limit, own, allowance)
    if not dom and not capped:
        return
    run.masks = reader.masks
    run.sets = reader.value_sets()
    run.raw = None
    run.dom = None if capped else dom
    run.self_consistent = not capped
    run.final = run.dom


def _all_splits(reader: Reader | Either, allowance: list[int], limits: RunLimits) -> list[Split] | None:
    splits, capped = reader.search(limits.split_limit, (), allowance)
    return None if capped else splits


def _contribution(cand: Split, terms: Terms) -> Exact:
    total: Exact = 0
    for p, c in terms:
        total += c * cand[p]
    return total


def _open_relations(state: list[_Run], cross: list[RunRelation]) -> list[OpenRelation]:
    """Step 3a: relations between runs over the runs that still hesitate. A relation whose value does not
    depend on any open choice says nothing about the readings; a run that contradicts itself is never
    chosen by others."""
    open_rels: list[OpenRelation] = []
    for by_run, const in cross:
        variables: dict[int, list[Exact]] = {}
        usable = True
        for r, terms in by_run.items():
            run = state[r]
            if run.dom is None:
                usable = False
                break
            values = [_contribution(c, terms) for c in run.dom]
            if len(set(values)) == 1:
                const += values[0]
            elif run.self_consistent:
                variables[r] = values
            else:
                usable = False
                break
        if usable and variables:
            open_rels.append((variables, const))
    return open_rels


def _connected_groups(open_rels: list[OpenRelation]) -> list[list[int]]:
    """Indices of the relations of each connected group of runs (union-find over shared runs)."""
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
    return list(groups.values())


def _choose_jointly(state: list[_Run], open_rels: list[OpenRelation], limits: RunLimits) -> None:
    """Steps 3b–4: per connected group, keep the candidates that occur in some joint solution; a group
    without a solution (inconsistent, or too big to search) keeps its within-run candidates."""
    for rel_indices in _connected_groups(open_rels):
        group_rels = [open_rels[i] for i in rel_indices]
        sizes = {r: len(state[r].dom) for vs, _ in group_rels for r in vs}
        supported = solve_group(group_rels, sizes, limits)
        if supported is None:
            continue
        for r, indices in supported.items():
            dom = state[r].dom
            state[r].final = [dom[i] for i in sorted(indices)]


def _per_cell(state: list[_Run]) -> dict[str, Resolution]:
    """Step 5: a value where every surviving candidate agrees, else the distinct values in doubt."""
    out: dict[str, Resolution] = {}
    for run in state:
        cells = run.spec.cells
        if not run.readable:
            for cell in cells:
                out[cell] = Resolution(None, (), "unreadable")
            continue
        for p, cell in enumerate(cells):
            out[cell] = _cell_resolution(run, p)
    return out


def _cell_resolution(run: _Run, p: int) -> Resolution:
    if run.masks is not None:
        return _placed_resolution(run, p)
    raw_values = run.sets[p]
    if len(raw_values) == 1:
        return Resolution(public(raw_values[0]), (), "unique")
    if run.final is None:
        return Resolution(None, tuple(public(v) for v in raw_values), "ambiguous")
    values = sorted({c[p] for c in run.final})
    if len(values) == 1:
        return Resolution(public(values[0]), (), "identity")
    return Resolution(None, tuple(public(v) for v in values), "ambiguous")


def _placed_resolution(run: _Run, p: int) -> Resolution:
    """A run that may have lost its empty cells: a value, or blank, only where every surviving candidate
    agrees on both the number and whether the cell is empty."""
    if run.final is None:
        only = run.sets[p]
        if len(only) == 1 and only[0] != 0:  # never empty (that would read 0): the same in every split
            return Resolution(public(only[0]), (), "unique")
        return Resolution(None, tuple(public(v) for v in only), "ambiguous")
    values = sorted({c[p] for c in run.final})
    empty = {p in mask for c in run.final for mask in run.masks.get(c, {frozenset()})}
    if len(values) == 1 and empty == {True}:
        return Resolution(None, (), "blank")
    if len(values) == 1 and empty == {False}:
        return Resolution(public(values[0]), (), "identity")
    return Resolution(None, tuple(public(v) for v in values), "ambiguous")
