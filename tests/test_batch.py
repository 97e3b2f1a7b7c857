"""`ogi batch`: folders and zips in, every file exactly once out, cross-year rules on the joined frame,
duplicates visible, --resume, and a DIR that stays consistent when a run is interrupted."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from validator.batch import collect, from_file_name, run_batch
from validator.cli import main
from validator.testing.formats import series, write

OUTPUTS = ["summary.xlsx", "reports.csv", "findings.csv", "findings.jsonl", "manifest.json"]


def _reports(out: Path) -> list[dict]:
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _findings(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def _sheet(out: Path, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """One agency 2019–2023 in four formats (2021 breaks the carry-over chain), a second agency in a zip
    with a duplicate year, a broken file and a file that is not a report."""
    root = tmp_path_factory.mktemp("batch-in")
    rng = random.Random(7)
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    reports = series("示例市交通运输局", [2019, 2020, 2021, 2022, 2023], rng)
    # 2021 (gb2021) carries in one application fewer than 2020 (gb2019) carried out: X-01 across the change
    cells = reports[2].figures.cells
    if cells["t3.carried_in.np"] == 0:
        cells["t3.carried_in.np"] = 1
        cells["t3.carried_in.tot"] += 1
        cells["t3.new.np"] = max(cells["t3.new.np"] - 1, 0)
    else:
        cells["t3.carried_in.np"] -= 1
        cells["t3.carried_in.tot"] -= 1
        cells["t3.new.np"] += 1
        cells["t3.new.tot"] += 1
    for report, fmt in zip(reports, ["text", "html", "docx", "xlsx", "text"]):
        write(report, fmt, folder / "sub" if fmt == "docx" else folder)
    other = series("示例县人民政府办公室", [2022, 2023], rng)
    other[1].agency_variant = "示例县 政府办公室"  # written differently in 2023: still one agency
    member_a = write(other[0], "text", root, name="2022_示例县")
    member_b = write(other[1], "html", root, name="2023_示例县")
    dup = write(other[1], "text", root, name="2023_示例县_重复")
    with zipfile.ZipFile(folder / "县.zip", "w") as z:
        for path in (member_a, member_b, dup):
            z.write(path, f"县/{path.name}")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 this is not a word file")
    (folder / "notes.tsv").write_text("not a report\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def audited(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("batch-out") / "out"
    run_batch([corpus], out, jobs=2, quiet=True)
    return out


def test_writes_every_output(audited):
    for name in OUTPUTS:
        assert (audited / name).is_file(), name
    assert (audited / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (audited / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    wb = openpyxl.load_workbook(audited / "summary.xlsx")
    assert wb.sheetnames == ["机关排名", "报告", "问题明细", "规则统计", "跨年", "年度趋势", "说明"]
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.bold
    assert wb["报告"]["A1"].value == "序号" and wb["问题明细"]["A1"].value == "机关"
    assert not list(audited.glob(".ogi-staging*"))


def test_every_input_file_exactly_once(audited, corpus):
    rows = _reports(audited)
    files = [r["文件"] for r in rows]
    assert len(files) == len(set(files)) == 5 + 3 + 1  # 5 reports, 3 zip members, the broken file
    assert sum(1 for f in files if "县.zip!/县/" in f) == 3
    assert len(_sheet(audited, "报告")) == len(rows)
    broken = next(r for r in rows if r["文件"].endswith("broken.docx"))
    assert broken["状态代码"] == "unreadable" and broken["无法读取原因"]
    manifest = json.loads((audited / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == 9 and manifest["status"]["unreadable"] == 1
    assert any(p.endswith("notes.tsv") for p in manifest["ignored_files"])


def test_one_agency_linked_across_years_and_formats(audited):
    rows = [r for r in _reports(audited) if r["机关"] == "示例市交通运输局"]
    assert sorted(int(r["年度"]) for r in rows) == [2019, 2020, 2021, 2022, 2023]
    by_year = {int(r["年度"]): r for r in rows}
    for year in (2020, 2021, 2022, 2023):
        assert Path(by_year[year]["上年报告"]).name.startswith(str(year - 1))
    assert by_year[2019]["上年报告"] == ""
    county = [r for r in _reports(audited) if "示例县" in r["机关"]]
    assert len({r["机关"] for r in county}) == 1, "政府办公室 spelled two ways is one agency"
    assert {r["机关名称（报告所写）"] for r in county} == {"示例县人民政府办公室", "示例县政府办公室"}
    later = next(r for r in county if r["年度"] == "2023" and "跨年核对使用本文件" in r["重复"])
    assert later["上年报告"].endswith("2022_示例县.txt")


def test_template_change_keeps_x01_and_makes_t2_03_not_assessable(audited):
    findings = [f for f in _findings(audited) if f["year"] == 2021 and f["agency"] == "示例市交通运输局"]
    x01 = [f for f in findings if f["rule"] == "X-01"]
    assert x01, "X-01 still applies from 2020 (gb2019) to 2021 (gb2021)"
    assert x01[0]["previous_file"].endswith(".html")  # 2020 was the HTML file
    assert any("上年报告" in where for where in x01[0]["provenance"].values())
    cross = [r for r in _sheet(audited, "跨年") if r["机关"] == "示例市交通运输局" and r["年度"] == 2021]
    t203 = [r for r in cross if r["规则"] == "T2-03"]
    assert t203 and t203[0]["结果"] == "无法判断" and "上一年度使用不同的表格格式" in t203[0]["说明"]
    first = [r for r in _sheet(audited, "跨年") if r["机关"] == "示例市交通运输局" and r["年度"] == 2019]
    assert {r["规则"]: r["结果"] for r in first}["X-01"] == "无法判断"
    assert any("2019年度为新格式首年" in (r["说明"] or "") for r in first if r["规则"] == "X-01")
    later = [r for r in _sheet(audited, "跨年") if r["机关"] == "示例市交通运输局" and r["年度"] == 2023]
    assert {r["规则"]: r["结果"] for r in later}["X-01"] == "一致"
    assert {r["规则"]: r["结果"] for r in later}["T2-03"] == "一致"


def test_duplicates_reported_and_both_kept(audited):
    rows = [r for r in _reports(audited) if "示例县" in r["机关"] and r["年度"] == "2023"]
    assert len(rows) == 2
    assert all(r["重复"].startswith("同一机关同一年度共 2 份") for r in rows)
    used = [r for r in rows if "跨年核对使用本文件" in r["重复"]]
    assert len(used) == 1 and used[0]["文件"].endswith("2023_示例县.html")  # first by file name


def test_agency_reports(audited):
    md = (audited / "agencies" / "示例市交通运输局.md").read_text(encoding="utf-8")
    assert md.startswith("# 示例市交通运输局")
    for year in range(2019, 2024):
        assert f"## {year}年度" in md
    data = json.loads((audited / "agencies" / "示例市交通运输局.json").read_text(encoding="utf-8"))
    assert data["years"] == [2019, 2020, 2021, 2022, 2023] and data["missing_years"] == []
    year_2021 = next(r for r in data["reports"] if r["year"] == 2021)
    assert any(f["rule"] == "X-01" for f in year_2021["findings"]["表三 收到和处理政府信息公开申请情况"])
    assert any(n["rule"] == "T2-03" for n in year_2021["cross_year_not_assessable"])
    assert (audited / "agencies" / "未识别机关.md").exists()  # the broken file has no agency


def test_resume_reuses_cached_results(corpus, tmp_path):
    out = tmp_path / "out"
    first = run_batch([corpus], out, jobs=1, quiet=True)
    assert first.cached == 0
    before = (out / "findings.jsonl").read_text(encoding="utf-8")
    calls = []
    again = run_batch([corpus], out, jobs=1, quiet=True, resume=True, progress=lambda d, t: calls.append(d))
    assert again.cached == 9  # every file, the broken one too (same content, same tool: same one-line error)
    assert (out / "findings.jsonl").read_text(encoding="utf-8") == before
    assert calls == []  # nothing read again
    fresh = run_batch([corpus], out, jobs=1, quiet=True)  # without --resume everything is read again
    assert fresh.cached == 0


def test_interrupted_run_leaves_dir_consistent(corpus, tmp_path):
    out = tmp_path / "out"

    def stop_after_three(done, total):
        if done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch([corpus], out, jobs=1, quiet=True, progress=stop_after_three)
    assert not any((out / name).exists() for name in OUTPUTS), "nothing half-written"
    assert not list(out.glob(".ogi-staging*"))
    cached = list((out / ".ogi-cache").rglob("*.json.z"))
    assert len(cached) == 3 and not list((out / ".ogi-cache").rglob(".tmp-*"))
    complete = run_batch([corpus], out, jobs=1, quiet=True)
    snapshot = {name: (out / name).read_bytes() for name in OUTPUTS}
    with pytest.raises(KeyboardInterrupt):
        run_batch([corpus], out, jobs=2, quiet=True, progress=stop_after_three)
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == snapshot, "the last complete run stays"
    resumed = run_batch([corpus], out, jobs=1, quiet=True, resume=True)
    assert resumed.cached == 9 and len(resumed.entries) == len(complete.entries)


def test_ctrl_c_on_the_command_line(corpus, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "OGI_BATCH_SLOW": "0.5"}
    command = "from validator.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", command, "batch", str(corpus), "--out", str(out), "--jobs", "2"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline and not list((out / ".ogi-cache").rglob("*.json.z")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "--resume" in err.decode()
    assert not any((out / name).exists() for name in OUTPUTS)
    assert not list(out.glob(".ogi-staging*"))


def test_cli_summary_and_exit_code(corpus, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["batch", str(corpus), "--out", str(tmp_path / "o"), "--jobs", "1"])
    assert result.exit_code == 2, result.output  # the broken file
    assert "共 9 份报告" in result.output
    quiet = runner.invoke(
        main, ["batch", str(corpus), "--out", str(tmp_path / "o"), "-j", "1", "-q", "--resume"]
    )
    assert quiet.exit_code == 2 and quiet.output == ""


def test_aliases_link_renamed_agencies(tmp_path):
    rng = random.Random(3)
    folder = tmp_path / "in"
    folder.mkdir()
    old, new = series("淮安市洪泽区人民政府", [2023, 2024], rng)
    old.agency_variant = "洪泽区人民政府"
    write(old, "text", folder)
    write(new, "text", folder)
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("别名,规范名称\n洪泽区人民政府,淮安市洪泽区人民政府\n", encoding="utf-8")
    plain = run_batch([folder], tmp_path / "a", jobs=1, quiet=True)
    assert len({e.agency_key for e in plain.entries}) == 2
    linked = run_batch([folder], tmp_path / "b", jobs=1, quiet=True, aliases=aliases)
    assert len({e.agency_key for e in linked.entries}) == 1
    assert {e.agency_name for e in linked.entries} == {"淮安市洪泽区人民政府"}
    later = next(e for e in linked.entries if e.year == 2024)
    assert later.previous_file and "2023" in later.previous_file


def test_unsafe_zip_members_are_refused_not_dropped(tmp_path):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../escape.txt", "x")
        z.writestr("/abs.txt", "x")
        z.writestr("bomb.txt", b"0" * (20 * 1024 * 1024))
        z.writestr("ok/2023_示例.txt", "2023年示例局政府信息公开工作年度报告\n")
        z.writestr("picture.png", b"\x89PNG")
        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as zi:
            zi.writestr("2022_内层.txt", "text")
        z.write(inner, "nested/inner.zip")
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04garbage")
    collected = collect([archive, tmp_path / "corrupt.zip"], tmp_path / "work")
    by_name = {
        f.display.split("!/", 1)[1] if "!/" in f.display else Path(f.display).name: f for f in collected.files
    }
    assert by_name["../escape.txt"].error and by_name["/abs.txt"].error
    assert "压缩" in by_name["bomb.txt"].error
    assert by_name["ok/2023_示例.txt"].error is None and Path(by_name["ok/2023_示例.txt"].path).is_file()
    assert Path(by_name["nested/inner.zip!/2022_内层.txt"].path).is_file()
    assert by_name["corrupt.zip"].error
    assert any(p.endswith("picture.png") for p in collected.ignored)
    assert not (tmp_path / "escape.txt").exists() and not Path("/abs.txt").exists()
    extracted = [p for p in (tmp_path / "work").rglob("*") if p.is_file()]
    assert all((tmp_path / "work") in p.parents for p in extracted)


def test_gbk_member_names(tmp_path):
    class LegacyName(zipfile.ZipInfo):  # what Windows tools write: GBK bytes, no UTF-8 flag
        def _encodeFilenameFlags(self):
            return self.filename.encode("gbk"), self.flag_bits

    archive = tmp_path / "gbk.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(LegacyName("2023_示例局.txt"), "x")
    collected = collect([archive], tmp_path / "work")
    assert collected.files[0].display.endswith("!/2023_示例局.txt")


def test_agency_and_year_fall_back_to_the_file_name():
    assert from_file_name("reports/2021_平潭综合实验区公安局.txt") == ("平潭综合实验区公安局", 2021)
    assert from_file_name("x.zip!/a/示例市财政局2022年度政府信息公开工作年度报告.docx") == (
        "示例市财政局",
        2022,
    )
    assert from_file_name("2019_fujian-pingtan_ptzhsyq.txt") == (None, 2019)


def test_output_folder_inside_input_is_skipped(tmp_path):
    rng = random.Random(5)
    folder = tmp_path / "in"
    folder.mkdir()
    for report in series("示例市审计局", [2022, 2023], rng):
        write(report, "text", folder)
    run_batch([folder], folder / "out", jobs=1, quiet=True)
    again = run_batch([folder], folder / "out", jobs=1, quiet=True)
    assert len(again.entries) == 2


def test_progress_bar_on_a_terminal(corpus, tmp_path, monkeypatch, capsys):
    import validator.batch.pool

    monkeypatch.setattr(validator.batch.pool, "PROGRESS_DELAY", 0)  # show it at once, however quick the run
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    run = run_batch([corpus], tmp_path / "out", jobs=1)
    assert len(run.entries) == 9
    bar = capsys.readouterr().err
    assert "读取报告" in bar and "9/9" in bar, bar  # the bar counted every file, to the end
    quiet = run_batch([corpus], tmp_path / "out", jobs=1, quiet=True, resume=True)
    assert len(quiet.entries) == 9
    assert "读取报告" not in capsys.readouterr().err  # --quiet: no bar


def test_unreadable_year_is_listed_under_its_agency(tmp_path):
    rng = random.Random(9)
    folder = tmp_path / "in"
    folder.mkdir()
    for report in series("示例市审计局", [2022, 2023], rng):
        write(report, "text", folder)
    (folder / "2024_示例市审计局.docx").write_bytes(b"PK\x03\x04 broken")
    run = run_batch([folder], tmp_path / "out", jobs=1, quiet=True)
    assert len({e.agency_key for e in run.entries}) == 1
    md = (tmp_path / "out" / "agencies" / "示例市审计局.md").read_text(encoding="utf-8")
    assert "## 2024年度" in md and "无法读取" in md


def test_annotate_writes_a_marked_workbook_per_report_with_findings(corpus, tmp_path):
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["batch", str(corpus), "--out", str(out), "-j", "1", "--annotate"])
    assert result.exit_code == 2, result.output
    annotated = sorted((out / "annotated").glob("*.校验.xlsx"))
    with_findings = [
        r for r in _reports(out) if int(r["错误数"] or 0) + int(r["警告数"] or 0) + int(r["提示数"] or 0)
    ]
    assert annotated and len(annotated) == len(with_findings), result.output
    assert f"已写入标注工作簿 {len(annotated)} 份" in result.output
    wb = openpyxl.load_workbook(annotated[0])
    assert wb.sheetnames[0] == "校验结果"
    assert "annotated" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
