"""Whether a relation is broken, given its residual (lhs − rhs): one predicate for the vectorised pass
(engine/evaluate) and the blame (engine/blame), so the two never disagree on what "broken" means."""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-6


def violates(residual: np.ndarray, op) -> np.ndarray:
    """Relations broken, elementwise; ``op`` is one operator for all ("==", "<=", ">=", "<", ">") or an
    array of them broadcast against the residuals. NaN (not assessable) is never broken."""
    with np.errstate(invalid="ignore"):
        if isinstance(op, str):
            if op == "==":
                return np.abs(residual) > TOLERANCE
            if op == "<=":
                return residual > TOLERANCE
            if op == ">=":
                return residual < -TOLERANCE
            if op == "<":
                return residual >= -TOLERANCE
            return residual <= TOLERANCE
        return (
            ((op == "==") & (np.abs(residual) > TOLERANCE))
            | ((op == "<=") & (residual > TOLERANCE))
            | ((op == ">=") & (residual < -TOLERANCE))
            | ((op == "<") & (residual >= -TOLERANCE))
            | ((op == ">") & (residual <= TOLERANCE))
        )
