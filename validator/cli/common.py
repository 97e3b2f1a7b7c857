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
