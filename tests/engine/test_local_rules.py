"""Publication deadlines by locality: rules/local/<OGI_LOCAL>.yaml, default 条例第四十九条."""

from __future__ import annotations

import pytest
from support import run_case

from validator.engine import local

CASE = {"year": 2023, "report": {"published": "2024-01-30"}}


def _late(result) -> list[str]:
    return [f.message_zh for f in result.findings if f.rule == "M-05"]


def test_default_is_the_regulation(monkeypatch):
    monkeypatch.delenv(local.ENV, raising=False)
    assert local.current()["deadlines"]["department"]["day"] == 31
    assert _late(run_case(CASE)) == []


def test_a_province_file_overrides_the_default(monkeypatch):
    monkeypatch.setenv(local.ENV, "huaihua")
    rules = local.current()
    assert rules["deadlines"]["department"] == {
        "month": 1,
        "day": 28,
        "basis": "怀化市通知：市直单位次年1月28日前发布",
    }
    assert rules["deadlines"]["government"]["month"] == 3  # inherited from default.yaml
    (message,) = _late(run_case(CASE))
    assert "2024-01-28" in message and "湖南省怀化市" in message


def test_an_unknown_locality_stops_with_a_clear_error(monkeypatch):
    monkeypatch.setenv(local.ENV, "atlantis")
    with pytest.raises(local.LocalRulesError, match="rules/local/atlantis.yaml"):
        local.current()
