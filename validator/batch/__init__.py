"""Batch audit: every report under folders and .zip archives, read in parallel, validated in one pass.

    inputs (folders, files, .zip) → InputFile per report file (zip members extracted safely to a temp dir)
      → content hash → resume cache (DIR/.ogi-cache/<tool fingerprint>/<hash>.pkl) or a worker process
      → ReportRow | one-line error per file → agency/year fallback from the file name, aliases
      → one frame, one evaluate() → Entry per input file → writers (validator.render.summary)

Every input file becomes exactly one Entry, whatever happened to it. Outputs are written to a staging
folder and moved into DIR only when all are complete, with Ctrl-C held off during the move, so DIR always
holds either the previous complete set or the new one. Cache entries are written atomically as each file
is read, so an interrupted run loses nothing: `--resume` picks up where it stopped.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from validator import __version__
from validator.api import REPORT_SUFFIXES
from validator.readers.safety import suspicious_ratio

CACHE_DIR = ".ogi-cache"
STAGING_DIR = ".ogi-staging"
ARCHIVE_SUFFIXES = {".zip"}
# bounds for .zip inputs (a DOCX/XLSX package has its own, in validator.readers.safety)
MAX_ARCHIVE_MEMBERS = 100_000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024
MAX_ZIP_DEPTH = 3
_CHUNK = 1024 * 1024
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_NAME_NOISE = re.compile(
    r"20\d{2}\s*年?度?|政府信息公开工作的?年度报告|政府信息公开年报|年度报告|[（(]?全文[)）]?"
)


# ---------------------------------------------------------------------------------------------- inputs


@dataclass
class InputFile:
    """One report file of the batch: where it is read from and how it is named in the outputs."""

    display: str  # as shown in the outputs: the path given, or archive.zip!/member/path
    path: Path | None = None  # where to read it (a temp copy for zip members)
    digest: str | None = None  # sha256 of the content
    error: str | None = None  # set when the file could not even be taken (refused zip member, bad zip)


@dataclass
class Collected:
    files: list[InputFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files under the folders that are not reports


def collect(paths: list[str | Path], workdir: Path, exclude: list[Path] = ()) -> Collected:
    """Report files named or found under folders and inside .zip archives, each once, in a stable order."""
    out = Collected()
    Path(workdir).mkdir(parents=True, exist_ok=True)
    seen: set[Path] = set()
    excluded = [p.resolve() for p in exclude]

    def take(path: Path, display: str, explicit: bool) -> None:
        resolved = path.resolve()
        if resolved in seen or any(resolved == e or e in resolved.parents for e in excluded):
            return
        seen.add(resolved)
        suffix = path.suffix.lower()
        if suffix in ARCHIVE_SUFFIXES:
            _expand_zip(path, display, workdir, out, depth=1)
        elif explicit or suffix in REPORT_SUFFIXES:
            out.files.append(InputFile(display, path))
        else:
            out.ignored.append(display)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
            for p in found:
                take(p, str(p), explicit=False)
        elif path.exists():
            take(path, str(path), explicit=True)
        else:
            out.files.append(InputFile(str(path), error=f"{path.name}: 文件不存在 (no such file)"))
    return out


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
                out.files.append(InputFile(member_display, named, digest))


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


def hash_files(files: list[InputFile], threads: int = 4) -> None:
    def one(item: InputFile) -> None:
        if item.digest or item.error or item.path is None:
            return
        try:
            with open(item.path, "rb") as fh:
                item.digest = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            item.error = f"{Path(item.display).name}: 无法打开文件 ({exc.strerror or exc})"

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, files))


# ---------------------------------------------------------------------------------------------- cache


@cache
def tool_fingerprint() -> str:
    """Version plus a hash of everything that decides what a file reads as (readers, locator, forms)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    sources = sorted(
        [
            *root.glob("readers/**/*.py"),
            *root.glob("locate/**/*.py"),
            *root.glob("catalogue/**/*.py"),
            *(root / n for n in ("engine/frame.py", "engine/similarity.py", "model.py", "api.py")),
        ]
    )
    from validator.catalogue import RULES_DIR

    sources += sorted((RULES_DIR / "templates").glob("*.yaml"))
    for path in sources:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{__version__}-{digest.hexdigest()[:12]}"


