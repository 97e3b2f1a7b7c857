"""Reading time per report (median of N runs) for HTML, DOCX, XLSX and the corpus PDFs.

Run: .venv/bin/python benchmarks/bench_readers.py [runs]
The DOCX and XLSX are the Shanghai 2019 report re-typeset with merged cells (see readers_build).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "readers"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from readers_build import CORPUS, docx_from_document, xlsx_from_document

from validator.readers import read_document


def median_ms(path: Path, runs: int) -> float:
    read_document(path)  # warm imports and caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        read_document(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    html = CORPUS / "2019_shanghai_szfbgt.html"
    with tempfile.TemporaryDirectory() as tmp:
        doc = read_document(html)
        docx = Path(tmp) / "shanghai.docx"
        docx.write_bytes(docx_from_document(doc))
        xlsx = Path(tmp) / "shanghai.xlsx"
        xlsx_from_document(doc, xlsx)
        files = [html, docx, xlsx, *sorted(CORPUS.glob("*.pdf"))]
        for path in files:
            n = runs if path.suffix != ".pdf" else max(3, runs // 4)
            print(f"{path.name:40s} {median_ms(path, n):8.2f} ms  (median of {n})")


if __name__ == "__main__":
    main()
