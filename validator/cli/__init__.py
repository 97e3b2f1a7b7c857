"""`ogi`: a thin click layer over validator.api, one module per command (check, extract, rules, batch,
template). Exit codes: 0 no errors, 1 errors found, 3 a report not checked, 2 a file unreadable."""

from __future__ import annotations

import click

from validator import __version__
from validator.cli.baseline import baseline
from validator.cli.batch import batch
from validator.cli.check import check
from validator.cli.common import ensure_utf8
from validator.cli.export import export
from validator.cli.extract import extract
from validator.cli.history import history
from validator.cli.rules import rules
from validator.cli.serve import serve
from validator.cli.template import template


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ogi")
def main() -> None:
    """ogi — 政府信息公开工作年度报告校验工具 (checks government information disclosure annual reports).

    \b
    Exit codes of check and batch (the strongest applies):
      2 a file could not be read (无法读取) or a usage error;
      3 a report could not be checked (无法核对: its 表三 or 表四 was not read);
      1 errors found (有错误);  0 no errors.
    """
    ensure_utf8()


for command in (check, extract, rules, batch, template, serve, history, export, baseline):
    main.add_command(command)

if __name__ == "__main__":
    main()
