"""Batch inputs: report files named or found under folders and inside .zip archives, each once, hashed.

Zip members are extracted to a temp folder under flat generated names (no path from the archive is ever
used on disk), within size, ratio, count and depth bounds; a refused member becomes an error entry, so
every input file still comes out exactly once.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from validator.api import REPORT_SUFFIXES
from validator.readers.safety import suspicious_ratio

ARCHIVE_SUFFIXES = {".zip"}
# bounds for .zip inputs (a DOCX/XLSX package has its own, in validator.readers.safety)
MAX_ARCHIVE_MEMBERS = 100_000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024
MAX_ZIP_DEPTH = 3
_CHUNK = 1024 * 1024


@dataclass(slots=True)  # one per input file, held for the whole run: no per-object __dict__
class InputFile:
    """One report file of the batch: where it is read from and how it is named in the outputs."""

    display: str  # as shown in the outputs: the path given, or archive.zip!/member/path
    path: str | None = None  # where to read it (a temp copy for zip members); text: one per file, held
    digest: str | None = None  # sha256 of the content
    error: str | None = None  # set when the file could not even be taken (refused zip member, bad zip)


@dataclass
class Collected:
    files: list[InputFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files under the folders that are not reports


def collect(paths: list[str | Path], workdir: Path, exclude: list[Path] = ()) -> Collected:
    """Report files named or found under folders and inside .zip archives, each once, in a stable order
    (a folder's files sorted as paths, part by part). Paths are kept as text, the display name and the
    path one string: a batch holds one of these per file for the whole run."""
    out = Collected()
    Path(workdir).mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    excluded = [os.path.realpath(p) for p in exclude]
    inside = [e.rstrip(os.sep) + os.sep for e in excluded]

    def take(path: str, explicit: bool) -> None:
        resolved = os.path.realpath(path)
        if resolved in seen or resolved in excluded or resolved.startswith(tuple(inside)):
            return
        seen.add(resolved)
        suffix = os.path.splitext(path)[1].lower()
        if suffix in ARCHIVE_SUFFIXES:
            _expand_zip(Path(path), path, workdir, out, depth=1)
        elif explicit or suffix in REPORT_SUFFIXES:
            out.files.append(InputFile(path, path))
        else:
            out.ignored.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(str(path)):
                take(found, explicit=False)
        elif path.exists():
            take(str(path), explicit=True)
        else:
            out.files.append(InputFile(str(path), error=f"{path.name}: 文件不存在 (no such file)"))
    return out


def _walk(root: str) -> list[str]:
    """The files under ``root`` (not under hidden folders, not hidden themselves; symbolic links to
    folders not followed), as ``str(Path(root) / relative)`` would name them, sorted part by part as Path
    objects sort (a separator sorts before any character)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith((".", "~$"))]
        for name in files:
            if name.startswith((".", "~$")):
                continue
            full = os.path.join(folder, name)
            if os.path.isfile(full):
                found.append(full[2:] if root == "." and full.startswith("./") else full)
    found.sort(key=lambda p: p.replace(os.sep, "\0"))
    return found


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Member names from Chinese Windows tools are GBK without the UTF-8 flag; zipfile reads them as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def _expand_zip(path: Path, display: str, workdir: Path, out: Collected, depth: int) -> None:
    """Extract a .zip's report members to workdir (flat, generated names: no path from the archive is
    ever used on disk) within size, ratio and count bounds; refused members become error entries."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        out.files.append(
            InputFile(display, error=f"{Path(display).name}: 压缩包无法打开 (cannot open zip: {exc})")
        )
        return
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            out.files.append(
                InputFile(
                    display,
                    error=f"{Path(display).name}: 压缩包文件数过多（{len(infos)}） (too many members)",
                )
            )
            return
        target = Path(tempfile.mkdtemp(prefix="zip-", dir=workdir))
        total = 0
        for number, info in enumerate(infos):
            name = _member_name(info)
            member_display = f"{display}!/{name}"
            parts = [p for p in re.split(r"[\\/]+", name) if p]
            if not parts:
                continue
            short = parts[-1]
            suffix = Path(short).suffix.lower()
            nested = suffix in ARCHIVE_SUFFIXES
            unsafe = name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name)
            if not unsafe and _hidden(Path(*parts)):
                continue
            if not unsafe and not nested and suffix not in REPORT_SUFFIXES:
                out.ignored.append(member_display)
                continue
            refuse = None
            mode = info.external_attr >> 16
            if unsafe:
                refuse = "压缩包内路径不安全 (unsafe path in archive)"
            elif stat.S_ISLNK(mode):
                refuse = "压缩包内的符号链接 (symbolic link in archive)"
            elif info.flag_bits & 0x1:
                refuse = "压缩包内文件已加密 (encrypted member)"
            elif info.file_size > MAX_MEMBER_BYTES:
                refuse = f"压缩包内文件过大（{info.file_size // 1024 // 1024} MB） (member too large)"
            elif suspicious_ratio(info):
                refuse = "压缩比异常，疑似压缩炸弹 (suspicious compression ratio)"
            elif total + info.file_size > MAX_ARCHIVE_BYTES:
                refuse = "压缩包解压后总量超出上限 (archive too large when extracted)"
            elif nested and depth >= MAX_ZIP_DEPTH:
                refuse = "压缩包嵌套层数过多 (archives nested too deeply)"
            if refuse:
                out.files.append(InputFile(member_display, error=f"{short}: {refuse}"))
                continue
            dest = target / f"{number:06d}{suffix}"
            try:
                digest, size = _extract(archive, info, dest, min(info.file_size, MAX_MEMBER_BYTES))
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                zlib.error,
                EOFError,
                NotImplementedError,
            ) as exc:
                out.files.append(
                    InputFile(member_display, error=f"{short}: 压缩包内文件无法解压 (cannot extract: {exc})")
                )
                continue
            total += size
            if nested:
                _expand_zip(dest, member_display, workdir, out, depth + 1)
            else:
                named = dest.with_name(f"{number:06d}-{_safe_name(short)}")
                dest.rename(named)
                out.files.append(InputFile(member_display, str(named), digest))


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, limit: int) -> tuple[str, int]:
    """Stream one member to dest, hashing it; never writes more than the declared size (or the limit)."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(info) as src, open(dest, "wb") as dst:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ValueError("解压后大于声明的大小 (larger than declared)")
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest(), size


def _safe_name(name: str) -> str:
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", name).strip(" .") or "file"
    stem, suffix = os.path.splitext(cleaned)
    return stem[:80] + suffix[:10]


def hash_files(files: list[InputFile], threads: int = 4, batch: int = 256) -> None:
    """The content hash of every file, ``threads`` at a time, submitted ``batch`` files at a time: an
    executor's map would create a future per file of the run at once."""

    def one(item: InputFile) -> None:
        if item.digest or item.error or item.path is None:
            return
        try:
            with open(item.path, "rb") as fh:
                item.digest = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            item.error = f"{Path(item.display).name}: 无法打开文件 ({exc.strerror or exc})"

    with ThreadPoolExecutor(threads) as pool:
        for start in range(0, len(files), batch):
            list(pool.map(one, files[start : start + batch]))
