"""DOCX → Document, reading word/document.xml directly with lxml (no python-docx).

Body order is kept: paragraphs become TextBlocks, tables Grids. Paragraph text includes runs inside
w:hyperlink, w:ins, w:smartTag, w:sdt, w:fldSimple and field results; w:del / w:moveFrom (tracked
deletions) and field instructions are skipped. Automatic list numbering (一、 （一） 1.) is rendered from
numbering.xml so headings keep their numerals. Tables: w:gridSpan / legacy w:hMerge, w:vMerge,
w:gridBefore / w:gridAfter; a table that contains tables (or has a single column) is a layout container
whose cells are read as running text and whose inner tables become Grids. Text boxes are read after the
paragraph that anchors them. An altChunk holding HTML is read with the HTML reader.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from validator.model import Provenance
from validator.readers.document import Document, Grid, TextBlock
from validator.readers.docx.numbering import _Numbering, format_number  # noqa: F401 - format_number is public
from validator.readers.docx.ooxml import MC, OFFICE_DOC, R_NS, W_STRICT, W, _q, _w  # noqa: F401
from validator.readers.grid import SpanCell, build_grid, clamp_span
from validator.readers.safety import SafeZip, check_file, fail, parse_xml
from validator.readers.textnorm import clean_line, join_lines

# elements whose content is never document text
_SKIP = {
    _q(t)
    for t in (
        "del",
        "moveFrom",
        "instrText",
        "delText",
        "rPr",
        "pPr",
        "tblPr",
        "trPr",
        "tcPr",
        "sectPr",
        "commentReference",
        "footnoteReference",
        "endnoteReference",
        "fldData",
        "bookmarkStart",
        "bookmarkEnd",
        "proofErr",
        "lastRenderedPageBreak",
    )
}
_CONTAINERS = {
    _q(t) for t in ("r", "hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple", "dir", "bdo")
}
# tags compared per element, spelled once (the reader visits every run and cell of the document)
_P, _T, _R, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (
    _q(t) for t in ("p", "t", "r", "tbl", "tr", "tc", "sdt", "sdtContent")
)
_RPR, _VANISH, _VAL, _TCPR, _TRPR = (_q(t) for t in ("rPr", "vanish", "val", "tcPr", "trPr"))
_GRID_SPAN, _V_MERGE, _H_MERGE, _CELL_DEL = (_q(t) for t in ("gridSpan", "vMerge", "hMerge", "cellDel"))
_TAB, _PTAB, _BR, _CR, _TYPE, _NO_BREAK_HYPHEN = (
    _q(t) for t in ("tab", "ptab", "br", "cr", "type", "noBreakHyphen")
)
_DRAWINGS = (_q("drawing"), _q("pict"), _q("object"))
_TXBX = _q("txbxContent")
_WRAPPERS = (_q("customXml"), _q("ins"), _q("moveTo"))
_ALT = f"{{{MC}}}AlternateContent"


def read_docx(path: str | os.PathLike, *, name: str | None = None) -> Document:
    check_file(path)
    name = name or Path(path).name
    with SafeZip(path) as z:
        main = _main_part(z)
        root = parse_xml(z.read(main), main)
        if root.tag.startswith(f"{{{W_STRICT}}}"):
            raise fail("不支持Strict OOXML格式的DOCX，请另存为普通DOCX", "Strict OOXML DOCX not supported")
        body = root.find(_q("body"))
        if body is None:
            raise fail("DOCX缺少正文（w:body）", "DOCX has no w:body", main)
        ctx = _Ctx(z, main, name)
        ctx.walk_body(body)
        ctx.flush_images()
        doc = Document(source=str(path), format="docx", blocks=ctx.blocks)
        _meta(z, doc)
        if ctx._images is not None:
            ctx._images.mark(doc)
            if ctx._images.read:
                from validator.readers.ocr import join_broken_rows

                doc.blocks = join_broken_rows(doc.blocks)
    return doc


def _main_part(z: SafeZip) -> str:
    """The officeDocument part named by _rels/.rels (word/document.xml in practice)."""
    if "_rels/.rels" in z:
        rels = parse_xml(z.read("_rels/.rels"), "_rels/.rels")
        for rel in rels:
            if (rel.get("Type") or "").endswith(OFFICE_DOC):
                target = (rel.get("Target") or "").lstrip("/")
                if target in z:
                    return target
    if "word/document.xml" in z:
        return "word/document.xml"
    raise fail("不是有效的DOCX：缺少word/document.xml", "not a valid DOCX: word/document.xml missing")


class _Ctx:
    def __init__(self, z: SafeZip, main: str, name: str):
        self.z = z
        self.main = main
        self.name = name
        self.blocks: list = []
        self.ntables = 0
        self._numbering: _Numbering | None = None
        self._rels: dict[str, str] | None = None
        self._rels_root = None
        self.pictures: list[str] = []  # relationship ids of pictures met and not yet read
        self._images = None  # validator.readers.ocr.ImageReader, made when a picture is met

    # ---- body ---------------------------------------------------------------------------------------
    def walk_body(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == _q("p"):
                self.paragraph(child)
            elif tag == _q("tbl"):
                self.table(child)
            elif tag == _q("sdt"):
                content = child.find(_q("sdtContent"))
                if content is not None:
                    self.walk_body(content)
            elif tag in (_q("customXml"), _q("ins"), _q("moveTo")):
                self.walk_body(child)
            elif tag == _q("altChunk"):
                self.alt_chunk(child)
            elif tag == f"{{{MC}}}AlternateContent":
                choice = _mc_choice(child)
                if choice is not None:
                    self.walk_body(choice)

    def paragraph(self, p) -> None:
        lines, boxes = self.paragraph_text(p, split_breaks=True)
        for line in lines:
            text = clean_line(line)
            if text:
                self.blocks.append(TextBlock(text, Provenance(file=self.name)))
        for box in boxes:
            self.walk_body(box)
        self.flush_images()

    def flush_images(self) -> None:
        """Pictures anchored in the paragraphs just read (a table pasted as an image): read by OCR, in
        document order, when the OCR extra is installed."""
        if not self.pictures:
            return
        rids, self.pictures = self.pictures, []
        if self._images is None:
            from validator.readers.ocr import ImageReader

            self._images = ImageReader(self.name)
        for rid in rids:
            target = self.rels().get(rid)
            if not target or target not in self.z:
                continue
            # numbered among the pictures' tables (Provenance.image says which picture), not among the
            # Word tables, whose numbers the annotated copy uses to find its cells
            self.blocks.extend(self._images.blocks(self.z.read(target), target))

    def paragraph_text(self, p, *, split_breaks: bool) -> tuple[list[str], list]:
        """Lines of a paragraph (split at w:br/w:cr when asked) and the text boxes it anchors."""
        lines: list[str] = []
        buf: list[str] = [self.numbering().label(p)]
        boxes: list = []

        def walk(el):
            for child in el:
                tag = child.tag
                if tag == _T:
                    if child.text:
                        buf.append(child.text)
                elif tag in _CONTAINERS:
                    if tag == _R and _hidden_run(child):
                        continue
                    walk(child)
                elif tag in _SKIP:
                    continue
                elif tag == _TAB or tag == _PTAB:
                    buf.append(" ")
                elif tag == _BR or tag == _CR:
                    if child.get(_TYPE) == "page":
                        continue
                    if split_breaks:
                        lines.append("".join(buf))
                        buf.clear()
                    else:
                        buf.append("\n")
                elif tag == _NO_BREAK_HYPHEN:
                    buf.append("-")
                elif tag == _SDT:
                    content = child.find(_SDT_CONTENT)
                    if content is not None:
                        walk(content)
                elif tag == _ALT:
                    choice = _mc_choice(child)
                    if choice is not None:
                        boxes.extend(choice.iter(_TXBX))
                        self.pictures.extend(_picture_ids(choice))
                elif tag in _DRAWINGS:
                    boxes.extend(child.iter(_TXBX))
                    self.pictures.extend(_picture_ids(child))

        walk(p)
        lines.append("".join(buf))
        return lines, boxes

    # ---- tables -------------------------------------------------------------------------------------
    def table(self, tbl) -> None:
        rows = list(_children(tbl, "tr"))
        rows = [tr for tr in rows if not _row_deleted(tr)]
        if not rows:
            return
        cells = [[tc for tc in _children(tr, "tc") if not _cell_deleted(tc)] for tr in rows]
        nested = any(True for _ in tbl.iterdescendants(_q("tbl")))
        if nested or all(len(c) <= 1 and _grid_before_after(tr) == (0, 0) for c, tr in zip(cells, rows)):
            for row in cells:
                for tc in row:
                    self.walk_body(tc)
            return
        self.ntables += 1
        t = self.ntables
        span_rows = self._span_rows(rows, cells)
        name = self.name
        grid = build_grid(
            span_rows,
            lambda r, c: Provenance(file=name, table=t, row=r + 1, column=c + 1),
            Provenance(file=name, table=t),
        )
        self.blocks.append(grid)

    def _span_rows(self, rows, cells) -> list[list[SpanCell]]:
        """Word rows as SpanCells: vMerge continuations folded into the rowspan of the cell above."""
        # first pass: every cell with its grid column, span and merge state
        laid: list[list[list]] = []  # [col, colspan, text, vmerge('restart'|'continue'|None)]
        for tr, row in zip(rows, cells):
            before, after = _grid_before_after(tr)
            col = before
            out: list[list] = []
            out.extend([c, 1, "", None] for c in range(before))
            for tc in row:
                tcpr = tc.find(_TCPR)
                span = 1
                vmerge = None
                hmerge = None
                if tcpr is not None:
                    gs = vm = hm = None
                    for prop in tcpr:  # one pass over the cell's properties (the first of each kind counts)
                        tag = prop.tag
                        if tag == _GRID_SPAN:
                            gs = prop if gs is None else gs
                        elif tag == _V_MERGE:
                            vm = prop if vm is None else vm
                        elif tag == _H_MERGE:
                            hm = prop if hm is None else hm
                    if gs is not None:
                        span = clamp_span(gs.get(_VAL))
                    if vm is not None:
                        vmerge = "restart" if vm.get(_VAL) == "restart" else "continue"
                    if hm is not None:
                        hmerge = "restart" if hm.get(_VAL) == "restart" else "continue"
                if hmerge == "continue" and out:
                    # legacy horizontal merge: widen the cell on the left
                    out[-1][1] += span
                    col += span
                    continue
                text = "" if vmerge == "continue" else self.cell_text(tc)
                out.append([col, span, text, vmerge])
                col += span
            out.extend([col + k, 1, "", None] for k in range(after))
            laid.append(out)
        # second pass: a restart (or plain) cell absorbs the continuations below it in the same column
        result: list[list[SpanCell]] = []
        absorbed: set[tuple[int, int]] = set()
        for r, out in enumerate(laid):
            row_cells: list[SpanCell] = []
            for col, span, text, vmerge in out:
                if (r, col) in absorbed:
                    continue
                rowspan = 1
                if vmerge in ("restart", "continue"):
                    rr = r + 1
                    while rr < len(laid) and _continues(laid[rr], col):
                        absorbed.add((rr, col))
                        rowspan += 1
                        rr += 1
                row_cells.append(SpanCell(text, rowspan=min(rowspan, 65534), colspan=span))
            result.append(row_cells)
        return result

    def cell_text(self, tc) -> str:
        lines: list[str] = []
        for p in _block_paragraphs(tc):
            ls, _ = self.paragraph_text(p, split_breaks=True)
            lines.extend(ls)
        return join_lines(lines)

    # ---- numbering, altChunk --------------------------------------------------------------------------
    def numbering(self) -> _Numbering:
        if self._numbering is None:
            self._numbering = _Numbering(self)
        return self._numbering

    def rels(self) -> dict[str, str]:
        if self._rels is None:
            self._rels = {}
            d, base = posixpath.split(self.main)
            rel_name = posixpath.join(d, "_rels", base + ".rels")
            if rel_name in self.z:
                root = parse_xml(self.z.read(rel_name), rel_name)
                for rel in root:
                    rid, target = rel.get("Id"), rel.get("Target") or ""
                    if rid and rel.get("TargetMode") != "External":
                        self._rels[rid] = posixpath.normpath(posixpath.join(d, target)).lstrip("/")
        return self._rels

    def part(self, rel_type_suffix: str) -> str | None:
        d, base = posixpath.split(self.main)
        rel_name = posixpath.join(d, "_rels", base + ".rels")
        if rel_name not in self.z:
            return None
        if self._rels_root is None:  # parsed once for every part looked up (numbering, styles)
            self._rels_root = parse_xml(self.z.read(rel_name), rel_name)
        for rel in self._rels_root:
            if (rel.get("Type") or "").endswith(rel_type_suffix) and rel.get("TargetMode") != "External":
                target = posixpath.normpath(posixpath.join(d, rel.get("Target") or "")).lstrip("/")
                if target in self.z:
                    return target
        return None

    def alt_chunk(self, el) -> None:
        """An imported HTML/MHT chunk (documents exported by web editors): read with the HTML reader."""
        target = self.rels().get(el.get(f"{{{R_NS}}}id") or "")
        if not target or target not in self.z:
            return
        low = target.lower()
        from validator.readers.html import decode_html, read_html_text

        if low.endswith((".mht", ".mhtml")):
            from validator.readers.mht import html_from_mht

            text = html_from_mht(self.z.read(target))
        elif low.endswith((".htm", ".html", ".xhtml")):
            text = decode_html(self.z.read(target))[0]
        else:
            return
        sub = read_html_text(text, source=target, name=self.name)
        for b in sub.blocks:
            if isinstance(b, Grid):
                self.ntables += 1
                b = _renumber(b, self.ntables)
            self.blocks.append(b)


_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"


def _picture_ids(el) -> list[str]:
    """Relationship ids of the pictures inside a drawing (DrawingML a:blip or VML v:imagedata)."""
    out = []
    for node in el.iter(_BLIP, _IMAGEDATA):
        rid = node.get(f"{{{R_NS}}}embed") or node.get(f"{{{R_NS}}}id")
        if rid and rid not in out:
            out.append(rid)
    return out


def _renumber(grid: Grid, t: int) -> Grid:
    from dataclasses import replace

    cache: dict = {}

    def re(p: Provenance) -> Provenance:
        if id(p) not in cache:
            cache[id(p)] = replace(p, table=t)
        return cache[id(p)]

    from validator.readers.document import GridCell

    return Grid([[GridCell(c.text, re(c.provenance)) for c in row] for row in grid.rows], re(grid.provenance))


def _block_paragraphs(container):
    """The paragraphs of a cell in order, through w:sdt / w:customXml wrappers (not into text boxes)."""
    for child in container:
        if child.tag == _q("p"):
            yield child
        elif child.tag == _q("sdt"):
            content = child.find(_q("sdtContent"))
            if content is not None:
                yield from _block_paragraphs(content)
        elif child.tag in (_q("customXml"), _q("ins"), _q("moveTo")):
            yield from _block_paragraphs(child)


def _hidden_run(r) -> bool:
    rpr = r.find(_RPR)
    if rpr is None:
        return False
    v = rpr.find(_VANISH)
    return v is not None and v.get(_VAL) not in ("0", "false", "off")


def _continues(out: list[list], col: int) -> bool:
    for c, _span, _text, vmerge in out:
        if c == col:
            return vmerge == "continue"
        if c > col:
            return False
    return False


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
    before = trpr.find(_q("gridBefore"))
    after = trpr.find(_q("gridAfter"))
    return (
        clamp_span(before.get(_q("val")), 0) if before is not None else 0,
        clamp_span(after.get(_q("val")), 0) if after is not None else 0,
    )


def _row_deleted(tr) -> bool:
    trpr = tr.find(_q("trPr"))
    return trpr is not None and trpr.find(_q("del")) is not None


def _cell_deleted(tc) -> bool:
    tcpr = tc.find(_TCPR)
    return tcpr is not None and tcpr.find(_CELL_DEL) is not None


def _mc_choice(alt):
    for child in alt:
        if child.tag in (f"{{{MC}}}Choice", f"{{{MC}}}Fallback"):
            return child
    return None


# ---- metadata -----------------------------------------------------------------------------------------
def _meta(z: SafeZip, doc: Document) -> None:
    texts = [b.text for b in doc.blocks[:60] if isinstance(b, TextBlock)]
    title = next((t for t in texts if "年度报告" in t and len(t) <= 80), None)
    if title is None and "docProps/core.xml" in z:
        try:
            core = parse_xml(z.read("docProps/core.xml"), "docProps/core.xml")
            el = core.find("{http://purl.org/dc/elements/1.1/}title")
            if el is not None and el.text and el.text.strip():
                title = clean_line(el.text)
        except Exception:  # noqa: BLE001 - metadata is optional; a broken core.xml is not fatal
            title = None
    if title:
        doc.meta["title"] = title
