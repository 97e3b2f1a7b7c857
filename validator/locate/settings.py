"""The locator's tolerances as one validated record (like pdfplumber's TableSettings): named defaults,
bad values refused when the settings are made, so no magic number hides in the heuristics."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class LocateSettings:
    #: text blocks at the top of a document searched for the title
    title_scan_blocks: int = 12
    #: a title line this short may be the second half of a title split over two lines …
    title_tail_max: int = 20
    #: … when the line before it is at most this long
    title_head_max: int = 40
    #: characters at the start of the text searched for a year when the title has none
    year_scan_chars: int = 3000
    #: words allowed between a section's numeral and its key (“三、本机关收到和处理…”)
    section_prefix_max: int = 14
    #: a heading line at most this long is the heading whole; longer ones end after the matched words
    heading_line_max: int = 40
    #: words allowed after a heading's key in run-together text before 情况/事项
    heading_tail_max: int = 8
    #: longest heading text of an unofficial numbered section line (“七、其他”)
    section_line_max: int = 30
    #: CJK characters after a run of figures that make the rest prose (crawled pages)
    prose_min_cjk: int = 6
    #: CJK characters that make a piece beside a table row a remark, not a figure
    note_min_cjk: int = 2
    #: an agency name is between these many characters long
    agency_min_len: int = 2
    agency_max_len: int = 40
    #: a figure at or above this is beyond what a report can hold (a typing or crawling accident): never
    #: placed as a number (TEXT in a real cell, UNPLACED in crawled text), noted 数值异常（位数过多）
    number_limit: int = 10**12

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"LocateSettings.{f.name} must be a positive integer, not {value!r}")
        if self.title_tail_max > self.title_head_max:
            raise ValueError("LocateSettings.title_tail_max must not exceed title_head_max")
        if self.number_limit < 10:
            raise ValueError("LocateSettings.number_limit must be at least 10")
        if self.agency_min_len > self.agency_max_len:
            raise ValueError("LocateSettings.agency_min_len must not exceed agency_max_len")

    @property
    def number_digits(self) -> int:
        """How many digits (before a decimal point) a figure below number_limit can have."""
        return len(str(self.number_limit - 1))


DEFAULT_SETTINGS = LocateSettings()
