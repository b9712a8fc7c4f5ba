"""Side by side: quantlab.factors.analyze() vs alphalens-reloaded, same data, same process.

500 assets x 10 years of business days (2,520 bars), a momentum-plus-noise factor with a
few NaN, horizons (1, 5, 21), 5 quantiles. alphalens-reloaded runs
``get_clean_factor_and_forward_returns`` and the computations of its full tear sheet
(without plotting): mean return by quantile (overall and by date) with standard errors,
the top-minus-bottom spread, factor returns and their cumulative curve, IC per date and
its mean (IC decay), quantile turnover of every quantile and factor rank autocorrelation
for each horizon. quantlab runs the same analysis *plus* the engine backtests of the 5
quantile portfolios and the long-short portfolio per horizon (with fees), which alphalens
does not do. alphalens runs once (it takes minutes); quantlab best of 3 after a warm-up
(numba compilation excluded, as it is cached on disk). Prints both times, the ratio, and
the largest differences on the quantities both compute.

    PYTHONPATH=. python benchmarks/compare_factors.py [--assets 500] [--bars 2520]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import warnings

import alphalens as al
import numpy as np
import pandas as pd

from quantlab.factors import analyze

HORIZONS = (1, 5, 21)
QUANTILES = 5


def make_data(n_bars: int, n_assets: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2014-01-01", periods=n_bars)
    cols = [f"S{i:03d}" for i in range(n_assets)]
    close = pd.DataFrame(
        100 * np.exp(rng.normal(0.0002, 0.02, (n_bars, n_assets)).cumsum(0)),
        index=idx,
        columns=cols,
    )
    f = close.pct_change(20) + rng.normal(0, 0.05, close.shape)
    f = f.mask(rng.random(f.shape) < 0.01)
    # alphalens needs price bars after the last factor date: analyse all but the last 21
    factor = f.iloc[:-21].stack(future_stack=True)
    factor.index.names = ["date", "asset"]
    return close, factor


def run_alphalens(factor: pd.Series, close: pd.DataFrame) -> dict[str, object]:
    perf = al.performance
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fd = al.utils.get_clean_factor_and_forward_returns(
            factor, close, periods=HORIZONS, quantiles=QUANTILES, max_loss=0.35
        )
        mean, se = perf.mean_return_by_quantile(fd)
        mean_d, se_d = perf.mean_return_by_quantile(fd, by_date=True)
        spread, spread_se = perf.compute_mean_returns_spread(mean_d, QUANTILES, 1, se_d)
        fr = perf.factor_returns(fd)
        cum = perf.cumulative_returns(fr["1D"])
        ic = perf.factor_information_coefficient(fd)
        mic = perf.mean_information_coefficient(fd)
        periods = [1, 5, 21]
        turnover = {
            p: pd.concat(
                [perf.quantile_turnover(fd["factor_quantile"], q, p) for q in range(1, 6)], axis=1
            )
            for p in periods
        }
        autocorr = {p: perf.factor_rank_autocorrelation(fd, p) for p in periods}
    return {
        "fd": fd,
        "mean": mean,
        "se": se,
        "spread": spread,
        "factor_returns": fr,
        "cum": cum,
        "ic": ic,
        "mean_ic": mic,
        "turnover": turnover,
        "autocorr": autocorr,
    }


def run_quantlab(factor: pd.Series, close: pd.DataFrame, engine: bool = True) -> dict[str, object]:
    fa = analyze(factor, close, horizons=HORIZONS, quantiles=QUANTILES, fees=0.001)
    out: dict[str, object] = {
        "fa": fa,
        "mean": fa.mean_returns,
        "se": fa.mean_returns_se,
        "by_date": fa.returns_by_date,
        "spread": fa.spread,
        "spread_summary": fa.spread_summary,
        "factor_returns": fa.factor_returns,
        "ic": fa.ic,
        "ic_summary": fa.ic_summary,
        "turnover": fa.turnover,
        "autocorr": fa.rank_autocorrelation,
        "turnover_summary": fa.turnover_summary,
        "cum": (1.0 + fa.factor_returns[1]).cumprod(),
    }
    if engine:
        out["backtests"] = fa.backtests
        out["engine_cum"] = fa.cumulative_returns(1)
        out["summary"] = fa.summary()
    return out


def max_diffs(a: dict[str, object], q: dict[str, object]) -> dict[str, float]:
    def d(x: object, y: object) -> float:
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
        return float(np.nanmax(np.abs(xa - ya)))

    fa = q["fa"]
    out = {
        "mean return by quantile": d(q["mean"], a["mean"]),
        "std error by quantile": d(q["se"], a["se"]),
    }
    fr = a["factor_returns"].dropna(how="all")  # type: ignore[union-attr]
    out["factor returns"] = d(q["factor_returns"].loc[fr.index], fr)  # type: ignore[union-attr]
    ic = a["ic"].dropna(how="all")  # type: ignore[union-attr]
    out["IC per date"] = d(q["ic"].loc[ic.index], ic)  # type: ignore[union-attr]
    spread = a["spread"].dropna()  # type: ignore[union-attr]
    out["spread (ours / 2)"] = d(q["spread"].loc[spread.index] / 2, spread)  # type: ignore[union-attr]
    t_al = a["turnover"][5].dropna()  # type: ignore[index]
    out["quantile turnover (lag 5)"] = d(q["turnover"][5].loc[t_al.index], t_al)  # type: ignore[index]
    ac = a["autocorr"][1].dropna()  # type: ignore[index]
    out["rank autocorrelation (lag 1)"] = d(q["autocorr"][1].loc[ac.index], ac)  # type: ignore[index]
    al_fd = a["fd"]
    out["rows kept (quantlab - alphalens)"] = float(fa.data.loss.n_kept - len(al_fd))  # type: ignore[attr-defined, arg-type]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=500)
    ap.add_argument("--bars", type=int, default=2520)
    args = ap.parse_args()
    close, factor = make_data(args.bars, args.assets)
    print(
        f"data: {args.bars} bars x {args.assets} assets, horizons {HORIZONS}, "
        f"{QUANTILES} quantiles, factor rows {len(factor)}, cpus={os.cpu_count()}, "
        f"load={os.getloadavg()[0]:.2f}"
    )
    run_quantlab(factor.iloc[100 * args.assets : 150 * args.assets], close)  # warm-up: numba

    def best(engine: bool) -> tuple[float, list[float], dict[str, object]]:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            res = run_quantlab(factor, close, engine)
            times.append(round(time.perf_counter() - t0, 3))
        return min(times), times, res

    t_m, times_m, q = best(False)
    t_q, times_q, _ = best(True)
    t0 = time.perf_counter()
    a = run_alphalens(factor, close)
    t_a = time.perf_counter() - t0
    print(f"quantlab, the same figures as alphalens     : {t_m:8.3f} s  (runs: {times_m})")
    print(f"quantlab, + engine backtests (18 portfolios): {t_q:8.3f} s  (runs: {times_q})")
    print(f"alphalens clean + tear-sheet figures        : {t_a:8.3f} s  (one run)")
    print(f"ratio alphalens / quantlab (same figures)   : {t_a / t_m:8.1f}x")
    print(f"ratio alphalens / quantlab (+ engine runs)  : {t_a / t_q:8.1f}x")
    print("largest absolute differences on the quantities both compute:")
    for k, v in max_diffs(a, q).items():
        print(f"  {k:38s}: {v:.3g}")


if __name__ == "__main__":
    main()
