"""Which agency and year a report belongs to, and the key that links one agency's reports across years.

Pure functions over names and metadata: the agency key (width, spaces, brackets and office-name variants
folded), the file-name fallback (2021_平潭综合实验区公安局.txt), the alias CSV of ``ogi batch --aliases``,
and hints of agencies that may be one under two names.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_NAME_NOISE = re.compile(
    r"20\d{2}\s*年?度?|政府信息公开工作的?年度报告|政府信息公开年报|年度报告|[（(]?全文[)）]?"
)


def agency_key(name: str | None) -> str:
    """One key per agency across years: width, spaces, brackets and office-name variants folded."""
    if not name:
        return ""
    key = unicodedata.normalize("NFKC", name)
    key = re.sub(r"[\s\"'“”‘’《》「」·・•]", "", key)
    key = key.replace("(", "（").replace(")", "）")
    key = key.replace("人民政府办公室", "政府办公室").replace("人民政府办公厅", "政府办公厅")
    key = re.sub(r"^关于|的$", "", key)
    return key.lower()


def from_file_name(display: str) -> tuple[str | None, int | None]:
    """Agency and year from a file name such as 2021_平潭综合实验区公安局.txt (the fallback)."""
    stem = Path(display.split("!/")[-1]).stem
    year_match = _YEAR_IN_NAME.search(stem)
    year = int(year_match.group(1)) if year_match else None
    agency = _NAME_NOISE.sub(" ", stem)
    agency = re.sub(r"[_\-\s]+", " ", agency).strip()
    if not agency or not re.search(r"[\u4e00-\u9fff]", agency):
        return None, year
    agency = max(agency.split(" "), key=len) if " " in agency else agency
    return agency, year


def load_aliases(path: str | Path | None) -> dict[str, tuple[str, str]]:
    """Alias CSV (variant,canonical; a header row is optional) → {key of variant: (canonical key, name)}."""
    if not path:
        return {}
    out: dict[str, tuple[str, str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            cells = [c.strip() for c in row if c.strip()]
            if len(cells) < 2 or cells[0].startswith("#"):
                continue
            variant, canonical = cells[0], cells[1]
            if (variant, canonical) in {
                ("variant", "canonical"),
                ("别名", "规范名称"),
                ("机关名称", "规范名称"),
            }:
                continue
            out[agency_key(variant)] = (agency_key(canonical), canonical)
            out.setdefault(agency_key(canonical), (agency_key(canonical), canonical))
    return out


def identify(row, display: str, aliases: dict[str, tuple[str, str]]) -> None:
    """Set the row's display name, fall back to the file name for agency/year, apply the aliases."""
    row.meta = identity(dict(row.meta), display, aliases)


def identity(meta: dict, display: str, aliases: dict[str, tuple[str, str]]) -> dict:
    """Agency and year as the document states them, else as the file name gives them; the agency key
    that links years (aliases applied). Also for files that could not be read (meta empty)."""
    meta["source"] = display
    meta["agency_from"] = "document" if meta.get("agency") else None
    meta["year_from"] = "document" if meta.get("year") else None
    if not meta.get("agency") or not meta.get("year"):
        agency, year = from_file_name(display)
        if not meta.get("agency") and agency:
            meta["agency"], meta["agency_from"] = agency, "file_name"
        if not meta.get("year") and year:
            meta["year"], meta["year_from"] = year, "file_name"
    key = agency_key(meta.get("agency"))
    meta["agency_name"] = meta.get("agency") or ""
    if key in aliases:
        key, meta["agency_name"] = aliases[key]
    meta["agency_key"] = key
    return meta


def alias_hints(entries, limit: int = 50) -> list[tuple[str, str]]:
    """Agencies that may be one under two names: one name ends the other (洪泽区人民政府 / 淮安市洪泽区人民政府)
    and they never report for the same year. Not linked automatically; shown so that --aliases can."""
    years: dict[str, set] = defaultdict(set)
    names: dict[str, str] = {}
    for entry in entries:
        if entry.agency_key:
            years[entry.agency_key].add(entry.year)
            names[entry.agency_key] = entry.agency_name or entry.agency
    out = []
    for key in sorted(years):
        for start in range(1, len(key) - 3):
            short = key[start:]
            if short in years and not (years[short] & years[key]):
                out.append((names[short], names[key]))
                break
        if len(out) >= limit:
            break
    return out
