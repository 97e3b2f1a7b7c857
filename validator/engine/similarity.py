"""How much of a report's text repeats last year's: shingles of the text with numbers and years removed.

Similarity is the Jaccard index of the sets of 4-character shingles of the normalised body text (NFKC,
digits, punctuation and spaces removed). A 64-value MinHash signature per report, computed where the
report is read (a worker process) and kept in ``ReportRow.meta``, screens every pair of consecutive
years at once; only pairs the signatures put near the threshold are compared exactly.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from validator.catalogue import load_catalogue

SHINGLE = 4
PERMUTATIONS = 64
_DROP = re.compile(r"[\W\d_]+")
_rng = np.random.default_rng(20190515)  # fixed: signatures must agree across processes and runs
_A = (_rng.integers(1, 2**62, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**62, PERMUTATIONS, dtype=np.uint64)
_EMPTY = np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)


def normalise(text: str) -> str:
    """Letters only: width folded, digits (hence years and figures), punctuation and spaces removed."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or ""))


def body_text(narrative: str, section_texts: dict[str, str] | None) -> str:
    """The narrative sections (``narrative: true`` in the templates: 一、五、六) when the report has them,
    else all its running text."""
    sections = load_catalogue().narrative_sections
    parts = [section_texts.get(s, "") for s in sections] if section_texts else []
    text = "\n".join(p for p in parts if p)
    return text if len(normalise(text)) >= 100 else narrative or text


def shingles(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the normalised text's 4-character shingles (deterministic)."""
    norm = normalise(text)
    if len(norm) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = codes.size - SHINGLE + 1
    h = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE):
            h = h * np.uint64(0x100000001B3) + codes[j : j + count]
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
    return np.unique(h)


def signature(hashes: np.ndarray) -> np.ndarray:
    if hashes.size == 0:
        return _EMPTY.copy()
    with np.errstate(over="ignore"):
        mixed = (hashes[None, :] * _A[:, None] + _B[:, None]) >> np.uint64(32)
    return mixed.min(axis=1).astype(np.uint32)


def fingerprint(narrative: str, section_texts: dict[str, str] | None = None) -> tuple[np.ndarray, int]:
    """(MinHash signature, number of letters) of a report's body text."""
    text = body_text(narrative, section_texts)
    return signature(shingles(text)), len(normalise(text))


def attach(row) -> None:
    """Store the fingerprint in a ReportRow's meta (done where the report is read)."""
    sig, chars = fingerprint(row.narrative, row.section_texts)
    row.meta["text_sig"] = sig
    row.meta["text_chars"] = chars


def fingerprints(rows) -> tuple[np.ndarray, np.ndarray]:
    """Signatures (n × 64) and letter counts of ReportRows, computed for rows that lack them."""
    sigs = np.empty((len(rows), PERMUTATIONS), dtype=np.uint32)
    chars = np.zeros(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        sig = row.meta.get("text_sig")
        if sig is None:
            sig, n = fingerprint(row.narrative, row.section_texts)
        else:
            n = row.meta.get("text_chars", 0)
        sigs[i] = sig
        chars[i] = n
    return sigs, chars


def jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    if x.size == 0 or y.size == 0:
        return 0.0
    common = np.intersect1d(x, y, assume_unique=True).size
    return common / (x.size + y.size - common)
