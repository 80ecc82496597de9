"""`jutsu montecarlo` and `jutsu overfit` from files: outputs, one-line errors, nothing written on failure."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from jutsu.cli.main import app
from jutsu.research.montecarlo import MonteCarloSpec, run_monte_carlo, summarize

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def _returns_csv(path: Path, values: list[float] | np.ndarray) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "return"])
        for i, v in enumerate(values):
            w.writerow([f"2020-01-{i % 28 + 1:02d}", repr(float(v))])
    return path


def _svgs_parse(html: str) -> int:
    count = 0
    start = html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        ET.fromstring(html[start:end])  # well-formed inline SVG
        count += 1
        start = html.find("<svg", end)
    return count


RETURNS = np.random.default_rng(21).normal(0.0005, 0.011, 260)


def test_montecarlo_from_a_returns_csv_writes_all_files(tmp_path: Path) -> None:
    src = _returns_csv(tmp_path / "r.csv", RETURNS)
    cfg = tmp_path / "mc.yaml"
    cfg.write_text(f"input_file: {src}\niterations: 300\nrandom_seed: 8\nmethod: block\nblock_size: 5\n")
    out = tmp_path / "out"
    res = _cli("montecarlo", str(cfg), "--out", str(out))
    assert res.exit_code == 0, res.stderr
    summary = json.loads((out / "montecarlo_summary.json").read_text())
    expected = summarize(
        run_monte_carlo(RETURNS, MonteCarloSpec(method="block", block_size=5, iterations=300, seed=8))
    )
    assert summary["distributions"]["cagr"]["percentiles"] == pytest.approx(
        expected["distributions"]["cagr"]["percentiles"]
    )
    assert summary["prob_ruin"] == expected["prob_ruin"]
    with (out / "montecarlo_runs.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 300 and set(rows[0]) == {
        "run",
        "final_equity",
        "cagr",
        "max_drawdown",
        "sharpe",
        "ruined",
    }
    with (out / "montecarlo_bands.csv").open() as fh:
        bands = list(csv.DictReader(fh))
    assert bands[0]["step"] == "0" and float(bands[0]["p50"]) == 10_000.0
    assert bands[-1]["step"] == "260" and len(bands) <= 253
    html = (out / "montecarlo_report.html").read_text()
    assert _svgs_parse(html) == 4  # fan chart + three histograms
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script" not in html


def test_flags_override_the_config_and_the_seed_reproduces(tmp_path: Path) -> None:
    src = _returns_csv(tmp_path / "r.csv", RETURNS)
    cfg = tmp_path / "mc.yaml"
    cfg.write_text(f"input_file: {src}\niterations: 50\nrandom_seed: 1\n")
    a, b = tmp_path / "a", tmp_path / "b"
    assert _cli("montecarlo", str(cfg), "--out", str(a), "--seed", "5", "--iterations", "80").exit_code == 0
    assert (
        _cli(
            "montecarlo", str(cfg), "--out", str(b), "--seed", "5", "--iterations", "80", "--workers", "2"
        ).exit_code
        == 0
    )
    assert (a / "montecarlo_runs.csv").read_text() == (b / "montecarlo_runs.csv").read_text()
    assert json.loads((a / "montecarlo_summary.json").read_text())["iterations"] == 80


def test_the_example_config_is_valid() -> None:
    from jutsu.research.montecarlo_config import load_montecarlo_config

    cfg = load_montecarlo_config(ROOT / "config" / "research" / "montecarlo_example.yaml")
    assert cfg.has_input and cfg.iterations == 10_000


def _backtest_dir(tmp_path: Path) -> Path:
    d = tmp_path / "bt"
    d.mkdir()
    equity = 10_000 * np.cumprod(1 + RETURNS[:40])
    with (d / "equity.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "equity", "cash", "baseline_equity", "drawdown"])
        for i, v in enumerate(equity):
            w.writerow(
                [
                    f"2021-02-{i % 28 + 1:02d}" if i < 28 else f"2021-03-{i - 27:02d}",
                    repr(float(v)),
                    "0",
                    "",
                    "0",
                ]
            )
    (d / "summary.json").write_text(json.dumps({"initial_capital": 10000}))
    (d / "trades.csv").write_text("date,symbol,side,quantity,price,commission,reason\n")
    return d


def test_montecarlo_of_a_backtest_directory_uses_returns_against_the_capital(tmp_path: Path) -> None:
    from jutsu.research.montecarlo_inputs import backtest_dir_returns

    d = _backtest_dir(tmp_path)
    np.testing.assert_allclose(backtest_dir_returns(d), RETURNS[:40], rtol=1e-9, atol=1e-15)
    cfg = tmp_path / "mc.yaml"
    cfg.write_text(f"backtest_dir: {d}\niterations: 20\nrandom_seed: 3\nmethod: shuffle\n")
    res = _cli("montecarlo", str(cfg), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.stderr
    summary = json.loads((tmp_path / "out" / "montecarlo_summary.json").read_text())
    assert summary["original"]["final_equity"]["value"] == pytest.approx(10_000 * np.prod(1 + RETURNS[:40]))


def test_trade_returns_come_from_round_trips(tmp_path: Path) -> None:
    from jutsu.research.montecarlo_inputs import backtest_dir_returns

    d = _backtest_dir(tmp_path)
    rows = ["date,symbol,side,quantity,price,commission,reason"]
    for k in range(12):  # 12 round trips: buy 10 @ 100, sell 10 @ 100 + k - 5 on the next date
        rows.append(f"2021-02-{2 * k + 1:02d},QQQ,BUY,10,100,1,")
        rows.append(f"2021-02-{2 * k + 2:02d},QQQ,SELL,10,{100 + k - 5},1,")
    (d / "trades.csv").write_text("\n".join(rows) + "\n")
    r = backtest_dir_returns(d, "trades")
    equity = 10_000 * np.cumprod(1 + RETURNS[:40])
    expected = [(10 * (k - 5) - 2) / equity[2 * k] for k in range(12)]  # equity of the day before the sell
    np.testing.assert_allclose(r, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("input_file: {src}\niterationz: 10\n", "unknown key 'iterationz'"),
        ("input_file: {tmp}/missing.csv\n", "file not found"),
        ("input_file: {short}\n", "at least 10"),
        ("input_file: {nan}\n", "NaN"),
        ("input_file: {src}\nrisk_of_ruin_thresholds: [30, 40]\n", "fractions"),
        ("input_file: {src}\nmethod: magic\n", "method"),
        ("input_file: {src}\nbacktest_dir: {tmp}\n", "one input"),
        ("iterations: 5\n", "no input"),
        ("input_file: [unclosed\n", "invalid YAML"),
    ],
)
def test_montecarlo_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, body: str, match: str) -> None:
    src = _returns_csv(tmp_path / "r.csv", RETURNS)
    short = _returns_csv(tmp_path / "short.csv", RETURNS[:9])
    nan = _returns_csv(tmp_path / "nan.csv", [*RETURNS[:20], float("nan")])
    cfg = tmp_path / "mc.yaml"
    cfg.write_text(body.format(src=src, tmp=tmp_path, short=short, nan=nan))
    out = tmp_path / "out"
    res = _cli("montecarlo", str(cfg), "--out", str(out))
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and match in lines[0], res.stderr
    assert "Traceback" not in res.output
    assert not out.exists()


def test_montecarlo_missing_config_file(tmp_path: Path) -> None:
    res = _cli("montecarlo", str(tmp_path / "nope.yaml"))
    assert res.exit_code == 1 and res.stderr.startswith("error: ") and "not found" in res.stderr


# --------------------------------------------------------------------------- overfit
def _matrix_csv(path: Path, m: np.ndarray, dated: bool = True) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        names = [f"fast={i}" for i in range(m.shape[1])]
        w.writerow(["date", *names] if dated else names)
        for i, row in enumerate(m):
            cells = [repr(float(v)) for v in row]
            w.writerow([f"d{i}", *cells] if dated else cells)
    return path


def test_overfit_from_a_matrix_csv(tmp_path: Path) -> None:
    from jutsu.research.overfitting import deflated_sharpe_from_matrix, probability_of_backtest_overfitting

    m = np.random.default_rng(4).normal(0.0002, 0.01, (400, 12))
    src = _matrix_csv(tmp_path / "m.csv", m)
    out = tmp_path / "ov"
    res = _cli("overfit", "--matrix", str(src), "--splits", "8", "--out", str(out))
    assert res.exit_code == 0, res.stderr
    doc = json.loads((out / "overfit_summary.json").read_text())
    assert doc["pbo"]["pbo"] == pytest.approx(probability_of_backtest_overfitting(m, 8).pbo)
    dsr = deflated_sharpe_from_matrix(m)
    assert doc["dsr"]["dsr"] == pytest.approx(dsr.dsr)
    assert doc["dsr"]["selected_name"] == f"fast={dsr.selected}"
    assert doc["n_obs"] == 400 and doc["first_date"] == "d0"
    with (out / "overfit_combinations.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == 70
    html = (out / "overfit_report.html").read_text()
    assert _svgs_parse(html) == 2 and "Deflated Sharpe Ratio" in html


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--splits", "7"], "even"),
        (["--splits", "64"], "at most 24"),
        (["--splits", "30"], "at most 24"),
        (["--splits", "16", "RUNID"], "exactly one"),
    ],
)
def test_overfit_bad_flags(tmp_path: Path, args: list[str], match: str) -> None:
    src = _matrix_csv(tmp_path / "m.csv", np.random.default_rng(1).normal(0, 0.01, (40, 3)))
    res = _cli("overfit", "--matrix", str(src), *args, "--out", str(tmp_path / "o"))
    assert res.exit_code == 1 and match in res.stderr and res.stderr.count("\n") == 1, res.stderr
    assert not (tmp_path / "o").exists()


def test_overfit_bad_matrices(tmp_path: Path) -> None:
    nan = np.random.default_rng(1).normal(0, 0.01, (40, 3))
    nan[5, 1] = np.nan
    cases = {
        "nan.csv": (nan, "NaN"),
        "one.csv": (np.zeros((40, 1)), "at least 2"),
        "short.csv": (np.zeros((6, 3)), "at least 10"),
        "few.csv": (np.random.default_rng(2).normal(0, 0.01, (20, 3)), "too few"),
    }
    for name, (m, match) in cases.items():
        res = _cli("overfit", "--matrix", str(_matrix_csv(tmp_path / name, m)), "--out", str(tmp_path / "o"))
        assert res.exit_code == 1 and match in res.stderr, (name, res.stderr)
    res = _cli("overfit", "--matrix", str(tmp_path / "absent.csv"))
    assert res.exit_code == 1 and "file not found" in res.stderr
    (tmp_path / "bad.csv").write_text("a,b\n0.1,x\n")
    res = _cli("overfit", "--matrix", str(tmp_path / "bad.csv"))
    assert res.exit_code == 1 and "'x' is not a number" in res.stderr
