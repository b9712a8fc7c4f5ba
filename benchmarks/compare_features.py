"""Side-by-side: FeatureSet.compute vs the equivalent pandas groupby/rolling code.

Run: ``python benchmarks/compare_features.py`` (``--quick`` for a small smoke run).

500 assets x 2,520 days, 20 features (lagged returns, rolling volatility, SMA ratios and
z-scores from quantlab.indicators, cross-sectional ranks and z-scores), stacked into a
(date, symbol) frame. The pandas reference is the usual long-format implementation: one
``groupby("symbol")`` per time-series feature (``pct_change``, ``shift``, ``rolling``) and
one ``groupby("date")`` per cross-sectional one. Both run in this process on the same
data; the values are checked equal before the best-of-N timings and their ratio are
printed (target: quantlab >= 10x faster).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from quantlab.ml import Feature, FeatureSet

RET_WINDOWS = (1, 2, 3, 5, 10, 21, 63)
LAGGED = ((5, 5), (21, 21))
VOL_WINDOWS = (5, 10, 21, 63)
SMA_WINDOWS = (10, 50)
ZSCORE_WINDOW = 20


def feature_set() -> FeatureSet:
    feats = [Feature("ret", window=w) for w in RET_WINDOWS]
    feats += [Feature("ret", window=w, lag=lag) for w, lag in LAGGED]
    feats += [Feature("vol", window=w) for w in VOL_WINDOWS]
    feats += [Feature("sma_ratio", window=w) for w in SMA_WINDOWS]
    feats += [Feature("zscore", window=ZSCORE_WINDOW)]
    feats += [
        Feature("ret", window=5, transform="xs_rank"),
        Feature("ret", window=21, transform="xs_rank"),
        Feature("vol", window=21, transform="xs_rank"),
        Feature("ret", window=63, transform="xs_zscore"),
    ]
    assert len(feats) == 20
    return FeatureSet(feats, name="bench20")


def pandas_features(close: pd.DataFrame) -> pd.DataFrame:
    """The same 20 features, written the usual pandas way on a long (date, symbol) frame."""
    long = close.stack(future_stack=True).rename("close").rename_axis(["date", "symbol"])
    long = long.reset_index()
    by_sym = long.groupby("symbol", sort=False)["close"]
    out: dict[str, pd.Series] = {}

    def rolling(series: pd.Series, w: int, how: str) -> pd.Series:
        r = series.groupby(long["symbol"], sort=False).rolling(w)
        return getattr(r, how)().reset_index(level=0, drop=True).sort_index()

    for w in RET_WINDOWS:
        out[f"ret_{w}"] = by_sym.pct_change(w, fill_method=None)
    for w, lag in LAGGED:
        out[f"ret_{w}_lag{lag}"] = by_sym.shift(lag) / by_sym.shift(lag + w) - 1
    r1 = out["ret_1"]
    for w in VOL_WINDOWS:
        out[f"vol_{w}"] = rolling(r1, w, "std")
    for w in SMA_WINDOWS:
        out[f"sma_ratio_{w}"] = long["close"] / rolling(long["close"], w, "mean") - 1
    w = ZSCORE_WINDOW
    mean, std = rolling(long["close"], w, "mean"), rolling(long["close"], w, "std")
    out[f"zscore_{w}"] = (long["close"] - mean) / std
    by_date = long["date"]
    for name in ("ret_5", "ret_21", "vol_21"):
        out[f"{name}_xs_rank"] = out[name].groupby(by_date).rank(pct=True)
    r63 = out["ret_63"]
    g = r63.groupby(by_date)
    out["ret_63_xs_zscore"] = (r63 - g.transform("mean")) / g.transform("std")
    frame = pd.DataFrame(out)
    frame.index = pd.MultiIndex.from_frame(long[["date", "symbol"]])
    return frame


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def make_close(n_assets: int, n_days: int) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    rets = rng.normal(0.0002, 0.02, size=(n_days, n_assets))
    close = 50.0 * np.exp(np.cumsum(rets, axis=0))
    halts = rng.integers(0, n_days, size=(n_assets // 10, 2))
    close[halts[:, 0], halts[:, 1] % n_assets] = np.nan  # a few bars without trading
    idx = pd.bdate_range("2010-01-04", periods=n_days)
    return pd.DataFrame(close, index=idx, columns=[f"S{i:03d}" for i in range(n_assets)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 assets x 500 days")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n_assets, n_days = (50, 500) if args.quick else (500, 2520)
    close = make_close(n_assets, n_days)
    fs = feature_set()

    ours = fs.compute(close)  # warm-up: numba compilation / cache load
    ref = pandas_features(close)[fs.names]
    assert ours.index.equals(ref.index), "row order differs"
    a, b = ours.to_numpy(), ref.to_numpy()
    # rolling sums of price levels (sma, zscore) carry ~1e-9 relative round-off in pandas
    np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    assert (np.isnan(a) == np.isnan(b)).all()
    rel = np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))
    print(
        f"values equal: {ours.shape[1]} features x {len(ours):,} (date, symbol) rows "
        f"(same NaN pattern, max relative difference {rel:.1e})"
    )

    t_ours = best_of(lambda: fs.compute(close), args.repeat)
    t_pandas = best_of(lambda: pandas_features(close), max(1, args.repeat - 2))
    t_latest = best_of(lambda: fs.latest(close), args.repeat)
    print(f"{n_assets} assets x {n_days} days, 20 features")
    print(f"  quantlab FeatureSet.compute  {t_ours:8.3f} s")
    print(f"  pandas groupby/rolling       {t_pandas:8.3f} s")
    print(f"  ratio                        {t_pandas / t_ours:8.1f} x   (target >= 10x)")
    print(f"  FeatureSet.latest (serving)  {t_latest * 1e3:8.1f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
