"""Registry and strategy-file loading, and building strategies with --param overrides."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jutsu.errors import ConfigError
from jutsu.strategies.catalog import STRATEGY_CLASSES
from jutsu.strategies.hierarchical_adaptive import HierarchicalAdaptiveV35b, HierarchicalAdaptiveV35d
from jutsu.strategies.registry import (
    build_strategy,
    load_registry,
    load_strategy_file,
    parse_param_overrides,
)

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = ROOT / "config" / "strategies_registry.yaml"

ENTRY = """\
  {sid}:
    display_name: "{sid}"
    strategy_class: "{cls}"
    config_file: "config/strategies/{sid}.yaml"
    is_primary: {primary}
    is_active: {active}
    mode: dry_run
"""


def _project(tmp_path: Path, body: str, files: tuple[str, ...] = ("v3_5b", "v3_5d")) -> Path:
    (tmp_path / "config" / "strategies").mkdir(parents=True)
    for sid in files:
        src = ROOT / "config" / "strategies" / f"{sid}.yaml"
        (tmp_path / "config" / "strategies" / f"{sid}.yaml").write_text(src.read_text())
    path = tmp_path / "config" / "strategies_registry.yaml"
    path.write_text(body)
    return path


def _registry(*entries: str, order: str = "[v3_5b, v3_5d]", extra: str = "") -> str:
    return 'version: "1.0"\nstrategies:\n' + "".join(entries) + f"execution_order: {order}\n" + extra


B = ENTRY.format(sid="v3_5b", cls="Hierarchical_Adaptive_v3_5b", primary="true", active="true")
D_ = ENTRY.format(sid="v3_5d", cls="Hierarchical_Adaptive_v3_5d", primary="false", active="true")


def test_shipped_registry_and_files_load() -> None:
    reg = load_registry(REGISTRY)
    assert reg.primary_id == "v3_5b"
    assert set(reg.strategies) == {"v3_5b", "v3_5d", "buy_and_hold", "sma_crossover"}
    assert reg.active_ids()[0] == "v3_5b" and reg.warnings == ()
    for sid in reg.strategies:
        f = load_strategy_file(reg.config_path(sid))
        assert f.strategy_id == sid
        assert f.portfolio.initial_capital == 10000


def test_shipped_v3_5b_file_is_the_reference_config() -> None:
    s = build_strategy("v3_5b", registry_path=REGISTRY)
    assert isinstance(s, HierarchicalAdaptiveV35b)
    p = s.params
    assert p.measurement_noise == Decimal("3000.0") and p.osc_smoothness == 10
    assert p.symmetric_volume_adjustment is True and p.t_norm_bull_thresh == Decimal("0.05")
    assert p.vol_baseline_window == 200 and s.warmup_bars() == 221
    d = build_strategy("v3_5d", registry_path=REGISTRY)
    assert isinstance(d, HierarchicalAdaptiveV35d)
    assert d.params.cell1_exit_confirmation_enabled is True
    for sid in ("buy_and_hold", "sma_crossover"):
        assert type(build_strategy(sid, registry_path=REGISTRY)) is STRATEGY_CLASSES[sid]


def test_overrides_are_validated_and_applied() -> None:
    s = build_strategy(
        "v3_5b", overrides={"leverage_scalar": "1.25", "use_inverse_hedge": "true"}, registry_path=REGISTRY
    )
    assert s.params.leverage_scalar == Decimal("1.25")  # type: ignore[attr-defined]
    assert s.params.use_inverse_hedge is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"leverage_scalar": "2"}, r"leverage_scalar='2'.*0\.5 ≤ leverage_scalar ≤ 1\.5"),
        ({"no_such": "1"}, r"unknown parameter 'no_such'"),
        ({"sma_fast": "200"}, r"sma_fast \(200\) must be smaller than sma_slow \(140\)"),
        ({"sma_fast": "abc"}, r"sma_fast='abc'.*integer"),
        ({"cell1_exit_confirmation_days": "2"}, r"unknown parameter 'cell1_exit_confirmation_days'"),
    ],
)
def test_bad_overrides_are_config_errors(overrides: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        build_strategy("v3_5b", overrides=overrides, registry_path=REGISTRY)


def test_explicit_config_file_and_no_registry(tmp_path: Path) -> None:
    cfg = tmp_path / "mine.yaml"
    cfg.write_text("strategy_id: x\nstrategy:\n  name: x\n  parameters:\n    fast: 10\n    slow: 30\n")
    s = build_strategy("sma_crossover", config_file=cfg, registry_path=tmp_path / "missing.yaml")
    assert (s.params.fast, s.params.slow) == (10, 30)  # type: ignore[attr-defined]
    defaults = build_strategy("v3_5b", registry_path=tmp_path / "missing.yaml")
    assert defaults.params.measurement_noise == Decimal("2000.0")  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="unknown strategy 'nope'"):
        build_strategy("nope", registry_path=tmp_path / "missing.yaml")


def test_parse_param_overrides() -> None:
    assert parse_param_overrides(["a=1", " b = x=y "]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ConfigError, match="NAME=VALUE"):
        parse_param_overrides(["novalue"])


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (_registry(B, D_, extra="bogus: 1\n"), r"strategies_registry\.yaml:\d+: unknown key 'bogus'"),
        (
            _registry(B.replace("    mode: dry_run\n", "    mode: dry_run\n    colour: red\n"), D_),
            r":\d+: unknown key 'strategies\.v3_5b\.colour'",
        ),
        (_registry(B.replace("dry_run", "yolo"), D_), r"strategies\.v3_5b\.mode"),
        (_registry(B.replace("is_primary: true", "is_primary: false"), D_), "exactly one .*found: none"),
        (_registry(B, D_.replace("is_primary: false", "is_primary: true")), "found: v3_5b, v3_5d"),
        (
            _registry(B.replace("is_active: true", "is_active: false"), D_),
            "primary strategy 'v3_5b' must be active",
        ),
        (_registry(B, D_, order="[v3_5b, v9]"), "execution_order names unknown strategy 'v9'"),
        (
            _registry(B.replace("Hierarchical_Adaptive_v3_5b", "os.system"), D_),
            "unknown strategy class 'os.system'",
        ),
        (
            _registry(B, D_.replace("v3_5d.yaml", "gone.yaml")),
            r":\d+: strategy 'v3_5d': config file .*gone\.yaml not found",
        ),
        ('version: "1.0"\nstrategies: {}\n', "lists no strategy"),
        ("strategies: [unclosed\n", r":\d+: invalid YAML"),
        ("- a\n- b\n", "expected a mapping"),
    ],
)
def test_registry_validation_errors(tmp_path: Path, body: str, needle: str) -> None:
    path = _project(tmp_path, body)
    with pytest.raises(ConfigError, match=needle):
        load_registry(path)


def test_registry_warnings_legacy_mode_and_inactive_missing_file(tmp_path: Path) -> None:
    inactive = ENTRY.format(sid="old", cls="buy_and_hold", primary="false", active="false")
    legacy = D_.replace("    mode: dry_run\n", "    paper_trading: false\n")
    path = _project(tmp_path, _registry(B, legacy, inactive, order="[v3_5d, v3_5b]"))
    reg = load_registry(path)
    assert reg.strategies["v3_5d"].mode == "live"
    assert any("should be first" in w for w in reg.warnings)
    assert reg.active_ids() == ["v3_5d", "v3_5b"]


def test_env_references(tmp_path: Path) -> None:
    path = _project(tmp_path, _registry(B.replace('"v3_5b"\n', '"${NAME}"\n', 1), D_))
    assert load_registry(path, environ={"NAME": "Shown"}).strategies["v3_5b"].display_name == "Shown"
    with pytest.raises(ConfigError, match=r"\$\{NAME\} is not set"):
        load_registry(path, environ={})


def test_strategy_file_errors(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("strategy_id: a\nstrategy:\n  name: a\nexecution:\n  max_slipage_pct: 1\n")
    with pytest.raises(ConfigError, match=r"s\.yaml:5: unknown key 'execution\.max_slipage_pct'"):
        load_strategy_file(f)
    f.write_text("strategy_id: a\n")
    with pytest.raises(ConfigError, match="missing required key 'strategy'"):
        load_strategy_file(f)
    with pytest.raises(ConfigError, match="file not found"):
        load_strategy_file(tmp_path / "none.yaml")
    f.write_text("strategy_id: v3_5b\nstrategy:\n  name: a\n  parameters:\n    sma_fast: 0\n")
    with pytest.raises(ConfigError, match=r"s\.yaml.*sma_fast=0.*1 ≤ sma_fast ≤ 2000"):
        build_strategy("v3_5b", config_file=f, registry_path=REGISTRY)
