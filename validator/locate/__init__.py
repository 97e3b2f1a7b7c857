"""Labels → cell ids: finds the form's sections, tables, rows and columns in any reader's Document.

The Document is serialised into one string: grid cells joined by TAB, grid rows and text blocks ended by
a newline. Every label of the catalogue (and its aliases and keys) is searched in that string, tolerant
of spaces and full/half-width forms; the text between a row's label and the next label holds the row's
values. Cells come out as separate TAB-separated pieces from real tables, or as one run of digits from
crawled text, which validator.locate.digit_runs splits using the form's own identities. Nothing here knows
about file formats or rules.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from validator.catalogue import Catalogue, Row, Table, Template, load_catalogue
from validator.model import CellState, CellValue, Provenance, Report, SectionHit
from validator.readers.document import Document, Grid, GridCell, TextBlock
from validator.readers.textnorm import FOLD_MAP

FOLD = str.maketrans(FOLD_MAP)

NUMERALS = "一二三四五六七八九十"
_ROW_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|\([一二三四五六七八九十]+\)|\d+\s*[.、])\s*"
)
_TRAILING_NUMBERING = re.compile(
    r"(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d[.、]|\d[、])\s*$"
)
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)\s*(万元|元|件|项|个|条)?$")
_SIGN_WORD = re.compile(r"^(增加|增|减少|减)\s*(\d+(?:\.\d+)?)\s*(项|个|件)?$")
_NA_MARKERS = {"/", "-", "—", "——", "–", "无", "\\", "×", "不适用", "－"}
_YEAR = re.compile(r"(20\d{2})\s*年")
_TITLE_TAIL = re.compile(r"(?:20\d{2}\s*年度?)|政府信息公开工作的?年度报告|[（(]?全文[)）]?|[“”\"《》\s]")
_DATE = re.compile(r"(20\d{2})[-年/.](\d{1,2})[-月/.](\d{1,2})")


def fold(text: str) -> str:
    return text.translate(FOLD)


@dataclass(slots=True)
class Span:
    start: int
    end: int
    owners: tuple[str, ...]  # label owners: "row:<path>", "caption:<i>", "header"


class Stream:
    """The document as one folded string, with the provenance of every piece."""

    def __init__(self, doc: Document) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.provenance: list[Provenance] = []
        self.line_blocks: list[tuple[int, int]] = []  # text blocks and one-cell rows: (start, end)
        pos = 0

        def add(text: str, prov: Provenance) -> None:
            nonlocal pos
            self.starts.append(pos)
            self.provenance.append(prov)
            parts.append(text)
            pos += len(text)

        for block in _join_split_labels(doc.blocks):
            if isinstance(block, TextBlock):
                text = fold(block.text.replace("\n", " ").replace("\t", " "))
                self.line_blocks.append((pos, pos + len(text)))
                add(text, block.provenance)
                parts.append("\n")
                pos += 1
            elif isinstance(block, Grid):
                for full_row in block.rows:
                    # a cell merged across columns appears once: its covered positions share its provenance
                    row = [
                        c
                        for i, c in enumerate(full_row)
                        if i == 0 or c.provenance != full_row[i - 1].provenance or c.text.strip()
                    ]
                    texts = [fold(c.text.replace("\n", "").replace("\t", " ")) for c in row]
                    if sum(1 for t in texts if t.strip()) == 1:
                        lone = next(t for t in texts if t.strip())
                        offset = pos + sum(len(t) + 1 for t in texts[: texts.index(lone)])
                        self.line_blocks.append((offset, offset + len(lone)))
                    for index, (cell, text) in enumerate(zip(row, texts)):
                        if index:
                            parts.append("\t")
                            pos += 1
                        add(text, cell.provenance)
                    parts.append("\n")
                    pos += 1
        self.text = "".join(parts)

    def provenance_at(self, offset: int) -> Provenance | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return None
        prov = self.provenance[index]
        if prov.offset is None and prov.row is None and prov.ref is None and prov.line is not None:
            # a long text line: add the character offset inside it
            inner = offset - self.starts[index]
            if inner:
                return Provenance(**{**prov.as_dict(), "offset": inner})
        return prov


_STARTS_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.]|[(（][一二三四五六七八九十]+[)）]|\d+\s*[.、．])"
)


def _join_split_labels(blocks: list) -> list:
    """A row label cut by a page break (“7.属于行” | next page “政执法案卷”): the next table's first row
    holds only the label's tail; join it to the last row's label so the label can be found whole."""
    out: list = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            isinstance(block, Grid)
            and isinstance(previous, Grid)
            and block.rows
            and previous.rows
            and previous.rows[-1]
            and block.rows[0]
        ):
            head = block.rows[0]
            tail_text = head[0].text.strip()
            if (
                tail_text
                and not any(c.text.strip() for c in head[1:])
                and not _STARTS_NUMBERED.match(tail_text)
                and previous.rows[-1][0].text.strip()
            ):
                last = list(previous.rows[-1])
                last[0] = GridCell(last[0].text.rstrip() + tail_text, last[0].provenance)
                out[-1] = Grid(previous.rows[:-1] + [last], previous.provenance)
                block = Grid(block.rows[1:], block.provenance)
        out.append(block)
    return out


def _key_pattern(key: str) -> str:
    chars = [re.escape(ch) for ch in fold(key) if not ch.isspace()]
    return r"\s*".join(chars)


def _strip_numbering(label: str) -> str:
    return _ROW_NUMBERING.sub("", fold(label)).strip()


class LabelIndex:
    """All labels of one table (rows, captions, headers) as a single leftmost-longest regex."""

    def __init__(
        self, labels: dict[str, set[str]], numbering: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.numbering = numbering or {}  # row owner → how its numbering may be written
        self.owners: dict[str, tuple[str, ...]] = {}
        for key, owners in labels.items():
            norm = re.sub(r"\s+", "", fold(key))
            if norm:
                self.owners[norm] = tuple(sorted(set(self.owners.get(norm, ())) | owners))
        keys = sorted(self.owners, key=len, reverse=True)
        self.pattern = re.compile("|".join(_key_pattern(k) for k in keys))

    def spans(self, text: str, start: int, end: int) -> list[Span]:
        return list(self._iter(text, start, end))

    def first(self, text: str, start: int, end: int, want) -> int | None:
        """Where the first label with an owner `want` accepts starts (the scan stops there)."""
        return next(
            (span.start for span in self._iter(text, start, end) if any(want(o) for o in span.owners)), None
        )

    def _iter(self, text: str, start: int, end: int):
        for m in self.pattern.finditer(text, start, end):
            norm = re.sub(r"\s+", "", m.group(0))
            yield Span(m.start(), m.end(), self.owners.get(norm, ("header",)))


def _row_labels(row: Row) -> set[str]:
    labels = {_strip_numbering(row.label), *row.keys, *(_strip_numbering(a) for a in row.aliases)}
    return {k for k in labels if k}


@cache
def _table_index(template_id: str, table_id: str) -> LabelIndex:
    template = load_catalogue().templates[template_id]
    table = template.table(table_id)
    labels: dict[str, set[str]] = {}

    def own(key: str, owner: str) -> None:
        labels.setdefault(key, set()).add(owner)

    for b_index, block in enumerate(table.blocks):
        if block.caption:
            own(block.caption, f"caption:{b_index}")
            for key in block.keys:
                own(key, f"caption:{b_index}")
        for col in block.columns:
            for key in (col.label, *col.keys, *col.aliases):
                own(key, "header")
        for row in block.rows:
            for key in _row_labels(row):
                own(key, f"row:{row.path}")
    for key in table.header_keys:
        own(key, "header")
    return LabelIndex(labels, {f"row:{row.path}": _numbering_forms(row.label) for row in table.rows})


@cache
def _claim_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


@cache
def _row_keys(template_id: str) -> tuple[str, ...]:
    """Every row key of every table, folded and without spaces (to tell a table row from a heading)."""
    template = load_catalogue().templates[template_id]
    return tuple(
        re.sub(r"\s+", "", fold(k)) for table in template.tables for row in table.rows for k in row.keys
    )


@cache
def _section_patterns(template_id: str) -> list[tuple[str, re.Pattern]]:
    template = load_catalogue().templates[template_id]
    out = []
    for section in template.sections:
        keys = sorted({section.heading, *section.keys}, key=len, reverse=True)
        alternation = "|".join(_key_pattern(k) for k in keys)
        pattern = re.compile(
            rf"(?<![一二三四五六七八九十(])(?P<num>[{NUMERALS}]+)\s*[、.]\s*(?P<pre>[^\n\t。;；,，]{{0,14}}?)(?:{alternation})"
        )
        out.append((section.id, pattern))
    return out


# ---------------------------------------------------------------------------------------------- cells


def parse_cell(raw: str, kind: str, prov: Provenance | None) -> CellValue:
    """One cell's text → number, blank, not-applicable marker or unreadable text."""
    text = fold(raw).strip()
    compact = re.sub(r"(?<=\d),(?=\d{3})", "", text.replace(" ", ""))
    if not compact:
        return CellValue(CellState.BLANK, None, raw, prov)
    if compact in _NA_MARKERS:
        return CellValue(CellState.NA_MARKER, None, raw, prov, note=f"“{text}”代替了数字")
    m = _NUMBER.match(compact)
    if m:
        value = float(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        return CellValue(CellState.NUMBER, value, raw, prov, unit=m.group(3))
    m = _SIGN_WORD.match(compact)
    if m and kind == "signed":
        value = float(m.group(2)) * (-1 if m.group(1).startswith("减") else 1)
        return CellValue(CellState.NUMBER, value, raw, prov, note=f"“{text}”读作 {value:g}")
    return CellValue(CellState.TEXT, None, raw, prov, note=f"“{text}”不是数字")


def _is_note(text: str) -> bool:
    """Words, not a figure: a remark beside a table row."""
    return not _has_digit(text) and len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


# ---------------------------------------------------------------------------------------------- locate


class Locator:
    """Turns one Document into a Report for the catalogue's templates."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue or load_catalogue()

    def locate(self, doc: Document) -> Report:
        stream = Stream(doc)
        text = stream.text
        report = Report(source=doc.source, format=doc.format, tables_only=doc.tables_only)
        report.narrative = "\n".join(b.text for b in doc.blocks if isinstance(b, TextBlock))
        self._metadata(doc, stream, report)
        if doc.meta.get("no_text"):
            report.machine_readable = False
            report.template = self._required(report.year).id if self._required(report.year) else None
            for tid in ("t2", "t3", "t4"):
                report.tables_missing[tid] = "文件没有可读取的文本层（表格以图片或扫描件形式发布）"
            return report
        template = self._detect_template(text, report)
        report.template = template.id
        sections = self._sections(template, stream, report)
        self._tables(template, stream, report, sections)
        self._claims(stream, report)
        return report

    def _claims(self, stream: Stream, report: Report) -> None:
        """Figures the narrative states (rules/narrative.yaml): the earliest matching sentence wins."""
        text = stream.text
        blocks = stream.line_blocks
        for claim in self.catalogue.claims:
            if claim.source == "year":
                if report.year is not None:
                    report.cells[claim.id] = CellValue(
                        CellState.NUMBER, float(report.year), report.title or ""
                    )
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

    # ---------------------------------------------------------------------------------- metadata

    def _required(self, year: int | None) -> Template | None:
        return self.catalogue.template_for_year(year)

    def _metadata(self, doc: Document, stream: Stream, report: Report) -> None:
        title = doc.meta.get("title")
        if not title:
            lines = [b.text.strip() for b in doc.blocks[:12] if isinstance(b, TextBlock) and b.text.strip()]
            for index, line in enumerate(lines):
                if "年度报告" in line or "年报" in line:
                    title = line
                    if (
                        index
                        and len(line) <= 20
                        and len(lines[index - 1]) <= 40
                        and "、" not in lines[index - 1]
                    ):
                        title = lines[index - 1] + line
                    break
        if title:
            report.title = re.sub(r"\s+", "", title)
            m = _YEAR.search(fold(report.title))
            if m:
                report.year = int(m.group(1))
            agency = _TITLE_TAIL.sub("", fold(report.title)).strip()
            report.agency = agency.translate({ord("("): "（", ord(")"): "）"}) or None
        if report.year is None:
            m = _YEAR.search(stream.text[:3000]) or re.match(r"(20\d{2})", doc.source)
            if m:
                report.year = int(m.group(1))
        published = doc.meta.get("published")
        if published:
            m = _DATE.search(fold(published))
            if m:
                report.published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"

    def _detect_template(self, text: str, report: Report) -> Template:
        """The format whose table labels the document uses; ties go to the format its year requires."""
        region = text
        for marker in ("第二十条", "主动公开政府信息"):
            pos = region.find(marker)
            if pos >= 0:
                region = region[pos:]
                break
        end = region.find("结转下年度")
        if end >= 0:
            region = region[: end + 10]
        compact = re.sub(r"\s+", "", region)
        scores = {}
        for template in self.catalogue.templates.values():
            scores[template.id] = sum(1 for m in template.markers if re.sub(r"\s+", "", fold(m)) in compact)
        report.template_scores = scores
        required = self._required(report.year)
        best = max(scores.values())
        leaders = [tid for tid, score in scores.items() if score == best]
        if required is not None and required.id in leaders:
            return required
        return self.catalogue.templates[leaders[0]]

    # ---------------------------------------------------------------------------------- sections

    def _sections(self, template: Template, stream: Stream, report: Report) -> dict[str, int]:
        text = stream.text
        found: dict[str, int] = {}
        hits: list[tuple[int, int, SectionHit]] = []
        for section_id, pattern in _section_patterns(template.id):
            m = pattern.search(text)
            if not m:
                continue
            end = _heading_end(text, m)
            heading = text[m.end("num") : end].lstrip("、. ").strip()
            hit = SectionHit(m.group("num"), heading, section_id, 0, stream.provenance_at(m.start()))
            hits.append((m.start(), end, hit))
            found[section_id] = m.start()
        official_starts = {start for start, _, _ in hits}
        for start, end in stream.line_blocks:
            line = text[start:end].strip()
            m = re.match(rf"^([{NUMERALS}]+)\s*、\s*(\S.{{1,30}})$", line)
            if not m or any(abs(s - start) < 3 or start <= s < end for s in official_starts):
                continue
            if self._is_table_row_label(template, m.group(2)):
                continue
            hit = SectionHit(m.group(1), m.group(2).strip(), None, 0, stream.provenance_at(start))
            hits.append((start, end, hit))
        hits.sort(key=lambda h: h[0])
        for position, (_, _, hit) in enumerate(hits):
            hit.position = position
        report.sections = [h for _, _, h in hits]
        found["_all"] = [start for start, _, _ in hits]  # type: ignore[assignment]
        for index, (start, end, hit) in enumerate(hits):
            if hit.section_id is None:
                continue
            stop = hits[index + 1][0] if index + 1 < len(hits) else len(text)
            report.section_texts[hit.section_id] = text[end:stop].strip()
        return found

    def _is_table_row_label(self, template: Template, heading: str) -> bool:
        compact = re.sub(r"\s+", "", heading)
        return any(key in compact for key in _row_keys(template.id))

    # ---------------------------------------------------------------------------------- tables

    def _tables(self, template: Template, stream: Stream, report: Report, sections: dict[str, int]) -> None:
        text = stream.text
        t2, t3, t4 = (template.table(t) for t in ("t2", "t3", "t4"))
        i2, i3, i4 = (_table_index(template.id, t) for t in ("t2", "t3", "t4"))
        doc_end = len(text)
        s5 = sections.get("s5")

        t2_start = i2.first(text, 0, doc_end, lambda o: o.startswith("caption:"))
        if t2_start is None and "s2" in sections:
            t2_start = sections["s2"]
        search_from = t2_start if t2_start is not None else sections.get("s3", 0)
        t3_start = i3.first(text, search_from, doc_end, lambda o: o in ("row:new", "row:carried_in"))
        t3_end_hint = None
        if t3_start is not None:
            carried_out = i3.first(text, t3_start, doc_end, lambda o: o == "row:carried_out")
            t3_end_hint = carried_out
        t4_from = t3_end_hint if t3_end_hint is not None else (t3_start or search_from)
        t4_start = sections.get("s4") if sections.get("s4", -1) > (t4_from or 0) else None
        if t4_start is None:
            t4_start = i4.first(text, t4_from, doc_end, lambda o: o == "row:review")
        t4_end = doc_end
        if t4_start is not None:
            t4_end = next((h for h in sorted(sections.get("_all", [])) if h > t4_start + 2), doc_end)

        t2_end = t3_start if t3_start is not None else (sections.get("s3") or t4_start or doc_end)
        if t2_start is not None:
            after = [h for h in sections.get("_all", []) if h > t2_start + 2]
            if after and min(after) < t2_end:
                t2_end = min(after)
        t3_end = t4_start if t4_start is not None else (s5 if s5 and t3_start and s5 > t3_start else doc_end)

        if t2_start is None or (t2_end is not None and t2_end <= t2_start):
            report.tables_missing["t2"] = "表二未找到：没有“第二十条第（一）项”等栏目标题"
        else:
            self._rows_table(template, t2, i2, stream, t2_start, t2_end, report)
        if t3_start is None:
            report.tables_missing["t3"] = "表三未找到：没有标注“本年新收”的行"
        else:
            self._rows_table(template, t3, i3, stream, t3_start, t3_end, report)
        if t4_start is None:
            report.tables_missing["t4"] = "表四未找到：没有“行政复议”“行政诉讼”表头"
        else:
            self._groups_table(template, t4, i4, stream, t4_start, t4_end, report)
        for table in (t2, t3, t4):
            for cell in template.cells_of(table.id):
                report.cells.setdefault(cell.id, CellValue(CellState.MISSING))

    def _rows_table(
        self,
        template: Template,
        table: Table,
        index: LabelIndex,
        stream: Stream,
        start: int,
        end: int,
        report: Report,
    ) -> None:
        """Tables whose rows carry labels (表二, 表三): each row's values follow its label."""
        text = stream.text
        spans = index.spans(text, start, end)
        order = [(b_i, row) for b_i, block in enumerate(table.blocks) for row in block.rows]
        later_owner: dict[str, int] = {f"row:{row.path}": i for i, (_, row) in enumerate(order)}
        cursor = 0
        runs: list[tuple[list[str], list[str], str, int]] = []
        found_rows: dict[str, tuple[int, int, int]] = {}
        next_numbering: dict[str, tuple[str, ...]] = {}
        for position, (b_i, row) in enumerate(order):
            owner = f"row:{row.path}"
            hit = None
            for s_index in range(cursor, len(spans)):
                span = spans[s_index]
                if owner in span.owners:
                    hit = s_index
                    break
                if _exclusive_later(span, later_owner, position):
                    break
            if hit is None:
                continue
            cursor = hit + 1
            seg_start = spans[hit].end
            seg_end = spans[hit + 1].start if hit + 1 < len(spans) else end
            found_rows[row.path] = (hit, seg_start, seg_end)
            if hit + 1 < len(spans):
                next_numbering[row.path] = _numbering_variants(spans[hit + 1].owners, index)
        for b_i, row in order:
            if row.path not in found_rows:
                continue
            _, seg_start, seg_end = found_rows[row.path]
            block = table.blocks[b_i]
            numbering = next_numbering.get(row.path, ())
            if not row.is_leaf:
                if row.aggregate and not any(child in found_rows for child in row.children):
                    segment = text[seg_start:seg_end]
                    if _has_digit(_strip_trailing_numbering(segment, numbering)):
                        self._assign_row(
                            table, block.columns, row, stream, seg_start, seg_end, report, runs, numbering
                        )
                        report.collapsed_rows.append(f"{table.id}.{row.path}")
                continue
            self._assign_row(table, block.columns, row, stream, seg_start, seg_end, report, runs, numbering)
        if runs:
            self._resolve_runs(template, table, stream, runs, report)

    def _assign_row(
        self,
        table: Table,
        columns,
        row: Row,
        stream: Stream,
        seg_start: int,
        seg_end: int,
        report: Report,
        runs: list,
        numbering: tuple[str, ...] = (),
    ) -> None:
        text = stream.text
        segment = _strip_trailing_numbering(text[seg_start:seg_end], numbering)
        ids = [f"{table.id}.{row.path}.{col.id}" for col in columns]
        kinds = [col.kind for col in columns]
        first_line = segment.split("\n", 1)[0]
        if "\t" in first_line:
            pieces = first_line.split("\t")[1:]
            offsets = []
            pos = seg_start + len(first_line.split("\t")[0]) + 1
            for piece in pieces:
                offsets.append(pos)
                pos += len(piece) + 1
            while len(pieces) > len(ids) and (not pieces[-1].strip() or _is_note(pieces[-1])):
                pieces.pop()  # blank cells or a 备注 typed to the right of the row
            if len(pieces) == len(ids):
                for cell_id, kind, piece, offset in zip(ids, kinds, pieces, offsets):
                    report.cells[cell_id] = parse_cell(piece, kind, stream.provenance_at(offset))
                return
            joined = " ".join(p for p in pieces if p.strip())
            run_offset = offsets[0] if offsets else seg_start
        else:
            joined = _numeric_prefix(segment.strip())
            run_offset = seg_start + (len(segment) - len(segment.lstrip()))
        if not joined:
            for cell_id, kind in zip(ids, kinds):
                report.cells[cell_id] = CellValue(CellState.BLANK, None, "", stream.provenance_at(seg_start))
            return
        if len(ids) == 1:
            report.cells[ids[0]] = parse_cell(joined, kinds[0], stream.provenance_at(run_offset))
            return
        runs.append((ids, kinds, joined, run_offset))

    def _groups_table(
        self,
        template: Template,
        table: Table,
        index: LabelIndex,
        stream: Stream,
        start: int,
        end: int,
        report: Report,
    ) -> None:
        """表四: a header of groups and columns, then 15 values (one row, or one row per group)."""
        text = stream.text
        spans = index.spans(text, start, end)
        columns = table.columns
        rows = table.rows
        runs: list = []
        # transposed: a group label directly followed by its five values
        transposed = {}
        for s_index, span in enumerate(spans):
            groups = [o for o in span.owners if o.startswith("row:")]
            nxt = spans[s_index + 1].start if s_index + 1 < len(spans) else end
            if groups and _has_digit(text[span.end : nxt].split("\n", 1)[0]):
                transposed[groups[0][4:]] = (span.end, nxt)
        if len(transposed) == len(rows):
            for row in rows:
                seg_start, seg_end = transposed[row.path]
                self._assign_row(table, columns, row, stream, seg_start, seg_end, report, runs)
        else:
            data_start = spans[-1].end if spans else start
            data = text[data_start:end]
            lines = _data_lines(data)
            ids = [f"{table.id}.{row.path}.{col.id}" for row in rows for col in columns]
            kinds = [col.kind for row in rows for col in columns]
            offset = data_start + (data.find(lines[0]) if lines else 0)
            if lines and all("\t" in ln or len(lines) == 1 for ln in lines):
                pieces: list[tuple[str, int]] = []
                pos = offset
                for line in lines:
                    line_start = text.find(line, pos)
                    p = line_start
                    for piece in line.split("\t"):
                        pieces.append((piece, p))
                        p += len(piece) + 1
                    pos = line_start + len(line)
                while len(pieces) > len(ids) and not pieces[-1][0].strip():
                    pieces.pop()
                while len(pieces) > len(ids) and not pieces[0][0].strip():
                    pieces.pop(0)
                if len(pieces) == len(ids):
                    for cell_id, kind, (piece, p) in zip(ids, kinds, pieces):
                        report.cells[cell_id] = parse_cell(piece, kind, stream.provenance_at(p))
                    return
            joined = " ".join(ln.replace("\t", " ").strip() for ln in lines)
            if joined:
                runs.append((ids, kinds, joined, offset))
            else:
                report.tables_missing["t4"] = "表四未找到数据：表头之后没有数字"
        if runs:
            self._resolve_runs(template, table, stream, runs, report)

    def _resolve_runs(
        self, template: Template, table: Table, stream: Stream, runs: list, report: Report
    ) -> None:
        """Split runs of digits into cells with the form's identities; doubts stay visible."""
        from validator.locate.digit_runs import Relation, RunSpec, resolve

        specs = [RunSpec(tuple(ids), text, tuple(kinds)) for ids, kinds, text, _ in runs]
        prefix = table.id + "."
        known = {
            cid: c.value
            for cid, c in report.cells.items()
            if cid.startswith(prefix) and c.state == CellState.NUMBER
        }
        relations = [Relation(rel) for rel in template.identities() if next(iter(rel)).startswith(prefix)]
        resolved = resolve(specs, relations, known)
        for ids, kinds, text, offset in runs:
            prov = stream.provenance_at
            for cell_id in ids:
                res = resolved.get(cell_id)
                if res is None or res.how == "unreadable":
                    report.cells[cell_id] = CellValue(
                        CellState.TEXT, None, text, prov(offset), note=f"“{text}”无法读成{len(ids)}个数字"
                    )
                elif res.value is None:
                    cands = tuple(float(c) for c in res.candidates)
                    report.cells[cell_id] = CellValue(
                        CellState.AMBIGUOUS,
                        None,
                        text,
                        prov(offset),
                        candidates=cands,
                        note=f"数字连写“{text}”有多种拆分，本格可能为 " + "、".join(f"{c:g}" for c in cands),
                    )
                else:
                    note = "" if res.how == "unique" else f"由表内勾稽关系从连写数字“{text}”拆分得出"
                    unit = (
                        "元" if "万元" not in text and "元" in text else ("万元" if "万元" in text else None)
                    )
                    report.cells[cell_id] = CellValue(
                        CellState.NUMBER, float(res.value), text, prov(offset), note=note, unit=unit
                    )


def _exclusive_later(span: Span, later_owner: dict[str, int], position: int) -> bool:
    """True when the span belongs only to rows after `position`: the current row is absent."""
    rows = [o for o in span.owners if o.startswith("row:")]
    return bool(rows) and all(later_owner.get(o, -1) > position for o in rows)


def _data_lines(data: str) -> list[str]:
    """Lines holding 表四's values: consecutive table rows with digits, or one line of run-together text."""
    lines = [ln for ln in data.split("\n") if _has_digit(ln)]
    if lines and "\t" in lines[0]:
        out = []
        for line in data.split("\n"):
            if "\t" in line and _has_digit(line):
                out.append(line)
            elif out and line.strip():
                break
        return out
    return lines[:1]


def _strip_trailing_numbering(segment: str, numbering: tuple[str, ...] = ()) -> str:
    """Drop the next label's numbering (“2.”, “（三）”, “三、”) that run-together text leaves at the end.

    Only the numbering is cut; whitespace and TABs before it (blank cells) are kept."""
    body = segment.rstrip()
    cut = next((len(body) - len(v) for v in numbering if body.endswith(v)), None)
    if cut is None:
        m = _TRAILING_NUMBERING.search(body)
        cut = m.start() if m else len(body)
    cut = len(body[:cut].rstrip("一二三四五六七八九十"))  # a doubled numeral: “三三、本年度办理结果”
    return segment[:cut] if cut < len(body) else segment


def _numbering_variants(owners: tuple[str, ...], index: LabelIndex) -> tuple[str, ...]:
    """How the numbering of the row owning the next label may be written."""
    return tuple(v for owner in owners for v in index.numbering.get(owner, ()))


def _numbering_forms(label: str) -> tuple[str, ...]:
    """“2.” → 2. 2、 2,   “（三）” → (三) 三、   “三、” → 三、 (三)."""
    m = re.match(
        r"^\s*(?:(\d+)\s*[.、]|\(([一二三四五六七八九十]+)\)|([一二三四五六七八九十]+)、)", fold(label)
    )
    if not m:
        return ()
    if m.group(1):
        return f"{m.group(1)}.", f"{m.group(1)}、", f"{m.group(1)},"
    numeral = m.group(2) or m.group(3)
    return f"({numeral})", f"{numeral}、"


_NUMERIC_PREFIX = re.compile(r"^[\d\s+\-.,]*\d(?:\s*(?:万元|元))?")


def _numeric_prefix(segment: str) -> str:
    """A run of figures followed by running text (crawled pages): keep the figures, drop the prose.

    Only when the text after the figures is prose (several CJK characters); otherwise the whole
    segment stays and an odd cell shows up as text, not silently trimmed."""
    m = _NUMERIC_PREFIX.match(segment)
    if not m:
        return segment
    rest = segment[m.end() :].strip()
    if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 6:
        return m.group(0).strip()
    return segment


def _heading_end(text: str, m: re.Match) -> int:
    """End of a heading: the end of its line, or of the matched words in a run-together text."""
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    if line_end - m.start() <= 40:
        return line_end
    tail = re.match(r"[^\n\t。；;，,0-9一二三四五六七八九十(（]{0,8}?(?:情况|事项)", text[m.end() : line_end])
    return m.end() + (tail.end() if tail else 0)


def locate(doc: Document, catalogue: Catalogue | None = None) -> Report:
    return Locator(catalogue).locate(doc)
