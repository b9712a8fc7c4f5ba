"""Sweeps on a real dask.distributed cluster (local worker processes on loopback)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import ClusterError
from tests.conftest import make_prices
from tests.optimize.test_sweep import GRID, cross

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    cl = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield cl
    finally:
        cl.close()


@pytest.mark.integration
def test_sweep_on_dask_cluster_equals_local_run(cluster) -> None:
    close = make_prices(300, 3, seed=9)
    local = ql.optimize.sweep(cross, GRID, close, fees=0.001, progress=False, max_memory=1)
    remote = ql.optimize.sweep(
        cross,
        GRID,
        close,
        fees=0.001,
        progress=False,
        max_memory=1,
        scheduler=cluster.scheduler_address,
    )
    pd.testing.assert_frame_equal(remote.table.reset_index(drop=True), local.table)
    pd.testing.assert_frame_equal(remote.returns, local.returns)
    assert remote.best == local.best


@pytest.mark.integration
def test_unreachable_scheduler_fails_fast() -> None:
    close = make_prices(100, 2)
    t0 = time.monotonic()
    with pytest.raises(
        ClusterError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"
    ):
        ql.optimize.sweep(cross, GRID, close, scheduler="tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - t0 < 30  # bounded: the timeout plus start-up, never a hang
