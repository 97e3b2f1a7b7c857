"""What the report is: its title, year, agency and publication date, and which form its tables follow."""

from __future__ import annotations

import re

from validator.catalogue import Catalogue, Template
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import Stream, fold
from validator.model import Report
from validator.readers.document import Document, TextBlock

_YEAR = re.compile(r"(20\d{2})\s*年")
_TITLE_TAIL = re.compile(r"(?:20\d{2}\s*年度?)|政府信息公开工作的?年度报告|[（(]?全文[)）]?|[“”\"《》\s]")
_DATE = re.compile(r"(20\d{2})[-年/.](\d{1,2})[-月/.](\d{1,2})")


def read_metadata(
    doc: Document, stream: Stream, report: Report, settings: LocateSettings = DEFAULT_SETTINGS
) -> None:
    """Title, year, agency and publication date into the report."""
    title = doc.meta.get("title") or _title_from_lines(doc, settings)
    if title:
        report.title = re.sub(r"\s+", "", title)
        m = _YEAR.search(fold(report.title))
        if m:
            report.year = int(m.group(1))
        agency = _TITLE_TAIL.sub("", fold(report.title)).strip()
        report.agency = agency.translate({ord("("): "（", ord(")"): "）"}) or None
    if report.year is None:
        m = _YEAR.search(stream.text[: settings.year_scan_chars]) or re.match(r"(20\d{2})", doc.source)
        if m:
            report.year = int(m.group(1))
    published = doc.meta.get("published")
    if published:
        m = _DATE.search(fold(published))
        if m:
            report.published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def _title_from_lines(doc: Document, settings: LocateSettings) -> str | None:
    blocks = doc.blocks[: settings.title_scan_blocks]
    lines = [b.text.strip() for b in blocks if isinstance(b, TextBlock) and b.text.strip()]
    for index, line in enumerate(lines):
        if "年度报告" in line or "年报" in line:
            if (
                index
                and len(line) <= settings.title_tail_max
                and len(lines[index - 1]) <= settings.title_head_max
                and "、" not in lines[index - 1]
            ):
                return lines[index - 1] + line
            return line
    return None


def detect_template(catalogue: Catalogue, text: str, report: Report) -> Template:
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
    for template in catalogue.templates.values():
        scores[template.id] = sum(1 for m in template.markers if re.sub(r"\s+", "", fold(m)) in compact)
    report.template_scores = scores
    required = catalogue.template_for_year(report.year)
    best = max(scores.values())
    leaders = [tid for tid, score in scores.items() if score == best]
    if required is not None and required.id in leaders:
        return required
    return catalogue.templates[leaders[0]]
