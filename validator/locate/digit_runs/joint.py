"""The joint search over runs linked by relations: which candidates of each run occur in some solution.

Pruning by sum reachability (generalised arc consistency per linear relation), then a depth-first search
with interval bounds, within the ``search_budget`` of RunLimits.
"""

from __future__ import annotations

from validator.locate.digit_runs.split import Exact, RunLimits


class _Budget(Exception):
    pass


def solve_group(
    rels: list[tuple[dict[int, list[Exact]], Exact]], sizes: dict[int, int], limits: RunLimits
) -> dict[int, set[int]] | None:
    """Candidate indices of each run that occur in some joint solution; None if there is none, or if the
    search exceeds its budget."""
    alive = {r: list(range(n)) for r, n in sizes.items()}
    if not _prune(rels, alive, limits):
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
            if nodes > limits.search_budget:
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


def _prune(
    rels: list[tuple[dict[int, list[Exact]], Exact]], alive: dict[int, list[int]], limits: RunLimits
) -> bool:
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
                if len(nxt) > limits.sumset_cap:
                    too_big = True
                    break
                prefix.append(nxt)
            if too_big:
                continue
            for vals in reversed(valsets[1:]):
                nxt = {a + b for a in suffix[-1] for b in vals}
                if len(nxt) > limits.sumset_cap:
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