class ResultCache:
    """What each file read as (ReportRow or error), keyed by content hash, one small file per entry."""

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / CACHE_DIR
        self.dir = self.root / tool_fingerprint()

    def prepare(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.root.iterdir():  # entries of other tool versions can never be used again
            if stale.is_dir() and stale != self.dir:
                shutil.rmtree(stale, ignore_errors=True)
        for temp in self.dir.glob(".tmp-*"):  # left by a run that was killed mid-write
            temp.unlink(missing_ok=True)

    def path(self, digest: str) -> Path:
        return self.dir / f"{digest}.pkl"

    def load(self, digest: str):
        try:
            data = self.path(digest).read_bytes()
            return pickle.loads(zlib.decompress(data))
        except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None


def _store(path: Path, payload) -> None:
    data = zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 1)
    temp = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")
    temp.write_bytes(data)
    os.replace(temp, path)


# ---------------------------------------------------------------------------------------------- reading


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool


def read_task(path: str, cache_file: str | None) -> tuple[object, str | None, float]:
    """Worker: one file → (ReportRow | None, error | None, seconds); the cache entry is written here."""
    from validator.api import read_one
    from validator.engine import similarity
    from validator.engine.frame import to_row

    started = time.perf_counter()
    slow = os.environ.get("OGI_BATCH_SLOW")  # tests only: make files slow enough to interrupt a run
    if slow:
        time.sleep(float(slow))
    outcome = read_one(path)
    row = error = None
    if outcome.report is not None:
        try:
            row = to_row(outcome.report)
            similarity.attach(row)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch: say which file and what
            row, error = None, f"{Path(path).name}: 读取失败 ({type(exc).__name__}: {exc})"
    else:
        error = outcome.error
    if cache_file:
        try:
            _store(Path(cache_file), (row, error))
        except OSError:
            pass
    return row, error, time.perf_counter() - started


@dataclass
class ReadItem:
    input: InputFile
    row: object = None  # ReportRow
    error: str | None = None
    cached: bool = False
    seconds: float = 0.0


def read_all(
    files: list[InputFile],
    jobs: int,
    cache: ResultCache | None,
    resume: bool,
    progress: Callable[[int, int], None] | None = None,
    quiet: bool = False,
) -> list[ReadItem]:
    """Read every file (cache first when resuming, then a process pool); items in input order."""
    items = [ReadItem(f, error=f.error) for f in files]
    todo: list[int] = []
    for k, item in enumerate(items):
        if item.error:
            continue
        if resume and cache is not None and item.input.digest:
            hit = cache.load(item.input.digest)
            if hit is not None:
                item.row, item.error = hit
                item.cached = True
                continue
        todo.append(k)
    bar = _progress_bar(len(items), quiet)
    done = len(items) - len(todo)
    if bar is not None:
        bar.update(done)

    def finished(k: int, result) -> None:
        nonlocal done
        items[k].row, items[k].error, items[k].seconds = result
        done += 1
        if bar is not None:
            bar.update(1)
        if progress is not None:
            progress(done, len(items))

    def cache_file(k: int) -> str | None:
        digest = items[k].input.digest
        return str(cache.path(digest)) if cache is not None and digest else None

    try:
        if jobs <= 1 or len(todo) <= 1:
            for k in todo:
                finished(k, read_task(str(items[k].input.path), cache_file(k)))
        else:
            _read_in_pool(items, todo, jobs, cache_file, finished)
    finally:
        if bar is not None:
            bar.close()
    return items


