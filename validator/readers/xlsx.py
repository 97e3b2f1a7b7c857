"""XLSX → Document with openpyxl: every visible sheet becomes one Grid, with the one-cell rows above and
below its table (sheet titles, 单位, notes 注：…) as TextBlocks. A workbook holding tables and no prose
at all is marked ``tables_only`` (its narrative sections are published elsewhere).

Values are the cached results of formulas (data_only=True). A formula saved without a cached value (files
written by scripts, or never opened in Excel) is computed when it is simple (SUM over ranges, + − × ÷ of
cells and numbers); otherwise its text ("=…") is emitted so the locator reports a non-number. Numbers
stored as text stay text; integers print without ".0"; a merged range appears once, at its top-left
cell, with its other positions as continuations (text "", provenance of the top-left cell). Provenance:
sheet, cell reference ("C7"), table index, sheet row and column.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
import warnings
from decimal import Decimal
from pathlib import Path

from validator.model import Provenance, ReadError, tool_sheets
from validator.readers.document import Document, Grid, GridCell, TextBlock, holds_tables_only
from validator.readers.safety import MAX_GRID_CELLS, SafeZip, check_file, fail, read_bytes
from validator.readers.textnorm import join_lines

_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def read_xlsx(path: str | os.PathLike, *, name: str | None = None) -> Document:
    check_file(path)
    name = name or Path(path).name
    import openpyxl

    with SafeZip(path) as z:
        if "xl/workbook.xml" not in z:
            raise fail("不是有效的XLSX：缺少xl/workbook.xml", "not a valid XLSX: xl/workbook.xml missing")
        with_formulas = {n for n in z.scan_for_dtd(flag=_HAS_FORMULA) if n.startswith("xl/worksheets/")}
        data = read_bytes(path)  # a file object, not the path: openpyxl refuses names not ending in .xlsx
        wb = fwb = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # read-only mode is about twice as fast; merged ranges are read from the sheet XML below
                wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                fwb = (
                    openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                    if with_formulas
                    else None
                )
                book = _Book(wb, fwb, z, with_formulas)
        except ReadError:
            raise
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds of errors on broken packages
            raise fail(
                "XLSX无法解析（文件损坏或不是Excel工作簿）", "cannot parse XLSX", f"{type(e).__name__}: {e}"
            ) from None
        finally:
            for book_file in (wb, fwb):
                if book_file is not None:
                    book_file.close()

    doc = Document(source=str(path), format="xlsx")
    computed: list[str] = []
    unevaluated: list[str] = []
    t = 0
    for sheet in book.order:
        grid = _sheet_grid(book, sheet, name, t + 1, computed, unevaluated)
        if grid is not None:
            t += 1
            doc.blocks.extend(_titles_and_notes(grid))
    if book.hidden:
        doc.meta["hidden_sheets"] = ",".join(book.hidden)
    if computed:
        doc.meta["formulas_computed"] = ",".join(computed)
    if unevaluated:
        doc.meta["formulas_unevaluated"] = ",".join(unevaluated)
    doc.tables_only = holds_tables_only(
        doc
    )  # read_document decides it for every format; kept for direct calls
    first = next(
        (
            c.text
            for b in doc.blocks[:12]
            for row in (b.rows[:5] if isinstance(b, Grid) else [[b]])
            for c in row
            if "年度报告" in c.text
        ),
        None,
    )
    if first or book.title:
        doc.meta["title"] = first or book.title
    return doc


_MERGE = re.compile(
    rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)["']"""
)


class _Book:
    """Everything read from the workbook, as plain dicts: values, number formats, formulas, merges."""

    def __init__(self, wb, fwb, z: SafeZip, with_formulas: set[str]):
        from openpyxl.utils.cell import range_boundaries

        self.order: list[str] = []
        self.hidden: list[str] = []
        self.values: dict[str, dict[tuple[int, int], object]] = {}
        self.formats: dict[str, dict[tuple[int, int], str]] = {}
        self.formulas: dict[str, dict[tuple[int, int], object]] = {}
        self.merges: dict[str, list[tuple[int, int, int, int]]] = {}
        self.title = wb.properties.title if getattr(wb, "properties", None) is not None else None
        self.tool_sheets = tool_sheets(wb)
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            title = ws.title
            if title in self.tool_sheets:
                continue  # sheets ogi itself added (校验, 校验结果) quote labels but are not the report
            if ws.sheet_state == "visible":
                self.order.append(title)
            else:
                self.hidden.append(title)  # not emitted, but formulas may refer to it
            ws.reset_dimensions()  # do not trust the <dimension> element
            values, formats = {}, {}
            for row in ws.iter_rows():
                for cell in row:
                    v = getattr(cell, "value", None)
                    if v is None or getattr(cell, "row", None) is None:
                        continue
                    key = (cell.row, cell.column)
                    values[key] = v
                    fmt = cell.number_format
                    if fmt and fmt != "General":
                        formats[key] = fmt
            self.values[title] = values
            self.formats[title] = formats
            part = getattr(ws, "_worksheet_path", None)
            merges = []
            if part and part in z:
                for ref in _MERGE.findall(z.read(part)):
                    c0, r0, c1, r1 = range_boundaries(ref.decode("ascii"))
                    merges.append((r0, c0, r1, c1))
            self.merges[title] = merges
            if fwb is not None and part in with_formulas and title in fwb.sheetnames:
                fws = fwb[title]
                fws.reset_dimensions()
                self.formulas[title] = {
                    (cell.row, cell.column): cell.value
                    for row in fws.iter_rows()
                    for cell in row
                    if getattr(cell, "row", None) is not None and _is_formula(cell.value)
                }


