"""What the report is: its title, year, agency and publication date, and which form its tables follow.

The agency comes from the first source, in order of trust, that yields something that looks like the name
of an organ (an organ's suffix, bounded length, no sentence punctuation): the title; the page header
(发布机构); the first lines; the signature (落款) at the end; the file name. Body text is never a name.
Page header lines (标题：…、发布时间：…、来源：…) are metadata, never a title with its prefix.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from validator.catalogue import Catalogue, Template
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import Stream, fold
from validator.model import Report
from validator.readers.document import Document, TextBlock

_YEAR = re.compile(r"(20\d{2})\s*年")
_DATE = re.compile(r"(20\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
#: a crawled page's header line: “标题：…”, “发布时间: …”
HEADER_LINE = re.compile(
    r"^\s*(标\s*题|题\s*目|名\s*称|发布时间|发布日期|成文日期|生成日期|印发日期|来\s*源|信息来源|发布机构|发文机关|"
    r"发布单位|所属机构|索\s*引\s*号|文\s*号|发文字号|字\s*号|浏览次数|访问次数|点击数|阅读次数|主题分类|体裁分类|"
    r"主\s*题\s*词|公开方式|公开范围|有\s*效\s*性|栏\s*目)\s*[:：]\s*(.*)$"
)
_TITLE_FIELDS = ("标题", "题目", "名称")
_PUBLISHER_FIELDS = ("发布机构", "发文机关", "发布单位", "所属机构")
_URL_FIELDS = ("原文链接", "原文地址", "链接", "网址")
_DATE_FIELDS = ("发布时间", "发布日期", "成文日期", "印发日期", "生成日期")
#: what an organ's name ends with (longest first)
_ORGAN_SUFFIXES = (
    "街道办事处", "人民政府", "委员会", "办公室", "管委会", "办事处", "政府", "街道", "局", "厅", "委", "办",
    "中心", "院", "馆", "署", "队", "所", "站", "部", "会", "处", "社", "镇", "乡", "室", "台", "园", "区",
)  # fmt: skip
_NOT_IN_NAME = re.compile(r"[，。；;！!？?：:、,“”\"《》\s的]|\d")
_TITLE_NOISE = re.compile(
    r"^\s*(?:标\s*题|题\s*目|名\s*称)\s*[:：]|[（(]?全文[)）]?|[“”\"《》\s]|关于|"
    r"(?:20\d{2}|[〇零一二三四五六七八九]{4})\s*年度?|(?:政府)?信息公开(?:工作)?的?(?:年度)?(?:报告|年报)|年度报告$"
)


def looks_like_name(text: str | None, settings: LocateSettings = DEFAULT_SETTINGS) -> bool:
    if not text:
        return False
    return (
        settings.agency_min_len <= len(text) <= settings.agency_max_len
        and not _NOT_IN_NAME.search(text)
        and text.endswith(_ORGAN_SUFFIXES)
    )


#: a parenthesised tail after the name says what the document is (（统计表）、（附表）、（草案）、(表格)), not
#: who: an organ's name never ends with a bracket, so any such tail is cut (several, if several)
_BRACKET_TAIL = re.compile(r"(?:[(（][^()（）]{1,12}[)）]\s*)+$")


def _clean_name(text: str) -> str:
    name = _TITLE_NOISE.sub("", fold(text)).strip()
    name = _BRACKET_TAIL.sub("", name).strip().rstrip("的")
    return name.translate({ord("("): "（", ord(")"): "）"})


def header_fields(doc: Document, scan: int = 40) -> dict[str, str]:
    """The page header's fields (the first occurrence of each), from the first text lines."""
    out: dict[str, str] = {}
    for block in doc.blocks[:scan]:
        if isinstance(block, TextBlock):
            m = HEADER_LINE.match(block.text)
            if m:
                out.setdefault(re.sub(r"\s+", "", m.group(1)), m.group(2).strip())
    return out


