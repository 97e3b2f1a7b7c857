"""Staff's own Word file back: a copy of the .docx with a comment (批注) on every table cell a finding
names and one comment at the top summarising the result.

Works on the OOXML package with lxml, as the reader does: ``word/comments.xml`` (created, or extended when
the document already has comments), its relationship and content type, and in ``document.xml`` a
``commentRangeStart``/``commentRangeEnd`` pair around the cell's paragraphs plus a ``commentReference``
run. Cells the finding blames (those it suggests a value for) get a strong shading, the other cells of the
relation a pale one. A cell id is mapped to a ``w:tc`` by the provenance the reader recorded (table,
row, grid column), counting tables exactly as ``validator.readers.docx`` does. Every other part of the
package is copied byte for byte; the input is never written (the copy goes through a temporary file).
Opens in Word, WPS and LibreOffice.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
import zipfile
import zlib
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from validator.model import STATUS_ZH, ReportResult
from validator.render.labels import blamed_cells, cell_label, number
from validator.render.notes import blocked, next_steps

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
AUTHOR = "ogi 年报校验"
MAX_INFLATED = 512 * 1024 * 1024  # the reader refused larger packages already; a second guard
INITIALS = "ogi"

#: strong (blamed) and pale (related) cell shading by severity, as in the annotated workbook
SHADING = {
    "error": ("FF7C80", "FFD0D0"),
    "warning": ("FFC000", "FFE699"),
    "info": ("9BC2E6", "DDEBF7"),
}
# ---- the reader's view of the tables (render never imports readers: the few rules it applies to count
# tables and grid columns are restated here; tests/test_docx_annotate.py checks both agree) -------------


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _parse(data: bytes, name: str):
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{name}: 无法解析 ({exc})") from None


def _span(value, default: int = 1) -> int:
    """As readers.grid.clamp_span: a positive int (0, junk or negative → default)."""
    try:
        n = int(str(value).strip().split(".")[0])
    except (TypeError, ValueError):
        return default
    return default if n < 1 else min(n, 1000)


def _children(el, tag: str):
    """Direct children named ``tag``, looking through w:sdt / w:customXml wrappers."""
    for child in el:
        if child.tag == _q(tag):
            yield child
        elif child.tag == _q("sdt"):
            content = child.find(_q("sdtContent"))
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == _q("customXml"):
            yield from _children(child, tag)


def _grid_before_after(tr) -> tuple[int, int]:
    trpr = tr.find(_q("trPr"))
    if trpr is None:
        return 0, 0
    before, after = trpr.find(_q("gridBefore")), trpr.find(_q("gridAfter"))
    return (
        _span(before.get(_q("val")), 0) if before is not None else 0,
        _span(after.get(_q("val")), 0) if after is not None else 0,
    )


def _row_deleted(tr) -> bool:
    trpr = tr.find(_q("trPr"))
    return trpr is not None and trpr.find(_q("del")) is not None


def _cell_deleted(tc) -> bool:
    tcpr = tc.find(_q("tcPr"))
    return tcpr is not None and tcpr.find(_q("cellDel")) is not None


def _main_part(names: set[str], rels: bytes | None) -> str:
    if rels is not None:
        for rel in _parse(rels, "_rels/.rels"):
            if (rel.get("Type") or "").endswith("/officeDocument"):
                target = (rel.get("Target") or "").lstrip("/")
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ValueError("不是有效的DOCX：缺少word/document.xml")


SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
_RANK = {"error": 0, "warning": 1, "info": 2}
# w:tcPr children that come after w:shd in the schema's sequence (Word rejects them out of order)
_AFTER_SHD = {
    _q(t)
    for t in (
        "noWrap",
        "tcMar",
        "textDirection",
        "tcFitText",
        "vAlign",
        "hideMark",
        "headers",
        "cellIns",
        "cellDel",
        "cellMerge",
        "tcPrChange",
    )
}


def docx_tables(body) -> list:
    """The w:tbl elements the reader numbers 1, 2, … (layout containers and single-column tables are not
    numbered; their inner tables are), in document order."""
    out = []
    for tbl in body.iter(_q("tbl")):
        if any(a.tag == f"{{{MC}}}Fallback" for a in tbl.iterancestors()):
            continue  # the reader reads mc:Choice only
        rows = [tr for tr in _children(tbl, "tr") if not _row_deleted(tr)]
        if not rows:
            continue
        cells = [[tc for tc in _children(tr, "tc") if not _cell_deleted(tc)] for tr in rows]
        nested = any(True for _ in tbl.iterdescendants(_q("tbl")))
        if nested or all(len(c) <= 1 and _grid_before_after(tr) == (0, 0) for c, tr in zip(cells, rows)):
            continue
        out.append((tbl, rows, cells))
    return out


def find_tc(tables: list, table: int | None, row: int | None, column: int | None):
    """The w:tc at the reader's (table, row, column), 1-based, column counted on the table grid."""
    if table is None or row is None or column is None or not 1 <= table <= len(tables):
        return None
    _tbl, rows, cells = tables[table - 1]
    if not 1 <= row <= len(rows):
        return None
    tr, tcs = rows[row - 1], cells[row - 1]
    col = _grid_before_after(tr)[0]
    target = column - 1
    last = None
    for tc in tcs:
        tcpr = tc.find(_q("tcPr"))
        span = 1
        if tcpr is not None:
            gs = tcpr.find(_q("gridSpan"))
            if gs is not None:
                span = _span(gs.get(_q("val")))
            hm = tcpr.find(_q("hMerge"))
            if hm is not None and hm.get(_q("val")) != "restart" and last is not None:
                if col <= target < col + span:
                    return last
                col += span
                continue
        if col <= target < col + span:
            return tc
        last = tc
        col += span
    return None


