"""Load rules from rules/checks/*.yaml and compile each against the templates it applies to."""

from __future__ import annotations

import itertools
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from validator.catalogue import RULES_DIR, Catalogue, Template, load_catalogue
from validator.engine.checks import REGISTRY, cell_types  # importing the checks registers them
from validator.engine.expr import Relation, RuleSyntaxError, parse_relation, substitute

SEVERITIES = ("error", "warning", "info")
REQUIRED = ("id", "name", "title", "severity", "templates", "source")
OPTIONAL = ("expr", "check", "schema", "for_each", "message", "outcomes", "years")
KINDS = ("expr", "check", "schema")  # exactly one: what the rule is
#: parameters every relation message can use, besides the for_each variables and their _label
RELATION_PARAMS = frozenset({"lhs", "rhs", "diff", "signed_diff", "lhs_terms", "rhs_terms", "quote"})


class RuleFileError(RuleSyntaxError):
    """A rule file that does not describe valid rules: one line naming the file, the rule and the fault."""


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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path.name}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(raw, list):
        raise RuleFileError(f"{path.name}: a rule file is a list of rules")
    rules = []
    for item in raw:
        _check_keys(path, item)
        severity = item["severity"]
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


def _check_keys(path: Path, item) -> None:
    """The shape of one rule, before anything is built from it."""
    if not isinstance(item, dict):
        raise RuleFileError(f"{path.name}: each rule is a mapping, got {item!r}")
    where = f"{path.name}: rule {item.get('id', '?')}"
    missing = [k for k in REQUIRED if k not in item]
    if missing:
        raise RuleFileError(f"{where}: missing required key(s) {', '.join(missing)}")
    unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise RuleFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    kinds = [k for k in KINDS if item.get(k) is not None]
    if len(kinds) != 1:
        raise RuleFileError(
            f"{where}: needs exactly one of expr, check, schema (has {', '.join(kinds) or 'none'})"
        )
    severities = [("severity", item["severity"])] + [
        (f"outcome {name}", (spec or {}).get("severity", item["severity"]))
        for name, spec in (item.get("outcomes") or {}).items()
    ]
    for what, severity in severities:
        if severity not in SEVERITIES:
            raise RuleFileError(
                f"{where}: {what} has unknown severity {severity!r} (one of {', '.join(SEVERITIES)})"
            )
    if not isinstance(item["templates"], list) or not item["templates"]:
        raise RuleFileError(f"{where}: templates must be a non-empty list")
    if kinds[0] == "expr":
        if "outcomes" in item:
            raise RuleFileError(f"{where}: outcomes belong to check and schema rules, not to expr rules")
    elif "for_each" in item or "message" in item:
        raise RuleFileError(
            f"{where}: for_each and message belong to expr rules; word {kinds[0]} rules by outcome"
        )
    message = item.get("message") or {}
    if set(message) - {"zh", "en"}:
        raise RuleFileError(
            f"{where}: message has keys other than zh and en: {sorted(set(message) - {'zh', 'en'})}"
        )


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text or "") if name}


