"""A figure with more unsure digits than the engine lists readings for (engine.MAX_UNSURE) is not read with
confidence: its confidence is that of all its unsure digits together, so the locator leaves it unplaced
(four digits each 65 % sure came out as a certain 8888, taking part in errors)."""

from __future__ import annotations

import numpy as np
import pytest
from ocr_read_images import require_ocr

from validator.locate.readings import LOW_CONFIDENCE


@pytest.fixture(scope="module")
def charset():
    require_ocr()
    from validator.readers.ocr.engine import engine

    return engine().text_rec.postprocess_op.character


def peaks(charset, digits: str, p: float, other: str = "3"):
    """CTC peaks of ``digits``, each read with probability ``p`` and ``other`` as the rest."""
    out = []
    for d in digits:
        row = np.zeros(len(charset))
        row[charset.index(d)] = p
        row[charset.index(other)] = 1 - p
        out.append((charset.index(d), row))
    return out


def test_too_many_unsure_digits_is_a_low_confidence(charset):
    from validator.readers.ocr.engine import MAX_UNSURE, _figure

    line = _figure(peaks(charset, "8" * (MAX_UNSURE + 1), 0.65), charset)
    assert line.text == "8888" and line.alternatives == ()
    assert line.confidence < LOW_CONFIDENCE  # not placed: a doubt, never an error


def test_a_few_unsure_digits_keep_their_readings(charset):
    from validator.readers.ocr.engine import MAX_UNSURE, _figure

    line = _figure(peaks(charset, "8" * MAX_UNSURE, 0.65), charset)
    assert line.confidence == pytest.approx(0.65) and "333" in line.alternatives
    sure = _figure(peaks(charset, "8" * 6, 0.99), charset)
    assert sure.confidence == pytest.approx(0.99) and sure.alternatives == ()
