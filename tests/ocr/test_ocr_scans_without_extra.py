"""Issue 14: without the OCR extra, a scanned report (an image-only PDF, a Word report whose tables are
pictures) is 无法核对 — exit 3 of ``ogi check``, status not_checked — with a message that says the OCR
extra is missing and how to install it; never 通过, never an error finding about tables that are there as
pictures, never a traceback. The extra is hidden from a subprocess by modules that refuse to import, so the
test runs whether or not it is installed here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from libreoffice import require_libreoffice

from validator.testing.scans import scan_sample, write_scans

#: the OCR engine's modules, as the extra installs them
HIDDEN = ("rapidocr_onnxruntime", "rapidocr", "onnxruntime")


def _without_ocr(tmp_path) -> dict[str, str]:
    blocker = tmp_path / "no_ocr"
    for name in HIDDEN:
        (blocker / name).mkdir(parents=True)
        (blocker / name / "__init__.py").write_text(
            f'raise ImportError("No module named {name!r} (hidden by the test)")\n', encoding="utf-8"
        )
    path = os.pathsep.join(p for p in (str(blocker), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path)


def _check(path, env) -> tuple[int, dict, str]:
    run = subprocess.run(
        [sys.executable, "-m", "validator", "check", str(path), "--format", "json"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (report,) = json.loads(run.stdout)["reports"]
    return run.returncode, report, run.stderr


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    require_libreoffice()
    (made,) = write_scans([scan_sample(61, "gb2021")], tmp_path_factory.mktemp("no_ocr"), ("pdf", "docx"))
    return made


def test_the_hidden_engine_cannot_be_imported(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", "import rapidocr_onnxruntime"],
        check=False,
        env=_without_ocr(tmp_path),
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "hidden by the test" in run.stderr


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_scan_without_ocr_is_not_checked_and_says_why(scan, kind, tmp_path):
    code, report, stderr = _check(scan.path(kind), _without_ocr(tmp_path))
    assert code == 3, (code, report, stderr[-500:])
    assert report["status"] == "not_checked"
    assert "OCR" in report["not_checked"] and "ocr" in report["not_checked"], report["not_checked"]
    assert not [f["rule"] for f in report["findings"] if f["severity"] == "error"]
    assert "Traceback" not in stderr
