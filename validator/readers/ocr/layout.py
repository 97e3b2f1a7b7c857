"""Where the tables of a page image are: deskew by the ruling lines, find the lines, cut the cells.

OpenCV morphology keeps the long horizontal and vertical strokes (the rules of a table); their positions
give the grid, and a cell boundary that is not drawn merges the two cells it separates (merged cells come
out once, as one cell covering several grid positions). The page is first turned upright by the angle that
makes its rows of ink sharpest (projection profile), so a slightly rotated scan gives straight lines.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(slots=True)
class Cell:
    """A table cell: its grid position (top-left), span, and box in pixels of the upright page."""

    row: int
    col: int
    rows: int
    cols: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass(slots=True)
class Table:
    box: tuple[int, int, int, int]
    nrows: int
    ncols: int
    cells: list[Cell]


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: Otsu on a lightly smoothed page (blurred grey scans keep their thin rules)."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def skew_angle(ink: np.ndarray, limit: float = 4.0) -> float:
    """The rotation (degrees) that makes the rows of ink sharpest: the page's skew."""
    h, w = ink.shape
    scale = min(1.0, 800.0 / max(h, w))
    small = cv2.resize(ink, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-limit, limit + 0.01, 0.25), key=sharpness)
    fine = max(np.arange(best - 0.25, best + 0.26, 0.05), key=sharpness)
    return float(fine)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rules: ink runs longer than any stroke of a character."""
    h, w = ink.shape
    # longer than a character or two of body text (≈ 30–40 px at 200 dpi), shorter than a table row
    hk = max(45, w // 40)
    vk = max(45, h // 50)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    # close the small breaks a blurred scan leaves in a rule
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    return horizontal, vertical


def find_tables(ink: np.ndarray) -> tuple[list[Table], np.ndarray]:
    """Ruled tables of an upright page, top to bottom, and the mask of their rules."""
    horizontal, vertical = line_masks(ink)
    rules = cv2.bitwise_or(horizontal, vertical)
    _h, w = ink.shape
    count, _, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    tables = []
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if bw < w * 0.2 or bh < 20:
            continue
        table = _grid(
            horizontal[y : y + bh, x : x + bw],
            vertical[y : y + bh, x : x + bw],
            ink[y : y + bh, x : x + bw],
            (x, y),
        )
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.box[1])
    return tables, rules


def _positions(profile: np.ndarray, minimum: float) -> list[int]:
    """Centres of the runs of a projection profile at or above ``minimum``."""
    on = profile >= minimum
    out = []
    start = None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    if start is not None:
        out.append((start + len(on) - 1) // 2)
    return out


def _grid(
    horizontal: np.ndarray, vertical: np.ndarray, ink: np.ndarray, origin: tuple[int, int]
) -> Table | None:
    h, w = horizontal.shape
    ys = _positions((horizontal > 0).sum(axis=1), max(25, w * 0.04))
    xs = _positions((vertical > 0).sum(axis=0), max(12, min(h * 0.3, 25)))
    ys = _merge_close(ys, 6)
    xs = _merge_close(xs, 6)
    # a rule is unbroken ink across a whole cell; a line of characters run together by a blurred scan
    # still has the gaps between its characters
    ys = [y for y in ys if _spans_a_cell(ink, y, xs, axis=1)]
    xs = [x for x in xs if _spans_a_cell(ink, x, ys, axis=0)]
    if len(ys) < 3 or len(xs) < 3:  # a frame or a box is not a table
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _drawn(vertical, xs[c + 1], ys[r], ys[r + 1], axis=0):
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not _drawn(horizontal, ys[r + 1], xs[c], xs[c + 1], axis=1):
                union(r * nc + c, (r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    ox, oy = origin
    cells = []
    for members in groups.values():
        r0 = min(r for r, _ in members)
        r1 = max(r for r, _ in members)
        c0 = min(c for _, c in members)
        c1 = max(c for _, c in members)
        box = (int(ox + xs[c0]), int(oy + ys[r0]), int(ox + xs[c1 + 1]), int(oy + ys[r1 + 1]))
        cells.append(Cell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, box))
    cells.sort(key=lambda c: (c.row, c.col))
    return Table((int(ox), int(oy), int(ox + w), int(oy + h)), nr, nc, cells)


def _spans_a_cell(ink: np.ndarray, at: int, cuts: list[int], axis: int) -> bool:
    for a, b in itertools.pairwise(cuts):
        if b - a < 20:  # not a cell: two marks close together
            continue
        if axis == 1:
            strip = ink[max(0, at - 3) : at + 4, a + 4 : b - 4]
            covered = (strip > 0).any(axis=0)
        else:
            strip = ink[a + 4 : b - 4, max(0, at - 3) : at + 4]
            covered = (strip > 0).any(axis=1)
        if covered.size and covered.mean() >= 0.97:
            return True
    return False


def _merge_close(values: list[int], gap: int) -> list[int]:
    out: list[int] = []
    for v in values:
        if out and v - out[-1] <= gap:
            out[-1] = (out[-1] + v) // 2
        else:
            out.append(v)
    return out


def _drawn(mask: np.ndarray, at: int, a: int, b: int, axis: int) -> bool:
    """A rule is drawn at ``at`` between ``a`` and ``b`` (a vertical one for axis 0, horizontal for 1)."""
    lo, hi = a + (b - a) // 5, b - (b - a) // 5
    if hi <= lo:
        return True
    if axis == 0:
        strip = mask[lo:hi, max(0, at - 4) : at + 5]
        covered = (strip > 0).any(axis=1)
    else:
        strip = mask[max(0, at - 4) : at + 5, lo:hi]
        covered = (strip > 0).any(axis=0)
    return bool(covered.mean() > 0.6)


def text_lines(
    ink: np.ndarray, box: tuple[int, int, int, int], margin: int = 3
) -> list[tuple[int, int, int, int]]:
    """Boxes of the lines of ink inside a cell (rules removed beforehand), top to bottom."""
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + margin, y0 + margin, x1 - margin, y1 - margin
    if x1 <= x0 or y1 <= y0:
        return []
    region = ink[y0:y1, x0:x1]
    rows = (region > 0).sum(axis=1)
    if rows.sum() < 6:
        return []
    out = []
    start = None
    for i, v in enumerate(list(rows) + [0]):
        if v > 0 and start is None:
            start = i
        elif v == 0 and start is not None:
            band = region[start:i]
            cols = np.nonzero((band > 0).any(axis=0))[0]
            if (band > 0).sum() >= 6 and i - start >= 3:
                out.append((int(x0 + cols[0]), int(y0 + start), int(x0 + cols[-1] + 1), int(y0 + i)))
            start = None
    return _merge_thin(out)


def _merge_thin(lines: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Join a thin band (a stroke cut off, e.g. the top of 一 or a dash) to the line nearest it."""
    if len(lines) < 2:
        return lines
    tall = max(b[3] - b[1] for b in lines)
    out: list[list[int]] = []
    for b in lines:
        if (
            out
            and (b[3] - b[1] < tall * 0.4 or out[-1][3] - out[-1][1] < tall * 0.4)
            and b[1] - out[-1][3] < tall * 0.5
        ):
            prev = out[-1]
            out[-1] = [min(prev[0], b[0]), prev[1], max(prev[2], b[2]), b[3]]
        else:
            out.append(list(b))
    return [tuple(b) for b in out]  # type: ignore[misc]


