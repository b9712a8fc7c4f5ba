"""Faults of the tracking server: killed during a training job, unreachable while serving.

* A training job whose server dies fails with a :class:`~quantlab.errors.TrackingError`
  naming the URI, after bounded retries: it never hangs and never reports success, and
  no registered version claims it succeeded.
* ``quantlab.predict`` while the registry is down keeps serving the cached model, warns
  once per TTL window (:class:`~quantlab.errors.StaleModelWarning`), and recovers by itself
  when the server returns: a promotion made after the restart is picked up.
* A fresh serving process that only sets ``QUANTLAB_TRACKING_URI`` can load an alias.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.integration._servers import MlflowServer, mlflow_globals
from tests.tracking._store import booster

pytestmark = pytest.mark.integration

#: A training job must fail within this many seconds of its server dying (bounded
#: retries: ~3 attempts per call, a few calls while unwinding).
FAIL_WITHIN = 90.0

RECIPE = {
    "data": {"source": "sample", "n_assets": 10, "n_days": 400, "seed": 3},
    "features": [{"kind": "ret", "window": 5}, {"kind": "vol", "window": 10}],
    "model": {"name": "lgbm", "params": {"n_estimators": 30, "min_child_samples": 30}},
    "cv": {"n_splits": 4},
    "montecarlo": {"n_paths": 0},  # ql.train runs [montecarlo] and [report]: off here
    "report": {"enabled": False},
}

# The training job. In "mid_run" mode it stops just before logging the model (the run is
# created, parameters and metrics are logged) until the test has killed the server.
JOB = r"""
import json, os, sys, time
recipe, out, mode, started, proceed, model = json.loads(sys.argv[1]), *sys.argv[2:7]
import quantlab as ql
import quantlab.tracking.registry as registry
if mode == "mid_run":
    real = registry.log_model
    def gated(*args, **kwargs):
        open(started, "w").close()
        deadline = time.monotonic() + 120
        while not os.path.exists(proceed) and time.monotonic() < deadline:
            time.sleep(0.02)
        return real(*args, **kwargs)
    registry.log_model = gated
t0 = time.time()
try:
    r = ql.train(recipe, experiment="faults", register_as=model, alias="production")
    res = {"ok": True, "version": r.version, "run_id": r.run_id}
except BaseException as exc:
    res = {"ok": False, "type": type(exc).__name__, "mro": [c.__name__ for c in type(exc).__mro__],
           "message": str(exc)}
res["finished_at"] = time.time()
with open(out, "w") as fh:
    json.dump(res, fh)
