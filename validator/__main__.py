"""`python -m validator …` = `ogi …` (for machines where the ogi script is not on PATH, e.g. Windows)."""

from validator.cli import main

main(prog_name="ogi")
