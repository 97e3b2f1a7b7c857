"""Last year's stored reports are found by one query (keys folded once per stored agency name, aliases
applied): the latest recorded per agency and year, then the first by file name; never a file of this run,
an unreadable one, or one stored without an agency."""

from __future__ import annotations

import pandas as pd

from validator.engine.identity import agency_key
from validator.store import Store

ROWS = [  # digest, file, agency, year, recorded, error
    ("a1", "2023_甲.txt", "示例市 交通运输局", 2023, "2026-01-01", None),
    ("a2", "2023_甲b.txt", "示例市交通运输局", 2023, "2026-01-03", None),  # latest: wins
    ("a3", "2023_甲c.txt", "示例市交通运输局", 2023, "2026-01-03", None),  # same day, later name
    ("b1", "2023_乙.txt", "乙局", 2023, "2026-01-05", None),
    ("j1", "2023_甲局.txt", "甲局", 2023, "2026-01-08", None),  # 乙局 under this run's aliases, latest
    ("b2", "2023_乙2.txt", "乙局", 2023, "2026-01-06", "读取失败"),  # unreadable: never used
    ("c1", "2023_丙.txt", "丙局", 2023, "2026-01-05", None),  # this run's own file: excluded
    ("n1", "2023.txt", None, 2023, "2026-01-07", None),  # no agency: matches nothing
    ("a4", "2022_甲.txt", "示例市交通运输局", 2022, "2026-01-09", None),  # a year nobody wants
]


def test_one_query_finds_last_years_reports(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        frame = pd.DataFrame(ROWS, columns=["digest", "file", "agency", "year", "recorded", "error"])
        frame["recorded"] = pd.to_datetime(frame["recorded"])
        store.db.register("incoming", frame)
        store.db.execute(
            "INSERT INTO reports (digest, file, agency, year, recorded, error, row_data) "
            "SELECT digest, file, agency, year, recorded, error, 'x'::BLOB FROM incoming"
        )
        aliases = {agency_key("甲局"): (agency_key("乙局"), "乙局")}
        wanted = {
            (agency_key("示例市交通运输局"), 2023),
            (agency_key("乙局"), 2023),
            (agency_key("丙局"), 2023),
        }
        found = store.earlier_found(wanted, aliases, exclude={"c1"})
    assert found == [  # by agency key, then year
        ("2023_甲局.txt（存储库 2026-01-08）", "j1"),
        ("2023_甲b.txt（存储库 2026-01-03）", "a2"),
    ]
