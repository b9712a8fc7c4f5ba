"""quantlab.predict vs the raw LightGBM Booster and vs MLflow's pyfunc (run as a script).

    python benchmarks/compare_predict.py [--calls 3000]

A 200-tree LightGBM model on 30 features is registered in a temporary SQLite MLflow store;
then, after a warm-up, the p50 latency of one-row predictions is measured for:

* ``booster.predict(row, num_threads=1)`` on a NumPy row (the floor),
* ``quantlab.predict("bench@production", row_dict)`` (a JSON-shaped request),
* ``quantlab.predict("bench@production", row_2d_array)``,
* ``mlflow.pyfunc.load_model(uri).predict(one_row_dataframe)``;

* the compiled trees alone (``quantlab.serving._trees.predict``, the kernel the fast path
  calls for LightGBM models);

then a batch of 10,000 rows (p50 of 21 rounds, the four calls interleaved): the Booster
with all threads and with one, against ``quantlab.predict`` (which hands batches from 256
rows on to the Booster on all cores, see ``quantlab.serving._trees``) and the serial
compiled kernel alone;
then 16 threads calling ``quantlab.predict`` concurrently (throughput, errors), and
``quantlab.predict(model, prices=...)`` for 500 assets (features of the latest bar
computed by the model's own feature set). Targets (issues): p50 <= 2x raw, >= 40x faster
than pyfunc; with the compiled trees (issue 18) one-row p50 <= 0.5x raw and the 10,000-row
batch no slower than the Booster.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def p50_us(fn: Callable[[], Any], calls: int, warmup: int = 300) -> float:
    for _ in range(warmup):
        fn()
    times = []
    clock = time.perf_counter_ns
    for _ in range(calls):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times) / 1000.0


def p50s_interleaved(fns: list[Callable[[], Any]], rounds: int) -> list[float]:
    """p50 (us) of each function, called in turn round after round (one warm-up round).

    Interleaving gives every function the same share of a shared machine's load spikes.
    """
    times: list[list[int]] = [[] for _ in fns]
    clock = time.perf_counter_ns
    for r in range(rounds + 1):
        for fn, ts in zip(fns, times, strict=True):
            t = clock()
            fn()
            if r:
                ts.append(clock() - t)
    return [statistics.median(ts) / 1000.0 for ts in times]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="quantlab-bench-")
    os.environ["QUANTLAB_TRACKING_URI"] = f"sqlite:///{tmp}/mlflow.db"
    os.environ["QUANTLAB_ARTIFACT_ROOT"] = f"{tmp}/mlartifacts"

    import lightgbm

    import quantlab as ql
    from quantlab.tracking import register_model

    rng = np.random.default_rng(0)
    names = [f"f{i:02d}" for i in range(30)]
    X = rng.normal(size=(20_000, 30))
    y = X[:, 0] - X[:, 1] + rng.normal(size=len(X))
    params = {"objective": "regression", "verbose": -1, "num_threads": 1, "num_leaves": 31}
    booster = lightgbm.train(params, lightgbm.Dataset(X, y, feature_name=names), 200)
    version = register_model(booster, "bench", alias="production")
    row = X[:1].copy()
    row_dict = {n: float(v) for n, v in zip(names, row[0], strict=True)}
    frame = pd.DataFrame(row, columns=names)

    raw = p50_us(lambda: booster.predict(row, num_threads=1), args.calls)
    ql.predict("bench@production", row_dict)  # resolve + load once
    ours_dict = p50_us(lambda: ql.predict("bench@production", row_dict), args.calls)
    ours_arr = p50_us(lambda: ql.predict("bench@production", row), args.calls)

    from quantlab.serving._trees import compile_model
    from quantlab.serving._trees import predict as predict_trees

    trees = compile_model(booster.model_to_string())
    kernel = p50_us(lambda: predict_trees(trees, row), args.calls)

    batch = rng.normal(size=(10_000, 30))
    batch[rng.random(batch.shape) < 0.05] = np.nan
    np.testing.assert_allclose(
        ql.predict("bench@production", batch), booster.predict(batch), rtol=0, atol=1e-12
    )
    batch_all, batch_one, batch_ours, batch_kernel = p50s_interleaved(
        [
            lambda: booster.predict(batch, num_threads=0),
            lambda: booster.predict(batch, num_threads=1),
            lambda: ql.predict("bench@production", batch),
            lambda: predict_trees(trees, batch),
        ],
        rounds=21,
    )

    import mlflow.pyfunc

    pyfunc = mlflow.pyfunc.load_model(version.model_uri)
    pyf = p50_us(lambda: pyfunc.predict(frame), max(args.calls // 5, 200), warmup=50)
    assert np.allclose(pyfunc.predict(frame), ql.predict("bench@production", row_dict))

    print(f"single-row p50 ({args.calls} calls; 200 trees, 30 features)")
    print(f"  raw Booster.predict(ndarray)        {raw:9.1f} us")
    print(
        f"  quantlab.predict(dict)              {ours_dict:9.1f} us   {ours_dict / raw:5.2f}x raw"
    )
    print(f"  quantlab.predict(ndarray)           {ours_arr:9.1f} us   {ours_arr / raw:5.2f}x raw")
    print(f"  compiled trees kernel (ndarray)     {kernel:9.1f} us   {kernel / raw:5.2f}x raw")
    print(
        f"  mlflow pyfunc predict(1-row frame)  {pyf:9.1f} us   "
        f"quantlab is {pyf / ours_dict:5.1f}x faster"
    )
    print("batch of 10,000 rows p50 (21 interleaved rounds)")
    print(f"  Booster.predict(num_threads=0)      {batch_all / 1000:9.1f} ms")
    print(f"  Booster.predict(num_threads=1)      {batch_one / 1000:9.1f} ms")
    print(
        f"  quantlab.predict(ndarray)           {batch_ours / 1000:9.1f} ms   "
        f"{batch_ours / batch_all:5.2f}x all-threads Booster, "
        f"{batch_ours / batch_one:5.2f}x one-thread Booster"
    )
    print(
        f"  compiled trees kernel (serial)      {batch_kernel / 1000:9.1f} ms   "
        f"{batch_kernel / batch_all:5.2f}x all-threads Booster, "
        f"{batch_kernel / batch_one:5.2f}x one-thread Booster"
    )

    errors: list[BaseException] = []
    per_thread = 2000
    barrier = threading.Barrier(args.threads + 1)

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                ql.predict("bench@production", row_dict)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    total = args.threads * per_thread
    print(
        f"{args.threads} threads x {per_thread} calls: {total / elapsed:,.0f} predictions/s, "
        f"{len(errors)} errors (cores: {os.cpu_count()})"
    )

    from quantlab.data import sample_universe
    from quantlab.ml import Feature, FeatureSet, forward_returns
    from quantlab.models import LGBMRegressorModel

    fs = FeatureSet(
        [
            Feature("ret", window=1),
            Feature("ret", window=5),
            Feature("ret", window=21),
            Feature("ret", window=5, transform="xs_rank"),
            Feature("vol", window=21),
            Feature("sma_ratio", window=20),
            Feature("zscore", window=20),
        ]
    )
    u = sample_universe(n_assets=500, n_days=150, seed=1)
    feats = fs.compute(u.close)
    label = forward_returns(u.close, 5).y
    ok = label.notna().to_numpy()
    model = LGBMRegressorModel(n_estimators=100, min_child_samples=50).fit(feats[ok], label[ok])
    register_model(model, "bench-prices", alias="production", feature_set=fs)
    history = u.close.iloc[-60:]
    ql.predict("bench-prices", prices=history)
    from_prices = p50_us(lambda: ql.predict("bench-prices", prices=history), 100, warmup=10)
    print(
        "predict(prices=...) for 500 assets (7 features, 100 trees): "
        f"p50 {from_prices / 1000:.2f} ms"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
