"""The local page and its API through Starlette's TestClient: /api/check answers exactly the JSON of
`ogi check --format json`; the page marks the blamed cell and gives the suggested value in the form's
words; broken, unknown and oversized files get a clear message and the server keeps serving; uploads are
deleted; downloads are the run's own files only."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("multipart")
from click.testing import CliRunner
from starlette.testclient import TestClient

from validator.cli import main
from validator.testing.layouts import make_sample, render_docx
from validator.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def client():
    app = create_app(Settings(max_mb=1, max_files=5))
    with TestClient(app) as c:
        c.checker = app.state.checker
        yield c


@pytest.fixture()
def slip(tmp_path):
    sample = make_sample(2, error=True)
    path = tmp_path / "本级报告.docx"
    path.write_bytes(render_docx(sample))
    return sample, path


def _upload(*items):
    return [("files", (name, data)) for name, data in items]


def test_api_answers_the_json_of_ogi_check(client, slip, tmp_path, monkeypatch):
    _, path = slip
    sample_txt = tmp_path / "report.txt"
    sample_txt.write_bytes((ROOT / "samples" / "2024_示例市交通运输局_勾稽错误.txt").read_bytes())
    monkeypatch.chdir(tmp_path)
    cli = CliRunner().invoke(main, ["check", path.name, sample_txt.name, "--format", "json"])
    assert cli.exit_code == 1
    answer = client.post(
        "/api/check",
        files=_upload((path.name, path.read_bytes()), (sample_txt.name, sample_txt.read_bytes())),
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.text == cli.stdout
    assert [r["file"] for r in json.loads(answer.text)["reports"]] == [path.name, sample_txt.name]


def test_page_marks_the_blamed_cell_with_the_suggested_value(client, slip):
    sample, path = slip
    page = client.post("/check", files=_upload((path.name, path.read_bytes())))
    assert page.status_code == 200
    html = page.text
    cell = sample.injected.cell
    truth = int(sample.truth(cell)) - 1
    td = re.search(rf'<td class="v ([^"]*)" data-cell="{re.escape(cell)}"[^>]*>([^<]*)</td>', html)
    assert td and "blamed" in td.group(1) and "error" in td.group(1) and td.group(2) == str(truth + 1)
    assert re.search(rf'应为 <strong class="to">{truth}</strong>', html)
    assert "有错误" in html and "表三「" in html
    assert "第2个表格" in html  # a place Word has: table and row
    # the words people read carry no internal ids (they stay in attributes and in the JSON)
    visible = re.sub(r"<[^>]+>", " ", html)
    assert "t3." not in visible
    links = re.findall(r'href="(/download/[^"]+)"', html)
    kinds = {re.search(r"\.(\w+)$", link).group(1) for link in links}
    assert {"docx", "xlsx", "html", "json"} <= kinds
    for link in links:
        got = client.get(link)
        assert got.status_code == 200 and got.content
        if link.endswith(".docx"):
            with zipfile.ZipFile(io.BytesIO(got.content)) as z:
                assert f"{truth}" in z.read("word/comments.xml").decode()


def test_broken_unknown_and_large_files_get_a_message(client, slip):
    _, path = slip
    page = client.post(
        "/check",
        files=_upload(
            ("坏文件.docx", b"PK\x03\x04 not really a zip"),
            ("程序.exe", b"MZ\x90\x00"),
            ("很大.txt", b"x" * (1024 * 1024 + 1)),
            (path.name, path.read_bytes()),
        ),
    )
    assert page.status_code == 200
    html = page.text
    assert "坏文件.docx: 压缩包损坏" in html
    assert "不支持的文件类型" in html
    assert "很大.txt: 文件过大（每个文件不超过 1 MB）" in html
    assert html.count('class="report"') == 0 and html.count("<section") == 4
    assert client.get("/health").text == "ok"  # still serving
    api = client.post("/api/check", files=_upload(("坏文件.docx", b"garbage")))
    assert json.loads(api.text)["reports"][0]["status"] == "unreadable"


def test_request_over_the_limit_is_refused(client):
    big = b"x" * (6 * 1024 * 1024 + 10)  # more than max_mb × max_files + 1 MB
    answer = client.post("/check", files=_upload(("a.txt", big)))
    assert answer.status_code == 413 and "上传内容过大" in answer.text
    assert client.post("/api/check", files=_upload(("a.txt", big))).status_code == 413
    many = _upload(*[(f"{k}.txt", b"x") for k in range(6)])
    answer = client.post("/api/check", files=many)
    assert answer.status_code == 413 and "一次最多检查 5 个文件" in answer.json()["error"]
    assert client.post("/check", files=[]).status_code == 400


def test_zip_of_reports(client, slip):
    _, path = slip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("各单位/" + path.name, path.read_bytes())
        z.writestr("说明.png", b"\x89PNG")
    answer = client.post("/api/check", files=_upload(("reports.zip", buf.getvalue())))
    reports = json.loads(answer.text)["reports"]
    assert [r["file"] for r in reports] == ["各单位/" + path.name]
    assert reports[0]["status"] == "errors"


def test_uploads_are_deleted_and_downloads_confined(client, slip):
    _, path = slip
    page = client.post("/check", files=_upload((path.name, path.read_bytes())))
    root = client.checker.root
    assert not list(root.glob("upload-*"))  # the uploaded file is gone once the page is sent
    assert not list(root.rglob(path.name))
    token = re.search(r"/download/([^/]+)/", page.text).group(1)
    assert client.get(f"/download/{token}/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/download/nope/1-x.json").status_code == 404


def test_a_bug_costs_one_answer_not_the_server(client, slip, monkeypatch):
    _, path = slip

    def boom(uploads):
        raise RuntimeError("simulated")

    monkeypatch.setattr(client.checker, "check", boom)
    answer = client.post("/check", files=_upload((path.name, path.read_bytes())))
    assert answer.status_code == 500 and "内部错误" in answer.text
    assert not list(client.checker.root.glob("upload-*"))
    monkeypatch.undo()
    assert client.get("/health").text == "ok"
    assert client.post("/api/check", files=_upload((path.name, path.read_bytes()))).status_code == 200
