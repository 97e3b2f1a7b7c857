"""read_document: sniffing by content, mislabelled files, junk, limits, LibreOffice conversion."""

from __future__ import annotations

import os
import stat
import time
import zipfile

import openpyxl
import pytest
from readers_build import docx_bytes, w_p, w_tbl, w_tc, zip_with

from validator.model import ReadError
from validator.readers import convert, read_document, safety, sniff
from validator.readers.document import Grid


def put(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def read_error(path) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path)
    msg = str(info.value)
    assert "\n" not in msg and "Traceback" not in msg
    assert msg.startswith(f"{os.path.basename(path)}: ")
    return msg


DOCX = docx_bytes(w_p("一、总体情况") + w_tbl([[w_tc("规章"), w_tc("1")]], 2))
HTML = "<html><body><p>一、总体情况</p><table><tr><td>规章</td><td>1</td></tr></table></body></html>".encode()


@pytest.mark.parametrize("name", ["report.docx", "report.pdf", "report.xlsx", "report", "report.txt"])
def test_docx_under_any_name(tmp_path, name):
    assert read_document(put(tmp_path, name, DOCX)).format == "docx"


@pytest.mark.parametrize("name", ["report.docx", "report.xlsx", "report.xls", "report.doc", "report.htm"])
def test_html_under_any_name(tmp_path, name):
    doc = read_document(put(tmp_path, name, HTML))
    assert doc.format == "html"
    assert [[c.text for c in r] for r in doc.blocks[1].rows] == [["规章", "1"]]


def test_html_fragment_is_html(tmp_path):
    assert sniff(put(tmp_path, "a.txt", "<p>一</p><p>二</p><div>三</div>".encode())) == "html"


def test_plain_text_goes_to_text_reader(tmp_path):
    p = put(tmp_path, "a.html", "2023年某局政府信息公开工作年度报告\n一、总体情况\n正文".encode("gbk"))
    assert sniff(p) == "text"
    assert read_document(p).format == "text"


def test_mht_web_archive(tmp_path):
    html = "<html><body><p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>3</td></tr></table></body></html>"
    mht = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
        'Content-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + __import__("base64").b64encode(html.encode("gbk")).decode()
        + "\r\n--B--\r\n"
    )
    doc = read_document(put(tmp_path, "report.doc", mht.encode()))
    assert doc.format == "html" and doc.meta["container"] == "mht"
    assert [[c.text for c in r] for r in doc.blocks[1].rows] == [["规章", "3"]]


# ---- junk ---------------------------------------------------------------------------------------------
def test_empty_and_blank_files(tmp_path):
    assert "文件为空 / empty file" in read_error(put(tmp_path, "e.docx", b""))
    assert "empty file" in read_error(put(tmp_path, "b.html", b"  \r\n\t "))


def test_random_bytes(tmp_path):
    assert "unrecognised binary" in read_error(put(tmp_path, "r.docx", os.urandom(4096)))


def test_zip_that_is_not_office(tmp_path):
    assert "not a DOCX/XLSX" in read_error(put(tmp_path, "a.docx", zip_with({"readme.txt": b"hi"})))
    assert "PowerPoint" in read_error(put(tmp_path, "p.docx", zip_with({"ppt/presentation.xml": b"<p/>"})))


def test_zip_garbage_after_signature(tmp_path):
    assert "corrupt or truncated zip" in read_error(put(tmp_path, "z.xlsx", b"PK\x03\x04" + os.urandom(2000)))


