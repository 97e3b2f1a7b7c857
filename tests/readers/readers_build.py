"""Builders for small test files: DOCX written by hand (a minimal OOXML package), hostile zips, PDFs."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Default Extension="html" ContentType="text/html"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""


def w_p(text: str = "", *, num: tuple[int, int] | None = None, runs: str | None = None) -> str:
    """A paragraph; ``num`` = (numId, ilvl) for automatic numbering; ``runs`` = raw run XML."""
    ppr = ""
    if num is not None:
        ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr></w:pPr>'
    body = (
        runs
        if runs is not None
        else (f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else "")
    )
    return f"<w:p>{ppr}{body}</w:p>"


def w_tc(
    text: str | list[str] = "", *, span: int = 1, vmerge: str | None = None, inner: str | None = None
) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    tcpr = f"<w:tcPr>{props}</w:tcPr>" if props else ""
    if inner is not None:
        content = inner
    else:
        lines = text if isinstance(text, list) else [text]
        content = "".join(w_p(t) for t in lines)
    return f"<w:tc>{tcpr}{content}</w:tc>"


def w_tbl(rows: list[list[str]], ncols: int | None = None, *, row_props: list[str] | None = None) -> str:
    grid = ""
    if ncols:
        grid = "<w:tblGrid>" + '<w:gridCol w:w="1000"/>' * ncols + "</w:tblGrid>"
    trs = []
    for i, row in enumerate(rows):
        trpr = row_props[i] if row_props and i < len(row_props) else ""
        trs.append(f"<w:tr>{trpr}{''.join(row)}</w:tr>")
    return f"<w:tbl><w:tblPr/>{grid}{''.join(trs)}</w:tbl>"


def document_xml(body: str, *, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )


def docx_bytes(
    body: str,
    *,
    parts: dict[str, str | bytes] | None = None,
    prolog: str = "",
    doc_rels: list[tuple[str, str, str]] = (),
) -> bytes:
    """A minimal DOCX package; ``doc_rels`` = [(id, type suffix, target)] for word/_rels/document.xml.rels."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("word/document.xml", document_xml(body, prolog=prolog))
        if doc_rels:
            rels = "".join(
                f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{typ}" Target="{target}"/>'
                for rid, typ, target in doc_rels
            )
            z.writestr(
                "word/_rels/document.xml.rels",
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + rels
                + "</Relationships>",
            )
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def numbering_xml(levels: list[tuple[str, str]], *, num_id: int = 1, abstract_id: int = 0) -> str:
    """numbering.xml with one abstractNum: levels = [(numFmt, lvlText)] for ilvl 0, 1, …"""
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="{W_NS}">'
        f'<w:abstractNum w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'
        f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num></w:numbering>'
    )


# ---- a full report as DOCX (for timing and an end-to-end check) --------------------------------------
def docx_from_document(doc) -> bytes:
    """Re-typeset a Document (e.g. the Shanghai HTML) as a DOCX with gridSpan/vMerge merged cells."""
    from validator.readers.document import Grid

    body = []
    for block in doc.blocks:
        if not isinstance(block, Grid):
            body.append(w_p(block.text))
            continue
        rows = []
        for r, row in enumerate(block.rows):
            tcs = []
            c = 0
            while c < len(row):
                prov = row[c].provenance
                span = 1
                while c + span < len(row) and row[c + span].provenance == prov:
                    span += 1
                if r > 0 and block.rows[r - 1][c].provenance == prov:
                    tcs.append(w_tc("", span=span, vmerge="continue"))
                elif r + 1 < len(block.rows) and block.rows[r + 1][c].provenance == prov:
                    tcs.append(w_tc(row[c].text, span=span, vmerge="restart"))
                else:
                    tcs.append(w_tc(row[c].text, span=span))
                c += span
            rows.append(tcs)
        body.append(w_tbl(rows, len(block.rows[0])))
    return docx_bytes("".join(body))


# ---- hostile zips -------------------------------------------------------------------------------------
def zip_with(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


# ---- PDFs written by hand -----------------------------------------------------------------------------
def pdf_bytes(objects: list[bytes], *, trailer_extra: bytes = b"") -> bytes:
    """A PDF whose object n is objects[n-1]; object 1 must be the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode()
        + trailer_extra
        + f">>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_without_text() -> bytes:
    """One page with a ruled box and a grey image, no text at all (what a scan looks like to a reader)."""
    content = b"q 100 0 0 100 50 600 cm /Im1 Do Q 50 500 m 400 500 l S 50 500 200 80 re S"
    image = stream(
        b"\x80" * 4,
        b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
            stream(content),
            image,
        ]
    )


def pdf_with_text(text: bytes = b"Hello") -> bytes:
    content = b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET"
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def pdf_encrypted(user_password: bytes = b"secret", owner_password: bytes = b"owner") -> bytes:
    """A PDF protected by an open password (standard security handler, RC4 40-bit, revision 2)."""
    file_id = hashlib.md5(b"ogi-validator test").digest()
    owner_key = hashlib.md5((owner_password + _PAD)[:32]).digest()[:5]
    o_value = _rc4(owner_key, (user_password + _PAD)[:32])
    p_value = -4
    key = hashlib.md5(
        (user_password + _PAD)[:32] + o_value + p_value.to_bytes(4, "little", signed=True) + file_id
    ).digest()[:5]
    u_value = _rc4(key, _PAD)
    plain = pdf_with_text(b"Secret report")
    # keep the body from pdf_with_text but add /Encrypt and /ID to the trailer
    objects = re.findall(rb"\d+ 0 obj\n(.*?)\nendobj", plain, re.DOTALL)
    enc = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        o_value.hex().encode(),
        u_value.hex().encode(),
        p_value,
    )
    objects.append(enc)
    n = len(objects)
    return pdf_bytes(
        objects,
        trailer_extra=b"/Encrypt %d 0 R /ID [<%s> <%s>] "
        % (n, file_id.hex().encode(), file_id.hex().encode()),
    )


# ---- a full report as XLSX (for timing and an end-to-end check) --------------------------------------
def xlsx_from_document(doc, path) -> None:
    """Narrative on sheet 正文 (one paragraph per row); each table on its own sheet with merged ranges."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from validator.readers.document import Grid

    wb = openpyxl.Workbook()
    text_ws = wb.active
    text_ws.title = "正文"
    n = 0
    for block in doc.blocks:
        if not isinstance(block, Grid):
            text_ws.append([block.text])
            continue
        n += 1
        ws = wb.create_sheet(f"表{n}")
        done = set()
        for r, row in enumerate(block.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.provenance.row == r and cell.provenance.column == c:
                    v = cell.text
                    ws.cell(r, c, int(v) if v.isdigit() else (v or None))
        for r, row in enumerate(block.rows, start=1):
            for c, cell in enumerate(row, start=1):
                p = cell.provenance
                if (p.row, p.column) in done:
                    continue
                r1, c1 = r, c
                while r1 + 1 <= len(block.rows) and block.rows[r1][c - 1].provenance == p:
                    r1 += 1
                while c1 + 1 <= len(row) and row[c1].provenance == p:
                    c1 += 1
                if (r1, c1) != (r, c):
                    ws.merge_cells(f"{get_column_letter(c)}{r}:{get_column_letter(c1)}{r1}")
                done.add((p.row, p.column))
    wb.save(path)
