"""Offline OCR of scanned pages and of tables published as images (optional extra: pip install
"ogi-validator[ocr]", RapidOCR with its Chinese PP-OCR models inside the wheel, nothing downloaded).

``ocr_pages`` turns page images into the same Grid/TextBlock blocks every reader produces, each OCR'd cell
carrying a ``Reading`` (confidence, alternatives) and its box in the image; the locator decides what a
doubtful reading means. Without the extra, ``available()`` is False and the readers mark the document
``meta["ocr_missing"]``: the report is 无法核对 with a message saying what to install, never a traceback.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

from validator.readers.document import Block, Document, Grid

#: said wherever a report could not be read because the OCR extra is missing
OCR_MISSING_ZH = (
    '未安装图片文字识别（OCR）组件，无法识别扫描件或图片中的表格：请运行 pip install "ogi-validator[ocr]"'
)
#: how finely a PDF page without text is rendered for OCR
PDF_DPI = 200
#: an image smaller than this (pixels a side) is a logo or an icon, not a table or a page
MIN_SIDE = 120
#: an image with more pixels than this is refused (a decompression bomb, not a scan), and a PDF page is
#: rendered at no more (a page of 200 × 200 inches, a few hundred bytes of PDF, would be 1.6 gigapixels)
MAX_PIXELS = 80_000_000
#: pixels of embedded pictures OCR'd per document (≈ 90 scanned A4 pages at 150 dpi); pictures past it are
#: left unread, so a small file referencing one huge picture many times cannot hold a worker for minutes
PICTURE_BUDGET = 200_000_000
#: a picture at least this large (pixels a side) that gives no table may be a table OCR could not make out
TABLE_SIDE = (400, 150)


def available() -> bool:
    """The OCR extra is installed and its engine loads."""
    try:
        from validator.readers.ocr.engine import available as engine_available
    except ImportError:
        return False
    return engine_available()


def ocr_pages(
    images: Iterable, name: str, pages: Iterable[int | None], *, first_table: int = 0
) -> list[Block]:
    """Blocks of each page image (grey numpy arrays), in order; tables numbered after ``first_table``."""
    from validator.readers.ocr.page import PageContext

    ctx = PageContext(name, None, first_table)
    out: list[Block] = []
    for image, page in zip(images, pages):
        ctx.page = page
        out += read_page_safely(image, ctx)
    return out


def read_page_safely(image, ctx, **options) -> list[Block]:
    """read_page, but a picture the image libraries choke on is left unread (its tables then count as not
    found: 无法核对), never a reason to refuse the whole file."""
    from validator.readers.ocr.page import read_page

    tables = ctx.tables
    try:
        return read_page(image, ctx, **options)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - OpenCV/onnxruntime errors on a degenerate picture
        ctx.tables = tables
        return []


class ImageReader:
    """OCR of the pictures a document embeds (DOCX media, HTML <img>), one at a time in document order:
    their tables numbered among the pictures' tables (Provenance.image names the picture). Without the
    extra nothing is read and ``missing`` counts the pictures left unread (the reader marks the document
    ``ocr_missing``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.read = 0
        self.missing = 0
        self.unread = 0  # pictures large enough to hold a table that gave none, or past the budget
        self.tables = 0
        self._ok: bool | None = None
        self._seen: set[int] = set()
        self._pixels = 0

    def blocks(self, data: bytes, image: str) -> list[Block]:
        if self._ok is None:
            self._ok = available()
        key = hash(data)
        if key in self._seen:  # the same picture shown again: its tables are read once
            return []
        self._seen.add(key)
        frames = decode_image(data) if data else []
        if not frames:
            return []
        if not self._ok:
            self.missing += 1
            return []
        from validator.readers.document import Grid
        from validator.readers.ocr.page import PageContext

        ctx = PageContext(self.name, None, self.tables, image)
        out: list[Block] = []
        for frame in frames:
            self._pixels += frame.size
            if self._pixels > PICTURE_BUDGET:
                self.unread += 1
                break
            found = read_page_safely(frame, ctx, tables_only=not page_like(frame))
            h, w = frame.shape[:2]
            if (
                not any(isinstance(b, Grid) for b in found)
                and max(h, w) >= TABLE_SIDE[0]
                and min(h, w) >= TABLE_SIDE[1]
            ):
                self.unread += 1
            out += found
        self.tables = ctx.tables
        if out:
            self.read += 1
        return out

    def mark(self, doc: Document) -> None:
        """Say on the document what was read by OCR, or left unread for want of the extra."""
        if self.read:
            doc.meta["ocr"] = "1"
        if self.missing:
            doc.meta["ocr_missing"] = "1"
        if self.unread:
            doc.meta["pictures_unread"] = str(self.unread)


def join_broken_rows(blocks: list[Block]) -> list[Block]:
    """A table row broken by the edge of a picture (a page shown as an image: the label's tail at the top
    of the next one) put back together in the upper table, as readers.pdf does across pages."""
    from validator.readers.grid import is_broken_row, join_broken_row

    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            isinstance(block, Grid)
            and isinstance(previous, Grid)
            and block.rows
            and previous.rows
            and (block.provenance.image, block.provenance.page)
            != (previous.provenance.image, previous.provenance.page)
            and any(c.reading is not None for c in block.rows[0])
            and is_broken_row(previous.rows[-1], block.rows[0])
        ):
            out[-1] = Grid(
                previous.rows[:-1] + [join_broken_row(previous.rows[-1], block.rows[0])], previous.provenance
            )
            block = Grid(block.rows[1:], block.provenance)
            if not block.rows:
                continue
        out.append(block)
    return out


