"""The official forms as data: templates → sections, tables, rows, columns and public cell ids."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml


def _rules_dir() -> Path:
    """$OGI_RULES, else the copy an installed wheel carries (validator/_rules), else rules/ at the repo top."""
    if os.environ.get("OGI_RULES"):
        return Path(os.environ["OGI_RULES"])
    packaged = Path(__file__).resolve().parents[1] / "_rules"
    if (packaged / "templates").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


RULES_DIR = _rules_dir()

_NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str
    kind: str = "count"  # count | signed | amount
    total: bool = False
    keys: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    path: str  # row path inside the table, e.g. "res.denied.state_secret"
    label: str
    display: str  # the label with its ancestors' numbering, e.g. "三、（三）1.属于国家秘密"
    keys: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    total: bool = False
    aggregate: bool = False  # a group row that some reports fill instead of its sub-rows
    parent: str | None = None
    children: tuple[str, ...] = ()
    group_label: str | None = None  # column-like parent shown in labels, e.g. 行政诉讼

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True, slots=True)
class Cell:
    id: str
    table: str
    row: str
    column: str
    kind: str
    total: bool
    label_zh: str  # as staff read the form: 表三「三、（七）总计」·「自然人」
    row_label: str
    column_label: str
    block: int = 0
    aggregate: bool = False  # not in the form itself: the sum of sub-rows some reports print collapsed
    narrative: bool = False  # a figure the narrative states (rules/narrative.yaml), not a table cell


@dataclass(frozen=True, slots=True)
class Claim:
    """A figure the narrative may state about the tables, found by the first matching pattern."""

    id: str  # cell id n.<id>
    label: str
    patterns: tuple[str, ...]
    value: float | None = None  # fixed value for claims like 未收到申请 (0)
    source: str | None = None  # "year": not a sentence but the report year the locator read (title)
    cell: str | None = None  # source "unit": the form cell whose unit (元 = 1, 万元 = 10000) the claim holds


@dataclass(frozen=True, slots=True)
class Block:
    caption: str | None
    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]  # every row, groups included, in form order


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    name: str
    caption: str
    section: str
    layout: str  # blocks | grid | groups
    blocks: tuple[Block, ...]
    header_keys: tuple[str, ...] = ()
    corner_note: str | None = None
    balance: dict | None = None
    name_en: str = ""  # how English messages name the table: "Table 4 (administrative review and litigation)"
    essential: bool = False  # not read → the report cannot be checked (表三, 表四)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.blocks[0].columns

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(r for b in self.blocks for r in b.rows)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    number: str
    heading: str
    keys: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other wordings accepted as they are
    narrative: bool = False  # running text (not a table's section): what similarity compares

    def worded_as(self, found: str) -> bool:
        """The heading found is the official wording or an accepted one (extra text after it allowed)."""
        found = found.replace(" ", "").replace("(", "（").replace(")", "）")
        return any(found.startswith(w) for w in (self.heading, *self.aliases))


@dataclass(frozen=True, eq=False)
class Template:
    id: str
    title: str
    notice: str
    first_year: int
    last_year: int | None
    markers: tuple[str, ...]
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    cells: dict[str, Cell] = field(default_factory=dict)

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)

    def applies_to(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def cells_of(self, table_id: str) -> list[Cell]:
        """The form's own cells of a table (aggregates excluded)."""
        return [c for c in self.cells.values() if c.table == table_id and not c.aggregate]

    @property
    def form_cells(self) -> list[Cell]:
        """Every cell the official form has (aggregates and narrative claims excluded)."""
        return [c for c in self.cells.values() if not c.aggregate and not c.narrative]

    def row_cells(self, table_id: str, row_path: str) -> list[Cell]:
        return [c for c in self.cells.values() if c.table == table_id and c.row == row_path]

    @cache  # noqa: B019 - templates live as long as the catalogue, which is loaded once
    def aggregate_cells(self) -> dict[str, list[str]]:
        """Cell ids of aggregate rows (read when a report collapses sub-rows) → the sub-row cells they sum."""
        out: dict[str, list[str]] = {}
        for table in self.tables:
            for row in table.rows:
                if row.aggregate:
                    for col in table.columns:
                        out[f"{table.id}.{row.path}.{col.id}"] = [
                            f"{table.id}.{child}.{col.id}" for child in row.children
                        ]
        return out

    @cache  # noqa: B019 - templates live as long as the catalogue, which is loaded once
    def identities(self) -> tuple[dict[str, int], ...]:
        """The form's own arithmetic (totals and the printed corner-note balance) as linear relations.

        Used by the locator to split digit runs; the rules in rules/checks restate them for validation.
        """
        relations: list[dict[str, int]] = []
        for table in self.tables:
            for block in table.blocks:
                total_cols = [c for c in block.columns if c.total]
                part_cols = [c for c in block.columns if not c.total]
                for row in block.rows:
                    if not row.is_leaf:
                        continue
                    for total in total_cols:
                        rel = {f"{table.id}.{row.path}.{total.id}": 1}
                        for part in part_cols:
                            rel[f"{table.id}.{row.path}.{part.id}"] = -1
                        relations.append(rel)
                for row in block.rows:
                    if row.total and row.parent is not None:
                        leaves = _leaves_under(block.rows, row.parent, exclude=row.path)
                        for col in block.columns:
                            rel = {f"{table.id}.{row.path}.{col.id}": 1}
                            for leaf in leaves:
                                rel[f"{table.id}.{leaf}.{col.id}"] = -1
                            relations.append(rel)
            if table.balance:
                for col in table.columns:
                    rel: dict[str, int] = {}
                    for path in table.balance["left"]:
                        rel[f"{table.id}.{path}.{col.id}"] = 1
                    for path in table.balance["right"]:
                        rel[f"{table.id}.{path}.{col.id}"] = -1
                    relations.append(rel)
        return tuple(relations)


