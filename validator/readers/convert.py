""".doc / .wps / .rtf / .odt → DOCX and .xls / .et / .ods → XLSX with LibreOffice headless, then read.

LibreOffice is an optional system dependency: without ``soffice`` (or ``libreoffice``) on PATH the file
is refused with a ReadError that says how to install it. The conversion runs in a private temporary
directory with its own LibreOffice profile (so it does not collide with a running instance) and a timeout;
on timeout the process group it started is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from validator.model import ReadError
from validator.readers.document import Document
from validator.readers.safety import check_file, fail

TIMEOUT = 120  # seconds for one conversion
INSTALL_HINT = "apt-get install libreoffice-writer libreoffice-calc"
_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
_KIND_ZH = {
    "doc": "Word 97-2003 (.doc)",
    "wps": "WPS文字 (.wps)",
    "rtf": "RTF",
    "odt": "OpenDocument文本 (.odt)",
    "xls": "Excel 97-2003 (.xls)",
    "et": "WPS表格 (.et)",
    "ods": "OpenDocument表格 (.ods)",
    "xml": "Office 2003 XML",
}


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (
        "/usr/lib/libreoffice/program/soffice",
        "/opt/libreoffice/program/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def read_converted(path: str | os.PathLike, kind: str, target: str, *, timeout: float = TIMEOUT) -> Document:
    """Convert ``path`` (of legacy ``kind``) to ``target`` ("docx" or "xlsx") and read the result."""
    check_file(path)
    src = Path(path)
    label = _KIND_ZH.get(kind, kind)
    soffice = find_soffice()
    if soffice is None:
        raise fail(
            f"{label}格式需要LibreOffice转换，但未安装（请安装：{INSTALL_HINT}，或另存为DOCX/XLSX后再检查）",
            f"{kind} files need LibreOffice to convert; install it with `{INSTALL_HINT}` or save as docx/xlsx",
        )
    with tempfile.TemporaryDirectory(prefix="ogi-convert-") as tmp:
        tmpdir = Path(tmp)
        inp = tmpdir / f"input.{kind}"
        shutil.copyfile(src, inp)
        outdir = tmpdir / "out"
        outdir.mkdir()
        try:
            _, err = run_soffice([inp], _FILTERS[target], outdir, timeout=timeout, cwd=tmpdir)
        except OSError as e:
            raise fail("无法启动LibreOffice", "cannot start LibreOffice", e) from None
        except subprocess.TimeoutExpired:
            raise fail(f"LibreOffice转换超时（{timeout:g}秒）", "LibreOffice conversion timed out") from None
        out = outdir / f"input.{target}"
        if not out.is_file() or out.stat().st_size == 0:
            detail = err.strip().splitlines()
            component = "libreoffice-writer" if target == "docx" else "libreoffice-calc"
            raise fail(
                f"LibreOffice无法转换该{label}文件（文件可能损坏或加密，或未安装{component}）",
                f"LibreOffice could not convert the {kind} file (corrupt, encrypted, or {component} missing)",
                (detail[-1] if detail else "no output"),
            )
        try:
            if target == "docx":
                from validator.readers.docx import read_docx

                doc = read_docx(out, name=src.name)
            else:
                from validator.readers.xlsx import read_xlsx

                doc = read_xlsx(out, name=src.name)
        except ReadError as e:
            raise fail(f"转换后的{target.upper()}无法读取", f"converted {target} unreadable", e) from None
    doc.source = str(path)
    doc.meta["converted_from"] = kind
    return doc


def run_soffice(
    inputs: list[Path],
    convert_to: str,
    outdir: Path,
    *,
    timeout: float = TIMEOUT,
    cwd: Path | None = None,
    calc: bool = False,
) -> tuple[int, str]:
    """LibreOffice headless with a private profile (no clash with a running LibreOffice or another
    conversion); on timeout its whole process group is killed and TimeoutExpired raised.
    Returns (exit code, stderr). Raises OSError when LibreOffice cannot be started or is not installed."""
    soffice = find_soffice()
    if soffice is None:
        raise FileNotFoundError(f"LibreOffice is not installed ({INSTALL_HINT})")
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-") as profile:
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nofirststartwizard",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            *(["--calc"] if calc else []),
            "--convert-to",
            convert_to,
            "--outdir",
            str(outdir),
            *map(str, inputs),
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            cwd=cwd or outdir,
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise
    return proc.returncode, (err or b"").decode("utf-8", "replace")


def _kill(proc: subprocess.Popen) -> None:
    """End the conversion we started: its own process group (start_new_session), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError, AttributeError):
        try:
            proc.kill()
        except OSError:
            pass
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        pass