def _read_in_pool(items, todo, jobs, cache_file, finished) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    if context is not None:
        _preload()
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context, initializer=_init_worker)
    try:
        pending = {}
        queue = iter(todo)
        window = jobs * 8  # bounded in flight: results come back as they finish, memory stays flat
        for k in queue:
            pending[pool.submit(read_task, str(items[k].input.path), cache_file(k))] = k
            if len(pending) >= window:
                break
        while pending:
            finished_set, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished_set:
                k = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died (out of memory, crash)
                    result = (
                        None,
                        f"{Path(items[k].input.display).name}: 读取进程异常退出 ({type(exc).__name__})",
                        0.0,
                    )
                finished(k, result)
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(read_task, str(items[nxt].input.path), cache_file(nxt))] = nxt
    except BaseException:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()  # our own workers only; each cache entry is atomic, none is left half-written
        for process in workers:
            process.join(timeout=5)
        raise
    pool.shutdown(wait=True)


def _preload() -> None:
    """Import the readers and their libraries once, before forking, so no worker pays for it again."""
    import importlib

    for name in (
        "validator.readers",
        "validator.readers.text",
        "validator.readers.html",
        "validator.readers.docx",
        "validator.readers.xlsx",
        "validator.engine.similarity",
        "lxml.etree",
        "openpyxl",
    ):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _progress_bar(total: int, quiet: bool):
    if quiet or total == 0 or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="份", desc="读取报告", file=sys.stderr, delay=1.0, dynamic_ncols=True)


# ---------------------------------------------------------------------------------------------- identity


def from_file_name(display: str) -> tuple[str | None, int | None]:
    """Agency and year from a file name such as 2021_平潭综合实验区公安局.txt (the fallback)."""
    stem = Path(display.split("!/")[-1]).stem
    year_match = _YEAR_IN_NAME.search(stem)
    year = int(year_match.group(1)) if year_match else None
    agency = _NAME_NOISE.sub(" ", stem)
    agency = re.sub(r"[_\-\s]+", " ", agency).strip()
    if not agency or not re.search(r"[\u4e00-\u9fff]", agency):
        return None, year
    agency = max(agency.split(" "), key=len) if " " in agency else agency
    return agency, year


