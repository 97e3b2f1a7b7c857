"""Every rule in rules/ has passing and failing cases as data (tests/rules/<RULE>.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support import run_case

from validator.engine.rules import load_rules

CASES_DIR = Path(__file__).parent / "rules"


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{data['rule']}: {case['name']}")


@pytest.mark.parametrize(("rule_id", "case"), list(_cases()))
def test_rule_case(rule_id, case):
    result = run_case(case)
    mine = [f for f in result.findings if f.rule == rule_id]
    if case["expect"] == "pass":
        assert not mine, [f.message_zh for f in mine]
        # a pass is a pass only when the rule could be assessed (unless the case says it cannot be)
        doubts = [n.reasons for n in result.not_assessable if n.rule == rule_id]
        if case.get("not_assessable"):
            assert doubts, f"{rule_id} was expected not assessable"
        else:
            assert not doubts, f"{rule_id} passed without being assessed: {doubts}"
        return
    assert mine, f"{rule_id} did not fire; findings: {[f.rule for f in result.findings]}"
    wanted = set(case.get("names", []))
    matching = [f for f in mine if wanted <= set(f.cells)]
    assert matching, f"no {rule_id} finding names {sorted(wanted)}: {[f.cells for f in mine]}"
    if "severity" in case:
        assert any(f.severity == case["severity"] for f in matching)
    if "outcome" in case:
        assert any(f.kind == case["outcome"] for f in matching), [(f.kind, f.message_zh) for f in matching]
    for finding in matching:
        assert "{" not in finding.message_zh and "{" not in finding.message_en
    # message snapshots (ruff-style): the case may hold the exact messages the finding must carry
    for key in ("message_zh", "message_en"):
        if key in case:
            assert case[key] in [getattr(f, key) for f in matching], [getattr(f, key) for f in matching]


def test_every_rule_has_passing_and_failing_cases():
    cases: dict[str, set[str]] = {}
    for path in CASES_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases.setdefault(data["rule"], set()).update(c["expect"] for c in data["cases"])
    missing = [r.id for r in load_rules() if cases.get(r.id, set()) != {"pass", "fail"}]
    assert not missing, f"rules without both passing and failing cases: {missing}"


def test_every_outcome_has_a_failing_case():
    """Each outcome a check or schema rule declares is shown firing by at least one case."""
    shown: dict[str, set[str]] = {}
    for path in CASES_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            if case["expect"] == "fail" and "outcome" in case:
                shown.setdefault(data["rule"], set()).add(case["outcome"])
    lacking = {
        r.id: sorted(set(r.outcomes) - shown.get(r.id, set()))
        for r in load_rules()
        if set(r.outcomes) - shown.get(r.id, set())
    }
    assert not lacking, f"outcomes without a failing case: {lacking}"


def test_not_assessable_is_reported_not_passed():
    result = run_case({"year": 2023, "cells": {"t2.regulations.repealed": 9}})
    entry = next(n for n in result.not_assessable if n.rule == "T2-04")
    assert "prev.t2.regulations.valid" in entry.cells
    assert not [f for f in result.findings if f.rule == "T2-04"]
