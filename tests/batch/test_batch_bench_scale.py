"""benchmarks/bench_scale.py (`make bench`, issue 13) runs on tiny sizes and prints every figure it promises."""

from __future__ import annotations

from benchmarks import bench_scale


def test_bench_scale_prints_local_cluster_and_memory_ratio(capsys, tmp_path):
    assert (
        bench_scale.main(["--n", "12,24", "--jobs", "2", "--cluster", "local:2", "--keep", str(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    for text in (
        "generated 12 reports",
        "end to end, 2 processes: 12 reports",
        "end to end, 2 processes: 24 reports",
        "end to end on --scheduler local:2: 12 reports",
        "same findings and statuses as the local run: yes",
        "reports/s",
        "peak RSS main",
        "main process peak:",
    ):
        assert text in out, (text, out)


def test_the_local_phase_runs_without_the_cluster(tmp_path, monkeypatch):
    from benchmarks.bench import generate

    monkeypatch.setenv("OGI_BENCH_CLUSTER", "local:2")
    (tmp_path / "in").mkdir()
    generate(6, tmp_path / "in", 1, 1)
    assert bench_scale.end_to_end(tmp_path / "in", tmp_path / "out", 1)["scheduler"] == ""
    assert bench_scale.end_to_end(tmp_path / "in", tmp_path / "out", 1, "local:1")["scheduler"] == "local:1"


def test_sizes_from_the_environment(monkeypatch):
    monkeypatch.setenv("OGI_BENCH_SCALE_N", "10000, 100000")
    assert bench_scale.sizes_from_env() == [10000, 100000]
    monkeypatch.setenv("OGI_BENCH_SCALE_N", "many")
    assert bench_scale.sizes_from_env() == [10000]
