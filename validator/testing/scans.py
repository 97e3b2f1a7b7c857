"""Scanned reports and tables published as pictures, generated with their truth (issue 14).

Reports come from the layout generator (``validator.testing.layouts``: full narrative, the form's merged
cells, 2019- and 2021-format tables, consistent figures or one injected error). Each is printed to PDF
by LibreOffice, every page rasterised at 150 dpi in grey and degraded as a scanner or a photocopy does
(a slight rotation, blur, noise, a paper tone, JPEG compression) — deterministically from the seed —
then rebuilt as

``pdf``   an image-only PDF (pages are pictures, no text layer),
``png``   one PNG file per page, and ``pages.html``: a saved web page whose ``<img>``s are those pages,
``docx``  the Word report with 表二、表三、表四 pasted as pictures (the narrative stays text),
``html``  the web page with the tables as ``<img>``s beside it (``NAME_files/t3.png``).

A ``Scan`` keeps the ``Sample`` (the value of every cell), its ``Degradation`` and the files written;
nothing here reads a file back: the tests and the benchmark compare what the readers find with
``Scan.sample.truth``.
"""

from __future__ import annotations

import io
import json
import random
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from validator.catalogue import load_catalogue
from validator.model import CERTAIN_STATES, CellState, Report
from validator.testing.formats import _W
from validator.testing.layouts import (
    FormTable,
    Sample,
    _docx_table,
    blocks,
    make_sample,
    print_pdfs,
    render_docx,
    render_docx_tables_only,
    w_text,
)

DPI = 150
KINDS = ("pdf", "png", "docx", "html")
#: Word layouts a scanned report was printed from (the whole report, or the tables as an attachment)
LAYOUTS: dict[str, Callable[[Sample], bytes]] = {
    "docx": render_docx,
    "docx_tables_only": render_docx_tables_only,
}


@dataclass(frozen=True)
class Degradation:
    """How a scanned page differs from the printed one; every figure is drawn from the seed."""

    angle: float  # degrees, counter-clockwise; 0.3–1.0 either way
    blur: float  # Gaussian radius in pixels
    noise: float  # standard deviation of grey noise (0–255 scale)
    paper: int  # grey level of the paper (255 = white)
    quality: int  # JPEG quality of the stored image
    seed: int

    @classmethod
    def from_seed(cls, seed: int) -> Degradation:
        rng = random.Random(f"scan-{seed}")
        return cls(
            angle=round(rng.choice((-1, 1)) * rng.uniform(0.3, 1.0), 3),
            blur=round(rng.uniform(0.4, 0.9), 3),
            noise=round(rng.uniform(3.0, 8.0), 2),
            paper=rng.randint(232, 250),
            quality=rng.randint(55, 85),
            seed=seed,
        )

    @classmethod
    def harshest(cls, seed: int) -> Degradation:
        """The worst corner of the family: 1° either way, the most blur and noise, the lowest quality."""
        return cls(angle=1.0 if seed % 2 else -1.0, blur=0.9, noise=8.0, paper=232, quality=55, seed=seed)

    def flat(self) -> Degradation:
        """The same but not rotated: a screenshot pasted into a page, not a sheet on a scanner."""
        return Degradation(0.0, min(self.blur, 0.5), self.noise / 2, 255, max(self.quality, 75), self.seed)


@dataclass
class Scan:
    """One generated report in its scanned forms, with the truth it was made from."""

    sample: Sample
    layout: str
    degradation: Degradation
    stem: str
    pdf: Path | None = None  # image-only PDF
    pages: list[Path] = field(default_factory=list)  # PNG page files
    pages_html: Path | None = None  # a saved web page showing the PNG pages
    docx: Path | None = None  # Word report, tables pasted as pictures
    html: Path | None = None  # web page, tables as <img>
    table_images: dict[str, Path] = field(default_factory=dict)  # t2/t3/t4 → the picture

    def path(self, kind: str) -> Path:
        """The file a reader is given for ``kind`` (pdf, png: the page web page, docx, html)."""
        chosen = {"pdf": self.pdf, "png": self.pages_html, "docx": self.docx, "html": self.html}[kind]
        if chosen is None:
            raise ValueError(f"{self.stem}: no {kind} written")
        return chosen

    def truth(self) -> dict:
        """What the generator knows: cells (None = blank), the injected error, how the pages were spoilt."""
        s = self.sample
        return {
            "template": s.template,
            "year": s.year,
            "agency": s.agency,
            "layout": self.layout,
            "degradation": asdict(self.degradation),
            "injected": None if s.injected is None else asdict(s.injected),
            "cells": {k: v for k, v in sorted(s.figures.cells.items())},
            "pages": len(self.pages),
        }