def load_aliases(path: str | Path | None) -> dict[str, tuple[str, str]]:
    """Alias CSV (variant,canonical; a header row is optional) → {key of variant: (canonical key, name)}."""
    from validator.engine.frame import agency_key

    if not path:
        return {}
    out: dict[str, tuple[str, str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            cells = [c.strip() for c in row if c.strip()]
            if len(cells) < 2 or cells[0].startswith("#"):
                continue
            variant, canonical = cells[0], cells[1]
            if (variant, canonical) in {
                ("variant", "canonical"),
                ("别名", "规范名称"),
                ("机关名称", "规范名称"),
            }:
                continue
            out[agency_key(variant)] = (agency_key(canonical), canonical)
            out.setdefault(agency_key(canonical), (agency_key(canonical), canonical))
    return out


def identify(row, display: str, aliases: dict[str, tuple[str, str]]) -> None:
    """Set the row's display name, fall back to the file name for agency/year, apply the aliases."""
    row.meta = identity(dict(row.meta), display, aliases)


def identity(meta: dict, display: str, aliases: dict[str, tuple[str, str]]) -> dict:
    """Agency and year as the document states them, else as the file name gives them; the agency key
    that links years (aliases applied). Also for files that could not be read (meta empty)."""
    from validator.engine.frame import agency_key

    meta["source"] = display
    meta["agency_from"] = "document" if meta.get("agency") else None
    meta["year_from"] = "document" if meta.get("year") else None
    if not meta.get("agency") or not meta.get("year"):
        agency, year = from_file_name(display)
        if not meta.get("agency") and agency:
            meta["agency"], meta["agency_from"] = agency, "file_name"
        if not meta.get("year") and year:
            meta["year"], meta["year_from"] = year, "file_name"
    key = agency_key(meta.get("agency"))
    meta["agency_name"] = meta.get("agency") or ""
    if key in aliases:
        key, meta["agency_name"] = aliases[key]
    meta["agency_key"] = key
    return meta


# ---------------------------------------------------------------------------------------------- validation


@dataclass
class Entry:
    """One input file in the outputs: what it is, what was found, and how it links to other years."""

    file: str
    digest: str | None
    agency: str  # as written in the document (or the file name)
    agency_name: str  # the name the agency is grouped under (alias canonical name or as written)
    agency_key: str
    year: int | None
    template: str | None
    format: str | None
    result: object  # ReportResult
    cached: bool = False
    seconds: float = 0.0
    agency_from: str | None = None
    year_from: str | None = None
    previous_file: str | None = None  # the file used as last year's report
    duplicates: list[str] = field(default_factory=list)  # other files for the same agency and year
    used_as_previous: bool = True  # False for a duplicate that the next year's checks did not use

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def error(self) -> str | None:
        return self.result.error


@dataclass
class BatchRun:
    entries: list[Entry]
    ruleset: object
    ignored: list[str]
    read_seconds: float = 0.0
    validate_seconds: float = 0.0
    jobs: int = 1
    cached: int = 0
    alias_hints: list[tuple[str, str]] = field(default_factory=list)
    annotated: int = 0
    annotate_errors: list[str] = field(default_factory=list)

    def tally(self) -> Counter:
        return Counter(e.status for e in self.entries)


def validate_items(
    items: list[ReadItem], ruleset=None, aliases: dict | None = None
) -> tuple[list[Entry], float]:
    """All readable rows in one frame and one evaluate() call; an Entry for every item, in input order."""
    from validator.api import validate
    from validator.model import ReportResult

    readable = [k for k, item in enumerate(items) if item.row is not None]
    for k in readable:
        identify(items[k].row, items[k].input.display, aliases or {})
    started = time.perf_counter()
    frame, results = validate([items[k].row for k in readable], ruleset)
    seconds = time.perf_counter() - started
    previous = frame.previous_index()
    entries: list[Entry] = []
    by_item: dict[int, int] = {k: position for position, k in enumerate(readable)}
    for k, item in enumerate(items):
        position = by_item.get(k)
        if position is None:  # unreadable: listed under the agency its file name gives, if any
            meta = identity({}, item.input.display, aliases or {})
            result = ReportResult(
                k, {"source": item.input.display}, error=item.error or "读取失败 (read failed)"
            )
            entries.append(
                Entry(
                    item.input.display,
                    item.input.digest,
                    meta.get("agency") or "",
                    meta["agency_name"],
                    meta["agency_key"],
                    meta.get("year"),
                    None,
                    None,
                    result,
                    item.cached,
                    item.seconds,
                    meta["agency_from"],
                    meta["year_from"],
                )
            )
            continue
        meta = item.row.meta
        result = results[position]
        result.index = k
        prev = int(previous[position])
        year = meta.get("year")
        entries.append(
            Entry(
                item.input.display,
                item.input.digest,
                meta.get("agency") or "",
                meta.get("agency_name") or "",
                meta.get("agency_key") or "",
                int(year) if year else None,
                meta.get("template"),
                meta.get("format"),
                result,
                item.cached,
                item.seconds,
                meta.get("agency_from"),
                meta.get("year_from"),
                items[readable[prev]].input.display if prev >= 0 else None,
            )
        )
    _mark_duplicates(entries)
    _name_agencies(entries)
    return entries, seconds


def _name_agencies(entries: list[Entry]) -> None:
    """One display name per agency: the alias's canonical name, else the spelling used most (latest wins
    a tie), so that every year of an agency sorts and filters together."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.agency_key:
            groups[entry.agency_key].append(entry)
    for group in groups.values():
        aliased = [e.agency_name for e in group if e.agency_name and e.agency_name != e.agency]
        if aliased:
            name = aliased[0]
        else:
            counts = Counter(e.agency for e in group if e.agency)
            latest = {e.agency: e.year or 0 for e in sorted(group, key=lambda e: e.year or 0)}
            name = max(counts, key=lambda n: (counts[n], latest.get(n, 0))) if counts else ""
        for entry in group:
            entry.agency_name = name


def alias_hints(entries: list[Entry], limit: int = 50) -> list[tuple[str, str]]:
    """Agencies that may be one under two names: one name ends the other (洪泽区人民政府 / 淮安市洪泽区人民政府)
    and they never report for the same year. Not linked automatically; shown so that --aliases can."""
    years: dict[str, set] = defaultdict(set)
    names: dict[str, str] = {}
    for entry in entries:
        if entry.agency_key:
            years[entry.agency_key].add(entry.year)
            names[entry.agency_key] = entry.agency_name or entry.agency
    out = []
    for key in sorted(years):
        for start in range(1, len(key) - 3):
            short = key[start:]
            if short in years and not (years[short] & years[key]):
                out.append((names[short], names[key]))
                break
        if len(out) >= limit:
            break
    return out


def _mark_duplicates(entries: list[Entry]) -> None:
    groups: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.agency_key and entry.year and entry.result.error is None:
            groups[(entry.agency_key, entry.year)].append(entry)
    for group in groups.values():
        if len(group) < 2:
            continue
        used = min(group, key=lambda e: e.file)  # the one ReportFrame.previous_index picks
        for entry in group:
            entry.duplicates = [e.file for e in group if e is not entry]
            entry.used_as_previous = entry is used


# ---------------------------------------------------------------------------------------------- run


@contextmanager
def deferred_interrupt():
    """Hold Ctrl-C until the block is done (then raise it), so a set of renames is never cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def run_batch(
    paths: list[str | Path],
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    resume: bool = False,
    quiet: bool = False,
    aliases: str | Path | None = None,
    select=(),
    ignore=(),
    progress: Callable[[int, int], None] | None = None,
    annotate: bool = False,
) -> BatchRun:
    """The whole audit: collect, read (parallel, cached), validate (one pass), write DIR atomically."""
    from validator.catalogue import load_catalogue
    from validator.engine.rules import build_ruleset
    from validator.render.summary import write_outputs

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs or available_cores()
    alias_map = load_aliases(aliases)
    ruleset = build_ruleset(load_catalogue(), tuple(select), tuple(ignore))
    cache_store = ResultCache(out)
    cache_store.prepare()
    workdir = Path(tempfile.mkdtemp(prefix="ogi-batch-"))
    try:
        collected = collect(paths, workdir, exclude=[out])
        hash_files(collected.files)
        started = time.perf_counter()
        items = read_all(collected.files, jobs, cache_store, resume, progress, quiet)
        read_seconds = time.perf_counter() - started
        entries, validate_seconds = validate_items(items, ruleset, alias_map)
        run = BatchRun(
            entries,
            ruleset,
            collected.ignored,
            read_seconds,
            validate_seconds,
            jobs,
            sum(1 for i in items if i.cached),
            alias_hints(entries),
        )
        staging = out / STAGING_DIR
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            extra = (_annotate(items, entries, staging, run),) if annotate else ()
            names = write_outputs(run, staging, extra)
            with deferred_interrupt():
                _commit(staging, out, names)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


ANNOTATED_DIR = "annotated"


def _annotate(items: list[ReadItem], entries: list[Entry], staging: Path, run: BatchRun) -> str:
    """`--annotate`: each report with findings as a workbook with its wrong cells marked (staged like the
    other outputs, so an interrupted run never leaves half of them)."""
    from validator.render.annotate import annotate_many

    work = [
        (item.input.path, None, entry.result, item.input.display)
        for item, entry in zip(items, entries)
        if item.input.path is not None and not entry.error
    ]
    outcomes = annotate_many(work, staging / ANNOTATED_DIR, force=True)
    run.annotated = sum(1 for o in outcomes if o.out is not None)
    run.annotate_errors = [o.error for o in outcomes if o.error]
    return ANNOTATED_DIR


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _commit(staging: Path, out: Path, names: list[str]) -> None:
    """Move the complete outputs into place; manifest.json last, so it always describes what is there."""
    for name in names:
        source, target = staging / name, out / name
        if source.is_dir():
            old = out / f".old-{name}"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                os.replace(target, old)
            os.replace(source, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(source, target)