def _validate(rule: Rule, catalogue: Catalogue, reasons: set[str]) -> None:
    """What can only be checked against the catalogue and the registry: domains, compiled relations,
    message placeholders, declared outcomes == the check's registered outcomes."""
    where = f"{rule.file}: rule {rule.id}"
    for template_id in rule.templates:
        if template_id not in catalogue.templates:
            raise RuleFileError(f"{where}: unknown template {template_id}")
    if rule.years:
        if set(rule.years) - {"from", "reason"} or not isinstance(rule.years.get("from"), int):
            raise RuleFileError(f"{where}: years takes from (a year) and reason")
        if rule.years.get("reason", "NO_PREVIOUS") not in reasons:
            raise RuleFileError(
                f"{where}: years.reason {rule.years['reason']!r} is not in messages.yaml reasons"
            )
    if rule.expr:
        _validate_relation(rule, catalogue, where)
        return
    if rule.check:
        builtin = REGISTRY.get(rule.check)
        if builtin is None:
            raise RuleFileError(
                f"{where}: unknown check {rule.check!r} (one of {', '.join(sorted(REGISTRY))})"
            )
        provided = builtin.params
    else:
        provided = cell_types.outcomes(catalogue, rule.schema)
        if not any(c for t in catalogue.templates.values() for c in t.cells_of(rule.schema)):
            raise RuleFileError(f"{where}: schema {rule.schema!r} is not a table of the templates")
    declared, registered = set(rule.outcomes), set(provided)
    if declared != registered:
        lacking, extra = sorted(registered - declared), sorted(declared - registered)
        raise RuleFileError(
            f"{where}: outcomes differ from what {rule.check or 'the schema'} emits"
            + (f"; undeclared: {', '.join(lacking)}" if lacking else "")
            + (f"; never emitted: {', '.join(extra)}" if extra else "")
        )
    for name, spec in rule.outcomes.items():
        if not isinstance(spec, dict) or not {"zh", "en"} <= set(spec):
            raise RuleFileError(f"{where}: outcome {name} needs zh and en messages")
        for lang in ("zh", "en"):
            unknown = _placeholders(spec[lang]) - provided[name]
            if unknown:
                raise RuleFileError(
                    f"{where}: outcome {name} message ({lang}) uses {', '.join(sorted(unknown))}, "
                    f"which {rule.check or 'the schema'} does not provide"
                )


def _validate_relation(rule: Rule, catalogue: Catalogue, where: str) -> None:
    if not {"zh", "en"} <= set(rule.message):
        raise RuleFileError(f"{where}: message needs zh and en")
    for_each = rule.for_each
    if isinstance(for_each, list):
        if not for_each or not all(isinstance(b, dict) for b in for_each):
            raise RuleFileError(f"{where}: for_each as a list takes mappings (one binding each)")
        common = set.intersection(*(set(b) - {"zh", "en"} for b in for_each))
        own = [(b, set(b) - {"zh", "en"}) for b in for_each]
    elif isinstance(for_each, dict):
        common = set(for_each)
        own = []
    else:
        raise RuleFileError(f"{where}: for_each is a mapping of domains or a list of bindings")
    for template_id in rule.templates:
        template = catalogue.templates[template_id]
        if isinstance(for_each, dict):
            for name, spec in for_each.items():
                try:
                    values = domain(spec, template)
                except (RuleSyntaxError, StopIteration):
                    raise RuleFileError(
                        f"{where}: for_each {name}: {spec!r} is not a list, columns(table) or rows(table) "
                        f"of {template_id}"
                    ) from None
                if not values:
                    raise RuleFileError(f"{where}: for_each {name}: {spec!r} is empty in {template_id}")
        try:
            compile_rule(rule, template)
        except RuleSyntaxError as exc:
            raise RuleFileError(f"{where}: {exc}") from None
    params = RELATION_PARAMS | common | {f"{v}_label" for v in common}
    for lang in ("zh", "en"):
        unknown = _placeholders(rule.message[lang]) - params
        if unknown:
            raise RuleFileError(
                f"{where}: message ({lang}) uses {', '.join(sorted(unknown))}, which the rule does not provide"
            )
    for binding, names in own:
        mine = RELATION_PARAMS | names | {f"{v}_label" for v in names}
        for lang in ("zh", "en"):
            unknown = _placeholders(str(binding.get(lang, ""))) - mine
            if unknown:
                raise RuleFileError(
                    f"{where}: for_each {lang} message uses {', '.join(sorted(unknown))}, which the rule does not provide"
                )


@cache
def load_rules(rules_dir: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Every rule of rules/checks/*.yaml, validated: a rule file that is wrong is refused with a
    RuleFileError naming the file, the rule and the fault."""
    rules: list[Rule] = []
    for path in sorted((rules_dir / "checks").glob("*.yaml")):
        rules.extend(_load_file(path))
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuleFileError(f"duplicate rule ids in {rules_dir / 'checks'}: {sorted(duplicates)}")
    catalogue = load_catalogue(rules_dir)
    messages = yaml.safe_load((rules_dir / "messages.yaml").read_text(encoding="utf-8")) or {}
    reasons = set(messages.get("reasons") or {})
    for rule in rules:
        _validate(rule, catalogue, reasons)
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
                    raise RuleSyntaxError(f"{cell} is not a cell of {template.id}")
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