@dataclass
class CellScore:
    """How the cells of the form were read against the truth: right, in doubt, or wrong with certainty."""

    cells: int = 0
    right: int = 0
    doubts: list[str] = field(default_factory=list)  # cell ids read with a doubt (never an error)
    wrong: list[str] = field(default_factory=list)  # "id: read … , truth …" read with certainty, and wrong

    def add(self, other: CellScore) -> CellScore:
        return CellScore(
            self.cells + other.cells,
            self.right + other.right,
            self.doubts + other.doubts,
            self.wrong + other.wrong,
        )


def score(sample: Sample, report: Report) -> CellScore:
    """Every cell of the sample's form as ``report`` has it, against the truth (a blank is right as BLANK)."""
    out = CellScore()
    for cell in load_catalogue().templates[sample.template].form_cells:
        value, truth = report.cells.get(cell.id), sample.truth(cell.id)
        out.cells += 1
        state = value.state if value is not None else CellState.MISSING
        if state not in CERTAIN_STATES:
            out.doubts.append(cell.id)
        elif (truth is None and state == CellState.BLANK) or (
            state == CellState.NUMBER and truth is not None and abs(value.value - truth) < 1e-9
        ):
            out.right += 1
        else:
            out.wrong.append(f"{cell.id}: read {value.raw!r} ({state.name}), truth {truth}")
    return out


def scan_sample(seed: int, template: str | None = None, error: bool = False) -> tuple[Sample, str]:
    """A report of the layout generator and the Word layout it is printed from, both drawn from ``seed``."""
    sample = make_sample(seed, template, error)
    layout = random.Random(f"layout-{seed}").choices(list(LAYOUTS), weights=(3, 1))[0]
    return sample, layout


# ---------------------------------------------------------------------------------------------- pixels


def rasterise(pdf: Path, dpi: int = DPI) -> list:
    """Every page of ``pdf`` as a grey PIL image at ``dpi``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            pages.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return pages
    finally:
        document.close()


def degrade(image, degradation: Degradation, page: int = 0):
    """``image`` as scanned: paper tone, rotation, blur, noise, then JPEG compression (deterministic)."""
    import numpy as np
    from PIL import Image, ImageFilter

    d = degradation
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * (d.paper / 255.0)  # the paper's tone; ink stays black
    image = Image.fromarray(pixels.astype(np.uint8), "L")
    if d.angle:
        image = image.rotate(d.angle, resample=Image.Resampling.BICUBIC, fillcolor=d.paper)
    image = image.filter(ImageFilter.GaussianBlur(d.blur))
    noise = np.random.default_rng([d.seed, page]).normal(0.0, d.noise, (image.height, image.width))
    pixels = np.clip(np.asarray(image, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, "JPEG", quality=d.quality)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def image_pdf(pages: list, dpi: int = DPI, quality: int = 85) -> bytes:
    """Pages as a PDF of pictures only (JPEG in the PDF, as scanners store them): no text layer at all."""
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=float(dpi), quality=quality)
    return buffer.getvalue()


def crop_to_ink(image, margin: int = 12, threshold: int = 200):
    """``image`` cut to the box around its dark pixels, with ``margin`` pixels of paper around it."""
    import numpy as np

    dark = np.asarray(image) < threshold
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    if not len(rows):
        return image
    box = (
        max(0, int(cols[0]) - margin),
        max(0, int(rows[0]) - margin),
        min(image.width, int(cols[-1]) + margin + 1),
        min(image.height, int(rows[-1]) + margin + 1),
    )
    return image.crop(box)


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- Word

_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TEXT_WIDTH_EMU = 9306 * 635  # A4 less the layout generator's margins (1300 twips each side)
_TEXT_HEIGHT_EMU = 13958 * 635
_TABLE_PAGE = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="31680"/>'
    '<w:pgMar w:top="720" w:right="1300" w:bottom="720" w:left="1300" w:header="0" w:footer="0" '
    'w:gutter="0"/></w:sectPr>'
)
_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def _package(document: str, media: dict[str, bytes]) -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    package_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_R}/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rIdImg{k}" Type="{_R}/image" Target="media/{name}"/>'
            for k, name in enumerate(media, start=1)
        )
        + "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", package_rels)
        z.writestr("word/_rels/document.xml.rels", document_rels)
        z.writestr("word/document.xml", document)
        for name, data in media.items():
            z.writestr(f"word/media/{name}", data)
    return buffer.getvalue()


def _document(body: list[str], sect: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}" '
        f'xmlns:r="{_R}" xmlns:wp="{_WP}" xmlns:a="{_A}" xmlns:pic="{_PIC}">'
        f"<w:body>{''.join(body)}{sect}</w:body></w:document>"
    )


def tables_docx(sample: Sample) -> bytes:
    """表二、表三、表四 alone, each on its own tall page: what a table's picture is taken from."""
    tables = [payload for kind, payload in blocks(sample) if kind == "table"]
    body: list[str] = []
    for index, table in enumerate(tables):
        if index:
            body.append(_PAGE_BREAK)
        body.append(_docx_table(table))
    return _package(_document(body, _TABLE_PAGE), {})


