"""Cell references as formulas write them: quoted sheet names, absolute refs, and runs of adjacent cells
joined into ranges — shared by the 校验 formulas (formulas.py) and the blanks policy (blanks.py)."""

from __future__ import annotations

from openpyxl.utils import get_column_letter


def quote_sheet(title: str) -> str:
    """A sheet name as a formula writes it: always quoted (CJK names included)."""
    return "'" + title.replace("'", "''") + "'"


def absolute(ref: str) -> str:
    col = ref.rstrip("0123456789")
    return f"${col}${ref[len(col) :]}"


def split_ref(ref: str) -> tuple[str, int]:
    col = ref.rstrip("0123456789")
    return col, int(ref[len(col) :])


def ranges(places: list[tuple[str, str]]) -> list[str]:
    """Cell places → sheet-qualified refs, runs of adjacent cells joined into ranges (D8:D12, D8:I8)."""
    from openpyxl.utils import column_index_from_string

    items = []
    for sheet, ref in places:
        col, row = split_ref(ref)
        items.append((sheet, column_index_from_string(col), row))
    out: list[str] = []
    used: set[int] = set()
    # vertical runs first (a column of a table), then horizontal runs among what is left
    for axis in ("col", "row"):
        key = (lambda it: (it[0], it[1], it[2])) if axis == "col" else (lambda it: (it[0], it[2], it[1]))
        order = sorted((i for i in range(len(items)) if i not in used), key=lambda i: key(items[i]))
        k = 0
        while k < len(order):
            run = [order[k]]
            while k + 1 < len(order):
                a, b = key(items[order[k]]), key(items[order[k + 1]])
                if a[0] == b[0] and a[1] == b[1] and b[2] == a[2] + 1:
                    run.append(order[k + 1])
                    k += 1
                else:
                    break
            k += 1
            if len(run) > 1 or axis == "row":
                used.update(run)
                sheet = items[run[0]][0]
                first, last = items[run[0]], items[run[-1]]
                start = f"{get_column_letter(first[1])}{first[2]}"
                end = f"{get_column_letter(last[1])}{last[2]}"
                ref = start if start == end else f"{start}:{end}"
                out.append(f"{quote_sheet(sheet)}!{ref}")
    return out
