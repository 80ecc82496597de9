"""Which date ranges an incremental sync asks the vendor for (platform spec §5.5 step 1)."""

from __future__ import annotations

from datetime import date

from jutsu.data.sync import plan_ranges

D = date


def test_nothing_stored_fetches_the_whole_window() -> None:
    assert plan_ranges(D(2020, 1, 1), D(2020, 12, 31), None, None) == [(D(2020, 1, 1), D(2020, 12, 31))]


def test_start_inside_stored_data_fetches_only_after_the_last_bar() -> None:
    assert plan_ranges(D(2020, 3, 1), D(2020, 12, 31), D(2020, 1, 2), D(2020, 6, 30)) == [
        (D(2020, 7, 1), D(2020, 12, 31))
    ]


def test_start_after_the_last_bar_fetches_from_start() -> None:
    assert plan_ranges(D(2020, 9, 1), D(2020, 12, 31), D(2020, 1, 2), D(2020, 6, 30)) == [
        (D(2020, 9, 1), D(2020, 12, 31))
    ]


def test_start_before_the_first_bar_backfills_and_tops_up() -> None:
    assert plan_ranges(D(2019, 1, 1), D(2020, 12, 31), D(2020, 1, 2), D(2020, 6, 30)) == [
        (D(2019, 1, 1), D(2020, 1, 1)),
        (D(2020, 7, 1), D(2020, 12, 31)),
    ]


def test_up_to_date_or_empty_window_fetches_nothing() -> None:
    assert plan_ranges(D(2020, 1, 2), D(2020, 6, 30), D(2020, 1, 2), D(2020, 6, 30)) == []
    assert plan_ranges(D(2020, 2, 1), D(2020, 1, 1), None, None) == []