def _sheet_grid(book: _Book, sheet: str, name, t, computed, unevaluated) -> Grid | None:
    from openpyxl.utils import get_column_letter

    raw = book.values[sheet]
    formats = book.formats[sheet]
    values: dict[tuple[int, int], str] = {}
    for key, v in raw.items():
        text = _text(v, formats.get(key))
        if text:
            values[key] = text
    for key, f in book.formulas.get(sheet, {}).items():
        if raw.get(key) is not None:
            continue  # the cached value was saved
        r, c = key
        ref = f"{sheet}!{get_column_letter(c)}{r}"
        result = _Evaluator(book).cell(sheet, r, c)
        if isinstance(result, int | float) and not isinstance(result, bool):
            values[key] = _number_text(result)
            computed.append(ref)
        else:
            values[key] = _formula_text(f)
            unevaluated.append(ref)
    if not values:
        return None
    rows_used = sorted({r for r, _ in values})
    min_c = min(c for _, c in values)
    max_c = max(c for _, c in values)
    if len(rows_used) * (max_c - min_c + 1) > MAX_GRID_CELLS:
        raise fail("工作表数据范围过大", "sheet data range too large", sheet)

    # merged ranges: every covered position except the top-left maps to the top-left
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    row_set = set(rows_used)
    for r0, c0, r1, c1 in book.merges[sheet]:
        c_lo, c_hi = max(c0, min_c), min(c1, max_c)
        if c_lo > c_hi:
            continue
        for r in range(r0, r1 + 1):
            if r not in row_set:
                continue
            for c in range(c_lo, c_hi + 1):
                if (r, c) != (r0, c0):
                    origin[(r, c)] = (r0, c0)

    provs: dict[tuple[int, int], Provenance] = {}

    def prov(r: int, c: int) -> Provenance:
        p = provs.get((r, c))
        if p is None:
            p = Provenance(file=name, sheet=sheet, table=t, row=r, column=c, ref=f"{get_column_letter(c)}{r}")
            provs[(r, c)] = p
        return p

    rows: list[list[GridCell]] = []
    for r in rows_used:
        line = []
        for c in range(min_c, max_c + 1):
            o = origin.get((r, c))
            if o is not None:
                line.append(GridCell("", prov(*o)))
            else:
                line.append(GridCell(values.get((r, c), ""), prov(r, c)))
        rows.append(line)
    return Grid(rows, Provenance(file=name, sheet=sheet, table=t))


def _titles_and_notes(grid: Grid) -> list:
    """A sheet's rows above its first row of several cells (titles, 单位：件) and below its last one
    (notes such as 注：…, 填报单位) are text, not table rows: as TextBlocks they can never be read as a
    table's values. A sheet of one-cell rows only (a narrative sheet) becomes text throughout."""

    def lone(row: list[GridCell]) -> GridCell | None:
        filled = [c for c in row if c.text.strip()]
        return filled[0] if len(filled) == 1 else None

    def in_table(i: int) -> bool:
        row = grid.rows[i]
        if sum(1 for c in row if c.text.strip()) >= 2:
            return True
        above = grid.rows[i - 1] if i else None  # a cell merged down from the row above
        return above is not None and any(
            not c.text and c.provenance == above[j].provenance for j, c in enumerate(row)
        )

    multi = [i for i in range(len(grid.rows)) if in_table(i)]
    first, last = (multi[0], multi[-1]) if multi else (len(grid.rows), len(grid.rows) - 1)
    out: list = []
    for row in grid.rows[:first]:
        cell = lone(row)
        if cell is not None:
            out.append(TextBlock(cell.text, cell.provenance))
    if multi:
        out.append(Grid(grid.rows[first : last + 1], grid.provenance))
    for row in grid.rows[last + 1 :]:
        cell = lone(row)
        if cell is not None:
            out.append(TextBlock(cell.text, cell.provenance))
    return out


# ---- values -------------------------------------------------------------------------------------------
def _text(v, number_format: str | None = None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if number_format and number_format.rstrip().endswith("%") and math.isfinite(v):
            return _number_text(round(v * 100, 10)) + "%"
        return _number_text(v)
    if isinstance(v, _dt.datetime):
        if v.time() == _dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date | _dt.time):
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        return str(v)
    if isinstance(v, str):
        if "\n" in v or "\r" in v:
            return join_lines(v.splitlines())
        return join_lines([v])
    return join_lines([str(v)])


def _number_text(v: float) -> str:
    """5.0 → "5", 7730.28 → "7730.28" (shortest round-trip), never exponent notation."""
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return str(v)
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    s = repr(v)
    if "e" in s or "E" in s:
        s = format(Decimal(s), "f")
    return s


