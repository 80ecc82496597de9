"""report.html: one offline file with the charts, the KPI table and (regime only) the cells."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from reporting_builders import build_outcome

from jutsu.reporting.html import format_metric, render_report

_VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base", "wbr", "source"}


class _Checker(HTMLParser):
    """Collects tags and attribute values and checks that every element is closed."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.titles: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "action", "data"} and value:
                self.urls.append(value)
        if tag not in _VOID:
            self.stack.append(tag)
        self._in_title = tag == "title"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "xlink:href"} and value:
                self.urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> (open: {self.stack[-3:]})"
        self.stack.pop()
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles.append(data)


def _parse(text: str) -> _Checker:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == [], f"unclosed elements: {checker.stack}"
    return checker


@pytest.mark.parametrize("regime", [False, True])
def test_report_is_self_contained_and_parses(regime: bool) -> None:
    text = render_report(build_outcome(regime=regime))
    parsed = _parse(text)
    assert parsed.urls == []  # no src/href at all, so nothing can be fetched
    assert not re.search(r"https?://", text)
    assert "@import" not in text and "url(" not in text
    assert "script" not in parsed.tags
    assert len(text) < 300_000


def test_report_has_charts_and_kpis() -> None:
    outcome = build_outcome(regime=False)
    parsed = _parse(render_report(outcome))
    titles = set(parsed.titles)
    for chart in ("Equity vs baseline", "Drawdown", "Monthly returns", "Allocation over time"):
        assert chart in titles
    assert parsed.tags.count("svg") == 4
    assert "Regime cell timeline" not in titles
    text = render_report(outcome)
    assert format_metric("total_return", outcome.strategy_metrics["total_return"]) in text
    assert format_metric("total_return", outcome.baseline_metrics["total_return"]) in text


def test_regime_report_has_cell_timeline() -> None:
    parsed = _parse(render_report(build_outcome(regime=True)))
    assert "Regime cell timeline" in parsed.titles
    assert parsed.tags.count("svg") == 5


def test_short_run_without_year_change_still_renders() -> None:
    text = render_report(build_outcome(days=5))
    _parse(text)
    assert text.count("<svg") == 4


def test_format_metric() -> None:
    assert format_metric("total_return", 0.1234) == "12.34%"
    assert format_metric("max_drawdown", -0.05) == "-5.00%"
    assert format_metric("sharpe", 1.23456) == "1.235"
    assert format_metric("sortino", float("inf")) == "∞"
    assert format_metric("closed_trades", 12) == "12"
    assert format_metric("beta", None) == "n/a"


def test_monthly_returns_compound_and_start_from_capital() -> None:
    import datetime as dt

    from jutsu.reporting.tables import monthly_returns

    dates = [dt.date(2020, 1, 2), dt.date(2020, 1, 31), dt.date(2020, 2, 28), dt.date(2021, 1, 29)]
    values = [105.0, 110.0, 121.0, 60.5]
    m = monthly_returns(dates, values, 100.0)
    assert m.by_year[2020][0] == pytest.approx(0.10)  # January against the capital, not 105
    assert m.by_year[2020][1] == pytest.approx(0.10)
    assert m.by_year[2020][2] is None
    assert m.year_total[2020] == pytest.approx(0.21)
    assert m.by_year[2021][0] == pytest.approx(-0.5)
    assert m.year_total[2021] == pytest.approx(-0.5)