"""


def _get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return json.loads(resp.read())
    except OSError:
        return None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MlflowServer]:
    srv = MlflowServer(f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "artifacts", tmp_path)
    try:
        yield srv.start()
    finally:
        srv.stop()


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    from quantlab.serving import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.mark.parametrize("when", ["after_experiment_created", "mid_run"])
def test_server_killed_during_training_fails_cleanly(
    server: MlflowServer, tmp_path: Path, when: str
) -> None:
    model = f"faults-{when}"
    out, started, proceed = tmp_path / "out.json", tmp_path / "started", tmp_path / "proceed"
    env = {**os.environ, "QUANTLAB_TRACKING_URI": server.url, "OMP_NUM_THREADS": "1"}
    for key in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_HTTP_REQUEST_MAX_RETRIES"):
        env.pop(key, None)  # the library's own bounded-retry defaults
    mode = "mid_run" if when == "mid_run" else "plain"
    args = [json.dumps(RECIPE), str(out), mode, str(started), str(proceed), model]
    with open(tmp_path / "job.log", "w") as log:
        job = subprocess.Popen(
            [sys.executable, "-c", JOB, *args],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        get_exp = f"{server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=faults"
        while time.monotonic() < deadline and job.poll() is None:
            if when == "mid_run" and started.exists():
                break
            if when != "mid_run" and _get_json(get_exp) is not None:
                break  # the job has reached the server and is now computing
            time.sleep(0.02)
        assert job.poll() is None, (tmp_path / "job.log").read_text()[-3000:]
        server.kill()
        killed_at = time.time()
        proceed.touch()
        job.wait(timeout=FAIL_WITHIN + 30)  # never hangs
    finally:
        if job.poll() is None:
            job.kill()
            job.wait(timeout=30)
    res = json.loads(out.read_text())
    assert not res["ok"], f"training reported success with its server dead: {res}"
    assert res["type"] == "TrackingError", res
    assert "QuantlabError" in res["mro"] and "ConnectionError" in res["mro"]
    assert server.url in res["message"], res["message"]
    took = res["finished_at"] - killed_at
    assert took < FAIL_WITHIN, f"the job needed {took:.1f} s to give up"
    print(f"[{when}] TrackingError {took:.1f} s after the kill: {res['message'][:200]}")

    # nothing claims success: no registered version; a created run is not FINISHED
    from mlflow import MlflowClient

    server.start()
    client = MlflowClient(tracking_uri=server.url, registry_uri=server.url)
    assert client.search_model_versions(f"name='{model}'") == []
    exp = client.get_experiment_by_name("faults")
    assert exp is not None
    runs = client.search_runs([exp.experiment_id])
    if when == "mid_run":
        assert len(runs) == 1
    assert all(r.info.status != "FINISHED" for r in runs), [r.info.status for r in runs]


def test_predict_serves_stale_model_while_registry_is_down_then_recovers(
    server: MlflowServer, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    import quantlab as ql
    from quantlab.errors import StaleModelWarning
    from quantlab.tracking import register_model, set_alias

    ttl = 1.0
    name, ref = "stale-model", "stale-model@production"
    monkeypatch.setenv("QUANTLAB_TRACKING_URI", server.url)
    with mlflow_globals(server.url):
        register_model(booster(seed=0), name, alias="production")
        register_model(booster(seed=1, shift=5.0), name)
        row = {f"f{i}": 0.1 * i for i in range(5)}
        p1 = float(ql.predict(ref, row, ttl=ttl)[0])

        stop = threading.Event()
        seen: set[float] = set()
        errors: list[BaseException] = []
        calls = [0]
        slowest = [0.0]

        def hammer() -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    seen.add(round(float(ql.predict(ref, row)[0]), 9))
                except BaseException as exc:
                    errors.append(exc)
                    return
                slowest[0] = max(slowest[0], time.perf_counter() - t0)
                calls[0] += 1
                time.sleep(0.001)

        threads = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for t in threads:
                t.start()
            try:
                # --- outage: the cached model keeps being served, one warning per TTL
                server.kill()
                outage = 8.0
                time.sleep(outage)
                down_calls = calls[0]
                stale = [w for w in caught if issubclass(w.category, StaleModelWarning)]
                assert not errors, errors[:3]
                assert seen == {round(p1, 9)}
                assert 1 <= len(stale) <= outage / ttl + 1, len(stale)
                assert down_calls > 20 * len(stale)  # not one warning per call
                assert "still serving version 1" in str(stale[0].message)
                assert name in str(stale[0].message)

                # --- the server returns (same port, same store): warnings stop
                server.start()
                time.sleep(2 * ttl + 5.0)  # a refresh in flight may still be retrying
                before = len([w for w in caught if issubclass(w.category, StaleModelWarning)])
                time.sleep(3 * ttl)
                after = len([w for w in caught if issubclass(w.category, StaleModelWarning)])
                assert after == before, "still warning after the server came back"
                assert seen == {round(p1, 9)}

                # --- a promotion made after the restart is picked up
                set_alias(name, "production", "2", tracking_uri=server.url)
                promoted = time.monotonic()
                p2 = None
                while time.monotonic() - promoted < 30:
                    value = float(ql.predict(ref, row)[0])
                    if not np.isclose(value, p1):
                        p2 = value
                        break
                    time.sleep(0.05)
                switched = time.monotonic() - promoted
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=30)
        assert not errors, errors[:3]
        assert p2 is not None, "the promotion after the restart was never picked up"
        assert ql.load_model(ref).version == "2"
        assert seen <= {round(p1, 9), round(p2, 9)}
        print(
            f"outage {outage:.0f} s: {down_calls} predictions served, {len(stale)} "
            f"StaleModelWarning(s), slowest call {slowest[0]:.2f} s; promotion picked up "
            f"in {switched:.2f} s"
        )


FRESH = r"""
import json, sys
import quantlab as ql
m = ql.load_model(sys.argv[1])
print(json.dumps({"version": m.version, "pred": float(ql.predict(m, json.loads(sys.argv[2]))[0])}))
"""


def test_fresh_serving_process_with_only_quantlab_tracking_uri(
    server: MlflowServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API process configured only by QUANTLAB_TRACKING_URI loads ``name@alias``.

    (MLflow resolves ``models:/`` downloads through its process-wide URI, which such a
    process never set: the model must still come from the configured store, and nothing
    may be created in the working directory.)
    """
    from quantlab.tracking import register_model

    monkeypatch.setenv("QUANTLAB_TRACKING_URI", server.url)
    with mlflow_globals(server.url):
        register_model(booster(seed=0), "fresh-model", alias="production")
    env = {**os.environ, "QUANTLAB_TRACKING_URI": server.url}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.pop("MLFLOW_REGISTRY_URI", None)
    cwd = tmp_path / "api"
    cwd.mkdir()
    row = json.dumps({f"f{i}": 0.1 for i in range(5)})
    proc = subprocess.run(
        [sys.executable, "-c", FRESH, "fresh-model@production", row],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["version"] == "1"
    assert sorted(os.listdir(cwd)) == [], "the serving process wrote a default store"
