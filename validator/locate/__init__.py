"""Labels → cell ids: finds the form's sections, tables, rows and columns in any reader's Document.

The pipeline of this package, one module per job:

* ``stream``   — the Document as one folded string with provenance; the label index of a table;
* ``metadata`` — title, year, agency, publication date; which form the tables follow;
* ``sections`` — the numbered headings, official or not;
* ``tables``   — where each table lies, by the role the catalogue gives it;
* ``rows``     — each row's values, cut into cells (``cells.parse_cell``), placed where certain
  (``placing``: whitespace, blank lines) or split as digit runs (``digit_runs``: enumerate the splits and
  the placements of deleted empty cells, choose with the form's identities); what cannot be placed is
  UNPLACED, never TEXT;
* ``claims``   — figures the narrative states.

Nothing here knows about file formats or rules.
"""

from __future__ import annotations

from validator.catalogue import Catalogue, load_catalogue
from validator.locate.cells import parse_cell
from validator.locate.claims import read_claims
from validator.locate.metadata import detect_template, read_metadata
from validator.locate.readings import apply_readings, snap_labels
from validator.locate.sections import find_sections
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import Stream
from validator.locate.tables import locate_tables
from validator.model import Report
from validator.readers.document import Document, TextBlock

__all__ = ["LocateSettings", "locate", "parse_cell"]

_NO_TEXT = "文件没有可读取的文本层（表格以图片或扫描件形式发布）"
_PICTURES_UNREAD = "文件中有图片未能识别出表格（表格可能以图片形式发布，但无法辨认），请提供表格为文字的原件"
_OCR_MISSING = '未安装图片文字识别（OCR）组件，请运行 pip install "ogi-validator[ocr]" 后再检查'


def locate(
    doc: Document, catalogue: Catalogue | None = None, settings: LocateSettings = DEFAULT_SETTINGS
) -> Report:
    """Turn one Document into a Report for the catalogue's templates."""
    catalogue = catalogue or load_catalogue()
    if doc.meta.get("ocr"):
        snap_labels(doc, catalogue)
    stream = Stream(doc)
    report = Report(source=doc.source, format=doc.format, tables_only=doc.tables_only)
    report.narrative = "\n".join(b.text for b in doc.blocks if isinstance(b, TextBlock))
    read_metadata(doc, stream, report, settings)
    if doc.meta.get("no_text"):
        report.machine_readable = False
        required = catalogue.template_for_year(report.year)
        report.template = required.id if required else None
        tables = required.tables if required else next(iter(catalogue.templates.values())).tables
        reason = f"{_NO_TEXT}；{_OCR_MISSING}" if doc.meta.get("ocr_missing") else _NO_TEXT
        for table in tables:
            report.tables_missing[table.id] = reason
        return report
    template = detect_template(catalogue, stream.text, report)
    report.template = template.id
    sections = find_sections(template, stream, report, settings)
    locate_tables(template, stream, report, sections, settings)
    if doc.meta.get("ocr"):
        apply_readings(doc, template, report)
    unread = _PICTURES_UNREAD if doc.meta.get("pictures_unread") else None
    if doc.meta.get("ocr_missing"):
        unread = f"文件中的图片未识别：{_OCR_MISSING}"
    if unread and report.tables_missing:
        # pictures left unread (no OCR extra, or no table made out of them) and tables not found: they may
        # be those pictures, so their absence is not certain (no M-02 error): the report is not read, as a
        # scan is, and says why
        report.machine_readable = False
        for table_id, reason in report.tables_missing.items():
            report.tables_missing[table_id] = f"{reason}；{unread}"
    read_claims(catalogue, stream, report)
    return report