def _leaves_under(rows: tuple[Row, ...], parent: str, exclude: str) -> list[str]:
    prefix = parent + "."
    return [r.path for r in rows if r.is_leaf and r.path.startswith(prefix) and r.path != exclude]


def _numbering(label: str) -> str:
    m = _NUMBERING.match(label)
    return m.group(1) if m else ""


def _tuple(value) -> tuple[str, ...]:
    return tuple(value or ())


def _column(raw: dict) -> Column:
    return Column(
        id=raw["id"],
        label=raw["label"],
        kind=raw.get("kind", "count"),
        total=bool(raw.get("total", False)),
        keys=_tuple(raw.get("keys")) or (raw["label"],),
        aliases=_tuple(raw.get("aliases")),
        parent=raw.get("parent"),
        unit=raw.get("unit"),
    )


def _table(raw: dict) -> Table:
    if "blocks" in raw:
        raw_blocks = raw["blocks"]
    else:
        raw_blocks = [{"caption": None, "keys": [], "columns": raw["columns"], "rows": raw["rows"]}]
    blocks = []
    for rb in raw_blocks:
        rows = _rows(rb["rows"])
        blocks.append(
            Block(
                caption=rb.get("caption"),
                keys=_tuple(rb.get("keys")),
                columns=tuple(_column(c) for c in rb["columns"]),
                rows=tuple(rows),
            )
        )
    return Table(
        id=raw["id"],
        name=raw["name"],
        caption=raw["caption"],
        section=raw["section"],
        layout=raw.get("layout", "grid"),
        blocks=tuple(blocks),
        header_keys=_tuple(raw.get("header_keys")),
        corner_note=raw.get("corner_note"),
        balance=raw.get("balance"),
        name_en=raw.get("name_en", raw["name"]),
        essential=bool(raw.get("essential", False)),
    )


def _rows(raw_rows: list[dict]) -> list[Row]:
    """The nested rows of the YAML in form order, each with its path and its display label (the
    ancestors' numbering before its own label: 三、（三）1.属于国家秘密)."""
    out: list[Row] = []

    def walk(items: list[dict], parent: Row | None, prefix: str) -> None:
        for raw in items:
            path = f"{parent.path}.{raw['id']}" if parent else raw["id"]
            children_raw = raw.get("rows") or []
            row = Row(
                path=path,
                label=raw["label"],
                display=prefix + raw["label"],
                keys=_tuple(raw.get("keys")) or (raw["label"],),
                aliases=_tuple(raw.get("aliases")),
                total=bool(raw.get("total", False)),
                aggregate=bool(raw.get("aggregate", False)),
                parent=parent.path if parent else None,
                children=tuple(f"{path}.{c['id']}" for c in children_raw),
                group_label=raw.get("parent"),
            )
            out.append(row)
            walk(children_raw, row, prefix + _numbering(raw["label"]))

    walk(raw_rows, None, "")
    return out


