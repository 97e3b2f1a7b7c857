"""Words people read: cells by the form's labels, places by what each format has."""

from __future__ import annotations

from validator.model import Provenance
from validator.render.labels import cell_label, format_kind, place


def test_cells_by_the_forms_labels():
    assert cell_label("t3.new.np") == "表三「一、本年新收政府信息公开申请数量」·「自然人」"
    assert cell_label("t3.res.total.tot").startswith("表三「三、（七）总计」")
    assert cell_label("prev.t3.new.np").startswith("上年报告 表三")
    assert cell_label("no.such.cell") == "no.such.cell"


def test_places_by_format():
    word = Provenance(file="a.docx", table=2, row=5, column=3)
    assert place(word, format_kind("a.docx")) == "第2个表格 第5行 第3列"
    pdf = Provenance(file="a.pdf", page=3, table=1, row=12, column=2)
    assert place(pdf, format_kind("a.pdf")) == "第3页 表格第12行 第2列"
    sheet = Provenance(file="a.xlsx", sheet="表三", ref="C7", row=7, column=3)
    assert place(sheet, format_kind("a.xlsx")) == "工作表「表三」 单元格 C7"
    text = Provenance(file="a.txt", table=2, line=80, column=2)
    assert place(text, format_kind("a.txt")) == "第80行"
    assert place(None) == ""
