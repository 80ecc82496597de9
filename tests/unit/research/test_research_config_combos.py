"""Research config validation, grid expansion and combination keys."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jutsu.errors import ConfigError
from jutsu.research.combos import combo_key, expand_grid
from jutsu.research.config import load_research_config, parse_research_config

ROOT = Path(__file__).resolve().parents[3]


def _cfg(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "strategy": "sma_crossover",
        "start": "2019-01-01",
        "end": "2020-12-31",
        "parameters": {"fast": [5, 10], "slow": [20, 30, 40]},
        "fixed": {"symbol": "QQQ"},
    }
    base.update(over)
    return base


def test_expansion_is_cartesian_in_file_order_last_parameter_fastest() -> None:
    grid = expand_grid(parse_research_config(_cfg()))
    assert [dict(c.varied) for c in grid.combos] == [
        {"fast": 5, "slow": 20},
        {"fast": 5, "slow": 30},
        {"fast": 5, "slow": 40},
        {"fast": 10, "slow": 20},
        {"fast": 10, "slow": 30},
        {"fast": 10, "slow": 40},
    ]
    assert [c.index for c in grid.combos] == list(range(6))
    assert all(c.params["symbol"] == "QQQ" for c in grid.combos)
    assert grid.skipped == 0


def test_range_is_inclusive_and_exact() -> None:
    cfg = parse_research_config(_cfg(parameters={"slow": {"start": 100, "stop": 200, "step": 50}}))
    assert cfg.value_lists() == {"slow": [100, 150, 200]}
    v35 = parse_research_config(
        _cfg(
            strategy="v3_5b",
            fixed={},
            parameters={"upper_thresh_z": {"start": 0.7, "stop": 1.0, "step": 0.1}},
        )
    )
    assert v35.value_lists()["upper_thresh_z"] == [
        Decimal("0.7"),
        Decimal("0.8"),
        Decimal("0.9"),
        Decimal("1"),
    ]


def test_relation_violations_are_skipped_and_counted() -> None:
    grid = expand_grid(parse_research_config(_cfg(parameters={"fast": [10, 30], "slow": [20, 40]})))
    assert [dict(c.varied) for c in grid.combos] == [
        {"fast": 10, "slow": 20},
        {"fast": 10, "slow": 40},
        {"fast": 30, "slow": 40},
    ]
    assert grid.skipped == 1


def test_zero_valid_combinations_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"zero valid combinations .*2 violated"):
        expand_grid(parse_research_config(_cfg(parameters={"fast": [50, 60], "slow": [40]})))


def test_typo_names_the_parameter_and_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        expand_grid(parse_research_config(_cfg(parameters={"fsat": [5]})))
    msg = str(err.value)
    assert "'fsat'" in msg and "fast, slow, symbol" in msg


def test_out_of_range_value_names_the_parameter() -> None:
    with pytest.raises(ConfigError, match="parameter fast=0"):
        expand_grid(parse_research_config(_cfg(parameters={"fast": [0, 5], "slow": [20]})))


@pytest.mark.parametrize(
    ("over", "needle"),
    [
        ({"parameters": {"slow": {"start": 10, "stop": 5, "step": 1}}}, "below start"),
        ({"parameters": {"slow": {"start": 10, "stop": 50, "step": 0}}}, "step must be > 0"),
        ({"parameters": {"slow": []}}, "empty list"),
        ({"parameters": {}}, "at least one parameter"),
        ({"end": "2018-01-01"}, "must be after start"),
        ({"objective": {"metric": "sharp"}}, "unknown metric 'sharp'"),
        ({"slipage": 0.1}, "unknown key 'slipage'"),
        ({"fixed": {"fast": 5}}, "both varied and fixed"),
        (
            {"walk_forward": {"unit": "sessions", "in_sample": 100, "out_of_sample": 50, "step": 20}},
            "would overlap",
        ),
        ({"walk_forward": {"unit": "sessions", "in_sample": 10.5, "out_of_sample": 5}}, "whole number"),
    ],
)
def test_config_errors_are_one_line(over: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as err:
        parse_research_config(_cfg(**over))
    assert "\n" not in str(err.value)


def test_combo_key_is_stable_and_sensitive_to_every_input() -> None:
    params = {"fast": 5, "slow": 20, "symbol": "QQQ"}
    base = combo_key("sma_crossover", params, "f" * 64, "1", context={"start": "2019-01-01"})
    assert base == combo_key(
        "sma_crossover", dict(reversed(params.items())), "f" * 64, "1", context={"start": "2019-01-01"}
    )
    variants = [
        combo_key("sma_crossover", {**params, "fast": 6}, "f" * 64, "1", context={"start": "2019-01-01"}),
        combo_key("sma_crossover", params, "e" * 64, "1", context={"start": "2019-01-01"}),
        combo_key("sma_crossover", params, "f" * 64, "2", context={"start": "2019-01-01"}),
        combo_key("sma_crossover", params, "f" * 64, "1", context={"start": "2019-01-02"}),
        combo_key("buy_and_hold", params, "f" * 64, "1", context={"start": "2019-01-01"}),
    ]
    assert len({base, *variants}) == 6
    assert len(base) == 64


@pytest.mark.parametrize("name", ["sma_crossover_grid.yaml", "v3_5b_grid.yaml"])
def test_shipped_examples_are_valid(name: str) -> None:
    cfg = load_research_config(ROOT / "config" / "research" / name)
    grid = expand_grid(cfg)
    assert grid.combos and cfg.walk_forward is not None


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_research_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("strategy: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_research_config(bad)
