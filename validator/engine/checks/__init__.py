"""The built-in checks, one module per family; importing this package registers them all
(validator.engine.registry.REGISTRY). The cell-type schema (rules with ``schema:``) is in cell_types."""

from validator.engine.checks import (  # noqa: F401 - imported to register
    amount_unit,
    blanks,
    dates,
    plausibility,
    readability,
    regulations,
    sections,
    similarity,
    tables,
    template_year,
    text_claims,
    year_sources,
)
from validator.engine.registry import REGISTRY

__all__ = ["REGISTRY"]