def _cells(tables: tuple[Table, ...]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for table in tables:
        for b_index, block in enumerate(table.blocks):
            for row in block.rows:
                if not row.is_leaf and not row.aggregate:
                    continue
                for col in block.columns:
                    cell_id = f"{table.id}.{row.path}.{col.id}"
                    row_label = row.display
                    if row.group_label:
                        row_label = f"{row.group_label}·{row.label}"
                    if block.caption:
                        row_label = f"{block.caption} {row_label}"
                    col_label = col.label
                    cells[cell_id] = Cell(
                        id=cell_id,
                        table=table.id,
                        row=row.path,
                        column=col.id,
                        kind=col.kind,
                        total=col.total or row.total or row.aggregate,
                        label_zh=f"{table.name}「{row_label}」·「{col_label}」",
                        row_label=row_label,
                        column_label=col_label,
                        block=b_index,
                        aggregate=row.aggregate,
                    )
    return cells


def load_claims(path: Path) -> tuple[Claim, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return tuple(
        Claim(
            id=f"n.{c['id']}",
            label=c["label"],
            patterns=_tuple(c.get("patterns")),
            value=c.get("value"),
            source=c.get("from"),
            cell=c.get("cell"),
        )
        for c in (raw or {}).get("claims", [])
    )


def _claim_cells(claims: tuple[Claim, ...]) -> dict[str, Cell]:
    return {
        c.id: Cell(
            id=c.id,
            table="n",
            row=c.id[2:],
            column="",
            kind="count",
            total=False,
            label_zh=c.label,
            row_label=c.label,
            column_label="",
            narrative=True,
        )
        for c in claims
    }


def load_template(path: Path, claims: tuple[Claim, ...] = ()) -> Template:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = tuple(_table(t) for t in raw["tables"])
    return Template(
        id=raw["id"],
        title=raw["title"],
        notice=raw["notice"],
        first_year=raw["years"]["first"],
        last_year=raw["years"].get("last"),
        markers=_tuple(raw.get("markers")),
        sections=tuple(
            Section(
                id=s["id"],
                number=s["number"],
                heading=s["heading"],
                keys=_tuple(s.get("keys")),
                aliases=_tuple(s.get("aliases")),
                narrative=bool(s.get("narrative", False)),
            )
            for s in raw["sections"]
        ),
        tables=tables,
        cells={**_cells(tables), **_claim_cells(claims)},
    )


@dataclass(frozen=True, eq=False)
class Catalogue:
    """All templates; compared and hashed by identity so it can key caches."""

    templates: dict[str, Template]
    claims: tuple[Claim, ...] = ()

    def template_for_year(self, year: int | None) -> Template | None:
        if year is None:
            return None
        return next((t for t in self.templates.values() if t.applies_to(year)), None)

    @cached_property
    def cell_ids(self) -> list[str]:
        """Every cell id of every template, in form order, each once: the columns of the wide frame."""
        seen: dict[str, None] = {}
        for template in self.templates.values():
            for cell_id in template.cells:
                seen.setdefault(cell_id, None)
        return list(seen)

    @cached_property
    def section_index(self) -> dict[str, int]:
        """Official section id → its column among the frame's section columns (every template's, once)."""
        seen: dict[str, None] = {}
        for template in self.templates.values():
            for section in template.sections:
                seen.setdefault(section.id, None)
        return {section_id: k for k, section_id in enumerate(seen)}

    @cached_property
    def claim_ids(self) -> frozenset[str]:
        """Cell ids of the figures the narrative states (rules/narrative.yaml), not table cells."""
        return frozenset(c.id for c in self.claims)

    @cached_property
    def narrative_sections(self) -> tuple[str, ...]:
        """Ids of the sections that are running text (``narrative: true``), in form order, each once."""
        seen: dict[str, None] = {}
        for template in self.templates.values():
            for section in template.sections:
                if section.narrative:
                    seen.setdefault(section.id, None)
        return tuple(seen)

    @cached_property
    def cell_index(self) -> dict[str, int]:
        """Cell id → its column in the wide frame."""
        return {cell_id: i for i, cell_id in enumerate(self.cell_ids)}

    def cell(self, cell_id: str, template: str | None = None) -> Cell | None:
        if template and cell_id in self.templates[template].cells:
            return self.templates[template].cells[cell_id]
        for t in self.templates.values():
            if cell_id in t.cells:
                return t.cells[cell_id]
        return None


@cache
def load_catalogue(rules_dir: Path = RULES_DIR) -> Catalogue:
    claims = load_claims(rules_dir / "narrative.yaml")
    templates = {}
    for path in sorted((rules_dir / "templates").glob("*.yaml")):
        template = load_template(path, claims)
        templates[template.id] = template
    return Catalogue(templates, claims)