def _is_formula(v) -> bool:
    if isinstance(v, str):
        return v.startswith("=")
    return type(v).__name__ in ("ArrayFormula", "DataTableFormula")


def _formula_text(v) -> str:
    if isinstance(v, str):
        return v
    text = getattr(v, "text", None)
    return text if isinstance(text, str) else "=?"


# ---- a small evaluator for formulas saved without a cached value ---------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
      | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z0-9_\u4e00-\u9fff.]+)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
      | (?P<func>[A-Za-z][A-Za-z0-9.]*)\s*\(
      | (?P<op>[-+*/(),])
    )""",
    re.VERBOSE,
)
_MAX_DEPTH = 50
_MAX_RANGE = 100_000


class _Unsupported(Exception):
    pass


class _Evaluator:
    """SUM(…), + − × ÷, parentheses, numbers and (sheet-qualified) cell references and ranges."""

    def __init__(self, book: _Book):
        self.book = book
        self.active: set[tuple[str, int, int]] = set()

    def cell(self, sheet: str, r: int, c: int) -> float | None:
        try:
            return self._cell(sheet, r, c)
        except (_Unsupported, ZeroDivisionError, RecursionError, KeyError, ValueError, OverflowError):
            return None

    def _cell(self, sheet: str, r: int, c: int):
        key = (sheet, r, c)
        if key in self.active or len(self.active) > _MAX_DEPTH:
            raise _Unsupported("cycle")
        if sheet not in self.book.values:
            raise _Unsupported("sheet")
        v = self.book.values[sheet].get((r, c))
        if v is None:
            fv = self.book.formulas.get(sheet, {}).get((r, c))
            if fv is not None:
                if not isinstance(fv, str):
                    raise _Unsupported("array formula")
                self.active.add(key)
                try:
                    return self.formula(sheet, fv[1:])
                finally:
                    self.active.discard(key)
        return v  # raw; callers coerce

    def formula(self, sheet: str, text: str) -> float:
        tokens = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise _Unsupported(text[pos:])
            kind = m.lastgroup
            tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.tokens, self.i, self.sheet = tokens, 0, sheet
        value = self._expr()
        if self.i != len(self.tokens):
            raise _Unsupported("trailing tokens")
        return value

    # recursive descent: expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
    # unary := ('+'|'-') unary | atom ; atom := num | ref | SUM(args) | '(' expr ')'
    def _peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def _take(self):
        tok = self._peek()
        self.i += 1
        return tok

    def _expr(self) -> float:
        v = self._term()
        while self._peek() in (("op", "+"), ("op", "-")):
            _, op = self._take()
            rhs = self._term()
            v = v + rhs if op == "+" else v - rhs
        return v

    def _term(self) -> float:
        v = self._unary()
        while self._peek() in (("op", "*"), ("op", "/")):
            _, op = self._take()
            rhs = self._unary()
            v = v * rhs if op == "*" else v / rhs
        return v

    def _unary(self) -> float:
        if self._peek() == ("op", "-"):
            self._take()
            return -self._unary()
        if self._peek() == ("op", "+"):
            self._take()
            return self._unary()
        return self._atom()

    def _atom(self) -> float:
        kind, val = self._take()
        if kind == "num":
            return float(val)
        if kind == "ref":
            if ":" in val:
                raise _Unsupported("range outside SUM")
            return _coerce(self._ref_values(val, strict=True)[0])
        if kind == "op" and val == "(":
            v = self._expr()
            if self._take() != ("op", ")"):
                raise _Unsupported("parenthesis")
            return v
        if kind == "func" and val.upper() == "SUM":
            total = 0.0
            if self._peek() == ("op", ")"):
                self._take()
                return total
            while True:
                k, v = self._peek()
                after = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else (None, None)
                if k == "ref" and after in (("op", ","), ("op", ")")):
                    self._take()
                    for x in self._ref_values(v, strict=False):
                        if isinstance(x, int | float) and not isinstance(x, bool):
                            total += x
                else:
                    total += self._expr()
                sep = self._take()
                if sep == ("op", ")"):
                    return total
                if sep != ("op", ","):
                    raise _Unsupported("SUM arguments")
        raise _Unsupported(f"{kind} {val}")

    def _ref_values(self, ref: str, *, strict: bool) -> list:
        from openpyxl.utils.cell import range_boundaries

        sheet = self.sheet
        if "!" in ref:
            sheet, ref = ref.rsplit("!", 1)
            if sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
        c0, r0, c1, r1 = range_boundaries(ref.replace("$", ""))
        if (r1 - r0 + 1) * (c1 - c0 + 1) > _MAX_RANGE:
            raise _Unsupported("range too large")
        out = []
        saved = (self.tokens, self.i, self.sheet)
        try:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    out.append(self._cell(sheet, r, c))
        finally:
            self.tokens, self.i, self.sheet = saved
        return out


def _coerce(v) -> float:
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip().replace(",", ""))
        except ValueError:
            raise _Unsupported("text operand") from None
    raise _Unsupported(type(v).__name__)
