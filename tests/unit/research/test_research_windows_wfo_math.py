"""Walk-forward window arithmetic, OOS stitching, efficiency and parameter stability."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jutsu.errors import BacktestError, ConfigError
from jutsu.research.config import WalkForwardSection
from jutsu.research.walkforward import efficiency, parameter_stability, stitch_returns
from jutsu.research.windows import make_windows

D0 = dt.date(2020, 1, 1)
SESSIONS = [D0 + dt.timedelta(days=i) for i in range(20)]  # index i <-> day i


def _spec(**kw: object) -> WalkForwardSection:
    return WalkForwardSection.model_validate({"unit": "sessions", **kw})


def _idx(windows: list) -> list[tuple[int, int, int, int]]:  # type: ignore[type-arg]
    return [
        (
            (w.is_start - D0).days,
            (w.is_end - D0).days,
            (w.oos_start - D0).days,
            (w.oos_end - D0).days,
        )
        for w in windows
    ]


def test_rolling_windows_in_sessions() -> None:
    # IS 8, OOS 4, step 4 over 20 sessions: [0..7|8..11], [4..11|12..15], [8..15|16..19]
    windows = make_windows(
        SESSIONS, _spec(mode="rolling", in_sample=8, out_of_sample=4, step=4), SESSIONS[0], SESSIONS[-1]
    )
    assert _idx(windows) == [(0, 7, 8, 11), (4, 11, 12, 15), (8, 15, 16, 19)]
    assert all(w.is_sessions == 8 and w.oos_sessions == 4 for w in windows)


def test_anchored_windows_grow_from_the_first_session() -> None:
    windows = make_windows(
        SESSIONS, _spec(mode="anchored", in_sample=8, out_of_sample=4, step=4), SESSIONS[0], SESSIONS[-1]
    )
    assert _idx(windows) == [(0, 7, 8, 11), (0, 11, 12, 15), (0, 15, 16, 19)]
    assert [w.is_sessions for w in windows] == [8, 12, 16]


def test_step_longer_than_oos_leaves_gaps_and_partial_tail_is_dropped() -> None:
    windows = make_windows(SESSIONS, _spec(in_sample=5, out_of_sample=3, step=6), SESSIONS[0], SESSIONS[-1])
    assert _idx(windows) == [(0, 4, 5, 7), (6, 10, 11, 13), (12, 16, 17, 19)]
    windows = make_windows(SESSIONS, _spec(in_sample=6, out_of_sample=4, step=4), SESSIONS[0], SESSIONS[-1])
    assert _idx(windows) == [(0, 5, 6, 9), (4, 9, 10, 13), (8, 13, 14, 17)]  # next needs sessions 18..21


def test_year_windows_follow_the_calendar() -> None:
    days = [dt.date(2010, 1, 1) + dt.timedelta(days=i) for i in range(2191)]  # 2010-01-01 .. 2015-12-31
    spec = WalkForwardSection(unit="years", in_sample=Decimal(2), out_of_sample=Decimal(1))
    windows = make_windows(days, spec, days[0], days[-1])
    # IS = [origin, origin + 730.5 d) = up to 2012-01-01 12:00
    # OOS up to origin + 1095.75 d = 2012-12-31 18:00
    w0 = windows[0]
    assert (w0.is_start, w0.is_end) == (dt.date(2010, 1, 1), dt.date(2012, 1, 1))
    assert (w0.oos_start, w0.oos_end) == (dt.date(2012, 1, 2), dt.date(2012, 12, 31))
    # slide 365.25 d: IS from 2011-01-01 06:00, OOS from +730.5 d = 2012-12-31 18:00 (2012 is a leap year)
    w1 = windows[1]
    assert (w1.is_start, w1.is_end, w1.oos_start) == (
        dt.date(2011, 1, 2),
        dt.date(2012, 12, 31),
        dt.date(2013, 1, 1),
    )
    # the k-th OOS ends at 1095.75 + 365.25·k days <= 2191 days → k = 0, 1, 2
    assert len(windows) == 3


def test_windows_that_do_not_fit_are_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"do not fit the data.*20 sessions"):
        make_windows(SESSIONS, _spec(in_sample=18, out_of_sample=4), SESSIONS[0], SESSIONS[-1])
    with pytest.raises(ConfigError, match="at least 2"):
        make_windows(SESSIONS, _spec(in_sample=5, out_of_sample=1), SESSIONS[0], SESSIONS[-1])


def test_stitched_curve_chains_the_window_returns() -> None:
    a = ([dt.date(2020, 1, 2), dt.date(2020, 1, 3)], [0.10, -0.05])
    b = ([dt.date(2020, 1, 6), dt.date(2020, 1, 7)], [0.02, 0.01])
    dates, equity = stitch_returns([a, b], 1000.0)
    assert dates == a[0] + b[0]
    expected = [1100.0, 1100.0 * 0.95, 1100.0 * 0.95 * 1.02, 1100.0 * 0.95 * 1.02 * 1.01]
    assert equity == pytest.approx(expected, rel=1e-12)
    with pytest.raises(BacktestError, match="overlap"):
        stitch_returns([b, a], 1000.0)


def test_efficiency_on_a_constructed_case() -> None:
    assert efficiency(0.05, 0.20) == pytest.approx(0.25)
    assert efficiency(-0.10, 0.20) == pytest.approx(-0.5)
    assert efficiency(0.05, 0.0) is None  # undefined: in-sample made nothing
    assert efficiency(0.05, -0.1) is None
    assert efficiency(None, 0.1) is None


def test_parameter_stability_cv() -> None:
    out = parameter_stability(
        ["fast", "flag", "z"],
        [{"fast": 10, "flag": True, "z": "0.5"}, {"fast": 30, "flag": False, "z": "1.5"}],
    )
    fast, flag, z = out
    assert fast.values == (10, 30) and fast.mean == 20 and fast.std == 10 and fast.cv == pytest.approx(0.5)
    assert flag.cv is None  # booleans are not numbers here
    assert z.mean == pytest.approx(1.0) and z.cv == pytest.approx(0.5)