def page_like(image) -> bool:
    """A scanned or photographed page (portrait, large): read whole, its text too; any other picture
    embedded in a document is read only when it holds a ruled table."""
    h, w = image.shape[:2]
    return h >= 900 and 1.2 <= h / max(w, 1) <= 1.7


def title_of(blocks: list[Block]) -> str | None:
    """The report's title among the first lines of an OCR'd first page: a line naming a 年度报告."""
    from validator.readers.document import TextBlock

    for block in blocks[:4]:
        if isinstance(block, TextBlock) and "年度报告" in block.text and len(block.text) <= 60:
            return block.text
    return None


def decode_image(data: bytes) -> list:
    """Frames of an image file (PNG, JPEG, TIFF, BMP, GIF) as grey numpy arrays; [] when not decodable."""
    import numpy as np
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as im:
            frames = []
            for frame in ImageSequence.Iterator(im):
                if frame.width < MIN_SIDE or frame.height < MIN_SIDE:
                    continue
                if frame.width * frame.height > MAX_PIXELS:  # PIL itself refuses only above twice its bound
                    continue
                frames.append(np.asarray(_grey(frame)))
                if len(frames) >= 50:
                    break
            return frames
    except MemoryError:  # over the worker's memory bound: a transient error, never "cannot be decoded"
        raise
    except Exception:  # noqa: BLE001 - PIL raises many kinds of errors on a broken image
        return []


def _grey(frame):
    from PIL import Image

    if frame.mode in ("RGBA", "LA", "P"):
        frame = frame.convert("RGBA")
        white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, frame)
    return frame.convert("L")


def render_pdf_pages(
    path: str | os.PathLike, pages: list[int], dpis: list[float | None] | None = None
) -> list:
    """Pages (1-based) of a PDF rendered grey with pypdfium2 (pdfplumber's own renderer): at the resolution
    of the scan that fills the page when known (150–300 dpi), else at PDF_DPI."""
    return list(iter_pdf_pages(path, pages, dpis))


def iter_pdf_pages(path: str | os.PathLike, pages: list[int], dpis: list[float | None] | None = None):
    """render_pdf_pages one page at a time, for OCR to read each before the next is rendered: a scan of
    hundreds of pages is never held whole (500 pages at 200 dpi are 1.9 GB)."""
    import numpy as np
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for k, number in enumerate(pages):
            native = dpis[k] if dpis and k < len(dpis) else None
            dpi = min(max(native, 150.0), 300.0) if native else PDF_DPI
            page = pdf[number - 1]
            try:
                bitmap = page.render(scale=page_scale(page.get_size(), dpi), grayscale=True)
                image = np.asarray(bitmap.to_pil().convert("L"))
            finally:
                page.close()
            yield image
    finally:
        pdf.close()


def page_scale(size: tuple[float, float], dpi: float) -> float:
    """Pixels per point for a page of ``size`` points rendered at ``dpi``, lowered so that the page has at
    most about MAX_PIXELS (pdfium rounds its size up)."""
    width, height = size
    return min(dpi / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)


def picture_reader(
    path: str | os.PathLike,
    page: int,
    box: tuple[float, float, float, float],
    name: str,
    size: tuple[float, float],
):
    """A function reading the picture at ``box`` (points, top-left origin) of a PDF page by OCR, given the
    number of tables before it: the page (``size`` in points) rendered at PDF_DPI and cut to the picture; nothing unless the
    picture holds a ruled table."""

    def read(first_table: int) -> list[Block]:
        from validator.readers.ocr.page import PageContext

        (image,) = render_pdf_pages(path, [page])
        scale = image.shape[0] / max(size[1], 1.0)  # as rendered (a huge page at a lower resolution)
        x0, y0, x1, y1 = (round(v * scale) for v in box)
        crop = image[max(0, y0) : y1, max(0, x0) : x1]
        if crop.size == 0:
            return []
        # a photo, a seal or a chart is not what is looked for: only a picture holding a table is read
        return read_page_safely(crop, PageContext(name, page, first_table), tables_only=True)

    return read


def read_image(path: str | os.PathLike) -> Document:
    """A standalone image file (a scanned page or a table saved as a picture) → Document."""
    from validator.readers.safety import read_bytes

    name = Path(path).name
    doc = Document(source=str(path), format="image")
    if not available():
        doc.meta.update(no_text="1", ocr_missing="1")
        return doc
    frames = decode_image(read_bytes(path))
    if not frames:
        from validator.readers.safety import fail

        raise fail("图片无法解码、过小或过大", "image cannot be decoded, or is too small or too large")
    pages = [None] if len(frames) == 1 else list(range(1, len(frames) + 1))
    doc.blocks = join_broken_rows(ocr_pages(frames, name, pages))
    doc.meta["ocr"] = "1"
    if not doc.blocks:
        doc.meta["no_text"] = "1"
    title = title_of(doc.blocks)
    if title:
        doc.meta["title"] = title
    return doc
