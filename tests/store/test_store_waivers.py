"""Waivers: `ogi baseline` writes a run's findings; `--waivers` hides exactly those, says how many, and
lists a waiver as stale once the figures it names change."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from validator.cli import main
from validator.store.waivers import load_waivers
from validator.testing.formats import series, write


def _break(report, cell: str, by: int = 1) -> None:
    report.figures.cells[cell] += by


@pytest.fixture()
def folder(tmp_path) -> Path:
    """Two agencies' 2024 reports, each with a T3 break (one cell off in the 自然人 column)."""
    out = tmp_path / "in"
    out.mkdir()
    for name, seed in (("示例市交通运输局", 1), ("示例县统计局", 2)):
        report = series(name, [2024], random.Random(seed))[0]
        _break(report, "t3.res.granted.np")
        write(report, "text", out)
    return out


def _run(folder: Path, out: Path, *extra) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--no-store", *extra])
    return result.exit_code, result.output


def test_baseline_hides_exactly_what_it_names_and_reports_stale(folder, tmp_path):
    code, _ = _run(folder, tmp_path / "o1")
    assert code == 1
    findings = [json.loads(x) for x in (tmp_path / "o1" / "findings.jsonl").read_text("utf-8").splitlines()]
    assert findings
    waivers = tmp_path / "w.yaml"
    result = CliRunner().invoke(
        main, ["baseline", str(tmp_path / "o1"), "-o", str(waivers), "--who", "审核员"]
    )
    assert result.exit_code == 0, result.output
    entries = yaml.safe_load(waivers.read_text("utf-8"))["waivers"]
    assert len(entries) == len(findings)
    assert {"agency", "year", "rule", "cells", "values", "reason", "who", "when"} <= set(entries[0])
    assert entries[0]["who"] == "审核员" and entries[0]["reason"] == ""
    # keep only the first agency's waivers: the other agency's findings stay
    first = findings[0]["agency"]
    kept = [e for e in entries if e["agency"] == first]
    waivers.write_text(yaml.safe_dump({"waivers": kept}, allow_unicode=True), encoding="utf-8")
    code, output = _run(folder, tmp_path / "o2", "--waivers", str(waivers))
    assert code == 1  # the other agency still has its errors
    after = [json.loads(x) for x in (tmp_path / "o2" / "findings.jsonl").read_text("utf-8").splitlines()]
    assert sorted((f["agency"], f["rule"]) for f in after) == sorted(
        (f["agency"], f["rule"]) for f in findings if f["agency"] != first
    )
    manifest = json.loads((tmp_path / "o2" / "manifest.json").read_text("utf-8"))
    assert manifest["waived_findings"] == len(kept) and manifest["stale_waivers"] == []
    assert f"隐藏 {len(kept)} 项" in output
    # the figures change: the waivers no longer match, the findings come back, the waivers are stale
    changed = next(p for p in folder.iterdir() if first in p.name)
    text = changed.read_text("utf-8")
    report = series(first, [2024], random.Random(1))[0]
    _break(report, "t3.res.granted.np", 2)
    write(report, "text", folder)
    assert changed.read_text("utf-8") != text
    code, output = _run(folder, tmp_path / "o3", "--waivers", str(waivers))
    manifest = json.loads((tmp_path / "o3" / "manifest.json").read_text("utf-8"))
    assert manifest["waived_findings"] == 0
    assert len(manifest["stale_waivers"]) == len(kept) and "已失效" in output
    again = [json.loads(x) for x in (tmp_path / "o3" / "findings.jsonl").read_text("utf-8").splitlines()]
    assert any(f["agency"] == first for f in again)


def test_check_with_waivers(folder, tmp_path):
    _run(folder, tmp_path / "o1")
    waivers = tmp_path / "w.yaml"
    CliRunner().invoke(main, ["baseline", str(tmp_path / "o1"), "-o", str(waivers)])
    result = CliRunner().invoke(main, ["check", str(folder), "--waivers", str(waivers)])
    assert result.exit_code == 0, result.output  # every error waived: no errors left
    assert "隐藏" in result.output
    listed = load_waivers(waivers)
    assert listed and all(w.rule for w in listed)


@pytest.mark.parametrize(
    "content",
    [
        "waivers: 3\n",
        "[: not yaml",
        "waivers:\n- {year: 2024}\n",
        "waivers:\n- {rule: T3-01, values: 5}\n",
        "waivers:\n- {rule: T3-01, cells: [], year: abc}\n",
        "waivers:\n- {rule: T3-01, cells: [], year: [1]}\n",
    ],
)
def test_a_bad_waivers_file_is_one_line(folder, tmp_path, content):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, output = _run(folder, tmp_path / "o", "--waivers", str(bad))
    assert code == 2 and "bad.yaml" in output and "Traceback" not in output


def test_serve_hides_waived_findings(folder, tmp_path):
    from starlette.testclient import TestClient

    from validator.store.waivers import load_waivers
    from validator.web.app import Settings, create_app

    _run(folder, tmp_path / "o1")
    waivers = tmp_path / "w.yaml"
    CliRunner().invoke(main, ["baseline", str(tmp_path / "o1"), "-o", str(waivers)])
    path = min(folder.iterdir())
    files = [("files", (path.name, path.read_bytes()))]
    with TestClient(create_app(Settings())) as plain:
        before = plain.post("/api/check", files=files).json()
    with TestClient(create_app(Settings(waivers=load_waivers(waivers)))) as waived:
        after = waived.post("/api/check", files=files).json()
    found, kept = before["reports"][0]["findings"], after["reports"][0]["findings"]
    assert [f for f in found if f["severity"] == "error"] and not [
        f for f in kept if f["severity"] == "error"
    ]
    assert before["reports"][0]["status"] == "errors" and after["reports"][0]["status"] != "errors"
