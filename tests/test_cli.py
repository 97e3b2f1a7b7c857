"""The command line as users meet it: exit codes, JSON shape, bad files, rules listing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from validator.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE = SAMPLES / "2019_hangzhou_xiacheng_kejiju.txt"


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_check_sample_text_in_chinese():
    result = run("check", SAMPLE)
    assert result.exit_code == 1  # M-01 errors: misnumbered sections
    assert "杭州市下城区科技局" in result.output
    assert "M-01" in result.output and "平台建设情况" in result.output
    assert "Traceback" not in result.output


def test_check_clean_report_exits_zero():
    result = run("check", SAMPLES / "2023_示例市交通运输局_无错误.txt")
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.output


def test_json_shape():
    result = run("check", "--format", "json", SAMPLES / "2024_示例市交通运输局_勾稽错误.txt")
    payload = json.loads(result.output)
    report = payload["reports"][0]
    assert set(report) >= {"file", "agency", "year", "template", "status", "findings"}
    assert report["status"] == "errors" and report["template"] == "gb2021" and report["year"] == 2024
    t301 = next(f for f in report["findings"] if f["rule"] == "T3-01")
    assert set(t301) >= {"rule", "severity", "cells", "values", "message_zh", "message_en"}
    assert "t3.new.np" in t301["cells"] and t301["values"]["t3.new.np"] is not None


def test_english_output():
    result = run("check", "--lang", "en", SAMPLES / "2024_示例市交通运输局_勾稽错误.txt")
    assert "Table 3 column np" in result.output


def test_bad_files_exit_2_with_one_line_each_and_the_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.docx").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "notes.txt").write_text("会议纪要\n今天讨论了三件事。\n", encoding="utf-8")
    (tmp_path / "list.txt").write_text(  # prose that quotes labels of the form is not a report either
        "file\tnotes\n2020.txt\t三 sub-rows sum 26 vs （七）总计 20; 本年新收 一 1 + 二 0; 第二十条（六） -185\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.txt"
    good.write_bytes(SAMPLE.read_bytes())
    result = run("check", tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for name in ("empty.txt", "junk.docx", "notes.txt", "list.txt"):
        lines = [ln for ln in result.output.splitlines() if name in ln and "无法读取" in ln]
        assert len(lines) == 1, (name, result.output)
    assert "杭州市下城区科技局" in result.output  # the good file was still checked


def test_missing_file_is_named():
    result = run("check", "/no/such/report.txt")
    assert result.exit_code == 2
    assert "report.txt" in result.output


def test_extract_json_nulls_doubtful_cells_with_reason(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("\t（一）予以公开\n\t0", "\t（一）予以公开\n\t约0", 1)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    result = run("extract", path)
    payload = json.loads(result.output)
    assert payload["template"] == "gb2019" and payload["year"] == 2019
    assert payload["cells"]["t3.res.granted.np"] is None
    assert "不是数字" in payload["unread"]["t3.res.granted.np"]
    assert payload["cells"]["t3.new.np"] == 1


def test_extract_csv():
    result = run("extract", "--format", "csv", SAMPLE)
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("cell,label,value")


def test_rules_list_and_explain():
    listing = run("rules")
    assert "T3-01" in listing.output and "X-05" in listing.output
    explained = run("rules", "T3-01")
    assert "t3.new.np + t3.carried_in.np == t3.res.total.np + t3.carried_out.np" in explained.output
    assert run("rules", "Z-99").exit_code == 2


def test_select_and_ignore():
    result = run(
        "check", "--format", "json", "--select", "T4", SAMPLES / "2024_示例市交通运输局_勾稽错误.txt"
    )
    rules = {f["rule"] for f in json.loads(result.output)["reports"][0]["findings"]}
    assert rules == {"T4-01"}
    result = run(
        "check", "--format", "json", "--ignore", "T,M", SAMPLES / "2024_示例市交通运输局_勾稽错误.txt"
    )
    rules = {f["rule"] for f in json.loads(result.output)["reports"][0]["findings"]}
    assert not any(r.startswith(("T", "M")) for r in rules)


def test_html_report_is_one_page_with_every_finding():
    result = run("check", "--format", "html", SAMPLES / "2024_示例市交通运输局_勾稽错误.txt")
    assert result.exit_code == 1
    page = result.output
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "示例市交通运输局" in page and "T3-01" in page and 'class="error"' in page
    assert "<script" not in page  # nothing from the report is ever executed


def test_local_rules_are_chosen_by_name_and_an_unknown_name_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("OGI_LOCAL", "default")  # restored after the test: --local sets it for the run
    sample = SAMPLES / "2023_示例市交通运输局_无错误.txt"
    published = tmp_path / "2023_示例市交通运输局.txt"
    # published on 1月30日: in time by 条例第四十九条 (1月31日), late for the example province (1月28日)
    published.write_text("发布时间：2024-01-30\n" + sample.read_text(encoding="utf-8"), encoding="utf-8")

    def m05(args):
        result = CliRunner().invoke(main, ["check", "--format", "json", *args, str(published)])
        findings = json.loads(result.stdout)["reports"][0]["findings"]
        return [f["rule"] for f in findings if f["rule"] == "M-05"]

    assert m05([]) == []
    assert m05(["--local", "huaihua"]) == ["M-05"]
    unknown = CliRunner().invoke(main, ["check", "--local", "nowhere", str(sample)])
    assert unknown.exit_code == 2
    assert "nowhere" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1
