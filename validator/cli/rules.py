"""`ogi rules`: list every rule, or explain one with its compiled relations per template."""

from __future__ import annotations

import sys

import click

from validator.cli.common import LANGS


@click.command()
@click.argument("rule_id", required=False)
@click.option("--lang", type=LANGS, default="zh", show_default=True)
def rules(rule_id, lang):
    """列出全部规则，或解释一条规则 — list every rule, or explain one (ogi rules T3-01)."""
    from validator.catalogue import load_catalogue
    from validator.engine.rules import compile_rule, load_rules

    all_rules = load_rules()
    if not rule_id:
        for rule in all_rules:
            click.echo(
                f"{rule.id:6} {rule.severity:8} {','.join(rule.templates):14} {rule.name:32} {rule.title}"
            )
        return
    rule = next((r for r in all_rules if r.id.upper() == rule_id.upper()), None)
    if rule is None:
        click.echo(f"ogi: 没有规则 {rule_id} (unknown rule; see `ogi rules`)", err=True)
        sys.exit(2)
    catalogue = load_catalogue()
    click.echo(f"{rule.id} {rule.name} — {rule.title}")
    click.echo(
        f"  severity: {rule.severity}   templates: {', '.join(rule.templates)}   file: rules/checks/{rule.file}"
    )
    if rule.source:
        click.echo(f"  source: {rule.source}")
    if rule.expr:
        click.echo(f"  expr: {' '.join(rule.expr.split())}")
        if rule.for_each:
            click.echo(f"  for each: {rule.for_each}")
        for template_id in rule.templates:
            compiled = compile_rule(rule, catalogue.templates[template_id])
            click.echo(f"  {template_id}: {len(compiled)} relations, e.g. {_relation_text(compiled[0])}")
    if rule.schema:
        click.echo(
            f"  schema: cell types of {rule.schema} (count ≥ 0 and whole, amount ≥ 0, 本年增/减 whole)"
        )
    if rule.check:
        click.echo(f"  built-in check: {rule.check}")
    for name, spec in rule.outcomes.items():
        click.echo(f"  outcome {name} ({spec.get('severity', rule.severity)}): {spec.get(lang, '')}")
    if rule.message:
        click.echo(f"  message: {rule.message.get(lang, '')}")


def _relation_text(compiled) -> str:
    rel = compiled.relation

    def side(s):
        terms = [("" if abs(c) == 1 else f"{c:g}*") + cell for cell, c in s.coeffs.items()]
        text = " + ".join(terms) if terms else ""
        if s.constant:
            text = f"{text} + {s.constant:g}" if text else f"{s.constant:g}"
        return text or "0"

    return f"{side(rel.lhs)} {rel.op} {side(rel.rhs)}"
