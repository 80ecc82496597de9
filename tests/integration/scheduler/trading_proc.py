"""A real scheduler process for the kill/restart test (run as a script, not collected).

argv: database URL, registry path, phase (``crash`` | ``resume`` | ``again``).
``crash``: the scheduler fires the trading job now; the process SIGKILLs itself right after the
broker accepted the order (mid-run). ``resume``: a fresh process starts; the interrupted run is
resumed. ``again``: a scheduled run is attempted once more (must be skipped by the pipeline).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
from decimal import Decimal
from pathlib import Path

from jutsu.data.database import create_db_engine
from jutsu.scheduler.bodies import make_trading_body
from jutsu.scheduler.jobs import TRADING_JOB
from jutsu.scheduler.service import SchedulerService

SESSION_NOW = dt.datetime(2026, 8, 21, 19, 55, tzinfo=dt.UTC)  # 15:55 ET on a Friday session


def _kill(point: str, client_order_id: str) -> None:
    if point == "after_place":
        os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str, registry: Path, phase: str) -> None:
    engine = create_db_engine(url)
    body = make_trading_body(
        clock=lambda: SESSION_NOW,
        crash_hook=_kill if phase == "crash" else None,
        quotes={"QQQ": Decimal("712.00")},
    )
    service = SchedulerService(
        engine,
        registry_path=registry,
        bodies={TRADING_JOB: body},
        retry_delays=(),
        startup_recovery_delay=None,
        clock=lambda: SESSION_NOW,
    )
    await service.start()
    scheduler = service._scheduler
    assert scheduler is not None
    if phase == "crash":
        scheduler.modify_job(TRADING_JOB, next_run_time=dt.datetime.now(dt.UTC))
        await asyncio.sleep(60)  # killed long before
    elif phase == "resume":
        for _ in range(600):
            await asyncio.sleep(0.1)
            if service.last_result(TRADING_JOB) is not None:
                break
    else:
        await service.run_job(TRADING_JOB)
    print(json.dumps(service.last_result(TRADING_JOB), default=str))
    await service.shutdown()
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))
