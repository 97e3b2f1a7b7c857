"""The report's numbered headings: the official sections (by the template's keys) and any others."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from validator.catalogue import Template, load_catalogue
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import Stream, fold, key_pattern
from validator.model import Report, SectionHit

NUMERALS = "一二三四五六七八九十"


@dataclass(slots=True)
class Sections:
    """Where the headings start in the stream: official ones by section id, and every heading."""

    found: dict[str, int] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)

    def get(self, section_id: str | None, default=None):
        return self.found.get(section_id, default) if section_id else default

    def __contains__(self, section_id: str) -> bool:
        return section_id in self.found

    def next_after(self, position: int, stop: int) -> int:
        """The first heading after `position` (a heading right at it does not count), else `stop`."""
        return next((h for h in sorted(self.starts) if h > position + 2), stop)


@cache
def _row_keys(template_id: str) -> tuple[str, ...]:
    """Every row key of every table, folded and without spaces (to tell a table row from a heading)."""
    template = load_catalogue().templates[template_id]
    return tuple(
        re.sub(r"\s+", "", fold(k)) for table in template.tables for row in table.rows for k in row.keys
    )


@cache
def _section_patterns(template_id: str, prefix_max: int) -> list[tuple[str, re.Pattern]]:
    template = load_catalogue().templates[template_id]
    out = []
    for section in template.sections:
        keys = sorted({section.heading, *section.keys}, key=len, reverse=True)
        alternation = "|".join(key_pattern(k) for k in keys)
        pattern = re.compile(
            rf"(?<![一二三四五六七八九十(])(?P<num>[{NUMERALS}]+)\s*[、.]\s*"
            rf"(?P<pre>[^\n\t。;；,，]{{0,{prefix_max}}}?)(?:{alternation})"
        )
        out.append((section.id, pattern))
    return out


def is_table_row_label(template: Template, heading: str) -> bool:
    compact = re.sub(r"\s+", "", heading)
    return any(key in compact for key in _row_keys(template.id))


def find_sections(
    template: Template, stream: Stream, report: Report, settings: LocateSettings = DEFAULT_SETTINGS
) -> Sections:
    text = stream.text
    found: dict[str, int] = {}
    hits: list[tuple[int, int, SectionHit]] = []
    for section_id, pattern in _section_patterns(template.id, settings.section_prefix_max):
        m = pattern.search(text)
        if not m:
            continue
        end = _heading_end(text, m, settings)
        heading = text[m.end("num") : end].lstrip("、. ").strip()
        hit = SectionHit(m.group("num"), heading, section_id, 0, stream.provenance_at(m.start()))
        hits.append((m.start(), end, hit))
        found[section_id] = m.start()
    official_starts = {start for start, _, _ in hits}
    unofficial = re.compile(rf"^([{NUMERALS}]+)\s*、\s*(\S.{{1,{settings.section_line_max}}})$")
    for start, end in stream.line_blocks:
        line = text[start:end].strip()
        m = unofficial.match(line)
        if not m or any(abs(s - start) < 3 or start <= s < end for s in official_starts):
            continue
        if is_table_row_label(template, m.group(2)):
            continue
        hit = SectionHit(m.group(1), m.group(2).strip(), None, 0, stream.provenance_at(start))
        hits.append((start, end, hit))
    hits.sort(key=lambda h: h[0])
    for position, (_, _, hit) in enumerate(hits):
        hit.position = position
    report.sections = [h for _, _, h in hits]
    for index, (start, end, hit) in enumerate(hits):
        if hit.section_id is None:
            continue
        stop = hits[index + 1][0] if index + 1 < len(hits) else len(text)
        report.section_texts[hit.section_id] = text[end:stop].strip()
    return Sections(found, [start for start, _, _ in hits])


def _heading_end(text: str, m: re.Match, settings: LocateSettings) -> int:
    """End of a heading: the end of its line, or of the matched words in a run-together text."""
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    if line_end - m.start() <= settings.heading_line_max:
        return line_end
    tail = re.match(
        rf"[^\n\t。；;，,0-9一二三四五六七八九十(（]{{0,{settings.heading_tail_max}}}?(?:情况|事项)",
        text[m.end() : line_end],
    )
    return m.end() + (tail.end() if tail else 0)