def _picture(number: int, name: str, width: int, height: int) -> str:
    """An inline picture as Word writes one, scaled to the text width (and the page height)."""
    cx = _TEXT_WIDTH_EMU
    cy = cx * height // width
    if cy > _TEXT_HEIGHT_EMU:
        cx, cy = cx * _TEXT_HEIGHT_EMU // cy, _TEXT_HEIGHT_EMU
    return (
        f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" '
        f'distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{number}" name="图片 {number}"/>'
        f'<a:graphic><a:graphicData uri="{_PIC}"><pic:pic><pic:nvPicPr><pic:cNvPr id="{number}" '
        f'name="{name}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImg{number}"/>'
        f'<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        f"</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )


def docx_with_pictures(sample: Sample, images: dict[str, tuple[bytes, int, int]]) -> bytes:
    """The Word report with each form table replaced by its picture (``images``: table → PNG, w, h)."""
    body: list[str] = []
    media: dict[str, bytes] = {}
    for kind, payload in blocks(sample):
        if kind in ("title", "heading", "subheading", "para"):
            body.append(w_text(kind, payload))
        else:
            data, width, height = images[payload.table]
            media[f"{payload.table}.png"] = data
            body.append(_picture(len(media), f"{payload.table}.png", width, height))
    sect = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1300" w:bottom="1440" '
        'w:left="1300" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>'
    )
    return _package(_document(body, sect), media)


# ---------------------------------------------------------------------------------------------- HTML


def html_page(sample: Sample, images: dict[str, str]) -> str:
    """The report as a web page whose tables are pictures (``images``: table → the src of its <img>)."""
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{escape(sample.title)}</title>",
        f'<meta name="PubDate" content="{sample.published} 09:30">',
        '</head><body><div class="article">',
    ]
    for kind, payload in blocks(sample):
        if kind == "title":
            parts.append(f'<h1 class="title">{escape(payload)}</h1>')
            parts.append(
                f'<div class="info">发布时间：{sample.published}　来源：{escape(sample.agency)}</div>'
            )
        elif kind in ("heading", "subheading"):
            parts.append(f'<p style="text-indent:2em"><strong>{escape(payload)}</strong></p>')
        elif kind == "para":
            parts.append(f'<p style="text-indent:2em">{escape(payload)}</p>')
        else:
            assert isinstance(payload, FormTable)
            parts.append(f'<p style="text-align:center"><img src="{escape(images[payload.table])}"></p>')
    parts.append("</div></body></html>")
    return "\n".join(parts)


def pages_html(sample: Sample, pages: list[str]) -> str:
    """A saved web page that shows the scanned pages one under another (the text only in the pictures)."""
    imgs = "\n".join(f'<p><img src="{escape(src)}" width="100%"></p>' for src in pages)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(sample.title)}</title></head><body>\n{imgs}\n</body></html>"
    )


# ---------------------------------------------------------------------------------------------- writing


