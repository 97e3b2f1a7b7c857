"""A small, safe expression language for rules: linear relations over cell ids, never Python eval.

    t3.new.{c} + t3.carried_in.{c} == t3.res.total.{c} + t3.carried_out.{c}
    t3.res.total.{c} == t3.res.granted.{c} + sum(t3.res.denied.*.{c}) + 2 * t3.x.{c} - 1
    t3.carried_in.{c} == prev.t3.carried_out.{c}

A relation parses to coefficients per cell id on each side, so one definition drives the vectorised
check, the message (both sides with their values) and the error-localisation solver.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<op>==|<=|>=|<|>)|(?P<sym>[-+*()])|(?P<fn>sum)\s*\(|(?P<ref>[A-Za-z_][\w.*]*))"
)
OPS = ("==", "<=", ">=", "<", ">")


class RuleSyntaxError(ValueError):
    """An expression in rules/ that the language does not accept; names the rule and the place."""


@dataclass
class Side:
    """One side of a relation: Σ coeff·cell + constant, with terms kept in written order."""

    coeffs: dict[str, float] = field(default_factory=dict)
    constant: float = 0.0

    def add(self, cell: str, coeff: float) -> None:
        self.coeffs[cell] = self.coeffs.get(cell, 0.0) + coeff


@dataclass
class Relation:
    """lhs OP rhs, both linear; `cells` in written order."""

    lhs: Side
    op: str
    rhs: Side

    @property
    def cells(self) -> list[str]:
        return list(dict.fromkeys([*self.lhs.coeffs, *self.rhs.coeffs]))

    def coefficients(self) -> dict[str, float]:
        """lhs − rhs as one vector: the relation holds when Σ coeff·x + constant OP 0."""
        out = dict(self.lhs.coeffs)
        for cell, coeff in self.rhs.coeffs.items():
            out[cell] = out.get(cell, 0.0) - coeff
        return {c: v for c, v in out.items() if v != 0}

    @property
    def constant(self) -> float:
        return self.lhs.constant - self.rhs.constant


def substitute(expr: str, bindings: dict[str, str]) -> str:
    for name, value in bindings.items():
        expr = expr.replace("{" + name + "}", value)
    if "{" in expr:
        raise RuleSyntaxError(f"unbound placeholder in: {expr}")
    return expr


def parse_relation(expr: str, cells: set[str] | list[str]) -> Relation:
    """Parse `expr` (placeholders already substituted); globs in sum() expand over `cells`."""
    parser = _Parser(expr, cells)
    lhs = parser.side()
    op = parser.expect_op()
    rhs = parser.side()
    parser.end()
    return Relation(lhs, op, rhs)


class _Parser:
    def __init__(self, text: str, cells) -> None:
        self.text = text
        self.cells = list(cells)
        self.tokens = self._tokenise(text)
        self.pos = 0

    def _tokenise(self, text: str) -> list[tuple[str, str]]:
        tokens, index = [], 0
        while index < len(text):
            if text[index:].strip() == "":
                break
            m = _TOKEN.match(text, index)
            if not m or m.end() == index:
                raise RuleSyntaxError(f"unexpected text at {index}: {text[index : index + 20]!r} in {text!r}")
            kind = m.lastgroup
            tokens.append((kind, m.group(kind)))
            index = m.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise RuleSyntaxError(f"unexpected end of {self.text!r}")
        self.pos += 1
        return token

    def expect_op(self) -> str:
        kind, value = self.take()
        if kind != "op":
            raise RuleSyntaxError(f"expected one of {OPS} in {self.text!r}, got {value!r}")
        return value

    def end(self) -> None:
        if self.peek() is not None:
            raise RuleSyntaxError(f"trailing text {self.peek()[1]!r} in {self.text!r}")

    def side(self) -> Side:
        side = Side()
        sign = 1.0
        token = self.peek()
        if token == ("sym", "-"):
            self.take()
            sign = -1.0
        self.term(side, sign)
        while (token := self.peek()) is not None and token[0] == "sym" and token[1] in "+-":
            self.take()
            self.term(side, 1.0 if token[1] == "+" else -1.0)
        return side

    def term(self, side: Side, sign: float) -> None:
        kind, value = self.take()
        if kind == "num":
            number = float(value)
            if self.peek() == ("sym", "*"):
                self.take()
                self.atom(side, sign * number)
            else:
                side.constant += sign * number
            return
        self.pos -= 1
        self.atom(side, sign)

    def atom(self, side: Side, coeff: float) -> None:
        kind, value = self.take()
        if kind == "ref":
            if "*" in value:
                raise RuleSyntaxError(f"a pattern needs sum(): {value}")
            side.add(value, coeff)
        elif kind == "fn":
            k2, pattern = self.take()
            if k2 != "ref":
                raise RuleSyntaxError(f"sum() takes a cell pattern in {self.text!r}")
            if self.take() != ("sym", ")"):
                raise RuleSyntaxError(f"missing ) after sum({pattern} in {self.text!r}")
            for cell in self.expand(pattern):
                side.add(cell, coeff)
        elif (kind, value) == ("sym", "("):
            inner = self.side()
            if self.take() != ("sym", ")"):
                raise RuleSyntaxError(f"missing ) in {self.text!r}")
            for cell, c in inner.coeffs.items():
                side.add(cell, coeff * c)
            side.constant += coeff * inner.constant
        else:
            raise RuleSyntaxError(f"unexpected {value!r} in {self.text!r}")

    def expand(self, pattern: str) -> list[str]:
        """`*` stands for exactly one segment of a cell id."""
        prefix = ""
        if pattern.startswith("prev."):
            prefix, pattern = "prev.", pattern[5:]
        segments = pattern.split(".")
        out = []
        for cell in self.cells:
            parts = cell.split(".")
            if len(parts) == len(segments) and all(
                fnmatch.fnmatchcase(p, s) for p, s in zip(parts, segments)
            ):
                out.append(prefix + cell)
        return out
