"""Reading time per report (median over N documents, best of R reads each) for text, HTML, DOCX and XLSX
documents that look like real ones (benchmarks/realistic.py: full narrative, Word's styles and numbering
parts, the form's merged cells), and for the corpus PDFs. Wall-clock and CPU time are both printed: on a
shared machine the CPU time is the steadier figure.

Run: .venv/bin/python -m benchmarks.bench_readers [documents per format] [reads per document]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import realistic
from validator.api import read_report

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def medians(paths: list[Path], reads: int) -> tuple[float, float]:
    """Median over the documents of each one's fastest read: (wall ms, CPU ms)."""
    read_report(paths[0])  # warm imports and caches
    wall, cpu = [], []
    for path in paths:
        best_wall = best_cpu = float("inf")
        for _ in range(reads):
            started, started_cpu = time.perf_counter(), time.process_time()
            read_report(path)
            best_wall = min(best_wall, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - started_cpu)
        wall.append(best_wall)
        cpu.append(best_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    reads = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, paths in realistic.write(Path(tmp), count).items():
            wall, cpu = medians(paths, reads)
            size = statistics.median(p.stat().st_size for p in paths) / 1024
            print(
                f"{suffix:6s} {wall:7.2f} ms wall {cpu:7.2f} ms CPU  ({len(paths)} documents, ~{size:.0f} KiB)"
            )
    for path in sorted(CORPUS.glob("*.pdf")):
        wall, cpu = medians([path], max(1, reads))
        print(f"{path.name:40s} {wall:8.2f} ms wall {cpu:8.2f} ms CPU")


if __name__ == "__main__":
    main()