def write_scans(
    items: list[tuple[Sample, str]],
    folder: Path,
    kinds: tuple[str, ...] = KINDS,
    dpi: int = DPI,
    degradations: dict[int, Degradation] | None = None,
) -> list[Scan]:
    """Write every (sample, layout) in the scanned ``kinds`` to ``folder`` (one LibreOffice run for all);
    the printed PDFs with their text layer stay in ``folder/printed`` and each truth in ``STEM.truth.json``.
    ``degradations``: seed → how that sample's pages are spoilt, instead of what its seed draws."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    folder = Path(folder)
    printed = folder / "printed"
    printed.mkdir(parents=True, exist_ok=True)
    scans = []
    with tempfile.TemporaryDirectory(prefix="ogi-scans-") as tmp:
        to_print: list[Path] = []
        for sample, layout in items:
            stem = f"scan_{sample.template}_{sample.seed}{'_err' if sample.injected else ''}"
            spoilt = (degradations or {}).get(sample.seed) or Degradation.from_seed(sample.seed)
            scans.append(Scan(sample, layout, spoilt, stem))
            to_print.append(Path(tmp) / f"{stem}.docx")
            to_print[-1].write_bytes(LAYOUTS[layout](sample))
            if {"docx", "html"} & set(kinds):
                to_print.append(Path(tmp) / f"{stem}.tables.docx")
                to_print[-1].write_bytes(tables_docx(sample))
        print_pdfs(to_print, printed)
    for scan in scans:
        _write_scan(scan, folder, printed, kinds, dpi)
    return scans


def _write_scan(scan: Scan, folder: Path, printed: Path, kinds: tuple[str, ...], dpi: int) -> None:
    source = printed / f"{scan.stem}.pdf"
    if not source.is_file():
        raise RuntimeError(f"LibreOffice did not print {scan.stem}.docx")
    files = folder / f"{scan.stem}_files"
    files.mkdir(exist_ok=True)
    pages = [degrade(page, scan.degradation, n) for n, page in enumerate(rasterise(source, dpi))]
    for number, page in enumerate(pages, start=1):
        scan.pages.append(files / f"page-{number}.png")
        scan.pages[-1].write_bytes(png_bytes(page))
    if "pdf" in kinds:
        scan.pdf = folder / f"{scan.stem}.pdf"
        scan.pdf.write_bytes(image_pdf(pages, dpi, scan.degradation.quality))
    if "png" in kinds:
        scan.pages_html = folder / f"{scan.stem}.pages.html"
        names = [f"{files.name}/{p.name}" for p in scan.pages]
        scan.pages_html.write_text(pages_html(scan.sample, names), encoding="utf-8")
    if {"docx", "html"} & set(kinds):
        tables = rasterise(printed / f"{scan.stem}.tables.pdf", dpi)
        if len(tables) != 3:
            raise RuntimeError(f"{scan.stem}: the tables took {len(tables)} pages, one each expected")
        images: dict[str, tuple[bytes, int, int]] = {}
        for table, page in zip(("t2", "t3", "t4"), tables):
            picture = degrade(crop_to_ink(page), scan.degradation.flat(), 100 + int(table[1]))
            images[table] = (png_bytes(picture), picture.width, picture.height)
            scan.table_images[table] = files / f"{table}.png"
            scan.table_images[table].write_bytes(images[table][0])
        if "docx" in kinds:
            scan.docx = folder / f"{scan.stem}.docx"
            scan.docx.write_bytes(docx_with_pictures(scan.sample, images))
        if "html" in kinds:
            scan.html = folder / f"{scan.stem}.html"
            srcs = {t: f"{files.name}/{p.name}" for t, p in scan.table_images.items()}
            scan.html.write_text(html_page(scan.sample, srcs), encoding="utf-8")
    truth = folder / f"{scan.stem}.truth.json"
    truth.write_text(json.dumps(scan.truth(), ensure_ascii=False, indent=1), encoding="utf-8")


def scan_family(seeds: list[int], folder: Path, kinds: tuple[str, ...] = KINDS) -> list[Scan]:
    """A family of scans: per seed a report of either format (alternating), with an error on odd seeds."""
    items = [
        scan_sample(seed, ("gb2019", "gb2021")[n % 2], error=bool(seed % 2)) for n, seed in enumerate(seeds)
    ]
    return write_scans(items, folder, kinds)
