"""Guards for reading untrusted files: size limits, safe XML parsers, a zip opener that refuses bombs.

Every check raises ReadError with a one-line reason in Chinese and English, so a hostile or broken file
is reported like any other unreadable file and never reaches a parser that could be abused.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Self

from validator.model import ReadError

# ---- bounds -------------------------------------------------------------------------------------------
MAX_FILE_SIZE = 100 * 1024 * 1024  # any input file, bytes
MAX_ZIP_MEMBERS = 5000  # members in a DOCX/XLSX package
MAX_MEMBER_SIZE = 64 * 1024 * 1024  # declared uncompressed size of one member we inflate
MAX_TOTAL_UNCOMPRESSED = 256 * 1024 * 1024  # declared uncompressed size of the whole package
MAX_RATIO = 200  # uncompressed / compressed, checked for members above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024  # small members may compress very well; only larger ones are ratio-checked
MAX_GRID_CELLS = 500_000  # cells of one table after spans are expanded
MAX_SPAN = 1000  # colspan / rowspan / gridSpan accepted from a file (HTML caps colspan at 1000)
MAX_PDF_PAGES = 500
MAX_PDF_EDGES = 20_000  # lines + rects on one page above which table detection is skipped

_CHUNK = 256 * 1024


def one_line(text: object, limit: int = 200) -> str:
    """A message fragment on one line, bounded in length."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def fail(zh: str, en: str, detail: object = "") -> ReadError:
    """A ReadError whose message is one line: "中文原因 / English reason[: detail]"."""
    msg = f"{zh} / {en}"
    if detail not in ("", None):
        msg += f": {one_line(detail)}"
    return ReadError(msg)


def check_file(path: str | os.PathLike) -> int:
    """Size of a readable regular file, or ReadError (missing, directory, empty, too large)."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise fail("文件不存在", "file not found", p.name) from None
    except OSError as e:
        raise fail("无法打开文件", "cannot open file", e.strerror or e) from None
    if not p.is_file():
        raise fail("不是普通文件", "not a regular file", p.name)
    if st.st_size == 0:
        raise ReadError("文件为空 / empty file")
    if st.st_size > MAX_FILE_SIZE:
        raise fail(
            f"文件过大（{st.st_size // (1024 * 1024)} MB，上限 {MAX_FILE_SIZE // (1024 * 1024)} MB）",
            "file too large",
        )
    return st.st_size


def read_bytes(path: str | os.PathLike) -> bytes:
    check_file(path)
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise fail("无法读取文件", "cannot read file", e.strerror or e) from None


# ---- XML ----------------------------------------------------------------------------------------------
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def xml_parser():
    """An lxml XML parser that loads no DTD, expands no entity, opens no network, refuses huge trees."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def html_parser():
    """An lxml HTML parser: no network, no huge trees, comments and processing instructions dropped."""
    from lxml import html as lxml_html

    return lxml_html.HTMLParser(
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=True,
        default_doctype=False,
    )


def parse_xml(data: bytes, what: str):
    """Parse an OOXML part. Office parts never carry a DTD, so any DOCTYPE/ENTITY is refused outright."""
    from lxml import etree

    if _DTD.search(data):
        raise fail(
            "文件内含DTD/实体声明（可能是XXE或“十亿笑声”攻击），拒绝读取",
            "XML part declares a DTD/entities, refused",
            what,
        )
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as e:
        raise fail("文档内部XML损坏", "malformed XML part", f"{what}: {e}") from None


# ---- zip ----------------------------------------------------------------------------------------------
class SafeZip:
    """A zip package whose directory was checked before anything is inflated.

    Declared sizes are enforced by zipfile while reading (it stops at the declared size and checks the
    CRC), so checking the declared sizes and ratios up front bounds memory and time.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self.zf = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as e:
            raise fail(
                "压缩包损坏或被截断（DOCX/XLSX是ZIP格式）", "corrupt or truncated zip package", e
            ) from None
        except (OSError, ValueError, EOFError) as e:
            raise fail("无法打开压缩包", "cannot open zip package", e) from None
        try:
            infos = self.zf.infolist()
        except Exception as e:  # noqa: BLE001 - any directory problem is a corrupt file
            self.zf.close()
            raise fail("压缩包目录损坏", "corrupt zip directory", e) from None
        if len(infos) > MAX_ZIP_MEMBERS:
            self.zf.close()
            raise fail(f"压缩包成员过多（{len(infos)}个）", "too many zip members")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                self.zf.close()
                raise fail("压缩包已加密", "zip package is encrypted", info.filename)
            total += info.file_size
            _check_member(info)
        if total > MAX_TOTAL_UNCOMPRESSED:
            self.zf.close()
            raise fail(
                f"压缩包解压后过大（{total // (1024 * 1024)} MB），疑似压缩炸弹",
                "zip package inflates too large (zip bomb?)",
            )
        self.infos = {i.filename: i for i in infos}

    def names(self) -> list[str]:
        return list(self.infos)

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """Inflate one member (already bounds-checked), turning zip/zlib errors into ReadError."""
        info = self.infos.get(name)
        if info is None:
            raise fail("文档缺少必要部件", "package part missing", name)
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
            raise fail("压缩包成员损坏或被截断", "corrupt or truncated zip member", f"{name}: {e}") from None

    def scan_for_dtd(self, suffixes=(".xml", ".rels", ".vml"), flag: re.Pattern | None = None) -> set[str]:
        """Stream every XML member once: refuse DTD/entity declarations and surface CRC/truncation errors.

        Returns the names of the members in which ``flag`` (a bytes pattern) occurs, if one is given.
        """
        flagged: set[str] = set()
        for name, info in self.infos.items():
            if not name.lower().endswith(suffixes):
                continue
            tail = b""
            try:
                with self.zf.open(info) as fh:
                    while True:
                        chunk = fh.read(_CHUNK)
                        if not chunk:
                            break
                        window = tail + chunk
                        if _DTD.search(window):
                            raise fail(
                                "文件内含DTD/实体声明（可能是XXE或“十亿笑声”攻击），拒绝读取",
                                "XML part declares a DTD/entities, refused",
                                name,
                            )
                        if flag is not None and name not in flagged and flag.search(window):
                            flagged.add(name)
                        tail = chunk[-32:]
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                NotImplementedError,
                RuntimeError,
            ) as e:
                raise fail(
                    "压缩包成员损坏或被截断", "corrupt or truncated zip member", f"{name}: {e}"
                ) from None
        return flagged

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def suspicious_ratio(info: zipfile.ZipInfo) -> bool:
    """A large member that compressed far better than documents do: a likely zip bomb."""
    return info.file_size > RATIO_FLOOR and info.file_size / max(info.compress_size, 1) > MAX_RATIO


def _check_member(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_SIZE:
        raise fail(
            f"压缩包成员过大（{info.file_size // (1024 * 1024)} MB）",
            "zip member too large",
            info.filename,
        )
    if suspicious_ratio(info):
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio:
            raise fail(
                f"压缩比异常（{ratio:.0f}:1），疑似压缩炸弹",
                "suspicious compression ratio (zip bomb?)",
                info.filename,
            )
