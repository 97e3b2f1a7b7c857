"""PDF → Document with pdfplumber: per page, ruled tables as Grids and the text around them as TextBlocks.

Blocks are in page order, then top-to-bottom. A table continued on the next page is the next Grid; a row
broken by the page break (its last row on one page, the rest at the top of the next: labels cut
mid-word such as "（五）不予处" | "理", or the label above and its figures below) is put back together
in the upper Grid (grid.is_broken_row). Text lines wrapped by the
layout are merged into paragraphs (a wrap never adds a space between CJK characters); page numbers such
as "- 3 -" are dropped.

Word/WPS exports often shade each paragraph with a white filled rectangle; pdfplumber reads such a
stack of rectangles as a one-column "table". A table is therefore checked against the ruling lines
alone: rows made of a single cell that lie outside every table found from lines and stroked rectangles
are running text, not table rows.

A PDF without a text layer (a scan) gives a Document with no blocks and meta["no_text"] = "1";
pages without text are listed in meta["no_text_pages"]. A password-protected PDF raises ReadError.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from validator.model import Provenance, ReadError
from validator.readers.document import Document, Grid, GridCell, TextBlock
from validator.readers.grid import is_broken_row, join_broken_row
from validator.readers.pdf_scans import ocr_scanned_pages, pictures_on, scan_dpi
from validator.readers.safety import MAX_PDF_EDGES, MAX_PDF_PAGES, check_file, fail
from validator.readers.textnorm import clean_line, drop_autospace, join_lines, join_wrapped

_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–\s]*$"
)
_TOL = 3.0  # points


def read_pdf(path: str | os.PathLike, *, name: str | None = None) -> Document:
    check_file(path)
    name = name or Path(path).name
    import pdfplumber

    _quiet_pdfminer()

    try:
        pdf = pdfplumber.open(path)
        pages = pdf.pages
    except ReadError:
        raise
    except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds of errors on broken files
        raise _pdf_error(e) from None
    doc = Document(source=str(path), format="pdf")
    try:
        if len(pages) > MAX_PDF_PAGES:
            raise fail(f"PDF页数过多（{len(pages)}页，上限{MAX_PDF_PAGES}页）", "too many PDF pages")
        _info_meta(pdf, doc)
        state = _State(name)
        empty_pages = []
        dpis: dict[int, float | None] = {}
        for page in pages:
            try:
                if not page.chars:
                    empty_pages.append(page.page_number)
                    dpis[page.page_number] = scan_dpi(page)
                    continue
                state.page(page, doc.blocks, pictures_on(path, page, name, doc))
            finally:
                page.close()
        if empty_pages:
            ocr_scanned_pages(path, name, empty_pages, doc, state, dpis)
        doc.blocks = _join_broken_rows(doc.blocks)
        if empty_pages and len(empty_pages) == len(pages) and not doc.blocks:
            doc.meta["no_text"] = "1"
        if empty_pages:
            doc.meta["no_text_pages"] = ",".join(map(str, empty_pages))
        if state.title:
            doc.meta["title"] = state.title
        elif "pdf_title" in doc.meta and "年度报告" in doc.meta["pdf_title"]:
            doc.meta["title"] = doc.meta["pdf_title"]
    except ReadError:
        raise
    except Exception as e:  # noqa: BLE001
        raise _pdf_error(e) from None
    finally:
        pdf.close()
    return doc


def _join_broken_rows(blocks: list) -> list:
    """A table row broken by a page break: the table's last row on one page and its first row on the
    next page are two parts of one row (grid.is_broken_row); put it back together in the upper table."""
    out: list = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            isinstance(block, Grid)
            and isinstance(previous, Grid)
            and block.rows
            and previous.rows
            and block.provenance.page is not None
            and previous.provenance.page is not None
            and block.provenance.page == previous.provenance.page + 1
            and is_broken_row(previous.rows[-1], block.rows[0])
        ):
            joined = join_broken_row(previous.rows[-1], block.rows[0])
            out[-1] = Grid(previous.rows[:-1] + [joined], previous.provenance)
            block = Grid(block.rows[1:], block.provenance)
            if not block.rows:
                continue
        out.append(block)
    return out


def _quiet_pdfminer() -> None:
    """pdfminer logs a warning for every damaged font or stream; the reader reports problems itself."""
    import logging

    logger = logging.getLogger("pdfminer")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


def _pdf_error(e: Exception) -> ReadError:
    chain, seen = [], set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        chain.append(cur)
        cur = (
            cur.__cause__
            or cur.__context__
            or (cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None)
        )
    names = {type(x).__name__ for x in chain}
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}:
        return fail("PDF已加密（需要密码），无法读取", "PDF is password-protected")
    return fail(
        "PDF文件损坏或无法解析", "corrupt or unreadable PDF", f"{type(chain[-1]).__name__}: {chain[-1]}"
    )


def _info_meta(pdf, doc: Document) -> None:
    info = pdf.metadata or {}
    title = info.get("Title")
    if isinstance(title, bytes):
        title = _decode_pdf_string(title)
    elif isinstance(title, str) and title.startswith(("ÿþ", "þÿ")):
        title = _decode_pdf_string(title.encode("latin-1", "replace"))
    if isinstance(title, str):
        title = clean_line(title)
        if title:
            doc.meta["pdf_title"] = title


def _decode_pdf_string(b: bytes) -> str:
    for bom, enc in ((b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le")):
        if b.startswith(bom):
            return b[2:].decode(enc, "replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return b.decode(enc)
        except UnicodeDecodeError:
            continue
    return b.decode("latin-1")


def _keep_ruling(obj) -> bool:
    """Objects that draw table rules: lines, curves, stroked rectangles and filled hairlines."""
    if obj.get("object_type") == "rect":
        return bool(obj.get("stroke")) or obj["width"] <= 2 or obj["height"] <= 2
    return True


def _inside(obj, bbox) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


class _State:
    def __init__(self, name: str):
        self.name = name
        self.ntables = 0
        self.title: str | None = None

    def page(self, page, blocks: list, pictures: list | None = None) -> None:
        """``pictures``: (top, read) of the pictures of tables on a page with text; ``read(first_table)``
        gives their blocks, OCR'd, numbered in page order with the page's own tables."""
        pno = page.page_number
        tables = self.tables(page)
        bboxes = [bbox for bbox, _ in tables]
        outside = page.filter(
            lambda o: o.get("object_type") != "char" or not any(_inside(o, b) for b in bboxes)
        )
        lines = outside.extract_text_lines(return_chars=True, strip=True)
        lines = [ln for ln in lines if not self._page_number(ln, page)]
        items: list[tuple[float, int, object]] = []
        for bbox, rows in tables:
            items.append((bbox[1], 0, rows))
        for para in _paragraphs(lines, bboxes):
            items.append((para[0]["top"], 1, para))
        items += [(top, 2, read) for top, read in pictures or ()]
        items.sort(key=lambda it: (it[0], it[1]))
        if pno == 1 and self.title is None:
            self.title = _title(lines)
        for _, kind, obj in items:
            if kind == 1:
                text = drop_autospace(join_wrapped(ln["text"] for ln in obj))
                if text:
                    blocks.append(TextBlock(text, Provenance(file=self.name, page=pno)))
            elif kind == 2:
                for block in obj(self.ntables):
                    if isinstance(block, Grid):
                        self.ntables = max(self.ntables, block.provenance.table or 0)
                    blocks.append(block)
            else:
                blocks.append(self.grid(obj, pno))

    @staticmethod
    def _page_number(line, page) -> bool:
        if not _PAGE_NUMBER.match(line["text"]):
            return False
        margin = page.height * 0.1
        return line["top"] < margin or line["bottom"] > page.height - margin

    def tables(self, page) -> list[tuple[tuple, list]]:
        """[(bbox, rows)] where rows are lists of (text or None, origin (r, c) or None) per column."""
        if len(page.lines) + len(page.rects) + len(page.curves) > MAX_PDF_EDGES:
            return []
        found = page.find_tables()
        if not found:
            return []
        ruled = None
        out = []
        for table in found:
            texts = table.extract()
            rows = table.rows
            single = [sum(1 for c in row.cells if c is not None) <= 1 for row in rows]
            keep = list(range(len(rows)))
            if any(single):
                if ruled is None:
                    ruled = [t.bbox for t in page.filter(_keep_ruling).find_tables()]

                while keep and single[keep[0]] and _outside_rules(rows[keep[0]], ruled):
                    keep.pop(0)
                while keep and single[keep[-1]] and _outside_rules(rows[keep[-1]], ruled):
                    keep.pop()
                if keep and all(single[i] for i in keep) and not any(_overlaps(table.bbox, b) for b in ruled):
                    keep = []
            if not keep:
                continue
            bbox = (
                min(rows[i].bbox[0] for i in keep),
                min(rows[i].bbox[1] for i in keep),
                max(rows[i].bbox[2] for i in keep),
                max(rows[i].bbox[3] for i in keep),
            )
            out.append((bbox, _with_origins(page, table, texts, keep)))
        return out

    def grid(self, rows: list[list[tuple]], pno: int) -> Grid:
        self.ntables += 1
        t = self.ntables
        provs: dict[tuple[int, int], Provenance] = {}

        def prov(r: int, c: int) -> Provenance:
            p = provs.get((r, c))
            if p is None:
                p = Provenance(file=self.name, page=pno, table=t, row=r + 1, column=c + 1)
                provs[(r, c)] = p
            return p

        out = []
        for r, row in enumerate(rows):
            line = []
            for c, (text, origin) in enumerate(row):
                if text is None:
                    line.append(GridCell("", prov(*origin) if origin is not None else prov(r, c)))
                else:
                    line.append(GridCell(drop_autospace(join_lines(text.split("\n"))), prov(r, c)))
            out.append(line)
        return Grid(out, Provenance(file=self.name, page=pno, table=t))


def _outside_rules(row, ruled: list) -> bool:
    """True when the middle of ``row`` lies outside every table found from ruling lines alone."""
    mid = (row.bbox[1] + row.bbox[3]) / 2
    return not any(b[1] - _TOL <= mid <= b[3] + _TOL for b in ruled)


def _overlaps(a, b) -> bool:
    return not (a[2] < b[0] - _TOL or b[2] < a[0] - _TOL or a[3] < b[1] - _TOL or b[3] < a[1] - _TOL)


def _with_origins(page, table, texts, keep: list[int]) -> list[list[tuple]]:
    """Kept rows as [(text | None, origin)]: a None (covered) position points at the cell covering it.

    A position that no detected cell covers (a rule missing in the PDF, e.g. the top border of a table
    continued from the previous page) gets the text lying in its slot, so no text inside a table is lost.
    """
    rows = table.rows
    index = {k: i for i, k in enumerate(keep)}
    ncols = max(len(r.cells) for r in rows)
    col_x0 = [
        min((r.cells[c][0] for r in rows if c < len(r.cells) and r.cells[c] is not None), default=None)
        for c in range(ncols)
    ]
    cells = []  # (bbox, new_r, c)
    for i in keep:
        for c, bbox in enumerate(rows[i].cells):
            if bbox is not None:
                cells.append((bbox, index[i], c))
    out = []
    for i in keep:
        row = rows[i]
        text_row = texts[i]
        top = row.bbox[1]
        bottom = rows[i + 1].bbox[1] if i + 1 < len(rows) else table.bbox[3]
        line = []
        for c in range(ncols):
            bbox = row.cells[c] if c < len(row.cells) else None
            if bbox is not None:
                t = text_row[c] if c < len(text_row) else ""
                line.append((t if t is not None else "", None))
                continue
            origin = None
            x = col_x0[c]
            if x is not None:
                px, py = x + 0.5, top + 0.5
                for cb, rr, cc in cells:
                    if cb[0] <= px <= cb[2] and cb[1] <= py <= cb[3] and (rr, cc) != (index[i], c):
                        origin = (rr, cc)
                        break
                if origin is None:
                    right = next((v for v in col_x0[c + 1 :] if v is not None), table.bbox[2])
                    slot = (x, top, right, bottom)
                    chars = [ch for ch in page.chars if _inside(ch, slot)]
                    if chars:
                        line.append((_chars_text(chars), None))
                        continue
            line.append((None, origin))
        out.append(line)
    return out


def _chars_text(chars: list[dict]) -> str:
    """Text of loose characters, line by line (top to bottom, left to right)."""
    chars = sorted(chars, key=lambda ch: (round(ch["top"]), ch["x0"]))
    lines, cur, last_top = [], [], None
    for ch in chars:
        if last_top is not None and abs(ch["top"] - last_top) > _TOL:
            lines.append("".join(cur))
            cur = []
        cur.append(ch["text"])
        last_top = ch["top"]
    lines.append("".join(cur))
    return "\n".join(lines)


def _paragraphs(lines: list[dict], table_bboxes: list) -> list[list[dict]]:
    """Group wrapped lines into paragraphs: a line continues the previous one when that one reaches the
    right margin, this one starts at the left margin, the font size is the same and no table lies between."""
    if not lines:
        return []
    left = min(ln["x0"] for ln in lines)
    right = max(ln["x1"] for ln in lines)
    paras: list[list[dict]] = []
    prev = None
    for ln in lines:
        size = _size(ln)
        if prev is not None:
            psize = _size(prev)
            gap = ln["top"] - prev["bottom"]
            between = any(prev["bottom"] - _TOL <= b[1] and b[3] <= ln["top"] + _TOL for b in table_bboxes)
            if (
                not between
                and abs(size - psize) <= 0.6
                and prev["x1"] >= right - 2 * size
                and ln["x0"] <= left + 0.6 * size
                and 0 <= gap + _TOL <= 1.5 * size
            ):
                paras[-1].append(ln)
                prev = ln
                continue
        paras.append([ln])
        prev = ln
    return paras


def _size(line: dict) -> float:
    chars = line.get("chars") or []
    if not chars:
        return line["bottom"] - line["top"]
    sizes = sorted(ch.get("size", 0) for ch in chars)
    return sizes[len(sizes) // 2]


def _title(lines: list[dict]) -> str | None:
    """The report title on page 1: the leading lines in the largest font, when they name a 年度报告."""
    if not lines:
        return None
    head = lines[:6]
    biggest = max(_size(ln) for ln in head)
    body = sorted(_size(ln) for ln in lines)[len(lines) // 2]
    if biggest < body + 1:
        cand = next((ln["text"] for ln in head if "年度报告" in ln["text"]), None)
        return drop_autospace(clean_line(cand)) if cand else None
    parts = []
    for ln in head:
        if _size(ln) >= biggest - 0.6:
            parts.append(ln["text"])
        elif parts:
            break
    return drop_autospace(join_wrapped(parts)) or None
