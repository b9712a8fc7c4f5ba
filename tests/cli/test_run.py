"""``quantlab run`` / ``predict`` / ``models`` against a real SQLite MLflow store in tmp."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.cli import _fmt, main

MODEL = "cli-run-lgbm"

TINY = f"""
experiment = "cli-run"
register_as = "{MODEL}"
alias = "production"
features = [
    {{ kind = "ret", window = 5 }},
    {{ kind = "ret", window = 21, transform = "xs_rank" }},
    {{ kind = "vol", window = 21 }},
    {{ kind = "event", field = "net_count", window = 10 }},
]

[data]
n_assets = 20
n_days = 500
seed = 5

[model]
name = "lgbm"
params = {{ n_estimators = 30, min_child_samples = 50, n_jobs = 1 }}

[cv]
n_splits = 3

[baseline]
name = "ridge"

[montecarlo]
n_paths = 500
horizon = 126

[report]
title = "tiny CLI run"
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh store and working directory for the module (restored afterwards)."""
    from quantlab.serving import clear_cache

    root = tmp_path_factory.mktemp("cli-run")
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    mp.setenv("QUANTLAB_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    mp.setenv("QUANTLAB_ARTIFACT_ROOT", str(root / "mlartifacts"))
    mp.delenv("MLFLOW_TRACKING_URI", raising=False)
    clear_cache()
    try:
        yield root
    finally:
        clear_cache()
        mp.undo()


@pytest.fixture(scope="module")
def ran(env: Path) -> dict[str, Any]:
    """Run the tiny recipe once as a user does: ``python -m quantlab.cli run``, bar shown.

    A fresh process, so MLflow configures its loggers on import as it does for a user (the
    store is new: MLflow logs the creation of its tables), and the progress bar is on.
    """
    import os
    import subprocess
    import sys

    recipe = env / "tiny.toml"
    recipe.write_text(TINY)
    root = Path(__file__).resolve().parents[2]
    child = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "quantlab.cli", "run", str(recipe)],
        capture_output=True,
        text=True,
        env=child,
        cwd=env,
        timeout=600,
    )
    from quantlab.tracking.store import use_store

    use_store()  # this process's MLflow client reads the child's store (env's URI)
    return {"code": proc.returncode, "out": proc.stdout, "err": proc.stderr}


def _field(out: str, label: str) -> str:
    match = re.search(rf"^{label}:\s+(\S+)", out, flags=re.M)
    assert match, out
    return match.group(1)


def test_run_logs_registers_and_reports(env: Path, ran: dict[str, Any]) -> None:
    import mlflow

    assert ran["code"] == 0, ran["err"]
    out = ran["out"]
    for text in ("rank IC (mean)", "deflated Sharpe", "Monte Carlo (500 paths", "mlflow ui"):
        assert text in out, text
    # issue 13 item 11: MLflow's INFO lines landed inside the progress bar
    assert "quantlab run: done" in ran["err"]
    assert " INFO mlflow" not in ran["err"] and " INFO alembic" not in ran["err"], ran["err"]
    # issue 13 item 3: the run says what the deflated Sharpe counted
    assert (
        "deflated Sharpe counted 1 distinct configuration of trial family 'lgbm' in "
        "experiment 'cli-run'" in out
    )
    # issue 13 item 12: the model is shown next to its baseline on the same folds
    assert "lgbm vs baseline ridge (same features, folds, positions, costs)" in out
    assert re.search(r"^lgbm (beats|does NOT beat) the ridge baseline out of sample", out, re.M)
    assert f"mlflow ui --backend-store-uri sqlite:///{env / 'mlflow.db'}" in out
    run_id = _field(out, "MLflow run")
    run = mlflow.MlflowClient().get_run(run_id)
    assert run.info.status == "FINISHED"
    assert {
        "sharpe",
        "deflated_sharpe",
        "mc_terminal_wealth_median",
        "mc_prob_ruin",
        "baseline_sharpe",
        "baseline_rank_ic_mean",
    } <= set(run.data.metrics)
    sharpe = _fmt(run.data.metrics["sharpe"])
    base = _fmt(run.data.metrics["baseline_sharpe"])
    # the comparison row, then the figure's definition (report.glossary)
    assert re.search(rf"^  Sharpe\s+{sharpe} vs {base}  annualized mean", out, re.M), out
    assert run.data.params["montecarlo.n_paths"] == "500"
    names = {a.path for a in mlflow.MlflowClient().list_artifacts(run_id, "report")}
    assert names == {"report/tearsheet.html"}

    report = Path(_field(out, "report"))
    assert report == Path("reports") / f"{run_id}.html" and report.is_file()
    html = report.read_text()
    for title in (
        "tiny CLI run",
        "Headline metrics",
        "Equity curve",
        "Monte Carlo",
        "Deflated Sharpe and PBO",
        "Feature importances",
        "IC by fold",
    ):
        assert title in html, title

    version = ql.tracking.resolve_alias(MODEL, "production")
    assert f"{MODEL} version {version}" in out
    assert ql.load_model(f"{MODEL}@production").metadata["run_id"] == run_id


def _rows(n: int) -> pd.DataFrame:
    m = ql.load_model(f"{MODEL}@production")
    u = ql.data.sample_universe(n_assets=20, n_days=500, seed=5)
    return m.feature_set.latest(u.ohlcv, u.events).iloc[:n].reset_index(drop=True)


def test_predict_json_and_csv(env: Path, ran: dict[str, Any], capsys) -> None:
    assert ran["code"] == 0
    rows = _rows(4)
    expected = ql.predict(MODEL, rows)

    many = env / "rows.json"
    many.write_text(json.dumps(rows.to_dict(orient="records")))
    assert main(["predict", "--model", f"{MODEL}@production", "--input", str(many)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["version"] == ql.tracking.resolve_alias(MODEL, "production")
    np.testing.assert_allclose(out["predictions"], expected, rtol=1e-12)

    one = env / "row.json"
    one.write_text(json.dumps(rows.iloc[0].to_dict()))
    assert main(["predict", "--model", MODEL, "--input", str(one)]) == 0
    np.testing.assert_allclose(
        json.loads(capsys.readouterr().out)["predictions"], expected[:1], rtol=1e-12
    )

    csv = env / "rows.csv"
    rows.to_csv(csv, index=False)
    code = main(["predict", "--model", MODEL, "--input", str(csv), "--format", "csv"])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "prediction" and len(lines) == len(rows) + 1
    np.testing.assert_allclose([float(v) for v in lines[1:]], expected, rtol=1e-12)


def test_predict_errors_are_one_line(env: Path, ran: dict[str, Any], capsys) -> None:
    assert main(["predict", "--model", MODEL, "--input", str(env / "nope.json")]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "does not exist" in err
    bad = env / "bad.json"
    bad.write_text(json.dumps({"ret_5": 0.01}))
    assert main(["predict", "--model", MODEL, "--input", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("quantlab: error:") and err.strip().count("\n") == 0
    assert main(["predict", "--model", "no-such-model", "--input", str(bad)]) == 1
    assert "is not registered" in capsys.readouterr().err
    # "latest" is refused as an alias as well as a version (issue 13 item 5)
    for ref in (f"{MODEL}@latest", f"{MODEL}/latest"):
        assert main(["predict", "--model", ref, "--input", str(bad)]) == 1
        assert "'latest' is not supported" in capsys.readouterr().err


def test_models_lists_name_version_alias(ran: dict[str, Any], capsys) -> None:
    assert ran["code"] == 0
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    version = ql.tracking.resolve_alias(MODEL, "production")
    line = next(line for line in out.splitlines() if line.startswith(MODEL))
    assert f"production -> v{version}" in line
    assert main(["models", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[MODEL]["aliases"] == {"production": version}


def test_run_unknown_key_exits_1_with_one_line(env: Path, capsys) -> None:
    path = env / "typo.toml"
    path.write_text('[model]\nname = "lgbm"\nn_estimator = 10\n')
    assert main(["run", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unknown recipe key 'model.n_estimator'" in err
    assert main(["run", str(env / "missing.toml")]) == 1
    assert "recipe file" in capsys.readouterr().err
    with pytest.raises(Exception, match="model.n_estimator"):
        main(["--debug", "run", str(path)])


@pytest.mark.parametrize("command", ["run", "predict", "models"])
def test_help_has_examples(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "examples:" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["predict", "--input", "rows.json"])
    assert exc.value.code == 2
    assert "--model" in capsys.readouterr().err


def test_compile_notice_is_tied_to_a_cold_cache(tmp_path: Path) -> None:
    # issue 13 item 12: the first run compiled for ~50 s without saying so. An empty cache
    # directory is cold; with JIT off nothing compiles.
    import os
    import subprocess
    import sys

    code = "from quantlab.tracking.train import kernel_cache_is_cold as c; print(c())"
    root = Path(__file__).resolve().parents[2]
    base = {**os.environ, "PYTHONPATH": str(root)}
    base.pop("QUANTLAB_DISABLE_JIT", None)
    base.pop("NUMBA_DISABLE_JIT", None)
    cold = {**base, "QUANTLAB_NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    out = subprocess.run([sys.executable, "-c", code], env=cold, capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr
    off = {**cold, "QUANTLAB_DISABLE_JIT": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=off, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
