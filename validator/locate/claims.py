"""Figures the narrative states (rules/narrative.yaml): the earliest matching sentence wins."""

from __future__ import annotations

import re
from functools import cache

from validator.catalogue import Catalogue
from validator.locate.stream import Stream
from validator.model import CellState, CellValue, Report


@cache
def _claim_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


def read_claims(catalogue: Catalogue, stream: Stream, report: Report) -> None:
    text = stream.text
    blocks = stream.line_blocks
    for claim in catalogue.claims:
        if claim.source == "year":
            if report.year is not None:
                report.cells[claim.id] = CellValue(CellState.NUMBER, float(report.year), report.title or "")
            continue
        best = None
        for pattern in _claim_patterns(claim.patterns):
            for m in pattern.finditer(text):
                if any(start <= m.start() < end for start, end in blocks):
                    if best is None or m.start() < best.start():
                        best = m
                    break
        if best is None:
            continue
        value = claim.value if claim.value is not None else float(best.group(1))
        sentence = text[max(0, best.start() - 10) : best.end()].replace("\n", " ").replace("\t", " ")
        report.cells[claim.id] = CellValue(
            CellState.NUMBER,
            float(value),
            sentence.strip(),
            stream.provenance_at(best.start()),
            note=best.group(0),
        )
