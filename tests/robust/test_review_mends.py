"""Inputs found in review that escaped as tracebacks: each is now one line naming the file, exit 2."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from validator.cli import main
from validator.testing.layouts import FAMILIES, make_sample


def test_a_gbk_aliases_file_is_one_line_and_exit_2(tmp_path):
    aliases = tmp_path / "别名.csv"
    aliases.write_bytes("淮安市洪泽区人民政府,洪泽区人民政府\n".encode("gbk"))
    report = tmp_path / "in" / "2023_示例市交通运输局.txt"
    report.parent.mkdir()
    report.write_text(
        (Path(__file__).resolve().parents[2] / "samples" / "2023_示例市交通运输局_无错误.txt").read_text(
            encoding="utf-8"
        )
    )
    result = CliRunner().invoke(
        main, ["batch", str(report.parent), "--out", str(tmp_path / "out"), "--aliases", str(aliases), "-q"]
    )
    assert result.exit_code == 2, result.output
    assert "别名" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_word_annotation_of_a_docx_with_a_corrupt_part_is_one_line(tmp_path):
    good = tmp_path / "good.docx"
    good.write_bytes(FAMILIES["docx"].render(make_sample(3, "gb2021", error=True)))
    broken = tmp_path / "2023_示例局.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/image1.png", b"\x89PNG" + bytes(range(256)) * 64)
    data = bytearray(broken.read_bytes())
    at = data.index(b"word/media/image1.png") + len("word/media/image1.png") + 40  # inside its deflated data
    data[at : at + 64] = b"\xff" * 64
    broken.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["check", str(broken), "--annotate", str(tmp_path / "out.docx")])
    assert result.exit_code == 2, (
        result.output
    )  # the report reads (the image is never opened); the copy cannot
    assert result.stderr.strip().splitlines() == [
        line
        for line in result.stderr.strip().splitlines()
        if "部件已损坏" in line and "2023_示例局.docx" in line
    ]
    assert not (tmp_path / "out.docx").exists()