def _first_blob(ink: np.ndarray, box: tuple[int, int, int, int]):
    """The leftmost blot of ink in the line's box, with what follows it: (its x, width, height and area, the
    box's height, the blot's middle height, where the rest begins), or None when there are not two."""
    x0, y0, x1, y1 = box
    region = (ink[y0:y1, x0:x1] > 0).astype(np.uint8)
    if region.size == 0:
        return None
    count, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
    blobs = sorted((stats[i] for i in range(1, count) if stats[i][4] >= 3), key=lambda s: s[0])
    if len(blobs) < 2:
        return None
    x, y, w, h, area = blobs[0]
    return x, w, h, area, y1 - y0, y + h / 2, min(b[0] for b in blobs[1:])


def leading_dash(ink: np.ndarray, box: tuple[int, int, int, int]) -> int | None:
    """Where the rest of the line begins (x, pixels) when it starts with a short horizontal stroke at
    mid-height (a minus sign), which the recogniser drops or misreads before a digit; else None."""
    first = _first_blob(ink, box)
    if first is None:
        return None
    x, w, h, _, height, middle, rest = first
    x0 = box[0]
    if w >= 1.5 * h and h <= 0.3 * height and height * 0.25 <= middle <= height * 0.75 and rest >= x + w - 1:
        return int(x0 + rest)
    return None


def faint_dash(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the line starts with a small blot at mid-height, apart from what follows, that may be a minus
    sign blurred into a dot (too short for ``leading_dash``): a possible lost sign, never a certain one."""
    first = _first_blob(ink, box)
    if first is None:
        return False
    x, w, h, area, height, middle, rest = first
    return bool(
        w >= 0.9 * h
        and h <= 0.35 * height
        and area >= 4
        and height * 0.3 <= middle <= height * 0.75
        and rest >= x + w
    )
