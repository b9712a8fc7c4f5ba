"""A real ``mlflow server``: train + register through it, promote, predict follows within TTL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import quantlab as ql
from quantlab.tracking import set_alias

pytestmark = pytest.mark.integration

RECIPE: dict[str, Any] = {
    "experiment": "server-test",
    "data": {"source": "sample", "n_assets": 20, "n_days": 300, "seed": 4},
    "features": [{"kind": "ret", "window": 5}, {"kind": "vol", "window": 10}],
    "model": {"name": "lgbm", "params": {"n_estimators": 20, "min_child_samples": 30}},
    "cv": {"n_splits": 3},
    "montecarlo": {"n_paths": 0},  # ql.train runs [montecarlo] and [report]: off here
    "report": {"enabled": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination",
        str(root / "art"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"mlflow server did not start:\n{(root / 'server.log').read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_promotion_is_picked_up_within_ttl_under_load(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quantlab.serving import clear_cache

    monkeypatch.setenv("QUANTLAB_TRACKING_URI", server)
    clear_cache()
    v1 = ql.train(RECIPE, register_as="server-model", alias="production")
    v2 = ql.train({**RECIPE, "model": {"name": "ridge"}}, register_as="server-model")
    assert (v1.version, v2.version) == ("1", "2")
    m1 = ql.load_model("server-model/1")
    row = dict(zip(m1.feature_names, [0.02, 0.015], strict=True))
    p1 = float(v1.model.predict(np.array([[0.02, 0.015]]))[0])
    p2 = float(v2.model.predict(np.array([[0.02, 0.015]]))[0])
    assert abs(p1 - p2) > 1e-9
    assert float(ql.predict("server-model@production", row, ttl=1)[0]) == pytest.approx(p1)

    stop = threading.Event()
    errors: list[BaseException] = []
    seen: list[set[float]] = [set() for _ in range(8)]

    def worker(i: int) -> None:
        while not stop.is_set():
            try:
                seen[i].add(round(float(ql.predict("server-model@production", row)[0]), 12))
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        set_alias("server-model", "production", v2.version)
        promoted = time.monotonic()
        switched = None
        while time.monotonic() - promoted < 15:
            if float(ql.predict("server-model@production", row)[0]) == pytest.approx(p2):
                switched = time.monotonic() - promoted
                break
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
    assert not errors, errors[:3]
    assert switched is not None and switched < 1.0 + 3.0  # ttl + a download
    assert all(s <= {round(p1, 12), round(p2, 12)} for s in seen)
    assert any(round(p2, 12) in s for s in seen)
    assert os.environ["QUANTLAB_TRACKING_URI"] == server
