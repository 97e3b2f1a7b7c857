"""Reports → one wide frame: a row per report, a column per cell id (values and states side by side).

Rules are evaluated on this frame for all reports at once; no rule ever loops over reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

import numpy as np
import pandas as pd

from validator.catalogue import Catalogue, load_catalogue
from validator.engine import blank_policy
from validator.engine.identity import agency_key
from validator.model import CellState, Report

NUMBER, BLANK, NA_MARKER, MISSING = (
    int(CellState.NUMBER),
    int(CellState.BLANK),
    int(CellState.NA_MARKER),
    int(CellState.MISSING),
)
TEXT, AMBIGUOUS, UNPLACED = int(CellState.TEXT), int(CellState.AMBIGUOUS), int(CellState.UNPLACED)
#: states not read with certainty (model.CERTAIN_STATES is the rest): never the subject of an error
UNCERTAIN = np.array([MISSING, AMBIGUOUS, UNPLACED], dtype=np.int8)


@dataclass
class ReportRow:
    """A report reduced to what validation needs: compact enough to send back from a worker process."""

    meta: dict
    values: np.ndarray  # float64, NaN where the cell is not a number
    states: np.ndarray  # int8 CellState
    raw: dict[str, str] = field(default_factory=dict)  # raw text of cells that are not numbers
    provenance: dict[str, str] = field(default_factory=dict)  # cell id -> location (Chinese)
    sections: list = field(default_factory=list)  # (number, heading, section_id, position, location)
    candidates: dict[str, tuple] = field(default_factory=dict)
    narrative: str = ""
    section_texts: dict[str, str] = field(default_factory=dict)


def to_row(report: Report, catalogue: Catalogue | None = None) -> ReportRow:
    catalogue = catalogue or load_catalogue()
    ids = catalogue.cell_ids
    values = np.full(len(ids), np.nan)
    states = np.zeros(len(ids), dtype=np.int8)
    raw: dict[str, str] = {}
    provenance: dict[str, str] = {}
    candidates: dict[str, tuple] = {}
    index = catalogue.cell_index
    for cell_id, cell in report.cells.items():
        i = index.get(cell_id)
        if i is None:
            continue
        states[i] = int(cell.state)
        if cell.state == CellState.NUMBER and cell.value is not None:
            values[i] = cell.value
            if cell_id in catalogue.claim_ids:
                raw[cell_id] = cell.note or cell.raw  # the sentence a narrative figure was read from
        elif cell.raw:
            raw[cell_id] = cell.raw
        if cell.candidates:
            candidates[cell_id] = cell.candidates
        if cell.provenance is not None:
            where = cell.provenance.zh()
            if where:
                provenance[cell_id] = where
    meta = {
        "source": report.source,
        "format": report.format,
        "title": report.title,
        "agency": report.agency,
        "agency_key": agency_key(report.agency),
        "year": report.year,
        "published": report.published,
        "url": report.url,
        "template": report.template,
        "tables_missing": dict(report.tables_missing),
        "collapsed_rows": list(report.collapsed_rows),
        "template_scores": dict(report.template_scores),
        "machine_readable": report.machine_readable,
        "tables_only": report.tables_only,
    }
    sections = [
        (h.number, h.heading, h.section_id, h.position, h.provenance.zh() if h.provenance else "")
        for h in report.sections
    ]
    # the official sections as fixed-width columns (position or −1, numeral as written), so that
    # M-01 compares arrays instead of walking every report's headings
    section_cols = catalogue.section_index
    positions, numerals = [-1] * len(section_cols), [""] * len(section_cols)
    headings = [""] * len(section_cols)
    for h in report.sections:
        k = section_cols.get(h.section_id or "")
        if k is not None and positions[k] < 0:
            positions[k], numerals[k], headings[k] = h.position, h.number, h.heading
    meta["section_pos"] = tuple(positions)
    meta["section_num"] = tuple(numerals)
    meta["section_head"] = tuple(headings)
    meta["extra_headings"] = sum(1 for h in report.sections if h.section_id is None)
    return ReportRow(
        meta,
        values,
        states,
        raw,
        provenance,
        sections,
        candidates,
        report.narrative,
        dict(report.section_texts),
    )


@dataclass
class ReportFrame:
    """The wide frame: meta columns plus values and states matrices over every cell id."""

    meta: pd.DataFrame
    values: np.ndarray
    states: np.ndarray
    cell_ids: list[str]
    rows: list[ReportRow]
    catalogue: Catalogue

    @property
    def col(self) -> dict[str, int]:
        return self.catalogue.cell_index

    def __len__(self) -> int:
        return len(self.meta)

    def resolved(self) -> np.ndarray:
        """Values with blanks as engine/blank_policy.py says (0 inside a table with numbers; a blank total
        stays NaN here, so engine/blame can change it) and aggregate rows (gb2021 （六）) → the sum of their
        sub-rows unless printed collapsed. The relations read checked()."""
        if getattr(self, "_resolved", None) is not None:
            return self._resolved
        values = self.values.copy()
        states = self.states
        col = self.col
        templates = self.meta["template"].to_numpy()
        blank_policy.apply(values, states, templates, self.catalogue, totals=False)
        for template in self.catalogue.templates.values():
            in_template = templates == template.id
            if not in_template.any():
                continue
            for aggregate, children in template.aggregate_cells().items():
                a = col[aggregate]
                child_idx = [col[c] for c in children]
                derive = in_template & (states[:, a] != NUMBER)
                values[derive, a] = values[np.ix_(derive, child_idx)].sum(axis=1)
        self._resolved = values
        return values

    def checked(self) -> np.ndarray:
        """Values as every relation reads them: resolved(), with each blank total the sum of its parts."""
        if getattr(self, "_checked", None) is None:
            values = self.resolved().copy()
            templates = self.meta["template"].to_numpy()
            blank_policy.apply(values, self.states, templates, self.catalogue, totals=True)
            self._checked = values
        return self._checked

    @cached_property
    def section_positions(self) -> np.ndarray:
        """Reports × sections (catalogue.section_index): where each official section's heading stands
        among the headings (−1: absent)."""
        return np.array(self.meta["section_pos"].tolist(), dtype=np.int64).reshape(
            len(self.meta), len(self.catalogue.section_index)
        )

    @cached_property
    def section_numerals(self) -> np.ndarray:
        """Reports × sections: the numeral each official section's heading carries ("" when absent)."""
        return _matrix(self.meta["section_num"].tolist(), len(self.catalogue.section_index))

    @cached_property
    def tables_only(self) -> np.ndarray:
        """Reports read from a file holding only the tables (no text to check sections against)."""
        return self.meta["tables_only"].eq(True).to_numpy(dtype=bool)

    @cached_property
    def readings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The candidate readings of AMBIGUOUS cells, sparse: (report rows, cell columns, readings as a
        matrix padded with NaN). Only reports with an ambiguous cell are visited."""
        rows, cols, options = [], [], []
        for row in np.nonzero((self.states == AMBIGUOUS).any(axis=1))[0].tolist():
            for cell_id, candidates in self.rows[row].candidates.items():
                i = self.col.get(cell_id)
                if i is not None and candidates and self.states[row, i] == AMBIGUOUS:
                    rows.append(row)
                    cols.append(i)
                    options.append(candidates)
        width = max((len(o) for o in options), default=1)
        matrix = np.full((len(options), width), np.nan)
        for k, o in enumerate(options):
            matrix[k, : len(o)] = o
        return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), matrix

    @cached_property
    def section_headings(self) -> np.ndarray:
        """Reports × sections: each official section's heading as found ("" when absent)."""
        n = len(self.catalogue.section_index)
        heads = self.meta["section_head"].tolist()
        return _matrix([h if isinstance(h, tuple) else ("",) * n for h in heads], n)

    def holding(self, state: int) -> np.ndarray:
        """Reports with at least one cell in ``state`` (a CellState value), computed once per state."""
        cache = self.__dict__.setdefault("_holding", {})
        if state not in cache:
            cache[state] = (self.states == state).any(axis=1)
        return cache[state]

    @cached_property
    def narratives(self) -> np.ndarray:
        """Each report's body text as one object column, gathered once for every text rule."""
        return np.array(
            [r.narrative or "" for r in self.rows] if self.rows else [""] * len(self), dtype=object
        )

    def section_text(self, section: str) -> np.ndarray:
        """Each report's text of one section ("" when absent) as an object column, gathered once."""
        cache = self.__dict__.setdefault("_section_texts", {})
        if section not in cache:
            texts = [r.section_texts.get(section, "") for r in self.rows] if self.rows else [""] * len(self)
            cache[section] = np.array(texts, dtype=object)
        return cache[section]

    @cached_property
    def years(self) -> np.ndarray:
        """Report years as floats, NaN where unknown."""
        return self.meta["year"].to_numpy(dtype=float, na_value=np.nan)

    @cached_property
    def agency_keys(self) -> np.ndarray:
        return self.meta["agency_key"].fillna("").astype(str).to_numpy(dtype=object)

    @cached_property
    def keyed(self) -> np.ndarray:
        """Reports whose agency and year are both known: the only ones a previous year can be linked to."""
        return (self.agency_keys != "") & ~np.isnan(self.years)

    def previous_index(self) -> np.ndarray:
        """Row of the same agency's report for year − 1, or −1; with duplicates, the first by file name."""
        if getattr(self, "_previous", None) is not None:
            return self._previous
        meta = self.meta
        keys, years, keyed = self.agency_keys, self.years, self.keyed
        out = np.full(len(meta), -1, dtype=np.int64)
        if keyed.any():
            at = np.nonzero(keyed)[0]
            agency = pd.factorize(keys[keyed])[0].astype(np.int64)
            year = years[keyed].astype(np.int64)
            # years and last years as ranks among both, so that (agency, year) is one integer
            scale = np.unique(np.concatenate([year, year - 1]))
            span = scale.size
            code = agency * span + np.searchsorted(scale, year)
            wanted = agency * span + np.searchsorted(scale, year - 1)
            order = np.argsort(code, kind="stable")
            ordered = code[order]
            if (ordered[1:] == ordered[:-1]).any():  # two reports of one agency and year: by file name
                source = meta["source"].fillna("").astype(str).to_numpy(dtype=object)[keyed]
                order = np.lexsort((pd.factorize(source, sort=True)[0], code))  # stable
                ordered = code[order]
            first = np.r_[True, ordered[1:] != ordered[:-1]]  # the first report of each agency and year
            codes, rows = ordered[first], at[order][first]
            pos = np.minimum(np.searchsorted(codes, wanted), codes.size - 1)
            out[keyed] = np.where(codes[pos] == wanted, rows[pos], -1)
        self._previous = out
        return out


