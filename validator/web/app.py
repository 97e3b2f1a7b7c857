"""The local page (`ogi serve`): drop reports, see each one's status, its tables drawn like the form with the
blamed cells marked, the findings in plain Chinese, and download the annotated copies.

Routes
    GET  /                  the upload page
    POST /check             multipart ``files`` (one or more; a .zip of reports counts as its members) →
                            the results page
    POST /api/check         the same upload → exactly the JSON of ``ogi check --format json``
    GET  /download/{run}/{name}   a file the results page offers (annotated workbook / Word file, JSON, HTML)
    GET  /health            "ok"

Uploads are written to a private temporary folder, checked with validator.api (one check at a time) and
deleted before the answer is sent; the files offered for download live in another temporary folder for
``keep_minutes`` (the last ``keep_runs`` runs) and are removed when the server stops. Nothing is sent
anywhere: the page loads no outside script, font or style. A request larger than the limit is refused
while it streams in; a broken or hostile file is reported as 无法读取 with the reader's reason.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from validator.web.view import report_view

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_MB = 50
DEFAULT_MAX_FILES = 20
ZIP_SUFFIXES = {".zip"}


class TooLarge(Exception):
    pass


@dataclass
class Settings:
    max_mb: float = DEFAULT_MAX_MB  # each file
    max_files: int = DEFAULT_MAX_FILES  # per upload (zip members included)
    keep_minutes: float = 60
    keep_runs: int = 50
    waivers: list | None = None  # `ogi serve --waivers`: reviewed findings hidden (validator.store.waivers)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    @property
    def max_request(self) -> int:
        return self.max_bytes * self.max_files + 1024 * 1024


@dataclass
class Run:
    folder: Path
    created: float
    files: set[str] = field(default_factory=set)


@dataclass
class Upload:
    name: str  # as the user named it (a zip member: its path in the archive)
    path: Path | None = None
    problem: str | None = None  # refused before checking (type, size)


def _safe_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name)[:150]
    return name or "upload"


class Checker:
    """The app's state: settings, the download folder, the lock that keeps one check at a time."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = Path(tempfile.mkdtemp(prefix="ogi-serve-"))
        self.runs: dict[str, Run] = {}
        self.lock = threading.Lock()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def prune(self) -> None:
        limit = time.time() - self.settings.keep_minutes * 60
        ordered = sorted(self.runs.items(), key=lambda kv: kv[1].created)
        for k, (token, run) in enumerate(ordered):
            if run.created < limit or k < len(ordered) - self.settings.keep_runs:
                shutil.rmtree(run.folder, ignore_errors=True)
                self.runs.pop(token, None)

    # ---- uploads ------------------------------------------------------------------------------------
    async def receive_uploads(self, request: Request, work: Path) -> list[Upload]:
        """Stream the multipart body (refused past the limit) and write each file into ``work``."""
        limit = self.settings.max_request
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise TooLarge
        seen = 0
        receive = request.receive

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge
            return message

        request = Request(request.scope, limited)
        uploads: list[Upload] = []
        async with request.form(max_files=self.settings.max_files * 5, max_fields=50) as form:
            items = [f for f in form.getlist("files") if hasattr(f, "filename")]
            for k, item in enumerate(items):
                name = _safe_name(item.filename)
                if item.size is not None and item.size > self.settings.max_bytes:
                    uploads.append(Upload(name, problem=self._too_large(name)))
                    continue
                folder = work / f"u{k}"
                folder.mkdir()
                dest = folder / name
                with dest.open("wb") as out:
                    size = 0
                    while chunk := await item.read(1024 * 1024):
                        size += len(chunk)
                        if size > self.settings.max_bytes:
                            break
                        out.write(chunk)
                if size > self.settings.max_bytes:
                    dest.unlink()
                    uploads.append(Upload(name, problem=self._too_large(name)))
                    continue
                uploads.append(Upload(name, dest))
        return uploads

    def _too_large(self, name: str) -> str:
        return f"{name}: 文件过大（每个文件不超过 {self.settings.max_mb:g} MB），未检查"

    def expand(self, uploads: list[Upload]) -> list[Upload]:
        """Zip archives → their report members (checked against bombs); unknown types refused."""
        from validator.api import REPORT_SUFFIXES

        out: list[Upload] = []
        for up in uploads:
            if up.problem or up.path is None:
                out.append(up)
                continue
            suffix = up.path.suffix.lower()
            if suffix in ZIP_SUFFIXES:
                out.extend(self._unzip(up))
            elif suffix in REPORT_SUFFIXES:
                out.append(up)
            else:
                out.append(
                    Upload(
                        up.name,
                        problem=f"{up.name}: 不支持的文件类型（可上传 Word、WPS、Excel、PDF、网页、文本或 zip 压缩包）",
                    )
                )
        if len([u for u in out if u.path]) > self.settings.max_files:
            raise ValueError(f"一次最多检查 {self.settings.max_files} 个文件，请分批上传")
        return out

    def _unzip(self, up: Upload) -> list[Upload]:
        from validator.api import REPORT_SUFFIXES
        from validator.model import ReadError
        from validator.readers.safety import SafeZip

        folder = up.path.parent / "zip"
        try:
            with SafeZip(up.path) as z:
                out = []
                for k, member in enumerate(z.names()):
                    base = member.rsplit("/", 1)[-1]
                    if member.endswith("/") or base.startswith((".", "~$")) or "__MACOSX" in member:
                        continue
                    if Path(base).suffix.lower() not in REPORT_SUFFIXES:
                        continue
                    data = z.read(member)
                    if len(data) > self.settings.max_bytes:
                        out.append(Upload(member, problem=self._too_large(member)))
                        continue
                    dest = folder / f"m{k}" / _safe_name(base)
                    dest.parent.mkdir(parents=True)
                    dest.write_bytes(data)
                    out.append(Upload(member, dest))
        except ReadError as exc:
            return [Upload(up.name, problem=f"{up.name}: 无法读取压缩包（{exc}）")]
        if not out:
            return [Upload(up.name, problem=f"{up.name}: 压缩包里没有可检查的报告文件")]
        return out

    # ---- checking -----------------------------------------------------------------------------------
    def check(self, uploads: list[Upload]):
        """validator.api.check on the accepted files; the results named as the user named the files."""
        from validator import api
        from validator.model import ReportResult

        accepted = [u for u in uploads if u.path is not None]
        with self.lock:
            outcomes, results = api.check([u.path for u in accepted]) if accepted else ([], [])
        if self.settings.waivers:
            from validator.store.waivers import hide_in_results

            hide_in_results(results, self.settings.waivers)
        by_path = {}
        for up, outcome, result in zip(accepted, outcomes, results):
            result.meta["source"] = up.name
            if outcome.report is not None:
                outcome.report.source = up.name
            by_path[id(up)] = (outcome, result)
        rows = []
        for k, up in enumerate(uploads):
            if up.path is None:
                rows.append((up, None, ReportResult(k, {"source": up.name}, error=up.problem)))
            else:
                outcome, result = by_path[id(up)]
                rows.append((up, outcome, result))
        for k, (_, _, result) in enumerate(rows):
            result.index = k
        return rows

    def outputs(self, run: Run, k: int, up: Upload, outcome, result) -> dict[str, str]:
        """The files offered for one report: annotated workbook and Word file, its JSON and HTML report."""
        from validator.render.html import render as render_html
        from validator.render.json import render as render_json

        stem = Path(up.name).stem[:80] or "report"
        files: dict[str, str] = {}

        def put(label: str, name: str, make) -> None:
            name = f"{k + 1}-{_safe_name(name)}"
            try:
                make(run.folder / name)
            except Exception as exc:  # noqa: BLE001 - one output failing must not lose the others
                files[label] = f"!生成失败：{type(exc).__name__}"
                return
            run.files.add(name)
            files[label] = name

        put("json", f"{stem}.json", lambda p: p.write_text(render_json([result]), encoding="utf-8"))
        put("html", f"{stem}.校验报告.html", lambda p: p.write_text(render_html([result]), encoding="utf-8"))
        if outcome is not None and outcome.report is not None:
            from validator.render.annotate import annotate

            put("xlsx", f"{stem}.校验.xlsx", lambda p: annotate(up.path, outcome.report, result, p))
            if up.path.suffix.lower() == ".docx":
                from validator.render.docx_annotate import annotate_docx

                put("docx", f"{stem}.批注.docx", lambda p: annotate_docx(up.path, outcome.report, result, p))
        return files


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    checker = Checker(settings)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("settings", settings)
        return templates.TemplateResponse(request, name, context, status_code=status)

    async def run_upload(request: Request):
        """Uploads → rows (upload, outcome, result) and the run folder, or an error page/JSON."""
        work = Path(tempfile.mkdtemp(prefix="upload-", dir=checker.root))
        handed_over = False  # the caller deletes ``work`` once it is done with the files
        try:
            try:
                uploads = await checker.receive_uploads(request, work)
            except TooLarge:
                too_large = f"上传内容过大：每个文件不超过 {settings.max_mb:g} MB，一次不超过 {settings.max_files} 个文件。"
                return None, (413, too_large)
            except Exception as exc:  # noqa: BLE001 - a malformed request is the sender's problem
                return None, (400, f"上传失败，请重新选择文件（{type(exc).__name__}）")
            if not uploads:
                return None, (400, "没有收到文件，请选择要检查的年度报告。")
            try:
                uploads = checker.expand(uploads)
            except ValueError as exc:
                return None, (413, str(exc))
            try:
                rows = await run_in_threadpool(checker.check, uploads)
            except Exception as exc:  # noqa: BLE001 - a bug must cost one answer, not the server
                return None, (500, f"检查时出现内部错误（{type(exc).__name__}），请把文件交给维护人员。")
            handed_over = True
            return (work, rows), None
        finally:
            if not handed_over:
                shutil.rmtree(work, ignore_errors=True)

    async def index(request: Request) -> Response:
        return page(request, "index.html")

    async def check_page(request: Request) -> Response:
        done, problem = await run_upload(request)
        if problem:
            return page(request, "index.html", status=problem[0], message=problem[1])
        work, rows = done
        try:
            checker.prune()
            token = secrets.token_urlsafe(12)
            run = Run(Path(tempfile.mkdtemp(prefix="run-", dir=checker.root)), time.time())
            checker.runs[token] = run

            def build():
                from validator.render.json import render as render_json

                views = []
                for k, (up, outcome, result) in enumerate(rows):
                    files = checker.outputs(run, k, up, outcome, result)
                    report = outcome.report if outcome is not None else None
                    views.append(report_view(up.name, report, result, files))
                name = "全部结果.json"
                (run.folder / name).write_text(render_json([r for _, _, r in rows]), encoding="utf-8")
                run.files.add(name)
                return views

            views = await run_in_threadpool(build)
        finally:
            shutil.rmtree(work, ignore_errors=True)  # the uploads are gone before the page is sent
        return page(request, "results.html", reports=views, token=token, all_json="全部结果.json")

    async def api_check(request: Request) -> Response:
        from validator.render.json import render as render_json

        done, problem = await run_upload(request)
        if problem:
            return JSONResponse({"error": problem[1]}, status_code=problem[0])
        work, rows = done
        shutil.rmtree(work, ignore_errors=True)
        body = render_json([r for _, _, r in rows])
        return Response(body + "\n", media_type="application/json; charset=utf-8")

    async def download(request: Request) -> Response:
        run = checker.runs.get(request.path_params["token"])
        name = request.path_params["name"]
        if run is None or name not in run.files or not (run.folder / name).is_file():
            return PlainTextResponse("文件已过期或不存在，请重新检查。", status_code=404)
        media = {
            ".json": "application/json; charset=utf-8",
            ".html": "text/html; charset=utf-8",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }.get(Path(name).suffix, "application/octet-stream")
        inline = Path(name).suffix == ".html"
        return FileResponse(
            run.folder / name,
            media_type=media,
            filename=name.split("-", 1)[-1],
            content_disposition_type="inline" if inline else "attachment",
        )

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/check", check_page, methods=["POST"]),
            Route("/api/check", api_check, methods=["POST"]),
            Route("/download/{token}/{name}", download),
            Route("/health", health),
        ],
        lifespan=_lifespan(checker),
    )
    app.state.checker = checker
    return app


def _lifespan(checker: Checker):
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            checker.close()

    return lifespan


def serve(host: str = "127.0.0.1", port: int = 8000, settings: Settings | None = None) -> None:
    import uvicorn

    app = create_app(settings)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.checker.close()