def read_metadata(
    doc: Document, stream: Stream, report: Report, settings: LocateSettings = DEFAULT_SETTINGS
) -> None:
    """Title, year, agency and publication date into the report."""
    header = header_fields(doc)
    title = (
        doc.meta.get("title")
        or next((header[f] for f in _TITLE_FIELDS if header.get(f)), None)
        or _title_from_lines(doc, settings)
    )
    if title:
        title = re.sub(r"^\s*(?:标\s*题|题\s*目|名\s*称)\s*[:：]", "", title)
        report.title = re.sub(r"\s+", "", title)
        m = _YEAR.search(fold(report.title))
        if m:
            report.year = int(m.group(1))
    if report.year is None:
        m = _YEAR.search(stream.text[: settings.year_scan_chars]) or re.match(r"(20\d{2})", doc.source)
        if m:
            report.year = int(m.group(1))
    report.agency = _agency(doc, report.title, header, settings)
    report.published = _published(doc, header)
    report.url = _url(doc, header)


def _url(doc: Document, header: dict[str, str]) -> str | None:
    """The page's own address (a saved page's canonical link, a crawler's 原文链接 line), for the auditor."""
    text = doc.meta.get("url") or next((header[f] for f in _URL_FIELDS if header.get(f)), None)
    text = (text or "").strip()
    return text if re.match(r"https?://\S+$", text) else None


def _agency(doc: Document, title: str | None, header: dict[str, str], settings: LocateSettings) -> str | None:
    candidates = [
        title,
        *(header.get(f) for f in _PUBLISHER_FIELDS),
        doc.meta.get("publisher"),
        doc.meta.get("agency"),
        *_first_lines(doc, settings),
        *_signature_lines(doc),
        _file_stem(doc.source),
    ]
    return next(iter(_names(candidates, settings)), None)


def name_from_file(source: str, settings: LocateSettings = DEFAULT_SETTINGS) -> str | None:
    """The agency a file name gives (“2023_某某县财政局.txt”), when it looks like a name; for callers that
    cannot read the file (batch), so that readable and unreadable files are named alike."""
    return next(iter(_names([_file_stem(source)], settings)), None)


def _names(candidates: list[str | None], settings: LocateSettings) -> list[str]:
    out = []
    for candidate in candidates:
        if candidate:
            name = _clean_name(candidate)
            if looks_like_name(name, settings):
                out.append(name)
    return out


def _text_lines(doc: Document) -> list[str]:
    return [b.text.strip() for b in doc.blocks if isinstance(b, TextBlock) and b.text.strip()]


def _first_lines(doc: Document, settings: LocateSettings) -> list[str]:
    lines = [ln for ln in _text_lines(doc)[: settings.title_scan_blocks] if not HEADER_LINE.match(ln)]
    return [ln for ln in lines if len(ln) <= settings.agency_max_len]


def _signature_lines(doc: Document, scan: int = 6) -> list[str]:
    """Short lines at the end (the 落款: the organ's name above the date), last first."""
    return [ln for ln in reversed(_text_lines(doc)[-scan:]) if not _DATE.search(ln)]


def _file_stem(source: str) -> str:
    stem = PurePath(source).stem
    return re.sub(r"^[\d_\-\s.年]+|[\d_\-\s.]+$", "", stem)


def _published(doc: Document, header: dict[str, str]) -> str | None:
    texts = [doc.meta.get("published"), *(header.get(f) for f in _DATE_FIELDS)]
    texts += [ln for ln in reversed(_text_lines(doc)[-4:]) if len(ln) <= 20]  # the date under the signature
    for text in texts:
        m = _DATE.search(fold(text)) if text else None
        if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None


def _title_from_lines(doc: Document, settings: LocateSettings) -> str | None:
    blocks = doc.blocks[: settings.title_scan_blocks]
    lines = [
        b.text.strip()
        for b in blocks
        if isinstance(b, TextBlock) and b.text.strip() and not HEADER_LINE.match(b.text)
    ]
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
