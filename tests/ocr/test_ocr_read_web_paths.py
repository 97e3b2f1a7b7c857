"""An <img src> of a saved web page that names no readable picture inside the page's folder (a NUL byte, a
name too long for the system, a symlink loop, a path outside) is skipped: the page is read as if the
picture were not there, never refused for it."""

from __future__ import annotations

import os

import pytest

from validator.readers import read_document


@pytest.mark.parametrize(
    "src",
    [
        "a%00.png",
        "a" * 300 + ".png",
        "page_files/" + "b/" * 3000 + "x.png",
        "page_files/loop",
        "../secret.png",
    ],
)
def test_an_img_src_naming_no_picture_is_skipped(tmp_path, src):
    folder = tmp_path / "site" / "page_files"
    folder.mkdir(parents=True)
    os.symlink("loop", folder / "loop")
    page = tmp_path / "site" / "page.html"
    page.write_text(
        f'<html><body><p>正文</p><img src="{src}"><p>四、行政复议</p></body></html>', encoding="utf-8"
    )
    doc = read_document(page)
    assert [b.text for b in doc.blocks] == ["正文", "四、行政复议"] and "ocr_missing" not in doc.meta
