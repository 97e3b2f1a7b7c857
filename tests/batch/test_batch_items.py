"""The batch's per-file items in columns (validator.batch.items.ReadItems): every field reads back exactly
what was put in — names that are not UTF-8, zip members' paths, hashes whatever their bytes, agencies and
years of any kind — and writes through its views, as the list of ReadItem objects it replaces did."""

from __future__ import annotations

import hashlib

import pytest

from validator.batch.inputs import InputFile
from validator.batch.items import ReadItems
from validator.batch.pool import ReadItem


def _digest(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _zero_ended() -> str:
    """A sha256 whose last byte is 0 (a fixed-width bytes column would cut it)."""
    n = 0
    while not (digest := _digest(str(n))).endswith("00"):
        n += 1
    return digest


FILES = [
    InputFile("年报/2023_示例局.docx", "年报/2023_示例局.docx", _digest("a")),
    InputFile("包.zip!/2022_某镇.xlsx", "/tmp/ogi-batch-1-x/zip-1/000001-2022_某镇.xlsx", _zero_ended()),
    InputFile("年报/\udcb0\udca1.txt", "年报/\udcb0\udca1.txt", None),  # a GBK name as os.walk gives it
    InputFile("缺失.docx", error="缺失.docx: 文件不存在 (no such file)"),
    InputFile("奇怪.txt", "奇怪.txt", "not-a-sha256"),
]


def test_items_give_back_what_collect_found():
    items = ReadItems.of(FILES)
    assert len(items) == len(FILES)
    for item, source in zip(items, FILES):
        assert item.input.display == source.display
        assert item.input.path == source.path
        assert item.input.digest == source.digest
        assert item.input.error == source.error
        assert item.error == source.error  # a file that could not be taken is an error from the start
        assert item.ident is None and item.cached is False and item.seconds == 0.0
    assert items[-1].input.display == "奇怪.txt"
    with pytest.raises(IndexError):
        items[len(FILES)]


def test_views_write_through():
    items = ReadItems.of(FILES)
    items[0].ident = ("示例局", 2023)
    items[1].ident = ("示例局", 2022)  # the same agency: its name held once
    items[2].ident = (None, None)
    items[4].ident = ("某镇", "2021年")  # a year as text comes back as text
    items[0].error, items[0].seconds, items[0].cached = "x: 读取失败", 1.5, True
    items[0].input.digest = _digest("b")
    assert items[0].ident == ("示例局", 2023) and items[1].ident == ("示例局", 2022)
    assert items[2].ident == (None, None) and items[4].ident == ("某镇", "2021年")
    assert (items[0].error, items[0].seconds, items[0].cached) == ("x: 读取失败", 1.5, True)
    assert items[0].input.digest == _digest("b") and items[0].input.error is None
    assert items.cached_count() == 1
    items[0].error, items[0].ident = None, None
    assert items[0].error is None and items[0].ident is None
    assert items._agencies == ["示例局", "某镇"]


def test_items_grow_and_join_other_items():
    items = ReadItems()
    for n in range(40):  # past the first capacity
        items.append(InputFile(f"f{n}.txt", f"f{n}.txt", _digest(str(n))))
    items[39].ident = ("局", 2020)
    context = [ReadItem(InputFile("旧.txt（存储库 2024-01-01）", None, _digest("old")), ident=("局", 2019))]
    joined = items + context
    assert len(joined) == 41 and len(items) == 40
    assert [i.input.display for i in joined[38:]] == ["f38.txt", "f39.txt", "旧.txt（存储库 2024-01-01）"]
    assert joined[39].ident == ("局", 2020) and joined[40].ident == ("局", 2019)
    assert joined[40].input.path is None and joined[40].input.digest == _digest("old")
    assert [i.input.digest for i in items] == [_digest(str(n)) for n in range(40)]
