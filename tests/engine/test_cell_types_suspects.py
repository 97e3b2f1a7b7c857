"""The cell-type schema runs only over the reports a numpy pass picks: that pass must pick exactly the
rows the pandera schema refuses (negative, not whole, infinite values; NaN never), for every table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.errors as pe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.catalogue import load_catalogue
from validator.engine.checks.cell_types import _refusable, _schema, _suspects

VALUES = st.sampled_from([0.0, 1.0, 7.0, 2.5, -1.0, -0.5, np.nan, np.inf, -np.inf, 1e12, 0.1, -0.0])


def refused_rows(table: str, block: np.ndarray) -> set[int]:
    schema, cell_ids = _schema(load_catalogue(), table)
    try:
        schema.validate(pd.DataFrame(block, columns=cell_ids), lazy=True)
    except pe.SchemaErrors as err:
        cases = err.failure_cases
        return {int(i) for i in cases.loc[cases["index"].notna(), "index"]}
    return set()


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_rows_picked_are_the_rows_the_schema_refuses(table, data):
    catalogue = load_catalogue()
    _, cell_ids = _schema(catalogue, table)
    n = data.draw(st.integers(1, 6))
    block = np.zeros((n, len(cell_ids)))
    for _ in range(data.draw(st.integers(0, 8))):  # a few odd values at random places
        r, c = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, len(cell_ids) - 1))
        block[r, c] = data.draw(VALUES)
    chunk = data.draw(st.integers(1, 4))  # rows are looked at in blocks: across block ends too
    picked = set(np.nonzero(_suspects(block, *_refusable(catalogue, table), chunk=chunk))[0].tolist())
    assert picked == refused_rows(table, block)
