"""validator.locate.digit_runs: splitting run-together cells and choosing splits with the tables' identities.

The worst outcome is a wrong value reported as determined; an honest "ambiguous" is fine. Besides unit
cases, the corpus test reads every crawled .txt report of ../shared/corpus, cuts its 表二/表三/表四 rows
at the row labels (a small stand-in for the locator, written here so the test depends on nothing else),
resolves them with hand-written relations and compares every determined cell with the hand-verified
truth in tests/corpus/truth.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import require_shared

from validator.locate.digit_runs import Relation, Resolution, RunSpec, resolve, split_candidates

C7 = ("count",) * 7
COLS = ("np", "le_com", "le_res", "le_npo", "le_law", "le_oth", "tot")
PARTS = COLS[:-1]


def row_ids(row: str) -> tuple[str, ...]:
    return tuple(f"t3.{row}.{c}" for c in COLS)


def row_total(row: str) -> Relation:
    coeffs = {f"t3.{row}.tot": 1}
    coeffs.update({f"t3.{row}.{c}": -1 for c in PARTS})
    return Relation(coeffs)


def column_sum(total: str, parts: list[str]) -> list[Relation]:
    """total row = Σ part rows, for every column."""
    out = []
    for c in COLS:
        coeffs = {f"t3.{total}.{c}": 1}
        for p in parts:
            coeffs[f"t3.{p}.{c}"] = coeffs.get(f"t3.{p}.{c}", 0) - 1
        out.append(Relation(coeffs))
    return out


def values(res: dict[str, Resolution], ids) -> tuple:
    return tuple(res[i].value for i in ids)


# ------------------------------------------------------------------------------------------------ splits


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6000017", (6, 0, 0, 0, 0, 1, 7)),
        ("10 0 0 0 01", (1, 0, 0, 0, 0, 0, 1)),  # 2024 gaj: spaces shifted by one digit
        ("0 0 0 0 0 00", (0,) * 7),  # 2020 gwhbgs / 2021 czjrj: last two joined
        (" 0 0 00000", (0,) * 7),  # 2024 gaj
        (" 0 0 00 00 0 ", (0,) * 7),  # 2019 ptzhsyq 结转
        ("0000000", (0,) * 7),
    ],
)
def test_single_split(text, expected):
    assert split_candidates(text, C7) == [expected]
    res = resolve([RunSpec(row_ids("new"), text, C7)], [])
    assert values(res, row_ids("new")) == expected
    assert {r.how for r in res.values()} == {"unique"}


def test_misaligned_space_does_not_force_a_value():
    # "200 000121" (2020 ptzhsyq 一、本年新收) = 20,0,0,0,0,1,21; read alone it has four splits
    cands = split_candidates("200 000121", C7)
    assert (20, 0, 0, 0, 0, 1, 21) in cands
    assert len(cands) == 4
    assert split_candidates("20 0 00 0 121", C7) == cands  # （七）总计 of the same table, other spacing
    alone = resolve([RunSpec(row_ids("new"), "200 000121", C7)], [])
    assert alone["t3.new.np"].how == "ambiguous"
    assert alone["t3.new.np"].candidates == (2, 20, 200)
    assert alone["t3.new.le_com"] == Resolution(0, (), "unique")
    with_row = resolve([RunSpec(row_ids("new"), "200 000121", C7)], [row_total("new")])
    assert values(with_row, row_ids("new")) == (20, 0, 0, 0, 0, 1, 21)
    assert with_row["t3.new.np"].how == "identity"
    assert with_row["t3.new.le_res"].how == "unique"  # 0 in every split
    # 2019 ptzhsyq "230 000023": the row total leaves 23,0,0,0,0,0,23 only
    assert len(split_candidates("230 000023", C7)) == 4
    res = resolve([RunSpec(row_ids("new"), "230 000023", C7)], [row_total("new")])
    assert values(res, row_ids("new")) == (23, 0, 0, 0, 0, 0, 23)


def test_whitespace_reading_first_but_not_alone():
    assert split_candidates("12 3", ("count", "count")) == [(12, 3), (1, 23)]
    assert split_candidates("1 23", ("count", "count")) == [(1, 23), (12, 3)]


def test_leading_zeros_are_not_numbers():
    assert split_candidates("0740", ("count", "signed", "count")) == [(0, 7, 40), (0, 74, 0)]
    assert split_candidates("05", ("count",)) == []


def test_signed():
    assert split_candidates("1-10", ("count", "signed")) == [(1, -10)]
    # 2020 gwhbgs 行政许可 (上一年项目数量, 本年增/减, 处理决定数量): the only reading is 1, -1, 0
    assert split_candidates("1-10", ("count", "signed", "count")) == [(1, -1, 0)]
    assert split_candidates("35-15", ("count", "signed")) == [(35, -15)]  # 2020 ptzhsyq 收费
    assert split_candidates("+1036", ("signed",)) == [(1036,)]
    assert split_candidates("16减12", ("count", "signed")) == [(16, -12)]  # 2019 nyncj 收费
    assert split_candidates("-3", ("count",)) == []  # a count has no sign


def test_signed_run_with_several_readings():
    kinds = ("count", "signed", "count")
    ids = ("t2.punishment.prev_items", "t2.punishment.delta", "t2.punishment.decisions")
    # 2020 ptzhsyq 行政处罚 "2648-18538": the minus starts 本年增/减, so 上一年项目数量 is 2648
    assert split_candidates("2648-18538", kinds) == [
        (2648, -1, 8538),
        (2648, -18, 538),
        (2648, -185, 38),
        (2648, -1853, 8),
    ]
    res = resolve([RunSpec(ids, "2648-18538", kinds)], [])
    assert res[ids[0]] == Resolution(2648, (), "unique")
    assert res[ids[1]] == Resolution(None, (-1853, -185, -18, -1), "ambiguous")
    assert res[ids[2]] == Resolution(None, (8, 38, 538, 8538), "ambiguous")
    # a relation (here: the decisions known from elsewhere) settles it
    decided = resolve([RunSpec(ids, "2648-18538", kinds)], [], known={ids[2]: 38})
    assert decided[ids[1]] == Resolution(-185, (), "identity")
    assert decided[ids[2]] == Resolution(38, (), "identity")
    # the bare "-18538" cannot start with a count; as (signed, count) it has four readings
    assert split_candidates("-18538", kinds) == []
    assert resolve([RunSpec(ids, "-18538", kinds)], [])[ids[0]].how == "unreadable"
    assert len(split_candidates("-18538", ("signed", "count"))) == 4


def test_amounts():
    assert split_candidates("73802895.90元", ("amount",)) == [(73802895.9,)]
    assert split_candidates("7816 万元", ("amount",)) == [(7816,)]
    assert split_candidates("24252.311082", ("amount",)) == [(24252.311082,)]
    assert split_candidates("251000元", ("amount",)) == [(251000,)]
    # 2020 ptzhsyq 政府集中采购 "39573802895.90元" (采购项目数量, 采购总金额): 9 readings, none forced
    cands = split_candidates("39573802895.90元", ("count", "amount"))
    assert len(cands) == 9 and (395, 73802895.9) in cands
    ids = ("t2.procurement.items", "t2.procurement.amount")
    res = resolve([RunSpec(ids, "39573802895.90元", ("count", "amount"))], [])
    assert res[ids[0]].how == res[ids[1]].how == "ambiguous"
    assert 73802895.9 in res[ids[1]].candidates
    # the decimal point may cut a cell: "5.12" + "3" is a reading of "5.123" for (amount, count)
    assert split_candidates("5.123", ("amount", "count")) == [(5.1, 23), (5.12, 3)]
    # the unit may only follow an amount
    assert split_candidates("3元5", ("count", "count")) == []
    assert split_candidates("3元5", ("amount", "count")) == [(3, 5)]
    one = resolve([RunSpec(("t2.admin_fees.amount_wan",), "5949.088667", ("amount",))], [])
    value = one["t2.admin_fees.amount_wan"].value
    assert value == 5949.088667 and isinstance(value, float)


def test_full_width_and_commas():
    assert split_candidates("１２　３", ("count", "count")) == [(12, 3), (1, 23)]
    assert split_candidates("1,234,567元", ("amount",)) == [(1234567,)]


@pytest.mark.parametrize("text", ["", "   ", "无", "abc", "—", "1/2", "3件", "."])
def test_garbage_is_unreadable(text):
    assert split_candidates(text, C7) == []
    res = resolve([RunSpec(row_ids("new"), text, C7)], [row_total("new")])
    assert all(r == Resolution(None, (), "unreadable") for r in res.values())


def test_too_few_or_too_many_digits_is_unreadable():
    res = resolve([RunSpec(row_ids("new"), "000000", C7), RunSpec(row_ids("carried_in"), "0", C7)], [])
    assert {r.how for r in res.values()} == {"unreadable"}


def test_limit():
    assert len(split_candidates("1" * 20, C7, limit=10)) == 10
    assert split_candidates("1" * 20, C7, limit=0) == []


def test_bad_arguments():
    with pytest.raises(ValueError):
        split_candidates("1", ("number",))
    with pytest.raises(ValueError):
        resolve([RunSpec(("a", "b"), "12", ("count",))], [])
    with pytest.raises(ValueError):
        resolve([RunSpec(("a",), "1", ("count",)), RunSpec(("a",), "2", ("count",))], [])


# ------------------------------------------------------------------------------------------- relations


def three_rows(r1: str, r2: str, r3: str) -> tuple[list[RunSpec], list[Relation]]:
    """rows r1, r2 and their total r3 (= r1 + r2 per column); every row has its own 总计."""
    runs = [RunSpec(row_ids("r1"), r1, C7), RunSpec(row_ids("r2"), r2, C7), RunSpec(row_ids("r3"), r3, C7)]
    rels = [row_total("r1"), row_total("r2"), row_total("r3")] + column_sum("r3", ["r1", "r2"])
    return runs, rels


def test_column_relation_resolves_an_ambiguous_row():
    # "270020130" is 27,0,0,2,0,1,30 or 2,7,0,0,20,1,30: both satisfy the row total
    row_ok = [c for c in split_candidates("270020130", C7) if c[6] == sum(c[:6])]
    assert sorted(row_ok) == [(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]
    runs, rels = three_rows("270020130", "5000005", "320020135")
    res = resolve(runs, rels)
    assert values(res, row_ids("r1")) == (27, 0, 0, 2, 0, 1, 30)
    assert res["t3.r1.np"].how == "identity"
    assert res["t3.r2.np"].how == "unique"


def test_ambiguous_row_that_nothing_resolves():
    res = resolve([RunSpec(row_ids("r1"), "270020130", C7)], [row_total("r1")])
    assert res["t3.r1.np"] == Resolution(None, (2, 27), "ambiguous")
    assert res["t3.r1.le_com"] == Resolution(None, (0, 7), "ambiguous")
    assert res["t3.r1.le_npo"] == Resolution(None, (0, 2), "ambiguous")
    assert res["t3.r1.le_law"] == Resolution(None, (0, 20), "ambiguous")
    assert res["t3.r1.le_oth"] == Resolution(1, (), "identity")
    assert res["t3.r1.tot"] == Resolution(30, (), "identity")
    # and without any relation, only what every split agrees on
    bare = resolve([RunSpec(row_ids("r1"), "270020130", C7)], [])
    assert bare["t3.r1.le_res"].candidates == (0, 2)  # 2,700,2,0,1,3,0 is a split too
    assert bare["t3.r1.tot"].how == "ambiguous" and 130 in bare["t3.r1.tot"].candidates


def test_two_ambiguous_rows_resolved_jointly():
    # both r1 and r2 ambiguous; only one combination makes the total row add up
    runs, rels = three_rows("270020130", "220000325", "490020455")
    res = resolve(runs, rels)
    assert values(res, row_ids("r1")) == (27, 0, 0, 2, 0, 1, 30)
    assert values(res, row_ids("r2")) == (22, 0, 0, 0, 0, 3, 25)
    assert values(res, row_ids("r3")) == (49, 0, 0, 2, 0, 4, 55)


def test_inconsistent_table_invents_nothing():
    # r1 ambiguous (27|…|30 or 2|7|…|30); the total row fits neither: 自然人 column says 40 = r1 + 5
    runs, rels = three_rows("270020130", "5000005", "400020143")
    res = resolve(runs, rels)
    assert res["t3.r1.np"] == Resolution(None, (2, 27), "ambiguous")
    assert res["t3.r1.le_law"] == Resolution(None, (0, 20), "ambiguous")
    assert res["t3.r1.tot"] == Resolution(30, (), "identity")  # the row's own total still holds
    assert values(res, row_ids("r3")) == (40, 0, 0, 2, 0, 1, 43)  # its own row total decides it


def test_unique_runs_stay_unique_whatever_the_relations_say():
    runs, rels = three_rows("6000017", "1000001", "9000009")  # 6+1 != 9 and 7+1 != 9
    res = resolve(runs, rels)
    assert values(res, row_ids("r1")) == (6, 0, 0, 0, 0, 1, 7)
    assert values(res, row_ids("r3")) == (9, 0, 0, 0, 0, 0, 9)
    assert {r.how for r in res.values()} == {"unique"}


def test_violation_elsewhere_does_not_block_a_resolution():
    # the carried-over balance (row b: new = r3 + out) fails among fixed cells (5 != 49 + 0) whatever is
    # chosen; it says nothing about r1, which the column sums still settle
    runs, rels = three_rows("270020130", "220000325", "490020455")
    runs.append(RunSpec(row_ids("new"), "5000005", C7))
    runs.append(RunSpec(row_ids("out"), "0000000", C7))
    balance = [Relation({f"t3.new.{c}": 1, f"t3.r3.{c}": -1, f"t3.out.{c}": -1}) for c in COLS]
    res = resolve(runs, rels + balance + [row_total("new"), row_total("out")])
    assert values(res, row_ids("r1")) == (27, 0, 0, 2, 0, 1, 30)


def test_a_row_that_contradicts_itself_is_not_chosen_by_others():
    # "2700201300": no split satisfies its own row total; the columns must not pick one for it
    runs, rels = three_rows("2700201300", "5000005", "320020135")
    assert all(c[6] != sum(c[:6]) for c in split_candidates("2700201300", C7))
    res = resolve(runs, rels)
    assert res["t3.r1.np"].how == "ambiguous"
    assert res["t3.r2.np"].how == "unique"


def test_known_values_take_part():
    runs = [RunSpec(row_ids("r1"), "270020130", C7)]
    rels = [row_total("r1"), Relation({"t3.r1.np": 1, "t3.r2.np": 1, "t3.r3.np": -1})]
    res = resolve(runs, rels, known={"t3.r2.np": 5.0, "t3.r3.np": 32.0})  # the locator passes floats
    assert values(res, row_ids("r1")) == (27, 0, 0, 2, 0, 1, 30)
    # a known value of a run cell is an equality
    res = resolve(runs, [row_total("r1")], known={"t3.r1.le_law": 20})
    assert values(res, row_ids("r1")) == (2, 7, 0, 0, 20, 1, 30)
    # a known value that no split matches: the run falls back to its own candidates, nothing invented
    res = resolve(runs, [row_total("r1")], known={"t3.r1.le_law": 5})
    assert res["t3.r1.np"].how == "ambiguous"


def test_relations_with_unknown_cells_are_not_used():
    runs = [RunSpec(row_ids("r1"), "270020130", C7)]
    rels = [row_total("r1"), Relation({"t3.r1.np": 1, "t3.r2.np": 1, "t3.r3.np": -1})]
    res = resolve(runs, rels, known={"t3.r3.np": 32})  # r2 unknown
    assert res["t3.r1.np"].how == "ambiguous"


def test_table4_three_group_totals():
    # 2024 ptzhsyq 表四 "21317000001324019" (17 digits, 15 cells)
    groups = ("review", "suit_direct", "suit_after_review")
    cols = ("upheld", "corrected", "other", "pending", "total")
    ids = tuple(f"t4.{g}.{c}" for g in groups for c in cols)
    rels = [Relation({f"t4.{g}.total": 1, **{f"t4.{g}.{c}": -1 for c in cols[:4]}}) for g in groups]
    res = resolve([RunSpec(ids, "21317000001324019", ("count",) * 15)], rels)
    assert values(res, ids) == (2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19)


# ----------------------------------------------------------------------------- real table: 2021 ptzhsyq

GB2021_ROWS = [
    ("new", "一、本年新收政府信息公开申请数量"),
    ("carried_in", "二、上年结转政府信息公开申请数量"),
    ("res.granted", "（一）予以公开"),
    ("res.partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("res.denied.state_secret", "1.属于国家秘密"),
    ("res.denied.law_prohibited", "2.其他法律行政法规禁止公开"),
    ("res.denied.security_stability", "3.危及“三安全一稳定”"),
    ("res.denied.third_party", "4.保护第三方合法权益"),
    ("res.denied.internal_affairs", "5.属于三类内部事务信息"),
    ("res.denied.process_info", "6.属于四类过程性信息"),
    ("res.denied.enforcement_file", "7.属于行政执法案卷"),
    ("res.denied.admin_query", "8.属于行政查询事项"),
    ("res.unable.not_held", "1.本机关不掌握相关政府信息"),
    ("res.unable.needs_creation", "2.没有现成信息需要另行制作"),
    ("res.unable.unclear", "3.补正后申请内容仍不明确"),
    ("res.not_processed.petition", "1.信访举报投诉类申请"),
    ("res.not_processed.duplicate", "2.重复申请"),
    ("res.not_processed.publication", "3.要求提供公开出版物"),
    ("res.not_processed.excessive", "4.无正当理由大量反复申请"),
    ("res.not_processed.reconfirm", "5.要求行政机关确认或重新出具已获取信息"),
    ("res.other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("res.other.fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("res.other.other", "3.其他"),
    ("res.total", "（七）总计"),
    ("carried_out", "四、结转下年度继续办理"),
]
GB2019_ROWS = GB2021_ROWS[:20] + [("res.other", "（六）其他处理")] + GB2021_ROWS[23:]


def table3_relations(rows: list[str]) -> list[Relation]:
    """T3-03 (row totals), T3-02 (（七）总计 = Σ result rows), T3-01 (new + carried_in = total + out)."""
    rels = [row_total(r) for r in rows]
    results = [r for r in rows if r.startswith("res.") and r != "res.total"]
    rels += column_sum("res.total", results)
    for c in COLS:
        rels.append(
            Relation(
                {
                    f"t3.new.{c}": 1,
                    f"t3.carried_in.{c}": 1,
                    f"t3.res.total.{c}": -1,
                    f"t3.carried_out.{c}": -1,
                }
            )
        )
    return rels


# the table-3 runs of 2021_fujian-pingtan_ptzhsyq.txt, in row order, as they stand in the file
PINGTAN_2021 = [
    "640020470",
    "0000000",
    "270020130",
    "500000 5",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "1000001",
    "0000000",
    "6000006",
    "1000001",
    "220000325",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "0000000",
    "1000001",
    "630020469",
    "1000001",
]


def test_pingtan_2021_resolved_by_column_identities():
    rows = [r for r, _ in GB2021_ROWS]
    runs = [RunSpec(row_ids(r), text, C7) for r, text in zip(rows, PINGTAN_2021)]
    # each ambiguous row alone keeps two readings that satisfy its row total …
    alone = resolve(runs, [row_total(r) for r in rows])
    assert alone["t3.res.granted.np"].candidates == (2, 27)
    assert alone["t3.res.unable.not_held.np"].candidates == (2, 22)
    # … the 自然人 column (（七）总计 63) settles both
    res = resolve(runs, table3_relations(rows))
    assert values(res, row_ids("res.granted")) == (27, 0, 0, 2, 0, 1, 30)
    assert values(res, row_ids("res.unable.not_held")) == (22, 0, 0, 0, 0, 3, 25)
    assert values(res, row_ids("new")) == (64, 0, 0, 2, 0, 4, 70)
    assert values(res, row_ids("res.total")) == (63, 0, 0, 2, 0, 4, 69)
    assert values(res, row_ids("res.partial")) == (5, 0, 0, 0, 0, 0, 5)
    assert all(r.value is not None for r in res.values())


def test_pingtan_2021_runs_are_in_the_file():
    path = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "2021_fujian-pingtan_ptzhsyq.txt"
    require_shared()
    text = path.read_text(encoding="utf-8")
    runs = cut_rows(text[text.index("三、收到和处理") : text.index("四、政府信息公开行政复议")], GB2021_ROWS)
    assert [runs[r] for r, _ in GB2021_ROWS] == PINGTAN_2021


# ----------------------------------------------------------------------------------------------- bounded work
# (speed is measured by `make bench`, never asserted in a unit test)


def test_bad_cases_end_with_an_honest_answer():
    # every row a 9-digit run with several row-consistent readings, linked through the columns
    rows = [r for r, _ in GB2021_ROWS]
    rels = table3_relations(rows)
    bad = [RunSpec(row_ids(r), "270020130", C7) for r in rows]
    res = resolve(bad, rels)
    # the honest answer: no cell invented — each is a doubt with its readings, or a value its row forces
    assert res["t3.new.np"].how == "ambiguous"
    for cell in res.values():
        assert cell.how in ("ambiguous", "identity")
        if cell.how == "ambiguous":
            assert cell.value is None and len(cell.candidates) >= 2
        else:
            assert cell.value is not None
    long = [RunSpec(row_ids(r), "12345678912345678912345", C7) for r in rows[:5]]
    assert resolve(long, rels)["t3.new.np"].how == "ambiguous"


def _random_table(rng: random.Random, busy: float) -> dict[str, list[int]]:
    """A consistent gb2021 表三: every identity holds."""
    rows = [r for r, _ in GB2021_ROWS]
    results = [r for r in rows if r.startswith("res.") and r != "res.total"]
    v: dict[str, list[int]] = {}
    for r in results:
        parts = [
            rng.choice([rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999)])
            if rng.random() < busy
            else 0
            for _ in range(6)
        ]
        v[r] = parts + [sum(parts)]
    total = [sum(v[r][j] for r in results) for j in range(7)]
    v["res.total"] = total
    cin = [rng.randint(0, min(20, total[j])) if rng.random() < busy / 2 else 0 for j in range(6)]
    cout = [rng.randint(0, 20) if rng.random() < busy / 2 else 0 for _ in range(6)]
    v["carried_in"] = cin + [sum(cin)]
    v["carried_out"] = cout + [sum(cout)]
    v["new"] = [total[j] + v["carried_out"][j] - v["carried_in"][j] for j in range(7)]
    return v


def _render(rng: random.Random, vals: list[int]) -> str:
    """Cells run together, with aligned, random (misaligned) or no spaces."""
    mode = rng.random()
    if mode < 0.3:
        return " ".join(map(str, vals))
    text = "".join(map(str, vals))
    if mode < 0.6:
        return "".join(ch + (" " if rng.random() < 0.3 else "") for ch in text)
    return text


@pytest.mark.parametrize("busy", [0.1, 0.3, 0.7])
def test_random_consistent_tables_are_never_read_wrong(busy):
    # when the document is consistent its true reading is always a solution, so anything reported as
    # determined must be the true value, however the cells are run together
    rows = [r for r, _ in GB2021_ROWS]
    rels = table3_relations(rows)
    rng = random.Random(20240601 + int(busy * 100))
    determined = 0
    for _ in range(25):
        table = _random_table(rng, busy)
        runs = [RunSpec(row_ids(r), _render(rng, table[r]), C7) for r in rows]
        res = resolve(runs, rels)
        for r in rows:
            for j, c in enumerate(COLS):
                got = res[f"t3.{r}.{c}"]
                if got.value is not None:
                    determined += 1
                    assert got.value == table[r][j], (r, c, got, runs)
                else:
                    assert got.how == "ambiguous" and table[r][j] in got.candidates, (r, c, got, runs)
    assert determined > 25 * 175 // 2  # and most cells are determined


# ---------------------------------------------------------------------------------------- real corpus

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TRUTH = Path(__file__).parent / "corpus" / "truth"

_RUN_CHARS = re.compile(r"[\s\d０-９.+\-,元万减增]*")


def _label_pattern(label: str) -> re.Pattern:
    parts = []
    for ch in label:
        if ch in '“”"':
            parts.append('[“”"]?')
        elif ch in "（(":
            parts.append("[（(]")
        elif ch in "）)":
            parts.append("[）)]")
        else:
            parts.append(re.escape(ch))
    return re.compile(r"\s*".join(parts))


def cut_rows(segment: str, labels: list[tuple[str, str]]) -> dict[str, str]:
    """Row id → the text right after its label (up to the first character that is not part of a run)."""
    found: list[tuple[str, int, int]] = []
    pos = 0
    for row, label in labels:
        m = _label_pattern(label).search(segment, pos)
        if m is None:
            continue
        found.append((row, m.start(), m.end()))
        pos = m.end()
    out = {}
    for i, (row, _, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(segment)
        run = _RUN_CHARS.match(segment, end, stop).group()
        if re.search(r"\d", run):
            out[row] = run.strip()
    return out


T2_ROWS = {
    "gb2019": [
        ("regulations", "规章", ("count",) * 3, ("new_made", "new_published", "total_published")),
        ("normative_docs", "规范性文件", ("count",) * 3, ("new_made", "new_published", "total_published")),
        ("licensing", "行政许可", ("count", "signed", "count"), ("prev_items", "delta", "decisions")),
        (
            "other_mgmt_services",
            "其他对外管理服务事项",
            ("count", "signed", "count"),
            ("prev_items", "delta", "decisions"),
        ),
        ("punishment", "行政处罚", ("count", "signed", "count"), ("prev_items", "delta", "decisions")),
        ("coercion", "行政强制", ("count", "signed", "count"), ("prev_items", "delta", "decisions")),
        ("admin_fees", "行政事业性收费", ("count", "signed"), ("prev_items", "delta")),
        ("procurement", "政府集中采购", ("count", "amount"), ("items", "amount")),
    ],
    "gb2021": [
        ("regulations", "规章", ("count",) * 3, ("made", "repealed", "valid")),
        ("normative_docs", "规范性文件", ("count",) * 3, ("made", "repealed", "valid")),
        ("licensing", "行政许可", ("count",), ("decisions",)),
        ("punishment", "行政处罚", ("count",), ("decisions",)),
        ("coercion", "行政强制", ("count",), ("decisions",)),
        ("admin_fees", "行政事业性收费", ("amount",), ("amount_wan",)),
    ],
}
T4_IDS = tuple(
    f"t4.{g}.{c}"
    for g in ("review", "suit_direct", "suit_after_review")
    for c in ("upheld", "corrected", "other", "pending", "total")
)


def corpus_case(name: str) -> tuple[list[RunSpec], list[Relation], dict]:
    import yaml

    truth = yaml.safe_load((TRUTH / f"{name}.yaml").read_text(encoding="utf-8"))
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    template = truth["template"]
    runs: list[RunSpec] = []
    # 表二
    t2 = text[text.index("二、主动公开") : text.index("三、收到和处理")]
    rows2 = T2_ROWS[template]
    cut2 = cut_rows(t2, [(row, label) for row, label, _, _ in rows2])
    for row, _, kinds, cols in rows2:
        if row in cut2:
            runs.append(RunSpec(tuple(f"t2.{row}.{c}" for c in cols), cut2[row], kinds))
    # 表三
    start3 = text.index("三、收到和处理")
    end3 = text.index("四、", text.index("结转下年度继续办理", start3))
    labels3 = GB2021_ROWS if template == "gb2021" else GB2019_ROWS
    cut3 = cut_rows(text[start3:end3], labels3)
    rows3 = [r for r, _ in labels3]
    runs += [RunSpec(row_ids(r), cut3[r], C7) for r in rows3 if r in cut3]
    # 表四: the run after the last header label
    t4 = text[end3 : text.index("五、", end3)]
    tail = t4[t4.rindex("总计") + 2 :]
    runs.append(RunSpec(T4_IDS, _RUN_CHARS.match(tail).group().strip(), ("count",) * 15))
    rels = table3_relations(rows3)
    rels += [
        Relation(
            {f"t4.{g}.total": 1, **{f"t4.{g}.{c}": -1 for c in ("upheld", "corrected", "other", "pending")}}
        )
        for g in ("review", "suit_direct", "suit_after_review")
    ]
    return runs, rels, truth


CORPUS_TXT = sorted(p.stem for p in CORPUS.glob("*.txt")) or ["(../shared/corpus is missing)"]


@pytest.mark.parametrize("name", CORPUS_TXT)
def test_corpus_never_wrong_and_tables_3_4_complete(name):
    require_shared()
    runs, rels, truth = corpus_case(name)
    res = resolve(runs, rels)
    cells = truth["cells"]
    wrong = []
    missed = []
    for cell, r in res.items():
        expected = cells[cell]
        if r.value is not None:
            if not isinstance(expected, (int, float)) or isinstance(expected, bool) or expected != r.value:
                wrong.append((cell, r, expected))
        elif isinstance(expected, (int, float)) and not cell.startswith("t2."):
            missed.append((cell, r, expected))
        if r.value is None and isinstance(expected, (int, float)):
            assert r.how == "ambiguous" and expected in r.candidates, (cell, r, expected)
    assert wrong == []
    # tables 3 and 4 have identities: every cell the truth knows is found
    assert missed == []
    t34 = [c for c in res if not c.startswith("t2.")]
    assert len(t34) >= 7 * 23 + 15 - 14  # 2024 scjgj lacks two rows


# ------------------------------------------------------------------------------------ positions lost


def test_deleted_empty_cells_are_placed_by_the_rows_own_total():
    # 5, 1 and the total 6 with four empty cells deleted: only 总计 = parts places them, up to which
    # parts hold the 5 and the 1; the total is certain, the parts are doubts, never a guess
    res = resolve([RunSpec(row_ids("new"), "5 1 6", C7)], [row_total("new")])
    assert res["t3.new.tot"].value == 6
    assert res["t3.new.np"].how == "ambiguous"


def test_whole_figures_with_one_left_are_never_split():
    # “行政事业性收费<TAB>37”: cells were apart, so 37 is one figure in one of two cells, never 3 and 7
    res = resolve([RunSpec(("a", "b"), "37", ("count", "count"), whole=True)], [])
    assert res["a"].value is None and res["b"].value is None
    assert 37 in res["a"].candidates


def test_a_placement_is_never_chosen_through_other_rows():
    # other rows' figures could make a wrong placement fit and hide their own error: not used
    runs = [RunSpec(row_ids("new"), "1 1 2", C7)]
    known = {f"t3.carried_in.{c}": 0 for c in ("np", "le_com", "le_res", "le_npo", "le_law", "le_oth", "tot")}
    res = resolve(runs, [row_total("new"), *table3_relations(["new", "carried_in"])], known)
    assert res["t3.new.tot"].value == 2
    assert {res[f"t3.new.{c}"].how for c in ("np", "le_com")} == {"ambiguous"}


# ------------------------------------------------------------------------- cells run together, some empty


def test_run_together_with_an_empty_cell_deleted_is_never_read_cell_by_cell():
    # 7 | 1 | 0 | (empty) | 0 | 2 | 10 run together as “7100210”: one digit a cell (7,1,0,0,2,1,0) breaks
    # 总计 = parts, so it is not the reading; the readings with deleted empty cells that fit agree on the
    # total only (7 may be 自然人 or, 自然人 empty, 商业企业): the rest are doubts, never a guess
    ids = row_ids("res.partial")
    plain = resolve([RunSpec(ids, "7100210", C7)], [row_total("res.partial")])
    assert plain["t3.res.partial.tot"] == Resolution(0, (), "unique")  # what blanks=False still says
    res = resolve([RunSpec(ids, "7100210", C7, blanks=True)], [row_total("res.partial")])
    assert res["t3.res.partial.tot"] == Resolution(10, (), "identity")
    assert {res[cell].how for cell in ids[:-1]} == {"ambiguous"}
    assert res["t3.res.partial.np"].candidates == (0, 7)
    assert res["t3.res.partial.le_npo"].candidates == (0,)  # 0 or empty: the same figure, still a doubt


def test_what_a_column_settles_a_run_with_empty_cells_reads():
    # 13 | 2 | 0 | (empty) | 0 | 2 | 17 as “13200217”, with 自然人 and 商业企业 known from the column below
    ids = row_ids("res.granted")
    known = {"t3.res.granted.np": 13, "t3.res.granted.le_com": 2}
    res = resolve([RunSpec(ids[2:], "00217", C7[2:], blanks=True)], [row_total("res.granted")], known)
    assert res["t3.res.granted.tot"] == Resolution(17, (), "identity")
    # the 2 is 法律服务机构 or 其他 (the other empty), the cells before it 0 or empty: doubts
    assert res["t3.res.granted.le_res"] == Resolution(None, (0,), "ambiguous")
    assert res["t3.res.granted.le_oth"] == Resolution(None, (0, 2), "ambiguous")


def test_blanks_are_considered_only_when_the_filled_reading_does_not_fit():
    # “6000017” fits with every cell filled: read as before (cells run together, none empty)
    ids = row_ids("new")
    res = resolve([RunSpec(ids, "6000017", C7, blanks=True)], [row_total("new")])
    assert values(res, ids) == (6, 0, 0, 0, 0, 1, 7)
    # too few digits for seven cells: some were empty; the total is the same in every reading
    res = resolve([RunSpec(ids, "55", C7, blanks=True)], [row_total("new")])
    assert res["t3.new.tot"] == Resolution(5, (), "identity")
    assert res["t3.new.np"].how == "ambiguous"
    # no reading fits, with or without empty cells: the row is broken whatever was deleted, and its
    # reading with every cell filled stays (the error is certain)
    res = resolve([RunSpec(ids, "6000018", C7, blanks=True)], [row_total("new")])
    assert values(res, ids) == (6, 0, 0, 0, 0, 1, 8)
