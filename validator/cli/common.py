"""What every command shares: the language option, UTF-8 output, and the exit code of a set of results."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import click

LANGS = click.Choice(["zh", "en"])

#: exit code per status; the strongest status present decides (2 > 3 > 1 > 0)
EXIT_CODES = {"unreadable": 2, "not_checked": 3, "errors": 1, "warnings": 0, "ok": 0}
_PRECEDENCE = (2, 3, 1)


def exit_code(statuses: Iterable[str]) -> int:
    """2 a file unreadable, else 3 a report not checked, else 1 errors found, else 0."""
    codes = {EXIT_CODES.get(s, 0) for s in statuses}
    return next((c for c in _PRECEDENCE if c in codes), 0)


def ensure_utf8() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8")


def local_option(command):
    """--local NAME: the province's local rules (rules/local/NAME.yaml, e.g. its publication deadlines)."""
    return click.option(
        "--local",
        "local",
        metavar="NAME",
        envvar="OGI_LOCAL",
        default=None,
        help="Local rules: rules/local/NAME.yaml (publication deadlines by province; default 条例第四十九条).",
    )(command)


def use_local(name: str | None) -> None:
    """Select the local rules for this run (checked now: an unknown name is a one-line error, exit 2)."""
    import os

    from validator.engine.local import ENV, LocalRulesError, load_local

    if not name:
        return
    try:
        load_local(name)
    except LocalRulesError as exc:
        click.echo(f"ogi: {exc}", err=True)
        sys.exit(2)
    os.environ[ENV] = name  # worker processes and the engine read the same choice
