"""A seeded generator of crawled-page layouts: the same consistent figures of either form, rendered as
the text a web crawler leaves behind, with or without one injected error, and a scorer that holds what
the locator read against the figures (right / left as a doubt / wrong).

Families (issue 8 item 3):

* ``spaces``  — one table row a line, cells apart by runs of spaces, full-width spaces (U+3000) or tabs
  (TABs when a row has empty cells: the reader cuts those at the end of the line, a leading one too);
* ``lines``   — one cell per line with blank lines between; an empty cell shows only as more blank lines;
* ``deleted`` — one row a line, empty cells deleted by the crawler (their positions lost);
* ``run``     — one row a line, the cells run together (no separators at all).

Every page starts with header lines (标题：…、发布时间：…、来源：…), as crawlers save them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from validator.catalogue import load_catalogue
from validator.locate import locate
from validator.model import CellState, Report
from validator.readers.text import parse_text
from validator.testing.figures import Figures, consistent_figures, table_rows

FAMILIES = ("spaces", "lines", "deleted", "run")
AGENCIES = (
    "某某县财政局",
    "某某市人民政府办公室",
    "某某区卫生健康委员会",
    "某某街道办事处",
    "某某省自然资源厅",
)
DOUBTS = {CellState.AMBIGUOUS, CellState.UNPLACED, CellState.MISSING}

_SECTION_TABLE = {"s2": 0, "s3": 1, "s4": 2}  # the figures' tables in the order table_rows gives them


@dataclass
class Page:
    text: str
    figures: Figures
    agency: str
    published: str
    injected: str | None = None


@dataclass
class Score:
    right: int = 0
    doubts: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.right += other.right
        self.doubts += other.doubts
        self.wrong += other.wrong


def figures_for(rng: random.Random, year: int, agency: str, blanks: bool) -> Figures:
    template = load_catalogue().template_for_year(year)
    figures = consistent_figures(template.id, year, agency, rng)
    if blanks:  # some zero cells left empty (a blank counts as 0 in every identity)
        zeros = [cid for cid, v in figures.cells.items() if v == 0]
        for cid in rng.sample(zeros, k=len(zeros) // 3):
            figures.cells[cid] = None
    return figures


def inject(figures: Figures, rng: random.Random) -> str:
    """One cell off by one: the form's identities no longer hold."""
    cell = rng.choice(["t3.res.granted.np", "t4.review.total", "t3.new.tot"])
    figures.cells[cell] = (figures.cells[cell] or 0) + 1
    return cell


def _row_line(cells: list[str], family: str, rng: random.Random) -> str:
    label, values = cells[0], cells[1:]
    if family == "spaces":
        seps = ["  ", "   ", "\u3000", "\u3000\u3000", " \t", "\t"]
        sep = rng.choice(seps)
        if any(v == "" for v in values):  # an empty cell needs a separator that can be counted: TABs
            return label + "\t" + "\t".join(values)
        return label + sep + sep.join(values)
    if family == "deleted":
        return " ".join([label, *(v for v in values if v)])
    return label + "".join(values)  # run


def render(figures: Figures, family: str, rng: random.Random, ascii_colon: bool = False) -> Page:
    template = load_catalogue().templates[figures.template]
    agency = figures.agency
    year = figures.year
    title = rng.choice(
        [
            f"{agency}{year}年度政府信息公开工作年度报告",
            f"{agency}{year}年政府信息公开工作年度报告",
            f"{year}年{agency}政府信息公开工作年度报告",
            f"《{agency}{year}年政府信息公开工作年度报告》",
        ]
    )
    published = f"{year + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
    colon = ":" if ascii_colon else "："
    lines = [
        f"标题{colon}{title}",
        f"发布时间{colon}{published} 09:30",
        f"来源{colon}{rng.choice(['本站', '县政府办'])}",
        f"索引号{colon}11350100MB0000000X/2023-00012",
        "文号：",
        "字号：【大 中 小】",
        f"浏览次数{colon}{rng.randint(10, 999)}",
        title,
        f"根据《中华人民共和国政府信息公开条例》，特编制本报告。本报告所列数据统计期限为{year}年1月1日至12月31日。",
    ]
    tables = table_rows(figures)
    for section in template.sections:
        lines.append(f"{section.number}、{section.heading}")
        index = _SECTION_TABLE.get(section.id)
        if index is None:
            lines.append("本机关认真贯彻落实条例要求，按时完成各项工作，无其他需要说明的情况。")
            continue
        _, rows = tables[index]
        if family == "lines":
            lines.append("")
            for row in rows:
                for cell in row:
                    lines.append(cell)
                    lines.append("")
            continue
        for row in rows:
            if len(row) > 1 and row[0] and any(v for v in row[1:]) and _is_value_row(row):
                lines.append(_row_line(row, family, rng))
            elif all(v == "" or not v[0].isdigit() for v in row):
                lines.append("  ".join(v for v in row if v))
            else:  # 表四's values: one line of 15 values
                lines.append(_row_line(["", *row], family, rng).strip())
    lines.append("")
    lines.append(agency)
    lines.append(f"{year + 1}年1月{rng.randint(10, 28)}日")
    text = "\n".join(lines) + "\n"
    return Page(text, figures, agency, published)


def _is_value_row(row: list[str]) -> bool:
    return all(v == "" or v.replace(".", "", 1).lstrip("-").isdigit() for v in row[1:])


def read(page: Page, name: str = "page.txt") -> Report:
    return locate(parse_text(page.text, name))


def score(report: Report, figures: Figures) -> Score:
    """Each form cell: right (its true value, or blank where blank), a doubt, or wrong."""
    template = load_catalogue().templates[figures.template]
    out = Score()
    for cell in template.form_cells:
        truth = figures.cells.get(cell.id, 0)
        got = report.cells.get(cell.id)
        state = got.state if got else CellState.MISSING
        if state in DOUBTS:
            out.doubts += 1
        elif _is_right(state, got, truth):
            out.right += 1
        else:
            shown = got.value if state == CellState.NUMBER else state.name
            out.wrong.append(f"{cell.id}: read {shown} ({got.raw!r}), truth {truth}")
    return out


def _is_right(state: CellState, got, truth) -> bool:
    if state == CellState.NUMBER:
        return truth is not None and got.value == float(truth)
    return state == CellState.BLANK and truth is None
