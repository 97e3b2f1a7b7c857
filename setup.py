"""Build-time mapping of rules/ (kept at the top of the repo) into the wheel as validator/_rules.

Everything else is declared in pyproject.toml; this only extends build_py so that a non-editable install
(`pip install .`, a built wheel) carries the templates, checks and messages validator.catalogue reads."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class build_py_with_rules(build_py):  # noqa: N801 - setuptools command naming
    def run(self):
        super().run()
        src = HERE / "rules"
        if src.is_dir():
            dest = Path(self.build_lib) / "validator" / "_rules"
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": build_py_with_rules})
