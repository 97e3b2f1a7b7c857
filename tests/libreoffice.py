"""Tests that need LibreOffice: a visible skip without it (-rs says why), a failure under CI (CI=true),
where .ci/run installs it — so a CI run can never pass by silently leaving those formats out."""

from __future__ import annotations

import os

import pytest

from validator.readers.convert import find_soffice


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_libreoffice() -> str:
    """The soffice path, or skip (fail under CI) naming what is missing."""
    soffice = find_soffice()
    if soffice:
        return soffice
    message = "LibreOffice (soffice) is not installed: PDF, .doc/.wps/.et and recalculation tests need it"
    if under_ci():
        pytest.fail(message + " — .ci/run installs it; CI must not skip these")
    pytest.skip(message)
