"""Information coefficient: per-date correlation of predictions with realised outcomes.

The **IC** of a date is the correlation, across the assets of that date, between the
predictions and the realised target: Pearson on the values, and the *rank IC* (Spearman)
on their cross-sectional ranks. :func:`ic_summary` turns the per-date series into its
mean, standard deviation, ICIR (mean / std) and a t-statistic of the mean.

Overlapping labels (a 5-day forward return every day) make consecutive ICs correlated,
so the t-statistic uses a Newey-West (Bartlett) variance with ``horizon - 1`` lags; with
``horizon=1`` it is the plain ``mean / (std / sqrt(n))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlab.errors import AlignmentError, ParameterError
from quantlab.metrics.hac import newey_west_se
from quantlab.ml import _kernels
from quantlab.ml._panel import check_stacked

__all__ = ["information_coefficient", "ic_summary"]


def _rowwise_corr(a: np.ndarray, b: np.ndarray, min_assets: int) -> np.ndarray:
    ok = np.isfinite(a) & np.isfinite(b)
    n = ok.sum(axis=1)
    a0 = np.where(ok, a, 0.0)
    b0 = np.where(ok, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = a0.sum(axis=1) / n
        mb = b0.sum(axis=1) / n
        da = np.where(ok, a - ma[:, None], 0.0)
        db = np.where(ok, b - mb[:, None], 0.0)
        cov = (da * db).sum(axis=1)
        out = cov / np.sqrt((da * da).sum(axis=1) * (db * db).sum(axis=1))
    out[(n < min_assets) | ~np.isfinite(out)] = np.nan
    return out


def information_coefficient(
    predictions: pd.Series, target: pd.Series, *, min_assets: int = 3
) -> pd.DataFrame:
    """Per-date Pearson IC and rank IC of ``predictions`` against ``target``.

    Parameters
    ----------
    predictions, target : pandas.Series
        Indexed by (date, symbol); aligned on their common rows (NaN rows skipped).
    min_assets : int, default 3
        Dates with fewer valid assets get NaN.

    Returns
    -------
    pandas.DataFrame
        Index: dates; columns ``pearson``, ``rank``, ``n_assets``.

    Raises
    ------
    AlignmentError
        Inputs not indexed by (date, symbol), or without common rows.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([pd.bdate_range("2024-01-01", periods=2), list("abc")])
    >>> p = pd.Series([1.0, 2.0, 3.0, 3.0, 2.0, 1.0], index=idx)
    >>> y = pd.Series([0.1, 0.2, 0.4, 0.1, 0.2, 0.3], index=idx)
    >>> information_coefficient(p, y)["rank"].tolist()
    [1.0, -1.0]
    """
    check_stacked(predictions, "predictions")
    check_stacked(target, "target")
    if isinstance(min_assets, bool) or not isinstance(min_assets, int) or min_assets < 2:
        raise ParameterError(f"min_assets must be an int >= 2; got {min_assets!r}")
    common = predictions.index.intersection(target.index)
    if len(common) == 0:
        raise AlignmentError(
            "predictions and target share no (date, symbol) row; compute them on the same grid"
        )
    p = predictions.reindex(common).unstack(level=1)
    t = target.reindex(common).unstack(level=1).reindex_like(p)
    pa = np.ascontiguousarray(p.to_numpy(dtype=np.float64))
    ta = np.ascontiguousarray(t.to_numpy(dtype=np.float64))
    both = np.isfinite(pa) & np.isfinite(ta)
    pa = np.where(both, pa, np.nan)
    ta = np.where(both, ta, np.nan)
    out = pd.DataFrame(
        {
            "pearson": _rowwise_corr(pa, ta, min_assets),
            "rank": _rowwise_corr(_kernels.xs_rank(pa), _kernels.xs_rank(ta), min_assets),
            "n_assets": both.sum(axis=1),
        },
        index=p.index,
    )
    out.index.name = "date"
    return out


def ic_summary(ic: pd.DataFrame, *, horizon: int = 1) -> pd.DataFrame:
    """Mean, std, ICIR and t-statistic of per-date ICs.

    Parameters
    ----------
    ic : pandas.DataFrame
        Output of :func:`information_coefficient` (columns ``pearson``, ``rank``).
    horizon : int, default 1
        Label horizon in bars; the t-statistic's Newey-West variance uses
        ``horizon - 1`` lags to account for overlapping labels.

    Returns
    -------
    pandas.DataFrame
        Index ``pearson``, ``rank``; columns ``mean``, ``std``, ``icir``, ``t_stat``,
        ``n_dates``, ``hit_rate`` (share of dates with IC > 0).

    Examples
    --------
    >>> import pandas as pd
    >>> ic = pd.DataFrame({"pearson": [0.1, 0.3], "rank": [0.2, 0.2]})
    >>> ic_summary(ic).loc["pearson", ["mean", "icir"]].round(4).tolist()
    [0.2, 1.4142]
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ParameterError(f"horizon must be an int >= 1; got {horizon!r}")
    rows = {}
    for col in ("pearson", "rank"):
        x = ic[col].to_numpy(dtype=np.float64)
        x = x[np.isfinite(x)]
        n = len(x)
        if n < 2:
            rows[col] = {
                "mean": np.nan,
                "std": np.nan,
                "icir": np.nan,
                "t_stat": np.nan,
                "n_dates": n,
                "hit_rate": np.nan,
            }
            continue
        mean, std = float(x.mean()), float(x.std(ddof=1))
        se = newey_west_se(x, horizon - 1)
        rows[col] = {
            "mean": mean,
            "std": std,
            "icir": mean / std if std > 0 else np.nan,
            "t_stat": mean / se if se > 0 else np.nan,
            "n_dates": n,
            "hit_rate": float((x > 0).mean()),
        }
    return pd.DataFrame(rows).T[["mean", "std", "icir", "t_stat", "n_dates", "hit_rate"]]
