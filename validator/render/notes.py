"""What a reader needs beside the findings, grouped so one problem is one line: the checks that could not
be made (by reason, with what to do), the reading notes (M-08) apart from the findings, and one next-steps
line per report. Shared by the text and HTML reports; words live in rules/messages.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field

from validator.engine.wording import fill, phrases
from validator.model import NOT_CHECKED_ADVICE, Finding, ReportResult
from validator.render.labels import TABLE_ZH, cells_text

READING_RULES = frozenset({"M-08"})  # how the file was read, not what it says
#: reasons that come from a cell's state: the cells are worth naming
_CELL_REASONS = frozenset({"MISSING", "BLANK", "NA_MARKER", "TEXT", "AMBIGUOUS", "UNPLACED"})


@dataclass
class Blocked:
    """Checks that could not be made for one reason: which rules, the cells behind it, what to do."""

    reason: str  # as worded (zh or en)
    rules: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)  # cell ids (form cells only)
    remedy: str = ""

    def line(self, template: str | None, lang: str = "zh") -> str:
        """T3-01、T3-02：表三「…」·「…」 等9格（空白）."""
        sep = "、" if lang == "zh" else ", "
        cells = cells_text(self.cells, template, lang=lang) if self.cells else ""
        head = sep.join(self.rules) + (("：" if lang == "zh" else ": ") + cells if cells else "")
        return f"{head}（{self.reason}）" if lang == "zh" else f"{head} ({self.reason})"


def _codes() -> dict[str, str]:
    """Reason as worded in Chinese → its code in rules/messages.yaml."""
    return {v["zh"]: code for code, v in phrases()["reasons"].items()}


def _unfilled_tables(result: ReportResult) -> set[str]:
    """Tables M-09 found left entirely blank (未填写)."""
    names = {v: k for k, v in TABLE_ZH.items()}
    return {
        names[f.message_zh[:2]]
        for f in result.findings
        if f.rule == "M-09" and f.kind == "table_blank" and f.message_zh[:2] in names
    }


def blocked(result: ReportResult, lang: str = "zh") -> list[Blocked]:
    """Not-assessable entries grouped by reason: each reason once per report (not once per rule), with
    the cells it concerns and what to do. A table left blank is one line: 表四未填写."""
    words = phrases()
    codes = _codes()
    unfilled = _unfilled_tables(result)
    groups: dict[str, Blocked] = {}
    for entry in result.not_assessable:
        for cell, why in entry.reasons.items():
            code = codes.get(why, "")
            table = cell.split(".", 1)[0]
            if code == "BLANK" and table in unfilled:
                table_name = TABLE_ZH[table]
                text = words["labels"]["table_unfilled"][lang].format(table_name=table_name)
                key, code = f"unfilled:{table}", "BLANK"
                cell = ""
            else:
                text = words["reasons"][code][lang] if code and lang == "en" else why
                key = text
            group = groups.get(key)
            if group is None:
                remedies = words.get("remedies", {})
                if key.startswith("unfilled:"):
                    remedy = fill(remedies["UNFILLED"][lang], {"table_name": TABLE_ZH[key[9:]]})
                else:
                    remedy = remedies.get(code, {}).get(lang, "")
                group = groups[key] = Blocked(text, remedy=remedy)
            if entry.rule not in group.rules:
                group.rules.append(entry.rule)
            form_cell = "." in cell and not cell.startswith(("prev.", "n."))
            if code in _CELL_REASONS and form_cell and cell not in group.cells:
                group.cells.append(cell)
    return list(groups.values())


def split_findings(result: ReportResult) -> tuple[list[Finding], list[Finding]]:
    """(findings, reading notes): how the file was read (M-08) is said apart from what is wrong."""
    findings = [f for f in result.findings if f.rule not in READING_RULES]
    notes = [f for f in result.findings if f.rule in READING_RULES]
    return findings, notes


def next_steps(result: ReportResult, lang: str = "zh") -> list[str]:
    """What to do next, most important first, each once."""
    words = phrases()["next_steps"]
    out: list[str] = []
    if result.error:
        return [words["unreadable"][lang]]
    if result.not_checked:
        out.append(NOT_CHECKED_ADVICE[lang])
    severities = {f.severity for f in result.findings}
    if "error" in severities:
        out.append(words["errors"][lang])
    elif "warning" in severities:
        out.append(words["warnings"][lang])
    for group in blocked(result, lang):
        if group.remedy and group.remedy not in out:
            out.append(group.remedy)
    if not out:
        out.append(words["ok"][lang])
    return out
