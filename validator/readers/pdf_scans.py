"""Scanned pages and pictures of tables in a PDF, for validator.readers.pdf: pages without a text layer and
large pictures on pages with text are read by OCR (validator.readers.ocr, optional extra) and put back in
page order; without the extra the document says so (meta["ocr_missing"]) and they stay unread.
"""

from __future__ import annotations

from validator.readers.document import Document, Grid


def _inside(obj, bbox) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def pictures_on(path, page, name: str, doc: Document) -> list:
    """Pictures on a page that has text (a table pasted as an image): (top, read) for each that is large
    and holds no text of the layer, read by OCR when the extra is installed (else doc.meta["ocr_missing"])."""
    found = []
    for im in page.images:
        box = (float(im["x0"]), float(im["top"]), float(im["x1"]), float(im["bottom"]))
        if (box[2] - box[0]) < page.width * 0.3 or (box[3] - box[1]) < page.height * 0.08:
            continue
        if any(_inside(ch, box) for ch in page.chars):
            continue
        found.append(box)
    if not found:
        return []
    from validator.readers.ocr import available, picture_reader

    if not available():
        doc.meta["ocr_missing"] = "1"
        return []
    doc.meta["ocr"] = "1"
    return [
        (box[1], picture_reader(path, page.page_number, box, name, (float(page.width), float(page.height))))
        for box in found
    ]


def scan_dpi(page) -> float | None:
    """The resolution of the picture that fills a scanned page (rendering finer adds no detail)."""
    best = None
    for im in page.images:
        width = float(im.get("x1", 0)) - float(im.get("x0", 0))
        src = im.get("srcsize") or (0, 0)
        if width > page.width * 0.5 and src[0]:
            dpi = src[0] / (width / 72.0)
            best = max(best or 0.0, dpi)
    return best


def ocr_scanned_pages(path, name: str, numbers: list[int], doc: Document, state, dpis: dict) -> None:
    """Pages without a text layer (scans) read by OCR and put back in page order; without the OCR
    extra the document says so (meta["ocr_missing"]) and those pages stay unread."""
    from validator.readers.ocr import available, iter_pdf_pages, ocr_pages, title_of

    if not available():
        doc.meta["ocr_missing"] = "1"
        return
    images = iter_pdf_pages(path, numbers, [dpis.get(n) for n in numbers])  # a page at a time
    blocks = ocr_pages(images, name, numbers, first_table=state.ntables)
    if not blocks:
        return
    state.ntables = max([state.ntables] + [b.provenance.table or 0 for b in blocks if isinstance(b, Grid)])
    # text pages and OCR'd pages interleave by page number (the sort is stable within a page)
    doc.blocks = sorted(doc.blocks + blocks, key=lambda b: b.provenance.page or 0)
    doc.meta["ocr"] = "1"
    if state.title is None and numbers[0] == 1:
        state.title = title_of(blocks)
