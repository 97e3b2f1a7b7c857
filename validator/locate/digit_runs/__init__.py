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

Empty cells a crawler deleted (``RunSpec.blanks``): a run of cells run together may have lost its empty
cells (``7100210`` for 7,1,0,(empty),0,2,10). When no reading with every cell filled fits the run's own
identities (or there is none), the readings in which some cells take no character (empty, 0 in the
identities) are listed instead; a cell is a value, or blank, only where every fitting reading agrees, 0 or
empty is a doubt. When no reading fits either way, the row is broken whatever was deleted and keeps its
filled readings.

Work is bounded (``RunLimits``): a run with more than ``split_limit`` splits, or whose listing exceeds its step allowance,
takes no part in step 3 and its cells are ``ambiguous`` with every value some split gives them (computed
without listing the splits); the joint search stops after ``search_budget`` nodes per group (→ step 4).
A cell id may appear in only one run (ValueError otherwise).
"""

from validator.locate.digit_runs.solve import Relation, Resolution, resolve
from validator.locate.digit_runs.split import KINDS, LIMITS, Number, RunLimits, RunSpec, split_candidates

__all__ = [
    "KINDS",
    "LIMITS",
    "Number",
    "Relation",
    "Resolution",
    "RunLimits",
    "RunSpec",
    "resolve",
    "split_candidates",
]
