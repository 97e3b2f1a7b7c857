"""The scanned-report generator (validator.testing.scans) itself, without OCR: the scans have no text layer,
one picture per printed page, the rotation the seed asked for, the truth the printed report carries, and the
same pixels for the same seed. The OCR acceptance tests (test_ocr_scans.py) rest on these."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from libreoffice import require_libreoffice

from validator.api import read_report
from validator.catalogue import load_catalogue
from validator.model import CellState
from validator.testing.scans import Degradation, scan_family, scan_sample, write_scans

SEEDS = [3, 4]  # a 2019-format report with an injected error, a 2021-format one with consistent figures


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    require_libreoffice()
    return scan_family(SEEDS, tmp_path_factory.mktemp("scans"))


def _pdf_text(path) -> tuple[int, int, str]:
    """(pages, characters on them, text) as pdfplumber sees the file."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return (
            len(pdf.pages),
            sum(len(p.chars) for p in pdf.pages),
            "".join(p.extract_text() for p in pdf.pages),
        )


def test_family_covers_both_formats_and_an_error(family):
    assert [s.sample.template for s in family] == ["gb2019", "gb2021"]
    assert [s.sample.injected is not None for s in family] == [True, False]
    assert len({s.sample.agency for s in family}) == 2


def test_scanned_pdf_has_no_text_layer_and_a_picture_per_page(family):
    for scan in family:
        printed_pages, printed_chars, printed_text = _pdf_text(scan.pdf.parent / "printed" / scan.pdf.name)
        assert printed_chars > 500 and scan.sample.agency in printed_text  # the source did have text
        pages, chars, text = _pdf_text(scan.pdf)
        assert (pages, chars, text.strip()) == (printed_pages, 0, "")
        assert len(scan.pages) == printed_pages >= 2
        import pdfplumber

        with pdfplumber.open(scan.pdf) as pdf:
            assert all(len(p.images) == 1 for p in pdf.pages)


def test_pages_are_150_dpi_grey_and_spoilt(family):
    import numpy as np
    from PIL import Image

    for scan in family:
        for path in scan.pages:
            with Image.open(path) as image:
                assert image.mode == "L" and image.size == (1241, 1754)  # A4 at 150 dpi
                pixels = np.asarray(image, dtype=np.int16)
            # paper is not white and not flat (noise), ink is dark
            corner = pixels[:60, :60]
            assert abs(corner.mean() - scan.degradation.paper) < 8 and corner.std() > 1.5
            assert pixels.min() < 60


def _skew(path) -> float:
    """The rotation of a page, measured: the angle that makes its ruling lines and text rows sharpest."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        ink = Image.fromarray(255 - np.asarray(image.reduce(2)), "L")
    best, best_angle = -1.0, 0.0
    for step in range(-30, 31):
        angle = step * 0.05
        profile = np.asarray(ink.rotate(-angle, resample=Image.Resampling.BILINEAR), dtype=np.float64).sum(1)
        sharpness = float((np.diff(profile) ** 2).sum())
        if sharpness > best:
            best, best_angle = sharpness, angle
    return best_angle


def test_rotation_is_the_one_the_seed_drew(family):
    for scan in family:
        assert 0.3 <= abs(scan.degradation.angle) <= 1.0
        measured = _skew(scan.pages[0])
        assert abs(measured - scan.degradation.angle) <= 0.15, (scan.stem, measured, scan.degradation)


def test_truth_is_what_the_printed_report_says(family):
    """The printed PDF (text layer) read by the ordinary reader gives exactly the recorded truth."""
    for scan in family:
        truth = json.loads((scan.pdf.parent / f"{scan.stem}.truth.json").read_text(encoding="utf-8"))
        assert truth["pages"] == len(scan.pages) and truth["agency"] == scan.sample.agency
        assert (truth["injected"] is None) == (scan.sample.injected is None)
        report = read_report(scan.pdf.parent / "printed" / scan.pdf.name)
        template = load_catalogue().templates[scan.sample.template]
        assert report.template == template.id and report.agency == scan.sample.agency
        for cell in template.form_cells:
            value, expected = report.cells[cell.id], truth["cells"][cell.id]
            if expected is None:
                assert value.state == CellState.BLANK, cell.id
            else:
                assert value.state == CellState.NUMBER and value.value == expected, (cell.id, value, expected)
        if truth["injected"]:
            assert (
                truth["cells"][truth["injected"]["cell"]]
                == scan.sample.figures.cells[scan.sample.injected.cell]
            )


def test_tables_as_pictures_in_word_and_html(family):
    for scan in family:
        with zipfile.ZipFile(scan.docx) as z:
            names = set(z.namelist())
            document = z.read("word/document.xml").decode("utf-8")
        assert {"word/media/t2.png", "word/media/t3.png", "word/media/t4.png"} <= names
        assert "<w:tbl>" not in document and document.count("<w:drawing>") == 3
        assert "三、收到和处理政府信息公开申请情况" in document  # the narrative stays text
        html = scan.html.read_text(encoding="utf-8")
        sources = re.findall(r'<img src="([^"]+)"', html)
        assert len(sources) == 3 and "<table" not in html
        assert all((scan.html.parent / src).is_file() for src in sources)
        pages = re.findall(r'<img src="([^"]+)"', scan.pages_html.read_text(encoding="utf-8"))
        assert [scan.html.parent / p for p in pages] == scan.pages


def test_same_seed_same_pixels(family, tmp_path):
    import numpy as np
    from PIL import Image

    first = family[0]
    (again,) = write_scans(
        [scan_sample(first.sample.seed, first.sample.template, error=True)], tmp_path, ("pdf",)
    )
    assert again.degradation == first.degradation and again.sample.figures.cells == first.sample.figures.cells
    for a, b in zip(first.pages, again.pages, strict=True):
        with Image.open(a) as x, Image.open(b) as y:
            assert np.array_equal(np.asarray(x), np.asarray(y)), a.name


def test_seeds_spread_over_the_family():
    drawn = [Degradation.from_seed(seed) for seed in range(200)]
    assert all(0.3 <= abs(d.angle) <= 1.0 and 0.4 <= d.blur <= 0.9 and 55 <= d.quality <= 85 for d in drawn)
    assert {d.angle > 0 for d in drawn} == {True, False}
    layouts = {scan_sample(seed)[1] for seed in range(40)}
    assert layouts == {"docx", "docx_tables_only"}


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown kinds"):
        write_scans([scan_sample(1)], tmp_path, ("tiff",))
