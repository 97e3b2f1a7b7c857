"""Golden outputs: `ogi check --format json` and `ogi extract --format json` for samples/ and the corpus.

Behaviour must not change by accident: a refactor leaves these files identical. Work that changes outputs
on purpose regenerates them in the same commit (`OGI_REGEN_GOLDEN=1 pytest tests/test_golden.py`), so the
diff shows what changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SHARED, require_shared

from validator.cli import main

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("OGI_REGEN_GOLDEN") == "1"
SOURCES = {"samples": Path("samples"), "corpus": Path("..") / "shared" / "corpus"}


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), result.output
    return result.stdout


def _outputs(name: str, folder: Path) -> dict[str, str]:
    files = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in {".txt", ".html", ".pdf", ".docx", ".xlsx"}
    )
    outputs = {f"check_{name}.json": _run(["check", "--format", "json", str(folder)])}
    extracted = {p.name: json.loads(_run(["extract", "--format", "json", str(p)])) for p in files}
    outputs[f"extract_{name}.json"] = (
        json.dumps(extracted, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    )
    return outputs


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_outputs_match_golden_files(name, monkeypatch):
    if name == "corpus":
        require_shared()
    monkeypatch.chdir(ROOT)
    for filename, text in _outputs(name, SOURCES[name]).items():
        path = GOLDEN / filename
        if REGEN:
            path.write_text(text, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == text, f"{filename} differs from the golden file"


def test_shared_is_where_conftest_says():
    assert SHARED == ROOT.parent / "shared"