def build_frame(rows: list[ReportRow], catalogue: Catalogue | None = None) -> ReportFrame:
    catalogue = catalogue or load_catalogue()
    ids = catalogue.cell_ids
    if rows:
        values = _stack([r.values for r in rows])
        states = _stack([r.states for r in rows])
    else:
        values = np.empty((0, len(ids)))
        states = np.empty((0, len(ids)), dtype=np.int8)
    meta = pd.DataFrame(
        [r.meta for r in rows],
        columns=[
            "source",
            "format",
            "title",
            "agency",
            "agency_key",
            "year",
            "published",
            "url",
            "template",
            "tables_missing",
            "collapsed_rows",
            "template_scores",
            "machine_readable",
            "tables_only",
            "section_pos",
            "section_num",
            "section_head",
            "extra_headings",
        ],
    )
    meta["year"] = pd.to_numeric(meta["year"], errors="coerce").astype("Int64")
    return ReportFrame(meta, values, states, ids, rows, catalogue)


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    """One row per array, as np.vstack gives for rows of one length, in a single copy (vstack first makes
    every one of 100 000 rows two-dimensional)."""
    if {a.shape for a in arrays} != {arrays[0].shape} or arrays[0].ndim != 1 or not arrays[0].size:
        return np.vstack(arrays)  # rows of other lengths (vstack's own error) or of none
    return np.concatenate(arrays).reshape(len(arrays), -1)


def _matrix(rows: list[tuple], width: int) -> np.ndarray:
    """Equal-length tuples of strings as a reports × width object matrix, filled from one flat iterator
    (np.array would first inspect every tuple as a nested sequence)."""
    if any(len(r) != width for r in rows):
        return np.array(rows, dtype=object).reshape(len(rows), width)  # np.array's own error
    return np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width).reshape(
        len(rows), width
    )
