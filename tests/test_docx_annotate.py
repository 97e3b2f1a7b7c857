"""`ogi check X.docx --annotate OUT.docx`: staff's own Word file back with a comment (批注) on the blamed
cell carrying the suggested value, the cells shaded, a summary comment at the top; the input untouched;
LibreOffice opens the copy and keeps the comment in the same table cell."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.libreoffice import require_libreoffice
from validator.api import read_one, validate_reports
from validator.cli import main
from validator.model import Provenance
from validator.render.docx_annotate import annotate_docx, docx_tables, find_tc
from validator.testing.layouts import make_sample, render_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _sample(tmp_path, seed: int = 2):
    sample = make_sample(seed, error=True)
    path = tmp_path / f"report{seed}.docx"
    path.write_bytes(render_docx(sample))
    return sample, path


def _tc_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(W + "t"))


def _commented_cells(docx) -> dict[str, object]:
    """comment id → the w:tc its commentReference sits in (None for one outside tables)."""
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    out = {}
    for ref in root.iter(W + "commentReference"):
        tc = next((a for a in ref.iterancestors() if a.tag == W + "tc"), None)
        out[ref.get(W + "id")] = tc
    return out, root


def _comments(docx) -> dict[str, str]:
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/comments.xml"))
    return {
        c.get(W + "id"): "\n".join("".join(t.text or "" for t in p.iter(W + "t")) for p in c) for c in root
    }


@pytest.mark.parametrize("seed", [2, 4])  # both slips inside 表三's body (t3_cell)
def test_comment_on_the_blamed_cell_with_the_suggested_value(tmp_path, seed):
    sample, path = _sample(tmp_path, seed)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(main, ["check", str(path), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # the input is never written
    cell_id = sample.injected.cell
    outcome = read_one(path)
    prov = outcome.report.cells[cell_id].provenance
    anchored, root = _commented_cells(out)
    texts = _comments(out)
    blamed = find_tc(docx_tables(root.find(W + "body")), prov.table, prov.row, prov.column)
    assert blamed is not None
    ids = [cid for cid, tc in anchored.items() if tc is blamed]
    assert ids, "no comment anchored in the blamed cell"
    note = texts[ids[0]]
    truth = int(sample.truth(cell_id)) - 1  # the slip added 1
    assert f"建议值：{truth}" in note
    assert "表三「" in note and "t3." not in note  # the form's words, not internal ids
    assert _tc_text(blamed).strip() == str(truth + 1)
    shd = blamed.find(f"{W}tcPr/{W}shd")
    assert shd is not None and shd.get(W + "fill") == "FF7C80"
    # range start/end pair around the cell; the summary comment at the top of the body
    starts = {e.get(W + "id") for e in root.iter(W + "commentRangeStart")}
    ends = {e.get(W + "id") for e in root.iter(W + "commentRangeEnd")}
    assert starts == ends == set(anchored)
    top = [cid for cid, tc in anchored.items() if tc is None]
    assert len(top) == 1 and texts[top[0]].startswith("ogi 年报校验结果：有错误")
    with zipfile.ZipFile(out) as z:
        assert "word/comments.xml" in z.read("[Content_Types].xml").decode()
        assert "relationships/comments" in z.read("word/_rels/document.xml.rels").decode()


def test_refuses_to_overwrite_without_force(tmp_path):
    _, path = _sample(tmp_path)
    out = tmp_path / "out.docx"
    out.write_bytes(b"keep")
    result = CliRunner().invoke(main, ["check", str(path), "--annotate", str(out)])
    assert result.exit_code == 2 and out.read_bytes() == b"keep"
    result = CliRunner().invoke(main, ["check", str(path), "--annotate", str(out), "--force"])
    assert result.exit_code == 1 and zipfile.is_zipfile(out)
    # never onto the input itself, even with --force
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["check", str(path), "--annotate", str(path), "--force"])
    assert result.exit_code == 2 and path.read_bytes() == before


def test_existing_comments_are_kept(tmp_path):
    _, path = _sample(tmp_path)
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    outcome = read_one(path)
    result = validate_reports([outcome.report])[0]
    n = annotate_docx(path, outcome.report, result, first)
    m = annotate_docx(first, read_one(first).report, result, second)
    assert m == n
    assert len(_comments(second)) == 2 * n  # ids continue after the document's own comments


def test_find_tc_outside_the_tables_is_none(tmp_path):
    _, path = _sample(tmp_path)
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(W + "body")
    tables = docx_tables(body)
    assert find_tc(tables, 99, 1, 1) is None
    assert find_tc(tables, 1, 999, 1) is None
    assert Provenance(table=1).row is None


def test_libreoffice_keeps_the_comment_in_the_cell(tmp_path):
    require_libreoffice()
    from validator.readers.convert import run_soffice

    sample, path = _sample(tmp_path)
    out = tmp_path / "annotated.docx"
    outcome = read_one(path)
    annotate_docx(path, outcome.report, validate_reports([outcome.report])[0], out)
    conv = tmp_path / "odt"
    conv.mkdir()
    code, err = run_soffice([out], "odt", conv)
    odt = conv / "annotated.odt"
    assert code == 0 and odt.exists(), err
    with zipfile.ZipFile(odt) as z:
        content = etree.fromstring(z.read("content.xml"))
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    notes = list(content.iter(office + "annotation"))
    in_cells = [
        "".join(n.itertext()) for n in notes if any(a.tag == table + "table-cell" for a in n.iterancestors())
    ]
    truth = int(sample.truth(sample.injected.cell)) - 1
    assert any(f"建议值：{truth}" in text for text in in_cells), in_cells[:3]
    assert any("ogi 年报校验结果" in "".join(n.itertext()) for n in notes)


@pytest.mark.parametrize("family", ["docx", "docx_tables_only", "docx_tall_rows"])
def test_every_cell_read_maps_to_its_word_cell(tmp_path, family):
    """The annotator's table/grid counting agrees with the reader's on every cell it read."""
    from validator.testing import layouts

    render = {
        "docx": layouts.render_docx,
        "docx_tables_only": layouts.render_docx_tables_only,
        "docx_tall_rows": layouts.render_docx_tall_rows,
    }[family]
    for seed in (3, 7):
        path = tmp_path / f"{family}{seed}.docx"
        path.write_bytes(render(make_sample(seed)))
        report = read_one(path).report
        with zipfile.ZipFile(path) as z:
            tables = docx_tables(etree.fromstring(z.read("word/document.xml")).find(W + "body"))
        checked = 0
        for cell_id, cv in report.cells.items():
            p = cv.provenance
            if p is None or p.table is None or not cv.raw.strip():
                continue
            tc = find_tc(tables, p.table, p.row, p.column)
            assert tc is not None, (cell_id, p)
            assert cv.raw.strip() in _tc_text(tc), (cell_id, p, cv.raw, _tc_text(tc))
            checked += 1
        assert checked > 100
