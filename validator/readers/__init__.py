"""Readers: any supported file → Document. ``read_document`` sniffs the bytes and never trusts the extension.

PK zip with word/document.xml → DOCX; with xl/workbook.xml → XLSX; OpenDocument zip → LibreOffice; %PDF →
PDF; PNG/JPEG/TIFF/BMP/GIF → OCR (validator.readers.ocr, optional extra); OLE2 (D0 CF 11 E0) → .doc/.wps (Word) or .xls/.et (Excel) through LibreOffice, or "encrypted" when it
holds an EncryptedPackage; {\\rtf and Word/Excel 2003 XML → LibreOffice; MHT web archive → its HTML;
HTML-looking text → HTML; other decodable text → validator.readers.text. Empty, junk, corrupt or hostile
files raise ReadError with a one-line "file: 中文原因 / English reason"; no library exception escapes for a
bad file. A document of tables without any prose (e.g. the statistical tables published as an
attachment) is marked ``tables_only``, whatever its format.

Heavy libraries (lxml, openpyxl, pdfplumber) are imported lazily inside the readers.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from validator.model import ReadError
from validator.readers.document import Document, holds_tables_only
from validator.readers.grid import is_continuation, merged_origin
from validator.readers.safety import check_file, fail

__all__ = ["ReadError", "is_continuation", "merged_origin", "read_document", "sniff"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# PNG, JPEG, TIFF (both byte orders), BMP, GIF: a scanned page or a table saved as a picture (read by OCR)
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
_HTML_STRONG = re.compile(r"<(?:!doctype\s+html|html|body|head|table|meta|frameset)\b", re.IGNORECASE)
_HTML_WEAK = re.compile(r"<(?:p|div|span|br|td|tr|h[1-6]|font|strong|b|center|ul|li)\b[^>]*>", re.IGNORECASE)
_MHT = re.compile(
    rb"^(?:[\w-]+:[^\r\n]*\r?\n)*?\s*(?:MIME-Version\s*:|Content-Type\s*:\s*multipart/related)", re.IGNORECASE
)
# Word 2003 XML / Flat OPC and Excel 2003 XML ("XML Spreadsheet"), often saved with .doc/.xls names
_WORD_XML = re.compile(rb"<\?mso-application\s+progid=\"Word\.Document\"|<w:wordDocument\b|<pkg:package\b")
_EXCEL_XML = re.compile(
    rb"<\?mso-application\s+progid=\"Excel\.Sheet\"|urn:schemas-microsoft-com:office:spreadsheet"
)
_OLE_KINDS = {
    "doc": ("doc", "docx"),
    "wps": ("wps", "docx"),
    "dot": ("doc", "docx"),
    "xls": ("xls", "xlsx"),
    "et": ("et", "xlsx"),
    "xlt": ("xls", "xlsx"),
}


def read_document(path: str | os.PathLike) -> Document:
    """Read one file into a Document, dispatching on what the bytes are."""
    p = Path(path)
    try:
        kind = sniff(p)
        doc = _dispatch(p, kind)
        doc.tables_only = doc.tables_only or holds_tables_only(doc)
        return doc
    except ReadError as e:
        raise _named(p, str(e)) from None
    except RecursionError:
        raise _named(p, "文件结构嵌套过深 / document nested too deeply") from None
    except MemoryError:
        raise _named(p, "文件过大，内存不足 / out of memory reading the file") from None
    except Exception as e:
        raise _named(p, str(fail("文件无法读取", "cannot read file", f"{type(e).__name__}: {e}"))) from e


def _named(p: Path, message: str) -> ReadError:
    message = " ".join(message.split())
    if not message.startswith(f"{p.name}:"):
        message = f"{p.name}: {message}"
    return ReadError(message)


def sniff(path: str | os.PathLike) -> str:
    """What the file is: docx, xlsx, pdf, html, mht, text, or convert:<kind>:<target>; ReadError otherwise."""
    p = Path(path)
    check_file(p)
    try:
        with open(p, "rb") as fh:
            head = fh.read(65536)
    except OSError as e:
        raise fail("无法读取文件", "cannot read file", e.strerror or e) from None
    if not head.strip(b" \t\r\n\x00"):
        raise ReadError("文件为空 / empty file (only blanks)")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(p)
    if head.startswith(b"PK"):
        raise fail("不支持的ZIP变体（分卷或损坏）", "unsupported or corrupt zip variant")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE2):
        return _sniff_ole(p)
    if head.startswith(_IMAGES) or (head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00"):
        return "image"
    if head.lstrip().startswith(b"{\\rtf"):
        return "convert:rtf:docx"
    if _MHT.match(head[:4096]):
        return "mht"
    if _WORD_XML.search(head[:4096]):
        return "convert:xml:docx"
    if _EXCEL_XML.search(head[:4096]):
        return "convert:xml:xlsx"
    text = _decode_head(head)
    if text is None:
        raise fail("无法识别的文件格式（不是DOCX/XLSX/PDF/HTML/文本）", "unrecognised binary file format")
    probe = text[:65536]
    if _HTML_STRONG.search(probe) or len(_HTML_WEAK.findall(probe[:16384])) >= 3:
        return "html"
    return "text"


def _dispatch(p: Path, kind: str) -> Document:
    if kind == "docx":
        from validator.readers.docx import read_docx

        return read_docx(p)
    if kind == "xlsx":
        from validator.readers.xlsx import read_xlsx

        return read_xlsx(p)
    if kind == "pdf":
        from validator.readers.pdf import read_pdf

        return read_pdf(p)
    if kind == "html":
        from validator.readers.html import read_html

        return read_html(p)
    if kind == "image":
        from validator.readers.ocr import read_image

        return read_image(p)
    if kind == "mht":
        from validator.readers.html import data_uri, read_html_text
        from validator.readers.mht import html_from_mht, pictures_from_mht
        from validator.readers.safety import read_bytes

        data = read_bytes(p)
        pictures = pictures_from_mht(data) if b"image/" in data else {}

        def picture(src: str) -> bytes | None:
            return data_uri(src) or pictures.get(src) or pictures.get(src.rsplit("/", 1)[-1])

        doc = read_html_text(html_from_mht(data), source=str(p), name=p.name, resources=picture)
        doc.meta["container"] = "mht"
        return doc
    if kind == "text":
        try:
            from validator.readers.text import read_text
        except ImportError:
            raise fail("纯文本读取器不可用", "text reader not available") from None
        return read_text(p)
    if kind.startswith("convert:"):
        _, src_kind, target = kind.split(":")
        from validator.readers.convert import read_converted

        return read_converted(p, src_kind, target)
    raise fail("不支持的文件类型", "unsupported file type", kind)


def _sniff_zip(p: Path) -> str:
    from validator.readers.safety import SafeZip

    with SafeZip(p) as z:
        names = set(z.names())
        if "word/document.xml" in names or any(n.startswith("word/") and n.endswith(".xml") for n in names):
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "mimetype" in names:
            mime = z.read("mimetype")[:100].decode("ascii", "replace").strip()
            if mime == "application/vnd.oasis.opendocument.text":
                return "convert:odt:docx"
            if mime == "application/vnd.oasis.opendocument.spreadsheet":
                return "convert:ods:xlsx"
        if any(n.startswith("ppt/") for n in names):
            raise fail("不支持PowerPoint演示文稿", "PowerPoint files are not supported")
        if any(n.startswith("xl/") for n in names):
            raise fail("不是有效的XLSX：缺少xl/workbook.xml", "not a valid XLSX: xl/workbook.xml missing")
    raise fail("ZIP压缩包，不是Word或Excel文档", "a zip archive that is not a DOCX/XLSX document")


def _sniff_ole(p: Path) -> str:
    """Legacy Office binary: tell Word from Excel by the stream names in the compound file directory."""
    try:
        data = p.read_bytes()
    except OSError as e:
        raise fail("无法读取文件", "cannot read file", e.strerror or e) from None

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        raise fail("Office文件已加密（设有打开密码），无法读取", "Office file is password-protected")
    ext = p.suffix.lower().lstrip(".")
    if has("WordDocument"):
        return f"convert:{'wps' if ext == 'wps' else 'doc'}:docx"
    if has("Workbook") or has("Book"):
        return f"convert:{'et' if ext == 'et' else 'xls'}:xlsx"
    if ext in _OLE_KINDS:
        src, target = _OLE_KINDS[ext]
        return f"convert:{src}:{target}"
    raise fail("无法识别的OLE2复合文档（不是Word或Excel文件）", "unrecognised OLE2 compound file")


def _decode_head(head: bytes) -> str | None:
    """The head decoded as text, or None when it looks binary."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(enc, errors="replace")
    if b"\x00" in head:
        return None
    text = None
    for enc in ("utf-8", "gb18030"):
        try:
            # the head may end inside a multi-byte character: decode it as an unfinished stream
            text = codecs.getincrementaldecoder(enc)().decode(head, final=len(head) < 65536)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return None
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if controls > max(8, len(sample) // 100):
        return None
    return text