# ------------------------------------------------------------------------------------------ comments


def _text_paragraph(comment, text: str, *, first: bool = False, bold: bool = False) -> None:
    p = etree.SubElement(comment, _q("p"))
    ppr = etree.SubElement(p, _q("pPr"))
    etree.SubElement(ppr, _q("pStyle")).set(_q("val"), "CommentText")
    if first:
        r = etree.SubElement(p, _q("r"))
        rpr = etree.SubElement(r, _q("rPr"))
        etree.SubElement(rpr, _q("rStyle")).set(_q("val"), "CommentReference")
        etree.SubElement(r, _q("annotationRef"))
    r = etree.SubElement(p, _q("r"))
    if bold:
        etree.SubElement(etree.SubElement(r, _q("rPr")), _q("b"))
    t = etree.SubElement(r, _q("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _anchor(paragraphs: list, comment_id: int) -> None:
    """commentRangeStart at the start of the first paragraph, End and the reference at the end of the last."""
    first, last = paragraphs[0], paragraphs[-1]
    start = etree.Element(_q("commentRangeStart"))
    start.set(_q("id"), str(comment_id))
    ppr = first.find(_q("pPr"))
    first.insert(0 if ppr is None else first.index(ppr) + 1, start)
    end = etree.SubElement(last, _q("commentRangeEnd"))
    end.set(_q("id"), str(comment_id))
    r = etree.SubElement(last, _q("r"))
    rpr = etree.SubElement(r, _q("rPr"))
    etree.SubElement(rpr, _q("rStyle")).set(_q("val"), "CommentReference")
    etree.SubElement(r, _q("commentReference")).set(_q("id"), str(comment_id))


def _cell_paragraphs(tc) -> list:
    ps = [p for p in tc if p.tag == _q("p")]
    if not ps:
        ps = [etree.SubElement(tc, _q("p"))]
    return ps


def _shade(tc, fill: str) -> None:
    tcpr = tc.find(_q("tcPr"))
    if tcpr is None:
        tcpr = etree.Element(_q("tcPr"))
        tc.insert(0, tcpr)
    old = tcpr.find(_q("shd"))
    if old is not None:
        tcpr.remove(old)
    shd = etree.Element(_q("shd"))
    shd.set(_q("val"), "clear")
    shd.set(_q("color"), "auto")
    shd.set(_q("fill"), fill)
    at = len(tcpr)
    for k, child in enumerate(tcpr):
        if child.tag in _AFTER_SHD:
            at = k
            break
    tcpr.insert(at, shd)


def _finding_lines(finding, cell_id: str) -> list[str]:
    sev = SEVERITY_ZH.get(finding.severity, finding.severity)
    lines = [f"【{sev} {finding.rule}】{finding.message_zh}"]
    value = finding.values.get(cell_id) if finding.values else None
    if cell_id in (finding.values or {}):
        lines.append(f"本单元格：{cell_label(cell_id)}，现为 {number(value)}")
    if finding.difference is not None:
        lines.append(f"相差：{number(abs(finding.difference))}")
    if finding.suggestion and cell_id in finding.suggestion:
        lines.append(f"建议值：{number(finding.suggestion[cell_id])}")
    return lines


def summary_lines(result: ReportResult) -> list[str]:
    status = STATUS_ZH.get(result.status, result.status)
    findings = [f for f in result.findings if f.outcome == "fail"]
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    lines = [
        f"ogi 年报校验结果：{status}",
        (
            f"错误 {counts['error']} 条，警告 {counts['warning']} 条，提示 {counts['info']} 条；"
            f"无法核对的检查 {len(result.not_assessable)} 项。"
        ),
    ]
    if result.status == "not_checked":
        from validator.model import NOT_CHECKED_ADVICE

        lines.append(NOT_CHECKED_ADVICE["zh"])
    for f in sorted(findings, key=lambda f: _RANK.get(f.severity, 3))[:30]:
        lines.append(f"· 【{SEVERITY_ZH.get(f.severity, f.severity)} {f.rule}】{f.message_zh}")
    if len(findings) > 30:
        lines.append(f"……另有 {len(findings) - 30} 条，见校验报告。")
    lines.append("有问题的单元格已标色（深色为最可能出错处，浅色为相关单元格），并附批注。")
    for group in blocked(result):
        lines.append(f"无法判断 {group.line(result.meta.get('template'))}")
    lines.append("下一步：" + "；".join(next_steps(result)))
    return lines


# ------------------------------------------------------------------------------------------------ main


def annotate_docx(source_path: str | Path, report, result: ReportResult, out_path: str | Path) -> int:
    """Write the commented copy of ``source_path`` to ``out_path``; returns the number of comments added.

    ``report`` is the Report read from ``source_path`` (its cells' provenance places the comments)."""
    source_path, out_path = Path(source_path), Path(out_path)
    if source_path.suffix.lower() != ".docx":
        raise ValueError(f"{source_path.name}: 只能为 .docx 文件写入批注 (Word comments need a .docx input)")
    if out_path.exists() and out_path.resolve() == source_path.resolve():
        raise ValueError(f"{out_path}: 标注结果不能写回输入文件 (the input file is never overwritten)")
    try:
        with zipfile.ZipFile(source_path) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_INFLATED:
                raise ValueError(f"{source_path.name}: 文档解压后过大，不写批注")
            parts = {info.filename: z.read(info) for info in z.infolist()}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ValueError(f"{source_path.name}: 不是有效的DOCX，或其中的部件已损坏 ({exc})") from None
    main = _main_part(set(parts), parts.get("_rels/.rels"))
    root = _parse(parts[main], main)
    body = root.find(_q("body"))
    if body is None:
        raise ValueError(f"{source_path.name}: DOCX缺少正文（w:body）")

    d, base = posixpath.split(main)
    rels_name = posixpath.join(d, "_rels", base + ".rels")
    rels = (
        _parse(parts[rels_name], rels_name)
        if rels_name in parts
        else etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
    )
    comments_name = None
    for rel in rels:
        if rel.get("Type") == COMMENTS_TYPE and rel.get("TargetMode") != "External":
            comments_name = posixpath.normpath(posixpath.join(d, rel.get("Target") or "")).lstrip("/")
    if comments_name and comments_name in parts:
        comments = _parse(parts[comments_name], comments_name)
        ids = [int(c.get(_q("id"))) for c in comments if (c.get(_q("id")) or "").lstrip("-").isdigit()]
    else:
        comments = etree.Element(_q("comments"), nsmap={"w": W, "r": R_NS})
        ids = []
    ids += [
        int(e.get(_q("id"))) for e in root.iter(_q("commentReference")) if (e.get(_q("id")) or "").isdigit()
    ]
    next_id = max(ids, default=-1) + 1
    date = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    def new_comment(paragraphs: list[tuple[str, bool]]) -> int:
        nonlocal next_id
        cid = next_id
        next_id += 1
        c = etree.SubElement(comments, _q("comment"))
        c.set(_q("id"), str(cid))
        c.set(_q("author"), AUTHOR)
        c.set(_q("date"), date)
        c.set(_q("initials"), INITIALS)
        for k, (text, bold) in enumerate(paragraphs):
            _text_paragraph(c, text, first=k == 0, bold=bold)
        return cid

    # what each cell gets: the findings blaming it (comment + strong shade) or naming it (pale shade)
    tables = docx_tables(body)
    cells = report.cells if report is not None else {}
    blamed: dict[int, list] = defaultdict(list)  # id(tc) -> [(finding, cell_id)]
    shade: dict[int, tuple[int, bool, str]] = {}  # id(tc) -> (rank, strong, severity)
    tcs: dict[int, object] = {}
    order: list[int] = []
    for finding in result.findings:
        if finding.outcome != "fail":
            continue
        focus = set(blamed_cells(finding))
        for cell_id in finding.cells:
            cv = cells.get(cell_id)
            prov = cv.provenance if cv is not None else None
            # a cell read from a picture (OCR) is not a cell of the Word tables: nothing to comment on
            readable = prov is not None and prov.image is None
            tc = find_tc(tables, prov.table, prov.row, prov.column) if readable else None
            if tc is None:
                continue
            key = id(tc)
            tcs[key] = tc
            strong = cell_id in focus
            if strong:
                if key not in blamed:
                    order.append(key)
                blamed[key].append((finding, cell_id))
            mark = (_RANK.get(finding.severity, 3), not strong, finding.severity)
            if key not in shade or mark < shade[key]:
                shade[key] = mark
    for key, (_rank, pale, severity) in shade.items():
        strong_fill, pale_fill = SHADING.get(severity, SHADING["info"])
        _shade(tcs[key], pale_fill if pale else strong_fill)
    added = 0
    for key in order:
        paragraphs: list[tuple[str, bool]] = []
        for finding, cell_id in blamed[key]:
            for k, line in enumerate(_finding_lines(finding, cell_id)):
                paragraphs.append((line, k == 0))
        _anchor(_cell_paragraphs(tcs[key]), new_comment(paragraphs))
        added += 1

    # the summary, anchored on the first paragraph of the body (a new one when the body opens with a table)
    first = body[0] if len(body) else None
    if first is None or first.tag != _q("p"):
        first = etree.Element(_q("p"))
        body.insert(0, first)
    lines = summary_lines(result)
    _anchor([first], new_comment([(line, k == 0) for k, line in enumerate(lines)]))
    added += 1

    parts[main] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if not comments_name or comments_name not in parts:
        comments_name = posixpath.join(d, "comments.xml")
        rel_ids = {r.get("Id") for r in rels}
        n = 1
        while f"rIdOgi{n}" in rel_ids:
            n += 1
        rel = etree.SubElement(rels, f"{{{PKG_REL}}}Relationship")
        rel.set("Id", f"rIdOgi{n}")
        rel.set("Type", COMMENTS_TYPE)
        rel.set("Target", "comments.xml")
        parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        ct = _parse(parts["[Content_Types].xml"], "[Content_Types].xml")
        override = etree.SubElement(ct, f"{{{CT_NS}}}Override")
        override.set("PartName", "/" + comments_name)
        override.set("ContentType", COMMENTS_CT)
        parts["[Content_Types].xml"] = etree.tostring(
            ct, xml_declaration=True, encoding="UTF-8", standalone=True
        )
    parts[comments_name] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ogi-", suffix=".docx", dir=out_path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            # [Content_Types].xml first, as Office writes it
            for name in sorted(parts, key=lambda n: n != "[Content_Types].xml"):
                zout.writestr(name, parts[name])
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return added
