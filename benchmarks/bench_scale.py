"""`make bench`, national scale: `ogi batch` end to end on generated reports, locally and on a Dask cluster,
with the peak memory of the main process — which must not grow with the number of reports (issue 13).

    python -m benchmarks.bench_scale [--n 10000,30000] [--jobs 2] [--cluster local:2] [--keep DIR]

(or OGI_BENCH_SCALE_N, a comma-separated list of sizes; OGI_BENCH_CLUSTER, empty to skip the cluster run).
For each size: N generated reports (benchmarks.bench.generate: both forms, text/HTML/DOCX/XLSX, 3–7 years
per agency) read and validated by `ogi batch` in a fresh process — reports/s, reading and validation time,
peak RSS of the main process (RUSAGE_SELF) and of the largest worker — then, for the first size, the same
folder through `--scheduler local:2`, checked to give the same findings as the local run. Last, the ratio
of the main process's peak for the largest size to that for the first (target ≤ 1.25, and ≤ 1.5 GiB at
100 000). 100 000 reports take well over an hour on a shared 2-core machine, so that size is opt-in:
OGI_BENCH_SCALE_N=10000,100000 make bench.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validator.batch import available_cores

GIB = 1024**3


def sizes_from_env(default: str = "10000") -> list[int]:
    text = os.environ.get("OGI_BENCH_SCALE_N", default)
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        return [int(part) for part in default.split(",")]


def run_phase(folder: Path, out: Path, jobs: int, scheduler: str | None) -> dict:
    """`ogi batch` (through run_batch) in this process; what it took and what it found."""
    from validator.batch import run_batch

    started = time.perf_counter()
    run = run_batch([folder], out, jobs=jobs, quiet=True, scheduler=scheduler)
    seconds = time.perf_counter() - started
    rss_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # the batch's, before the checks
    count, digest = findings_digest(run.entries)
    return {
        "seconds": seconds,
        "read": run.read_seconds,
        "validate": run.validate_seconds,
        "files": len(run.entries),
        "jobs": run.jobs,
        "scheduler": scheduler or "",
        "status": dict(run.tally()),
        "rss_main": rss_main,
        "rss_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "findings": count,
        "digest": digest,
    }


def findings_digest(entries) -> tuple[int, str]:
    """(number of findings, a digest of every file's name with its findings' rules and cells), in one pass
    and in constant memory (the entries may be on disk): each file hashed apart, the hashes summed, so the
    order of the files does not matter and no list of the batch's findings is built in the process whose
    peak memory is measured."""
    import hashlib

    count, total = 0, 0
    for entry in entries:
        found = sorted((f.rule, list(f.cells)) for f in entry.result.findings)
        count += len(found)
        text = json.dumps([Path(entry.file).name, found], ensure_ascii=False)
        total += int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16], "big")
    return count, f"{total % 2**128:032x}"[:16]


def end_to_end(folder: Path, out: Path, jobs: int, scheduler: str | None = None) -> dict:
    """run_phase in a fresh process, so that its peak memory is the batch's own."""
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_scale",
        "--phase",
        str(folder),
        str(out),
        "--jobs",
        str(jobs),
    ]
    command += ["--cluster", scheduler or ""]  # explicit: the phase's own default is the cluster
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def line(label: str, result: dict) -> str:
    return (
        f"{label}: {result['files']:,} reports in {result['seconds']:.1f} s = "
        f"{result['files'] / result['seconds']:,.1f} reports/s (reading {result['read']:.1f} s, validation "
        f"{result['validate']:.2f} s, {result['jobs']} workers); peak RSS main {_mib(result['rss_main'])}, "
        f"largest worker {_mib(result['rss_worker'])}"
    )


def cluster_line(folder: Path, out: Path, scheduler: str, local: dict) -> list[str]:
    """The same folder on a Dask cluster, and whether it found exactly what the local run found."""
    result = end_to_end(folder, out, 1, scheduler)
    same = result["digest"] == local["digest"] and result["status"] == local["status"]
    return [
        line(f"end to end on --scheduler {scheduler}", result),
        f"  same findings and statuses as the local run: {'yes' if same else 'NO'} ({result['findings']:,} findings)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--n", default=None, help="sizes, comma-separated (default OGI_BENCH_SCALE_N or 10000)"
    )
    parser.add_argument("--jobs", type=int, default=available_cores())
    parser.add_argument("--cluster", default=os.environ.get("OGI_BENCH_CLUSTER", "local:2"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--phase", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:  # internal: one batch in its own process
        print(json.dumps(run_phase(args.phase[0], args.phase[1], args.jobs, args.cluster or None)))
        return 0
    from benchmarks.bench import generate, machine

    sizes = [int(s) for s in args.n.split(",")] if args.n else sizes_from_env()
    root = Path(tempfile.mkdtemp(prefix="ogi-bench-scale-")) if args.keep is None else args.keep
    root.mkdir(parents=True, exist_ok=True)
    print(f"ogi bench (scale) — {machine()}")
    peaks: dict[int, int] = {}
    try:
        for i, n in enumerate(sizes):
            folder = root / f"reports-{n}"
            if not folder.exists():
                folder.mkdir()
                started = time.perf_counter()
                generate(n, folder, args.jobs, args.seed)
                print(f"generated {n:,} reports in {time.perf_counter() - started:.1f} s")
            local = end_to_end(folder, root / f"out-{n}", args.jobs)
            assert not local["scheduler"], "the local run must not use the cluster"
            peaks[n] = local["rss_main"]
            print(line(f"end to end, {args.jobs} processes", local))
            if i == 0 and args.cluster:
                print("\n".join(cluster_line(folder, root / f"out-{n}-cluster", args.cluster, local)))
            if args.keep is None:
                shutil.rmtree(folder, ignore_errors=True)
        if len(peaks) > 1:
            first, last = min(peaks), max(peaks)
            print(
                f"main process peak: {_mib(peaks[last])} for {last:,} reports = {peaks[last] / peaks[first]:.2f}× "
                f"the {_mib(peaks[first])} for {first:,} (target ≤ 1.25×; ≤ 1.5 GiB at 100 000)"
            )
        else:
            print(
                "main process peak at one size only: set OGI_BENCH_SCALE_N=10000,30000 (or 100000) to compare"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
