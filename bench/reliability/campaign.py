"""The reliability campaign behind ``make reliability`` (issue #10): run everything, write figures.

Steps (each bounded; the whole < 20 min on the shared 2-core machine):

1. crash harness, every point (``bench/reliability/crash.py``);
2. load, 20 users on PostgreSQL (``bench/reliability/load.py``, ``--load-seconds``, default 600);
3. the reliability test suite in full mode (``JUTSU_RELIABILITY_FULL=1``: bad-input catalogue,
   fuzzing with more examples, faults, secrets scan) and the security tests
   (``tests/integration/api/test_security_*.py``: authorisation matrix, token forgery, login
   rate limit and lockout, headers, SQL-injection probes) — counted from JUnit XML;
4. ``bandit -ll`` (must be clean) and ``pip-audit`` (advisory, non-fatal offline).

Writes ``docs/reliability/figures.json`` and ``docs/reliability/figures.md`` (the table
``docs/reliability.md`` points to). Exit status 1 when a promise is broken.

    .venv/bin/python bench/reliability/campaign.py [--load-seconds 600] [--out docs/reliability]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(
        f"reliability_{name}", ROOT / "bench" / "reliability" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"reliability_{name}"] = module
    spec.loader.exec_module(module)
    return module


def junit_counts(paths: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run pytest on ``paths``; counts per file from the JUnit report."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        subprocess.run(
            [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "-n", "2", f"--junitxml={report}", *paths],
            cwd=ROOT,
            env=env,
            check=False,
        )
        per_file: dict[str, dict[str, int]] = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            name = (case.get("classname") or "").rsplit(".", 1)[-1]
            counts = per_file.setdefault(name, {"passed": 0, "failed": 0, "xfailed": 0, "skipped": 0})
            if case.find("failure") is not None or case.find("error") is not None:
                counts["failed"] += 1
            elif (skipped := case.find("skipped")) is not None:
                kind = "xfailed" if (skipped.get("type") or "").endswith("xfail") else "skipped"
                counts[kind] += 1
            else:
                counts["passed"] += 1
    return per_file


def tool(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
    return {"command": " ".join(command), "exit": done.returncode, "tail": tail}


def markdown(figures: dict[str, Any]) -> str:
    crash, load = figures["crash"], figures["load"]
    lines = [
        f"_Generated {figures['generated']} by `make reliability`._",
        "",
        "| Promise | Measured | Figure |",
        "|---|---|---|",
        f"| 100 % trade execution success (no order twice) | SIGKILL at {crash['points_tested']} points, "
        f"restart | {crash['violations_by_category']['duplicate_order']} duplicate orders |",
        f"| 100 % reconciliation accuracy | same runs, book vs broker and vs an uninterrupted run | "
        f"{crash['violations_by_category']['reconciliation']} drifts |",
        f"| no lost trade | same runs | {crash['violations_by_category']['lost_trade']} lost rows |",
        f"| journal complete | same runs | {crash['violations_by_category']['journal']} points with an "
        "incomplete run row (known issue) |",
        f"| load: 20 users, {load['seconds']:.0f} s, PostgreSQL | {load['requests']} requests, "
        f"{load['throughput_rps']} req/s | {load['errors']} errors; p50 {load['p50_ms']} ms, "
        f"p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms |",
        f"| memory steady | server RSS {load['rss_first_mb']} → {load['rss_last_mb']} MB "
        f"(max {load['rss_max_mb']}) | growth {load['rss_growth_pct']} % |",
        "",
        "| Test file | passed | failed | known issues (strict xfail) | skipped |",
        "|---|---|---|---|---|",
    ]
    for name, c in sorted(figures["tests"].items()):
        lines.append(f"| {name} | {c['passed']} | {c['failed']} | {c['xfailed']} | {c['skipped']} |")
    lines += ["", "| Tool | exit |", "|---|---|"]
    for t in figures["tools"]:
        lines.append(f"| `{t['command']}` | {t['exit']} |")
    lines += ["", "Crash points per scenario:", ""]
    for s in crash["scenarios"]:
        lines.append(
            f"- {s['scenario']}: {s['points_tested']} of {s['points_available']} points, "
            f"kinds {s['point_kinds']}, violations {s['violations_by_category']}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--load-seconds", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability")
    args = parser.parse_args()
    env = {**os.environ, "JUTSU_RELIABILITY_FULL": "1"}
    figures: dict[str, Any] = {"generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    print("1/4 crash harness (every point)", flush=True)
    figures["crash"] = _module("crash").run_campaign(None, None)
    print(f"2/4 load: 20 users for {args.load_seconds:.0f} s", flush=True)
    figures["load"] = _module("load").run_load(args.load_seconds, 20)
    print("3/4 reliability and security tests", flush=True)
    paths = [
        "tests/reliability/test_bad_input_catalogue.py",
        "tests/reliability/test_fuzz_parsers.py",
        "tests/reliability/test_faults.py",
        "tests/reliability/test_secrets_not_logged.py",
        *sorted(
            str(p.relative_to(ROOT)) for p in (ROOT / "tests/integration/api").glob("test_security_*.py")
        ),
    ]
    figures["tests"] = junit_counts(paths, env)
    print("4/4 bandit, pip-audit", flush=True)
    figures["tools"] = [
        tool([str(BIN / "bandit"), "-r", "src", "-ll", "-q", "-x", "src/jutsu/data/migrations"]),
        tool([str(BIN / "pip-audit"), "--progress-spinner", "off"]),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "figures.json").write_text(
        json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8"
    )
    (args.out / "figures.md").write_text(markdown(figures), encoding="utf-8")
    print(markdown(figures))
    broken = (
        figures["crash"]["violations_by_category"]["duplicate_order"]
        + figures["crash"]["violations_by_category"]["reconciliation"]
        + figures["crash"]["violations_by_category"]["lost_trade"]
        + figures["load"]["errors"]
        + sum(c["failed"] for c in figures["tests"].values())
        + (figures["tools"][0]["exit"] != 0)
    )
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
