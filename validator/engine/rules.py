"""Load rules from rules/checks/*.yaml and compile each against the templates it applies to."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from validator.catalogue import RULES_DIR, Catalogue, Template, load_catalogue
from validator.engine.expr import Relation, RuleSyntaxError, parse_relation, substitute

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: str
    templates: tuple[str, ...]
    source: str = ""
    expr: str | None = None
    alternatives: tuple[str, ...] = ()  # expr given as a list: the rule holds when any of them holds
    for_each: dict = field(default_factory=dict)
    message: dict = field(default_factory=dict)  # zh, en
    schema: str | None = None  # table id whose cell types the pandera schema checks
    check: str | None = None  # built-in structural check
    outcomes: dict = field(default_factory=dict)  # outcome -> {severity, zh, en}
    file: str = ""
    years: dict = field(
        default_factory=dict
    )  # {from: first report year checked, reason: key in messages.yaml}

    @property
    def cross_year(self) -> bool:
        return any("prev." in e for e in (self.alternatives or (self.expr or "",)))

    def outcome(self, name: str) -> dict:
        spec = dict(self.outcomes.get(name, {}))
        spec.setdefault("severity", self.severity)
        return spec


@dataclass(frozen=True)
class CompiledRelation:
    """One expansion of a relation rule for one template: the unit the evaluator vectorises."""

    rule: Rule
    template: str
    bindings: dict[str, str]
    relation: Relation
    coeffs: dict[str, float]  # lhs − rhs; keys may start with "prev."
    constant: float
    group: int = 0  # which expansion (for_each binding) of the rule
    alternative: int = 0  # which of the rule's alternatives (expr as a list)
    alternatives: int = 1


def _first(expr) -> str | None:
    return expr[0] if isinstance(expr, list) else expr


def _load_file(path: Path) -> list[Rule]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    rules = []
    for item in raw:
        severity = item.get("severity", "error")
        if severity not in SEVERITIES:
            raise RuleSyntaxError(f"{path.name}: rule {item.get('id')} has unknown severity {severity!r}")
        rules.append(
            Rule(
                id=item["id"],
                name=item.get("name", ""),
                title=item.get("title", ""),
                severity=severity,
                templates=tuple(item.get("templates", ())),
                source=item.get("source", ""),
                expr=_first(item.get("expr")),
                alternatives=tuple(item["expr"]) if isinstance(item.get("expr"), list) else (),
                for_each=item.get("for_each") or {},  # mapping of domains, or a list of bindings
                message=item.get("message") or {},
                schema=item.get("schema"),
                check=item.get("check"),
                outcomes=item.get("outcomes") or {},
                file=path.name,
                years=item.get("years") or {},
            )
        )
    return rules


@cache
def load_rules(rules_dir: Path = RULES_DIR) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for path in sorted((rules_dir / "checks").glob("*.yaml")):
        rules.extend(_load_file(path))
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuleSyntaxError(f"duplicate rule ids in rules/checks: {sorted(duplicates)}")
    return tuple(sorted(rules, key=_rule_order))


def _rule_order(rule: Rule) -> tuple:
    prefix, _, number = rule.id.partition("-")
    return ({"T2": 1, "T3": 2, "T4": 3, "M": 4, "N": 5, "X": 6}.get(prefix, 9), prefix, number)


def domain(spec, template: Template) -> list[str]:
    """Values of a for_each variable: a list, or columns(tN) / rows(tN) from the template."""
    if isinstance(spec, list):
        return [str(v) for v in spec]
    text = str(spec).strip()
    if text.startswith("columns(") and text.endswith(")"):
        return [c.id for c in template.table(text[8:-1]).columns]
    if text.startswith("rows(") and text.endswith(")"):
        return [r.path for r in template.table(text[5:-1]).rows if r.is_leaf]
    raise RuleSyntaxError(f"unknown for_each domain {spec!r}")


def expansions(for_each, template: Template) -> list[dict[str, str]]:
    """Bindings of a rule's variables: the product of their domains, or an explicit list of bindings
    (for_each given as a list of mappings, when variables go together)."""
    if isinstance(for_each, list):
        return [{k: str(v) for k, v in item.items()} for item in for_each]
    names = list(for_each)
    domains = [domain(for_each[n], template) for n in names]
    return [dict(zip(names, values)) for values in itertools.product(*domains)] if names else [{}]


def binding_label(value: str, template: Template) -> str:
    """How staff read a bound row, column or cell: 自然人, 三、（七）总计, 行政诉讼·复议后起诉."""
    if value in template.cells:
        return template.cells[value].label_zh
    for table in template.tables:
        for row in table.rows:
            if row.path == value:
                return f"{row.group_label}·{row.label}" if row.group_label else row.display
    for table in template.tables:
        for block in table.blocks:
            for col in block.columns:
                if col.id == value:
                    return col.label
    return value


def compile_rule(rule: Rule, template: Template) -> list[CompiledRelation]:
    if not rule.expr:
        return []
    cells = list(template.cells)
    out = []
    exprs = rule.alternatives or (rule.expr,)
    for group, bindings in enumerate(expansions(rule.for_each, template)):
        for alternative, expr in enumerate(exprs):
            text = substitute(" ".join(expr.split()), bindings)
            relation = parse_relation(text, cells)
            for cell in relation.cells:
                base = cell.removeprefix("prev.")
                if base not in template.cells:
                    raise RuleSyntaxError(f"rule {rule.id}: {cell} is not a cell of {template.id}")
            out.append(
                CompiledRelation(
                    rule,
                    template.id,
                    bindings,
                    relation,
                    relation.coefficients(),
                    relation.constant,
                    group,
                    alternative,
                    len(exprs),
                )
            )
    return out


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    relations: tuple[CompiledRelation, ...]


def parse_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """--select/--ignore values: repeated options and comma lists alike (T3,M-01)."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def select_rules(
    rules: tuple[Rule, ...], select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> tuple[Rule, ...]:
    """ruff-style selection: a code or a prefix (T3, T3-0, M)."""

    def matches(rule: Rule, codes: tuple[str, ...]) -> bool:
        return any(rule.id.startswith(code.upper()) for code in codes)

    chosen = [r for r in rules if not select or matches(r, select)]
    return tuple(r for r in chosen if not matches(r, ignore))


def build_ruleset(
    catalogue: Catalogue | None = None, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> RuleSet:
    catalogue = catalogue or load_catalogue()
    rules = select_rules(load_rules(), select, ignore)
    relations = []
    for rule in rules:
        for template_id in rule.templates:
            if template_id not in catalogue.templates:
                raise RuleSyntaxError(f"rule {rule.id}: unknown template {template_id}")
            relations.extend(compile_rule(rule, catalogue.templates[template_id]))
    return RuleSet(rules, tuple(relations))
