"""The locator's and the run solver's tolerances are validated records: bad values are refused."""

from __future__ import annotations

import pytest

from validator.locate import LocateSettings
from validator.locate.digit_runs import RunLimits


def test_defaults_are_valid():
    assert LocateSettings().heading_line_max == 40
    assert RunLimits().split_limit == 5000


@pytest.mark.parametrize(
    "kwargs",
    [{"heading_line_max": 0}, {"prose_min_cjk": -1}, {"title_scan_blocks": 1.5}, {"agency_min_len": 50}],
)
def test_bad_locate_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        LocateSettings(**kwargs)


@pytest.mark.parametrize("kwargs", [{"split_limit": 0}, {"run_budget": 10**9}, {"sumset_cap": True}])
def test_bad_run_limits_are_refused(kwargs):
    with pytest.raises(ValueError):
        RunLimits(**kwargs)
