"""Multi-user tracking: 8 training processes against one ``mlflow server`` on PostgreSQL.

The fixture starts a private PostgreSQL (initdb + pg_ctl as the ``postgres`` user when run
as root, socket dir in the temp dir, TCP on 127.0.0.1), creates a database, and starts
``mlflow server --backend-store-uri postgresql://...`` with a local artifact root. Eight
separate processes then run ``quantlab.train`` at the same moment, each registering a
version of the same model. Nothing may be lost or duplicated: 8 finished runs with their
metrics and artifacts, registered versions exactly {1..8}, one per run.

PostgreSQL's binaries are required: if they are missing the test FAILS (CI installs them
with ``.ci/setup-postgres.sh``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration._servers import MlflowServer, Postgres, mlflow_globals

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

N_JOBS = 8
MODEL = "multiuser-lgbm"
EXPERIMENT = "multiuser"
DATABASE = "mlflow"

RECIPE: dict[str, Any] = {
    "data": {"source": "sample", "n_assets": 8, "n_days": 260},
    "features": [{"kind": "ret", "window": 5}, {"kind": "vol", "window": 10}],
    "model": {"name": "lgbm", "params": {"n_estimators": 10, "min_child_samples": 30}},
    "cv": {"n_splits": 3},
    "montecarlo": {"n_paths": 0},  # ql.train runs [montecarlo] and [report]: off here
    "report": {"enabled": False},
}

# One training job: waits for the common start signal, trains, writes its outcome as JSON.
JOB = r"""
import json, os, sys, time, traceback
recipe, out, go = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
import quantlab as ql
deadline = time.monotonic() + 120
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.02)
try:
    r = ql.train(recipe, experiment=sys.argv[4], register_as=sys.argv[5])
    res = {"ok": True, "run_id": r.run_id, "version": r.version, "model_uri": r.model_uri,
           "metrics": sorted(r.metrics)}
except BaseException as exc:
    res = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
           "traceback": traceback.format_exc()}
with open(out, "w") as fh:
    json.dump(res, fh)
"""


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    try:
        pg = Postgres.start()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        pg.create_database(DATABASE)
        yield pg
    finally:
        pg.stop()


@pytest.fixture(scope="module")
def pg_server(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-pg")
    server = MlflowServer(postgres.uri(DATABASE), root / "artifacts", root, workers=2)
    try:
        server.start(timeout=180)
        yield server.url
    finally:
        server.stop()


# A new experiment created by several processes at once: each must get the same id (the
# losers of the INSERT race must look the experiment up again, not fail).
RACE = r"""
import json, os, sys, time
out, go, uri = sys.argv[1], sys.argv[2], sys.argv[3]
from quantlab.tracking import store
while not os.path.exists(go):
    time.sleep(0.005)
try:  # several new experiments, to make the race likely
    res = {"ok": True, "ids": [store.get_experiment_id(f"race-{k}", uri) for k in range(5)]}
except BaseException as exc:
    res = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:600]}
with open(out, "w") as fh:
    json.dump(res, fh)
