"""Rule files validate themselves on load: each fault is refused with one line naming file and rule."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from validator.engine.rules import RuleFileError, load_rules

RULES = Path(__file__).resolve().parents[2] / "rules"

GOOD_RELATION = {
    "id": "T9-01",
    "name": "example",
    "title": "例",
    "severity": "error",
    "templates": ["gb2021"],
    "source": "test",
    "for_each": {"c": "columns(t3)"},
    "expr": "t3.new.{c} <= t3.res.total.{c} + t3.carried_out.{c}",
    "message": {"zh": "表三「{c_label}」列：{lhs} > {rhs}", "en": "column {c}: {lhs} > {rhs}"},
}

SECTIONS_OUTCOMES = {
    name: {"zh": "第{number}部分", "en": "x"} if name == "missing" else {"zh": "x", "en": "x"}
    for name in ("missing", "out_of_order", "misnumbered", "wording", "unofficial")
}
GOOD_CHECK = {
    "id": "M-99",
    "name": "sections-again",
    "title": "例",
    "severity": "error",
    "templates": ["gb2021"],
    "source": "test",
    "check": "sections",
    "outcomes": SECTIONS_OUTCOMES,
}


def rules_dir(tmp_path: Path, *rules: dict) -> Path:
    """A rules dir with the real templates and messages and only the given rules."""
    root = tmp_path / "rules"
    shutil.copytree(RULES / "templates", root / "templates")
    shutil.copy(RULES / "messages.yaml", root / "messages.yaml")
    shutil.copy(RULES / "narrative.yaml", root / "narrative.yaml")
    (root / "checks").mkdir()
    text = yaml.safe_dump(list(rules), allow_unicode=True, sort_keys=False)
    (root / "checks" / "bad.yaml").write_text(text, encoding="utf-8")
    return root


def refused(tmp_path: Path, rule: dict) -> str:
    with pytest.raises(RuleFileError) as caught:
        load_rules(rules_dir(tmp_path, rule))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("bad.yaml"), message
    return message


def changed(rule: dict, **changes) -> dict:
    out = {**rule, **changes}
    return {k: v for k, v in out.items() if v is not None}


def test_the_real_rules_load():
    assert len(load_rules()) >= 30


def test_good_rules_load(tmp_path):
    assert {r.id for r in load_rules(rules_dir(tmp_path, GOOD_RELATION, GOOD_CHECK))} == {"T9-01", "M-99"}


def test_unknown_key_refused(tmp_path):
    message = refused(tmp_path, changed(GOOD_RELATION, severty="error"))
    assert "T9-01" in message and "unknown key(s) severty" in message


def test_required_key_refused(tmp_path):
    assert "missing required key(s) title" in refused(tmp_path, changed(GOOD_RELATION, title=None))


def test_expr_and_check_together_refused(tmp_path):
    assert "exactly one of expr, check, schema" in refused(tmp_path, changed(GOOD_RELATION, check="sections"))


def test_neither_expr_nor_check_refused(tmp_path):
    assert "has none" in refused(tmp_path, changed(GOOD_RELATION, expr=None))


def test_unknown_severity_refused(tmp_path):
    assert "unknown severity 'fatal'" in refused(tmp_path, changed(GOOD_RELATION, severity="fatal"))


def test_unknown_outcome_severity_refused(tmp_path):
    outcomes = {**SECTIONS_OUTCOMES, "wording": {"severity": "warn", "zh": "x", "en": "x"}}
    assert "outcome wording has unknown severity" in refused(tmp_path, changed(GOOD_CHECK, outcomes=outcomes))


def test_for_each_domain_refused(tmp_path):
    message = refused(tmp_path, changed(GOOD_RELATION, for_each={"c": "columns(t9)"}))
    assert "for_each c" in message


def test_message_placeholder_the_rule_does_not_provide_refused(tmp_path):
    message = {"zh": "表三「{column_label}」列", "en": "column {c}"}
    assert "uses column_label" in refused(tmp_path, changed(GOOD_RELATION, message=message))


def test_cell_not_in_template_refused(tmp_path):
    assert "t3.new.nobody is not a cell" in refused(
        tmp_path, changed(GOOD_RELATION, expr="t3.new.nobody >= 0")
    )


def test_outcome_the_check_emits_but_not_declared_refused(tmp_path):
    outcomes = {k: v for k, v in SECTIONS_OUTCOMES.items() if k != "wording"}
    assert "undeclared: wording" in refused(tmp_path, changed(GOOD_CHECK, outcomes=outcomes))


def test_outcome_declared_but_never_emitted_refused(tmp_path):
    outcomes = {**SECTIONS_OUTCOMES, "blank_total_zero": {"zh": "x", "en": "x"}}
    assert "never emitted: blank_total_zero" in refused(tmp_path, changed(GOOD_CHECK, outcomes=outcomes))


def test_outcome_placeholder_not_provided_refused(tmp_path):
    outcomes = {**SECTIONS_OUTCOMES, "missing": {"zh": "缺少{table_name}", "en": "x"}}
    assert "outcome missing message (zh) uses table_name" in refused(
        tmp_path, changed(GOOD_CHECK, outcomes=outcomes)
    )


def test_unknown_check_refused(tmp_path):
    assert "unknown check 'headings'" in refused(tmp_path, changed(GOOD_CHECK, check="headings"))


def test_outcomes_on_a_relation_refused(tmp_path):
    assert "outcomes belong to check" in refused(tmp_path, changed(GOOD_RELATION, outcomes=SECTIONS_OUTCOMES))


def test_years_reason_must_be_a_known_reason(tmp_path):
    rule = changed(GOOD_RELATION, years={"from": 2020, "reason": "NO_SUCH_REASON"})
    assert "NO_SUCH_REASON" in refused(tmp_path, rule)


def test_ogi_rules_points_the_tool_at_another_rules_dir(tmp_path):
    """A faulty rules dir named by OGI_RULES stops the tool with the one-line error."""
    root = rules_dir(tmp_path, changed(GOOD_RELATION, severty="error"))
    code = "from validator.engine.rules import load_rules; load_rules()"
    env = {**os.environ, "OGI_RULES": str(root)}
    done = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "RuleFileError: bad.yaml: rule T9-01: unknown key(s) severty" in done.stderr