def test_truncated_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    for r in range(1, 200):
        wb.active.append([f"label {r}", r, r * 2])
    src = tmp_path / "ok.xlsx"
    wb.save(src)
    data = src.read_bytes()
    assert "truncated" in read_error(put(tmp_path, "cut.xlsx", data[: len(data) * 2 // 3]))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ReadError, match="file not found"):
        read_document(tmp_path / "nope.docx")
    with pytest.raises(ReadError, match="not a regular file"):
        read_document(tmp_path)


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_SIZE", 1000)
    assert "file too large" in read_error(put(tmp_path, "big.html", b"<p>x</p>" * 200))


def test_library_exception_is_wrapped(tmp_path, monkeypatch):
    import validator.readers.html as html_mod

    def boom(*a, **k):
        raise ValueError("unexpected\nmulti-line")

    monkeypatch.setattr(html_mod, "read_html", boom)
    msg = read_error(put(tmp_path, "x.html", HTML))
    assert "cannot read file: ValueError: unexpected multi-line" in msg


def test_encrypted_office_file(tmp_path):
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 200
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 200
    )
    assert "password-protected" in read_error(put(tmp_path, "locked.docx", data))


# ---- LibreOffice conversion ---------------------------------------------------------------------------
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200 + "WordDocument".encode("utf-16-le") + b"\0" * 200
OLE_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200 + "Workbook".encode("utf-16-le") + b"\0" * 200


EXCEL_2003_XML = """<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="表三"><Table>
  <Row><Cell ss:MergeDown="1"><Data ss:Type="String">三、本年度办理结果</Data></Cell>
       <Cell><Data ss:Type="Number">5</Data></Cell></Row>
  <Row><Cell ss:Index="2"><Data ss:Type="Number">7</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>""".encode()


def test_sniff_legacy_kinds(tmp_path):
    assert sniff(put(tmp_path, "a.docx", OLE_DOC)) == "convert:doc:docx"  # a .docx that is really a .doc
    assert sniff(put(tmp_path, "a.wps", OLE_DOC)) == "convert:wps:docx"
    assert sniff(put(tmp_path, "a.xlsx", OLE_XLS)) == "convert:xls:xlsx"
    assert sniff(put(tmp_path, "a.et", OLE_XLS)) == "convert:et:xlsx"
    assert sniff(put(tmp_path, "a.doc", b"{\\rtf1\\ansi x}")) == "convert:rtf:docx"
    odt = zip_with({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert sniff(put(tmp_path, "a.odt", odt)) == "convert:odt:docx"
    word_xml = b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument/>'
    assert sniff(put(tmp_path, "w.doc", word_xml)) == "convert:xml:docx"
    assert sniff(put(tmp_path, "x.xls", EXCEL_2003_XML)) == "convert:xml:xlsx"


def test_without_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    msg = read_error(put(tmp_path, "old.doc", OLE_DOC))
    assert "apt-get install libreoffice-writer libreoffice-calc" in msg
    assert "LibreOffice" in msg


def fake_soffice(tmp_path, monkeypatch, script: str):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "soffice"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return exe


@pytest.mark.skipif(os.name != "posix", reason="shell script stand-in for soffice")
def test_conversion_pipeline_with_stand_in(tmp_path, monkeypatch):
    converted = put(tmp_path, "converted.docx", DOCX)
    fake_soffice(
        tmp_path,
        monkeypatch,
        f"""
outdir=""; prev=""; last=""
for a in "$@"; do if [ "$prev" = "--outdir" ]; then outdir="$a"; fi; prev="$a"; last="$a"; done
base=$(basename "$last"); stem="${{base%.*}}"
cp "{converted}" "$outdir/$stem.docx"
""",
    )
    doc = read_document(put(tmp_path, "old.doc", OLE_DOC))
    assert doc.format == "docx" and doc.meta["converted_from"] == "doc"
    assert doc.source.endswith("old.doc")
    grid = next(b for b in doc.blocks if isinstance(b, Grid))
    assert grid.rows[0][1].provenance.file == "old.doc"  # provenance names the user's file


@pytest.mark.skipif(os.name != "posix", reason="shell script stand-in for soffice")
def test_conversion_failure_and_timeout(tmp_path, monkeypatch):
    fake_soffice(tmp_path, monkeypatch, "echo 'Error: source file could not be loaded' >&2\nexit 0\n")
    msg = read_error(put(tmp_path, "bad.doc", OLE_DOC))
    assert "could not convert" in msg and "source file could not be loaded" in msg
    fake_soffice_dir = tmp_path / "slow"
    fake_soffice_dir.mkdir()
    fake_soffice(fake_soffice_dir, monkeypatch, "sleep 30\n")
    start = time.perf_counter()
    with pytest.raises(ReadError, match="timed out"):
        convert.read_converted(put(tmp_path, "slow.doc", OLE_DOC), "doc", "docx", timeout=1)
    assert time.perf_counter() - start < 5


@pytest.mark.skipif(convert.find_soffice() is None, reason="LibreOffice not installed")
def test_real_xls_conversion(tmp_path):
    """A genuine .xls (made by LibreOffice from an .xlsx) read through the conversion path."""
    import subprocess

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "三、本年度办理结果"
    ws.merge_cells("A1:A2")
    ws["B1"] = 5
    ws["B2"] = "=B1*2"
    src = tmp_path / "src.xlsx"
    wb.save(src)
    out = tmp_path / "out"
    soffice = convert.find_soffice()
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
            "--convert-to",
            "xls",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    xls = out / "src.xls"
    assert xls.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    lying = put(tmp_path, "report.xlsx", xls.read_bytes())  # an .xls saved under an .xlsx name
    doc = read_document(lying)
    assert doc.format == "xlsx" and doc.meta["converted_from"] == "xls"
    (grid,) = doc.blocks
    assert [[c.text for c in r] for r in grid.rows] == [["三、本年度办理结果", "5"], ["", "10"]]
    assert grid.rows[1][0].provenance == grid.rows[0][0].provenance
    assert grid.rows[1][1].provenance.ref == "B2" and grid.rows[1][1].provenance.file == "report.xlsx"


def test_zip_member_listing_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_ZIP_MEMBERS", 10)
    members = {f"word/p{i}.xml": b"<x/>" for i in range(20)}
    members["word/document.xml"] = b"<x/>"
    assert "too many zip members" in read_error(put(tmp_path, "many.docx", zip_with(members)))


def test_encrypted_zip_member(tmp_path):
    data = bytearray(zip_with({"word/document.xml": b"<w:document/>"}))
    # set the "encrypted" flag bit in the local header and the central directory entry
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = data.find(sig)
        off = 6 if sig == b"PK\x03\x04" else 8
        data[i + off] |= 0x1
    assert "encrypted" in read_error(put(tmp_path, "enc.docx", bytes(data)))


def test_stored_zipfile_modes(tmp_path):
    """An uncompressed (stored) DOCX is fine."""
    import io

    with zipfile.ZipFile(io.BytesIO(DOCX)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    doc = read_document(put(tmp_path, "s.docx", zip_with(members, zipfile.ZIP_STORED)))
    assert doc.blocks[0].text == "一、总体情况"


@pytest.mark.skipif(convert.find_soffice() is None, reason="LibreOffice not installed")
def test_real_excel_2003_xml_conversion(tmp_path):
    doc = read_document(put(tmp_path, "report.xls", EXCEL_2003_XML))
    assert doc.format == "xlsx" and doc.meta["converted_from"] == "xml"
    (grid,) = doc.blocks
    assert [[c.text for c in r] for r in grid.rows] == [["三、本年度办理结果", "5"], ["", "7"]]
    assert grid.rows[1][0].provenance == grid.rows[0][0].provenance


def test_mutated_files_never_leak_an_exception(tmp_path):
    """Flipped bytes, truncations and splices of valid files: a Document or a one-line ReadError, fast."""
    import io
    import random

    from readers_build import pdf_with_text

    wb = openpyxl.Workbook()
    wb.active["A1"] = "三、本年度办理结果"
    wb.active.merge_cells("A1:A2")
    wb.active["B1"] = "=SUM(B2:B3)"
    buf = io.BytesIO()
    wb.save(buf)
    seeds = {
        "s.docx": DOCX,
        "s.xlsx": buf.getvalue(),
        "s.html": HTML * 5,
        "s.pdf": pdf_with_text(b"2023 report"),
    }
    rng = random.Random(20240131)
    for name, data in seeds.items():
        for i in range(25):
            d = bytearray(data)
            mode = i % 3
            if mode == 0:
                for _ in range(rng.randint(1, 12)):
                    d[rng.randrange(len(d))] = rng.randrange(256)
            elif mode == 1:
                d = d[: rng.randrange(1, len(d))]
            else:
                j = rng.randrange(len(d))
                d[j:j] = rng.randbytes(rng.randint(1, 100))
            p = put(tmp_path, f"{i}_{name}", bytes(d))
            try:
                read_document(p)
            except ReadError as e:
                assert "\n" not in str(e) and str(e).startswith(f"{p.name}: ")