"""


def _spawn(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as fh:
        return subprocess.Popen(
            [sys.executable, "-c", *args],
            env=env,
            cwd=cwd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _run_all(procs: list[subprocess.Popen], go: Path, timeout: float) -> None:
    """Release the processes at once (``go`` file), wait with a deadline, kill stragglers."""
    try:
        time.sleep(1.0)
        go.touch()
        deadline = time.monotonic() + timeout
        for proc in procs:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


def _env(url: str) -> dict[str, str]:
    env = {**os.environ, "QUANTLAB_TRACKING_URI": url, "OMP_NUM_THREADS": "1"}
    env["NUMBA_NUM_THREADS"] = "1"
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


def test_concurrent_first_use_of_an_experiment(pg_server: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        _spawn(
            [RACE, str(tmp_path / f"race-{i}.json"), str(go), pg_server],
            _env(pg_server),
            tmp_path,
            tmp_path / f"race-{i}.log",
        )
        for i in range(N_JOBS)
    ]
    _run_all(procs, go, timeout=120)
    results = [json.loads((tmp_path / f"race-{i}.json").read_text()) for i in range(N_JOBS)]
    errors = [r["error"] for r in results if not r["ok"]]
    assert not errors, f"{len(errors)} of {N_JOBS} processes failed: {errors[0]}"
    assert len({tuple(r["ids"]) for r in results}) == 1, results


def test_eight_concurrent_training_jobs_lose_and_duplicate_nothing(
    pg_server: str, postgres: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient

    from quantlab.tracking import store

    # the experiment exists, as in a team's deployment (its concurrent creation is the
    # subject of test_concurrent_first_use_of_an_experiment)
    store.get_experiment_id(EXPERIMENT, pg_server)
    go = tmp_path / "go"
    procs = []
    for i in range(N_JOBS):
        recipe = {**RECIPE, "name": f"job-{i}", "data": {**RECIPE["data"], "seed": 100 + i}}
        args = [json.dumps(recipe), str(tmp_path / f"job-{i}.json"), str(go), EXPERIMENT, MODEL]
        procs.append(_spawn([JOB, *args], _env(pg_server), tmp_path, tmp_path / f"job-{i}.log"))
    _run_all(procs, go, timeout=300)

    results = []
    for i in range(N_JOBS):
        out = tmp_path / f"job-{i}.json"
        assert out.exists(), (tmp_path / f"job-{i}.log").read_text()[-3000:]
        results.append(json.loads(out.read_text()))
    failed = [r["error"] + "\n" + r["traceback"] for r in results if not r["ok"]]
    assert not failed, "\n\n".join(failed)

    # every job got its own version; together exactly 1..8
    versions = sorted(int(r["version"]) for r in results)
    assert versions == list(range(1, N_JOBS + 1)), versions
    run_ids = {r["run_id"] for r in results}
    assert len(run_ids) == N_JOBS

    client = MlflowClient(tracking_uri=pg_server, registry_uri=pg_server)
    mvs = client.search_model_versions(f"name='{MODEL}'")
    assert sorted(int(mv.version) for mv in mvs) == list(range(1, N_JOBS + 1))
    assert {mv.run_id for mv in mvs} == run_ids  # one version per run, none orphaned
    by_run = {mv.run_id: mv.version for mv in mvs}
    assert all(by_run[r["run_id"]] == r["version"] for r in results)

    exp = client.get_experiment_by_name(EXPERIMENT)
    assert exp is not None
    runs = client.search_runs([exp.experiment_id], max_results=100)
    assert {r.info.run_id for r in runs} == run_ids
    for run in runs:
        assert run.info.status == "FINISHED"
        for key in ("ic_mean", "rank_ic_mean", "deflated_sharpe", "n_trials"):
            assert key in run.data.metrics, (run.info.run_id, sorted(run.data.metrics))
        assert len(client.get_metric_history(run.info.run_id, "fold_rank_ic")) >= 1
        assert run.data.tags.get("quantlab.kind") == "train"
        top = {f.path for f in client.list_artifacts(run.info.run_id)}
        assert {"feature_set.json", "feature_importance.csv", "folds.csv"} <= top, top

    # the deflated Sharpe counted the trials that were in the experiment: 1..8 in some order
    # (concurrent jobs may see the same count, but never more than all eight)
    trials = [int(r.data.metrics["n_trials"]) for r in runs]
    assert all(1 <= t <= N_JOBS for t in trials), trials

    # the versions really live in PostgreSQL, and every registered model can be served
    rows = postgres.query(DATABASE, "SELECT version FROM model_versions WHERE name = %s", MODEL)
    assert sorted(v for (v,) in rows) == list(range(1, N_JOBS + 1))
    # every registered version's model files arrived in the artifact store, and serve
    import mlflow.artifacts

    import quantlab as ql
    from quantlab.serving import clear_cache

    monkeypatch.setenv("QUANTLAB_TRACKING_URI", pg_server)
    clear_cache()
    with mlflow_globals(pg_server):
        for mv in mvs:
            local = mlflow.artifacts.download_artifacts(
                artifact_uri=f"models:/{MODEL}/{mv.version}",
                dst_path=str(tmp_path / f"v{mv.version}"),
                tracking_uri=pg_server,
                registry_uri=pg_server,
            )
            files = set(os.listdir(local))
            ours = set(os.listdir(os.path.join(local, "data", "quantlab")))
            assert "MLmodel" in files, (mv.version, files)  # written by mlflow.pyfunc.save_model
            assert {"quantlab_model.json", "model.txt"} <= ours, (mv.version, ours)
        for v in (1, N_JOBS):
            model = ql.load_model(f"models:/{MODEL}/{v}")
            assert model.version == str(v)
            row = dict.fromkeys(model.feature_names, 0.01)
            assert ql.predict(model, row).shape == (1,)
    clear_cache()
