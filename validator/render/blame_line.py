"""A root cause (engine/blame.py's Blame) in one line of words, for the text and HTML reports."""

from __future__ import annotations

from validator.engine.wording import cell_label, num
from validator.model import BLAME_KIND_ZH, Blame

KIND_EN = {
    "transposed": "digits transposed",
    "one_digit": "one digit wrong",
    "off_by_one": "off by one",
    "times_ten": "an extra 0",
    "tenth": "a 0 missing",
    "sign_lost": "sign wrong",
    "neighbour_column": "typed in the neighbouring column",
    "neighbour_row": "typed in the neighbouring row",
    "swapped": "two neighbouring figures swapped",
    "blank_total": "total left blank",
    "row_left_out": "a row left out of the total",
    "other": "wrong value",
}


def blame_line(blame: Blame, catalogue, template: str | None, lang: str = "zh") -> str:
    """One root cause in one line: the cell, what it holds, what it should hold, why, the rules it explains."""

    def now(value: float, blank: bool) -> str:
        return ("空白" if lang == "zh" else "blank") if blank else num(value)

    rules = ("、" if lang == "zh" else ", ").join(blame.explains)
    if lang == "zh":
        lead = "最可能出错" if blame.confidence == "certain" else "可能出错"
        parts = [
            f"{cell_label(catalogue, blame.cell, template)} 现为 {now(blame.reported, blame.blank)}，应为 {num(blame.suggested)}"
        ]
        parts += [
            f"{cell_label(catalogue, c, template)} 现为 {num(r)}，应为 {num(s)}"
            for c, (r, s) in blame.also.items()
        ]
        text = f"{lead}：{'；'.join(parts)}（{BLAME_KIND_ZH.get(blame.kind, blame.kind)}），可解释 {rules}"
        if blame.alternatives:
            text += f"；另有 {len(blame.alternatives)} 种同样简单的改法"
        return text
    lead = "most likely wrong" if blame.confidence == "certain" else "possibly wrong"
    parts = [f"{blame.cell} = {now(blame.reported, blame.blank)}, should be {num(blame.suggested)}"]
    parts += [f"{c} = {num(r)}, should be {num(s)}" for c, (r, s) in blame.also.items()]
    text = f"{lead}: {'; '.join(parts)} ({KIND_EN.get(blame.kind, blame.kind)}), explains {rules}"
    if blame.alternatives:
        text += f"; {len(blame.alternatives)} other changes as simple"
    return text
