"""The OCR engine: one RapidOCR instance per process (its Chinese PP-OCR models ship in the wheel, nothing
is downloaded), text detection on a page and recognition of line crops with per-character confidence.

Recognition runs the model itself (not RapidOCR's decoder) so that every character keeps its probability
and the model's second choice: a figure read with doubt lists the readings it may be (``Line.alternatives``),
with the digits print commonly confuses (0/8/6/9, 1/7, 3/8, 5/6) added where a digit is unsure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import product

import numpy as np

#: a character read with at least this probability is sure; below it the cell lists alternatives
CHAR_SURE = 0.9
#: the model's second choice is an alternative when at least this probable
SECOND_CHOICE = 0.02
#: below this, the digits commonly confused with the one read are alternatives too
CONFUSION_BELOW = 0.7
#: a line with more unsure characters than this has too many readings to list: it is only unsure
MAX_UNSURE = 3
#: the short side of the page as the text detector sees it (pixels)
DETECT_SIDE = 760
#: the narrowest input the recogniser is given (width / height)
MIN_RATIO = 1.5
_CONFUSED = {
    "0": "869",
    "8": "0639",
    "6": "0895",
    "9": "086",
    "1": "7",
    "7": "1",
    "3": "8",
    "5": "6",
    "2": "",
    "4": "",
}


class OcrUnavailable(RuntimeError):
    """The optional OCR extra is not installed (pip install "ogi-validator[ocr]")."""


@dataclass(frozen=True, slots=True)
class Line:
    """One recognised line: its text, the lowest probability of its characters, other readings."""

    text: str
    confidence: float
    alternatives: tuple[str, ...] = ()


_LOCK = threading.Lock()
_ENGINE = None


def engine():
    """The process's RapidOCR instance, made on first use; OcrUnavailable when the extra is missing."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except Exception as e:  # noqa: BLE001 - a missing or broken extra: any import failure
                    raise OcrUnavailable(f"{type(e).__name__}: {e}") from None
                _ENGINE = RapidOCR()
    return _ENGINE


def available() -> bool:
    try:
        engine()
    except OcrUnavailable:
        return False
    return True


def detect_and_read(gray: np.ndarray) -> list[tuple[tuple[int, int, int, int], Line]]:
    """Text lines of an upright page region: (box x0, y0, x1, y1 in pixels, Line), unordered.

    Lines are found on the page scaled down to DETECT_SIDE on its short side (the detector needs no more;
    it costs a third as much), then each is recognised from the full-resolution page."""
    import cv2

    eng = engine()
    h, w = gray.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(1, min(h, w)))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    boxes, _ = eng.text_det(_bgr(small))
    if boxes is None or len(boxes) == 0:
        return []
    found = []
    for points in boxes:
        xs = [p[0] / scale for p in points]
        ys = [p[1] / scale for p in points]
        x0, y0 = max(0, int(min(xs)) - 2), max(0, int(min(ys)) - 2)
        x1, y1 = min(w, int(max(xs)) + 3), min(h, int(max(ys)) + 3)
        if x1 - x0 >= 4 and y1 - y0 >= 4:
            found.append((x0, y0, x1, y1))
    lines = recognise([gray[y0:y1, x0:x1] for x0, y0, x1, y1 in found])
    return [(box, line) for box, line in zip(found, lines) if line.text.strip()]


def recognise(crops: list[np.ndarray], batch: int = 16) -> list[Line]:
    """Each crop (grey, one line of text) → Line, batched by width."""
    if not crops:
        return []
    rec = engine().text_rec
    decode = rec.postprocess_op
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
    out: list[Line | None] = [None] * len(crops)
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        # as wide as the widest crop of the batch, not the model's default 320 px: most cells are a figure
        ratio = max([MIN_RATIO] + [crops[i].shape[1] / max(crops[i].shape[0], 1) for i in idx])
        tensor = np.concatenate([rec.resize_norm_img(_bgr(crops[i]), ratio)[np.newaxis] for i in idx])
        preds = rec.session(tensor.astype(np.float32))[0]
        for k, i in enumerate(idx):
            out[i] = _decode(preds[k], decode.character)
    return [line or Line("", 0.0) for line in out]


#: characters a figure may be written with; letters the model confuses with digits count as those digits
_DIGIT_LIKE = {"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"}
_FIGURE_CHARS = frozenset("0123456789.,+-")


