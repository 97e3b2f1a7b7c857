import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def require_shared() -> None:
    """Tests on ../shared: under CI (CI=true) its absence is a failure; elsewhere a visible skip (-rs)."""
    if CORPUS.is_dir():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{CORPUS} is missing: CI must run with ../shared beside the clone")
    pytest.skip(f"{CORPUS} is not present (tests on the real corpus skipped)")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real corpus in ../shared/corpus (a failure under CI when absent, a visible skip elsewhere)."""
    require_shared()
    return CORPUS
