"""Install like a package: the wheel built from the repo, installed (not editable) in a fresh venv, checks
the sample from another folder — rules/ and the page's templates ship inside it.

Offline: the wheel is built with this venv's setuptools (--no-build-isolation) from a copy of the sources
(the work tree stays clean), installed with --no-deps --no-index, and the fresh venv sees the
dependencies through a .pth file naming this venv's site-packages (whose own .pth files, among them the
editable install of the work tree, are not processed there)."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "2024_示例市交通运输局_勾稽错误.txt"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("validator", "rules"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)],
        check=True,
        cwd=tmp,
    )
    (wheel,) = dist.glob("ogi_validator-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (new_site,) = venv.glob("lib/python*/site-packages") or venv.glob("Lib/site-packages")
    (new_site / "ogi_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    shutil.rmtree(src)  # nothing of the sources is left to fall back on
    return venv


def test_wheel_ships_rules_and_page(installed):
    (wheel,) = installed.parent.glob("dist/*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for member in ("validator/_rules/templates/gb2021.yaml", "validator/_rules/messages.yaml"):
        assert member in names
    assert any(n.startswith("validator/web/templates/") for n in names)


def test_installed_ogi_checks_the_sample_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sample = elsewhere / SAMPLE.name
    shutil.copy2(SAMPLE, sample)
    where = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import validator, validator.catalogue as c; print(validator.__file__); print(c.RULES_DIR)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert str(installed) in where[0] and str(installed) in where[1], where  # not the work tree
    run = subprocess.run(
        [str(installed / "bin" / "ogi"), "check", sample.name, "--format", "json"],
        check=False,
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stderr  # the sample has errors on purpose
    report = json.loads(run.stdout)["reports"][0]
    assert report["status"] == "errors" and report["findings"]
