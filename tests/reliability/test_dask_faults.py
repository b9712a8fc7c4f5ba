"""A Dask worker killed (SIGKILL) during a sweep: every combination, or a ChunkError.

A real ``distributed.LocalCluster`` (worker processes behind nannies, loopback). A thread
watches the scheduler and kills the process of the first worker it sees running a chunk.
Dask reschedules that chunk on another worker, so the sweep must return exactly the local
table; when Dask gives up on the chunk (``allowed_failures`` exhausted: ``KilledWorker``)
the sweep must raise a :class:`~quantlab.errors.ChunkError` naming the chunk -- never a
table with a gap and never a hang (each sweep runs under a wall-clock bound).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import ChunkError
from tests.conftest import make_prices
from tests.reliability._slow import cross, slow_cross

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.integration

GRID = {"fast": [3, 5, 8], "slow": [20, 30, 40, 50]}  # 12 combinations, one per chunk
N_COMBOS = 12
BOUND = 90.0  # seconds a sweep may take before the test calls it a hang


@pytest.fixture(scope="module")
def cluster() -> Any:
    cl = distributed.LocalCluster(
        n_workers=3,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield cl
    finally:
        cl.close()


@pytest.fixture(scope="module")
def monitor(cluster: Any) -> Any:
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    return make_prices(120, 2, seed=3)


def _kill_busy_worker(client: Any, killed: list[int], stop: threading.Event) -> None:
    """SIGKILL the process of the first worker the scheduler shows running a chunk."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not stop.is_set():
        busy = [w for w, tasks in client.processing().items() if tasks]
        if busy:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            time.sleep(0.05)  # let it get into the chunk's sleep
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.02)


def _bounded(fn: Callable[[], Any], seconds: float) -> Any:
    """``fn()`` in a daemon thread; fail the test if it has not returned in ``seconds``."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(seconds)
    if th.is_alive():
        pytest.fail(f"the sweep hung: no result and no error after {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _sweep_killing_a_worker(cluster: Any, monitor: Any, close: pd.DataFrame) -> tuple[Any, list]:
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_busy_worker, args=(monitor, killed, stop), daemon=True)
    killer.start()
    try:
        res = _bounded(
            lambda: ql.optimize.sweep(
                slow_cross,
                GRID,
                close,
                fees=0.001,
                progress=False,
                max_memory=1,
                scheduler=cluster.scheduler_address,
            ),
            BOUND,
        )
    finally:
        stop.set()
        killer.join(5)
    return res, killed


def test_killed_worker_sweep_still_returns_every_combination(cluster, monitor, close) -> None:
    local = ql.optimize.sweep(cross, GRID, close, fees=0.001, progress=False, max_memory=1)
    t0 = time.monotonic()
    remote, killed = _sweep_killing_a_worker(cluster, monitor, close)
    assert killed, "no worker was seen running a chunk, so none was killed"
    assert time.monotonic() - t0 < BOUND
    assert remote.returns.shape[1] == N_COMBOS
    pd.testing.assert_frame_equal(remote.table.reset_index(drop=True), local.table)
    pd.testing.assert_frame_equal(remote.returns, local.returns)
    assert remote.best == local.best


def test_chunk_dask_gives_up_on_raises_chunk_error_naming_it(cluster, monitor, close) -> None:
    # Dask retries a chunk whose worker died up to `allowed_failures` times, then marks it
    # failed (KilledWorker). Exhaust that at once: the first death fails the chunk. Before
    # the fix, joblib's dask backend never noticed such a failure and the sweep hung.
    scheduler = cluster.scheduler
    saved = scheduler.allowed_failures
    scheduler.allowed_failures = 0
    try:
        with pytest.raises(
            ChunkError,
            match=r"chunk \d+ of 12 \(1 combinations starting at \(fast=\d+, slow=\d+\)\) "
            r"failed on the Dask cluster \(KilledWorker: .*\); the whole run is abandoned",
        ):
            _sweep_killing_a_worker(cluster, monitor, close)
    finally:
        scheduler.allowed_failures = saved
    # the cluster (its nanny restarted the worker) still runs a full sweep afterwards
    monitor.wait_for_workers(3, timeout=30)
