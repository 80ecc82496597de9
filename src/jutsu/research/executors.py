"""Where research tasks run: a local process pool (default) or a Dask cluster.

Both executors take one :class:`~jutsu.research.worker.WorkerSetup` (the bars, sent to each
worker once) and an ordered list of tasks, and yield outcomes as they finish. The caller owns
ordering and storage, so the results are identical whichever executor ran them. Stopping the
iteration early (Ctrl-C, or a test that simulates an interruption) cancels what has not
started; what finished has already been handed over.

Tasks travel in batches (:func:`batch_size`): a few combinations per round trip cut the
inter-process traffic and the scheduler overhead, which matter when one backtest takes tens
of milliseconds; :meth:`Executor.run_batches` yields each finished batch so the caller can
store it in one transaction.

Specs: ``local`` / ``local:N`` (N processes, default one per core), ``dask:local`` /
``dask:local:N`` (a ``LocalCluster`` started for the run) and ``dask://HOST:PORT`` (an
existing scheduler; its workers need the ``jutsu`` package installed).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Protocol, Self

from jutsu.errors import ConfigError
from jutsu.research.worker import ComboOutcome, ComboTask, WorkerSetup, evaluate_batch

__all__ = [
    "DASK_CONNECT_TIMEOUT_S",
    "MAX_BATCH",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "batch_size",
    "batches",
    "parse_executor",
]

DASK_CONNECT_TIMEOUT_S = 3
"""Seconds to wait for a Dask scheduler before saying it is unreachable."""

MAX_BATCH = 8
"""Most combinations per task: small enough that cancelling or the last batches stay short."""


def batch_size(tasks: int, workers: int) -> int:
    """Combinations per task: about 8 tasks per worker, between 1 and :data:`MAX_BATCH`."""
    return max(1, min(MAX_BATCH, -(-tasks // max(workers * 8, 1))))


def batches(tasks: Sequence[ComboTask], workers: int) -> list[list[ComboTask]]:
    """``tasks`` cut into consecutive batches of :func:`batch_size` (order kept)."""
    size = batch_size(len(tasks), workers)
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


class Executor(Protocol):
    """Runs tasks somewhere and yields their outcomes as they finish (any order)."""

    @property
    def workers(self) -> int: ...

    @property
    def description(self) -> str: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def run(self, setup: WorkerSetup, tasks: Sequence[ComboTask]) -> Iterator[ComboOutcome]: ...

    def run_batches(self, setup: WorkerSetup, tasks: Sequence[ComboTask]) -> Iterator[list[ComboOutcome]]: ...


# --------------------------------------------------------------------------- local pool
_SETUP: WorkerSetup | None = None


def _init_worker(setup: WorkerSetup) -> None:
    """Process-pool initializer: keep the setup (bars) for every task of this worker.

    Workers ignore SIGINT: Ctrl-C is the parent's to handle (it cancels pending tasks and
    keeps finished results); a worker dying mid-task would break the pool instead.
    """
    global _SETUP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SETUP = setup


def _run_in_worker(batch: list[ComboTask]) -> list[ComboOutcome]:
    if _SETUP is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker not initialised")
    return evaluate_batch(_SETUP, batch)


class LocalExecutor:
    """A ``ProcessPoolExecutor`` per run; the bars reach each worker once via the initializer."""

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ConfigError(f"executor: the number of workers must be >= 1, got {workers}")
        self._workers = workers or os.cpu_count() or 1

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def description(self) -> str:
        return f"local process pool, {self._workers} worker(s)"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def run(self, setup: WorkerSetup, tasks: Sequence[ComboTask]) -> Iterator[ComboOutcome]:
        for batch in self.run_batches(setup, tasks):
            yield from batch

    def run_batches(self, setup: WorkerSetup, tasks: Sequence[ComboTask]) -> Iterator[list[ComboOutcome]]:
        if not tasks:
            return
        pool = ProcessPoolExecutor(max_workers=self._workers, initializer=_init_worker, initargs=(setup,))
        try:
            # Keep a bounded window in flight so that cancelling leaves little to wait for.
            window = self._workers * 2
            queue = iter(batches(tasks, self._workers))
            pending: set[Future[list[ComboOutcome]]] = set()
            for batch in queue:
                pending.add(pool.submit(_run_in_worker, batch))
                if len(pending) >= window:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(_run_in_worker, nxt))
                    yield fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- Dask
class DaskExecutor:
    """Tasks on a Dask distributed cluster: an existing scheduler or a LocalCluster.

    The setup is scattered to every worker once (``broadcast=True``); tasks reference it, and
    each worker process keeps its market data and indicator cache across tasks.
    """

    def __init__(self, address: str | None = None, *, workers: int | None = None) -> None:
        self._address = address
        self._n = workers or os.cpu_count() or 1
        self._client: Any = None
        self._cluster: Any = None

    @property
    def workers(self) -> int:
        if self._client is not None:
            return max(len(self._client.scheduler_info().get("workers", {})), 1)
        return self._n

    @property
    def description(self) -> str:
        where = self._address or f"LocalCluster, {self._n} worker process(es)"
        return f"Dask ({where})"

    def __enter__(self) -> Self:
        from distributed import Client, LocalCluster

        if self._address is None:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=self._n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
            return self
        try:
            self._client = Client(  # type: ignore[no-untyped-call]
                self._address, timeout=f"{DASK_CONNECT_TIMEOUT_S}s"
            )
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"executor: cannot reach the Dask scheduler at {self._address} "
                f"within {DASK_CONNECT_TIMEOUT_S} s ({type(exc).__name__})"
            ) from None
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        with contextlib.suppress(Exception):
            if self._client is not None:
                self._client.close()
        with contextlib.suppress(Exception):
            if self._cluster is not None:
                self._cluster.close()
        self._client = self._cluster = None

    def run(self, setup: WorkerSetup, tasks: Sequence[ComboTask]) -> Iterator[ComboOutcome]:
        for batch in self.run_batches(setup, tasks):
            yield from batch

    def run_batches(self, setup: WorkerSetup, tasks: Sequence[ComboTask]) -> Iterator[list[ComboOutcome]]:
        from distributed import as_completed

        if self._client is None:
            raise RuntimeError("DaskExecutor must be entered (with ...) before run()")
        if not tasks:
            return
        client = self._client
        shared = client.scatter(setup, broadcast=True, hash=False)
        futures = [
            client.submit(evaluate_batch, shared, batch, pure=False) for batch in batches(tasks, self.workers)
        ]
        try:
            for fut in as_completed(futures):  # type: ignore[no-untyped-call]
                outcomes: list[ComboOutcome] = fut.result()
                yield outcomes
        finally:
            client.cancel(futures)
            with contextlib.suppress(Exception):
                client.cancel([shared])


def parse_executor(spec: str) -> Executor:
    """``local``, ``local:N``, ``dask:local``, ``dask:local:N`` or ``dask://HOST:PORT``.

    Raises:
        ConfigError: anything else.
    """
    text = spec.strip()

    def count(part: str) -> int:
        try:
            n = int(part)
        except ValueError:
            raise ConfigError(f"--executor {spec!r}: {part!r} is not a number of workers") from None
        if n < 1:
            raise ConfigError(f"--executor {spec!r}: the number of workers must be >= 1")
        return n

    if text == "local":
        return LocalExecutor()
    if text.startswith("local:"):
        return LocalExecutor(count(text.removeprefix("local:")))
    if text == "dask:local":
        return DaskExecutor(None)
    if text.startswith("dask:local:"):
        return DaskExecutor(None, workers=count(text.removeprefix("dask:local:")))
    if text.startswith("dask://"):
        hostport = text.removeprefix("dask://")
        host, sep, port = hostport.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ConfigError(f"--executor {spec!r}: expected dask://HOST:PORT")
        return DaskExecutor(f"tcp://{hostport}")
    raise ConfigError(
        f"--executor {spec!r}: expected local, local:N, dask:local, dask:local:N or dask://HOST:PORT"
    )
