"""Side by side: ``ql.data.load_ohlcv`` vs the bare pandas it wraps, on the same files.

The loader adds the loading policy (dates parsed and checked for order per symbol, every
cell checked to be a number, empty columns refused, OHLC consistency); the peer is the
least pandas does to get the same panels (``read_csv`` + ``to_datetime`` + ``pivot``),
checking nothing. The ratio is the price of the checks.

Run: ``PYTHONPATH=$PWD python benchmarks/compare_loaders.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

import quantlab as ql


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bare_long(path: Path) -> dict[str, pd.DataFrame]:
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    wide = df.pivot(index="date", columns="symbol")
    return {f: wide[f] for f in ("open", "high", "low", "close", "volume")}


def bare_wide(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, index_col=0)
    frame.index = pd.to_datetime(frame.index)
    return frame


def main() -> None:
    u = ql.data.sample_universe(n_assets=200, n_days=2520, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        long_path = Path(tmp) / "long.csv"
        ql.data.to_long(u.ohlcv).to_csv(long_path, index=False)
        wide_path = Path(tmp) / "wide.csv"
        u.close.rename_axis("date").to_csv(wide_path)
        rows = [
            ("long CSV, 200 assets x 2520 days", long_path, bare_long),
            ("wide close CSV, 200 assets x 2520 days", wide_path, bare_wide),
        ]
        print(f"{'case':<42}{'load_ohlcv':>12}{'bare pandas':>13}{'ratio':>8}")
        for name, path, bare in rows:
            ours = best_of(lambda p=path: ql.data.load_ohlcv(p))
            peer = best_of(lambda p=path, b=bare: b(p))
            print(f"{name:<42}{ours:>10.3f} s{peer:>11.3f} s{ours / peer:>8.2f}")


if __name__ == "__main__":
    main()
