"""OCR reading cost and accuracy on generated scans (issue 14): seconds per page (median, p90) of reading
image-only PDFs the ordinary way (read_report: OCR, table structure, the locator), and the share of the
form's cells read right, in doubt, or wrong without a doubt, against the generator's truth
(validator.testing.scans). Skipped with a message when the OCR extra or LibreOffice is missing.

Run: .venv/bin/python -m benchmarks.bench_ocr [reports] [seed]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class OcrBench:
    """What reading the scans cost and found."""

    reports: int = 0
    pages: int = 0
    per_page: list[float] = field(default_factory=list)  # seconds per page, one figure per document
    cells: int = 0
    right: int = 0
    doubts: int = 0
    wrong: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    injected: int = 0
    injected_found: int = 0
    false_errors: list[str] = field(default_factory=list)  # error findings on consistent reports
    skipped: str | None = None


def missing() -> str | None:
    """Why the benchmark cannot run here, or None."""
    from validator.readers.convert import find_soffice
    from validator.readers.ocr import available

    if not available():
        return 'OCR not measured: the OCR extra is not installed (pip install -e ".[ocr]")'
    if find_soffice() is None:
        return "OCR not measured: LibreOffice is not installed (scans are generated from printed reports)"
    return None


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def run(n: int = 4, seed: int = 2024) -> OcrBench:
    """Generate ``n`` scanned reports (both formats, every other one with an injected error), read each."""
    out = OcrBench(skipped=missing())
    if out.skipped or n <= 0:
        out.skipped = out.skipped or "OCR not measured (0 reports asked)"
        return out
    from validator.api import read_one, validate_reports
    from validator.testing.scans import scan_sample, score, write_scans

    base = seed % 1000  # a seed like 2024 in the file name would read as the report's year (M-07)
    items = [scan_sample(base + k, ("gb2019", "gb2021")[k % 2], error=bool(k % 2)) for k in range(n)]
    with tempfile.TemporaryDirectory(prefix="ogi-bench-ocr-") as tmp:
        scans = write_scans(items, Path(tmp), ("pdf",))
        read_one(scans[0].pages[-1])  # warm up on one page picture: the OCR models load once per process
        for scan in scans:
            started = time.perf_counter()
            outcome = read_one(scan.pdf)
            seconds = time.perf_counter() - started
            out.reports += 1
            out.pages += len(scan.pages)
            out.per_page.append(seconds / len(scan.pages))
            if outcome.report is None:
                out.unread.append(f"{scan.pdf.name}: {outcome.error}")
                continue
            cells = score(scan.sample, outcome.report)
            out.cells += cells.cells
            out.right += cells.right
            out.doubts += len(cells.doubts)
            out.wrong += [f"{scan.stem}: {w}" for w in cells.wrong]
            (result,) = validate_reports([outcome.report])
            errors = [f for f in result.findings if f.severity == "error"]
            injected = scan.sample.injected
            if injected is None:
                out.false_errors += [f"{scan.stem}: {f.rule} {f.message_zh[:60]}" for f in errors]
                continue
            out.injected += 1
            out.injected_found += any(f.rule in injected.rules and injected.cell in f.cells for f in errors)
    return out


def report(bench: OcrBench) -> list[str]:
    if bench.skipped:
        return [bench.skipped]
    median, p90 = statistics.median(bench.per_page), _p90(bench.per_page)
    lines = [
        f"OCR of scanned PDFs (150 dpi grey, rotated 0.3–1°, blurred): {bench.reports} reports, "
        + f"{bench.pages} pages; seconds per page (a report's reading time over its pages) median {median:.2f} s, "
        + f"p90 {p90:.2f} s",
        f"  cells right {bench.right}/{bench.cells} = {100 * bench.right / max(1, bench.cells):.2f} % "
        + f"(target ≥ 98 %); in doubt {bench.doubts}; wrong without a doubt {len(bench.wrong)}; "
        + f"injected errors found {bench.injected_found}/{bench.injected}; "
        + f"error findings on consistent reports {len(bench.false_errors)}",
    ]
    lines += [f"  wrong without a doubt: {w}" for w in bench.wrong[:10]]
    lines += [f"  error on a consistent report: {e}" for e in bench.false_errors[:10]]
    lines += [f"  unread: {u}" for u in bench.unread]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 4
    seed = int(argv[1]) if len(argv) > 1 else 2024
    print("\n".join(report(run(n, seed))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