def _decode(probs: np.ndarray, charset: list[str]) -> Line:
    """CTC greedy decoding keeping, per character, its probability and the model's second choice.

    A line that reads as a figure is scored among the characters a figure can have: a 0 whose other
    probability went to the letter O is a sure 0; what measures doubt is the mass on other digits."""
    best = probs.argmax(axis=1)
    peaks: list[tuple[int, np.ndarray]] = []
    t, n = 0, len(best)
    while t < n:
        k = int(best[t])
        end = t
        while end + 1 < n and int(best[end + 1]) == k:
            end += 1
        if k != 0:
            seg = probs[t : end + 1]
            peaks.append((k, seg[int(seg[:, k].argmax())]))
        t = end + 1
    if not peaks:
        return Line("", 0.0)
    raw = "".join(charset[k] if k < len(charset) else "" for k, _ in peaks)
    figure = "".join(_DIGIT_LIKE.get(c, c) for c in raw)
    if raw.strip() and _FIGURE_CHARS.issuperset(figure) and any(c.isdigit() for c in figure):
        return _figure(peaks, charset)
    chars = []
    for k, row in peaks:
        rest = row.copy()
        rest[0] = 0.0
        p = float(rest[k] / max(rest.sum(), 1e-9))
        chars.append((charset[k], p, "", 0.0))
    return Line(raw, min(p for _, p, _, _ in chars))


def _figure(peaks: list[tuple[int, np.ndarray]], charset: list[str]) -> Line:
    """A figure: each character scored among the figure characters (letters folded into their digits)."""
    index = _figure_index(charset)
    chars: list[tuple[str, float, str, float]] = []
    for _, row in peaks:
        mass = {c: float(sum(row[i] for i in ids)) for c, ids in index.items()}
        total = sum(mass.values()) or 1e-9
        ranked = sorted(mass, key=mass.get, reverse=True)
        c1, c2 = ranked[0], ranked[1]
        chars.append((c1, mass[c1] / total, c2, mass[c2] / total))
    # a speck beside a figure read as a point or a comma (“0.”, “,12”): no figure begins or ends with one
    while chars and chars[-1][0] in ".," and len(chars) > 1:
        chars.pop()
    while chars and chars[0][0] in ".," and len(chars) > 1:
        chars.pop(0)
    text = "".join(c for c, *_ in chars)
    confidence = min(p for _, p, _, _ in chars)
    unsure = [p for _, p, _, _ in chars if p < CHAR_SURE]
    if len(unsure) > MAX_UNSURE:
        # too many readings to list: the figure is only as sure as all its unsure digits together (four at
        # 0.65 are 0.18, never a figure read with confidence for want of alternatives to choose among)
        confidence = min(confidence, float(np.prod(unsure)))
    return Line(text, confidence, _alternatives(chars))


_INDEX_CACHE: dict[int, dict[str, list[int]]] = {}


def _figure_index(charset: list[str]) -> dict[str, list[int]]:
    key = id(charset)
    if key not in _INDEX_CACHE:
        out: dict[str, list[int]] = {c: [] for c in _FIGURE_CHARS}
        for i, ch in enumerate(charset):
            c = _DIGIT_LIKE.get(ch, ch)
            if c in out:
                out[c].append(i)
        _INDEX_CACHE[key] = out
    return _INDEX_CACHE[key]


def _alternatives(chars: list[tuple[str, float, str, float]]) -> tuple[str, ...]:
    """Other readings of a figure whose digits are unsure: the model's second choice, and the digits
    print commonly confuses where the model is far from sure; none for a sure figure."""
    text = "".join(c for c, *_ in chars).strip()
    options = []
    unsure = 0
    for c, p, c2, p2 in chars:
        choice = [c]
        if p < CHAR_SURE:
            unsure += 1
            if c2.isdigit() and p2 >= SECOND_CHOICE:
                choice.append(c2)
            if p < CONFUSION_BELOW:
                choice += [d for d in _CONFUSED.get(c, "") if d not in choice]
        options.append(choice)
    if not unsure or unsure > MAX_UNSURE:
        return ()
    seen = {text}
    out = []
    for combo in product(*options):
        s = "".join(combo)
        if s not in seen and not (len(s) > 1 and s[0] == "0"):
            seen.add(s)
            out.append(s)
    return tuple(out)


def _bgr(gray: np.ndarray) -> np.ndarray:
    if gray.ndim == 3:
        return gray
    return np.ascontiguousarray(np.repeat(gray[:, :, np.newaxis], 3, axis=2))
