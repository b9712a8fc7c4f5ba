"""Risk of portfolios of assets: Euler decomposition, diversification, clustered correlation.

Every function takes asset returns ``(n_bars, n_assets)`` and weights; weights may be one
portfolio (Series / dict / 1-D, indexed by asset) or many (a DataFrame
``(n_portfolios, n_assets)``), and many portfolios are computed in one vectorized pass.

Conventions (written down because the task is silent):

* Risk is a *loss*, reported positive: ``volatility`` is the per-bar standard deviation
  (ddof=1, not annualized); ``var`` and ``cvar`` are minus a return.
* Historical VaR and CVaR use the same tail as :func:`quantlab.metrics.cvar`: the
  ``k = int((n_bars - 1) * alpha) + 1`` worst bars of the portfolio. ``cvar`` is minus their
  mean (so ``cvar == -quantlab.metrics.cvar(portfolio_returns, alpha)``); ``var`` is minus the
  k-th worst return, an order statistic (not :func:`quantlab.metrics.value_at_risk`'s
  interpolated percentile), because the Euler decomposition needs a scenario.
* Euler contributions are ``w_i * d risk / d w_i``; risk measures here are homogeneous of
  degree one in ``w``, so the contributions sum to the total exactly. Volatility:
  ``w_i (Sigma w)_i / sigma``; VaR: ``-w_i r_i`` on the VaR bar; CVaR: ``-w_i`` times asset
  ``i``'s mean return over the tail bars.
* Returns must be complete (no NaN): a risk scenario needs every asset. Drop or fill the rows
  first, deliberately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab._validation import as_returns
from quantlab.errors import AlignmentError, ParameterError, ValidationError

__all__ = [
    "RiskDecomposition",
    "risk_contributions",
    "diversification_ratio",
    "clustered_correlation",
    "rolling_correlation",
    "rolling_beta",
]

_MEASURES = ("volatility", "var", "cvar")


@dataclass(frozen=True)
class RiskDecomposition:
    """Euler decomposition of one risk measure for one or many portfolios.

    Attributes
    ----------
    measure : str
        ``"volatility"``, ``"var"`` or ``"cvar"``.
    total : Series, shape (n_portfolios,)
        The portfolio's risk.
    marginal : DataFrame, shape (n_portfolios, n_assets)
        ``d risk / d w_i``.
    contribution : DataFrame, shape (n_portfolios, n_assets)
        ``w_i * marginal_i``; each row sums to ``total``.
    """

    measure: str
    total: pd.Series
    marginal: pd.DataFrame
    contribution: pd.DataFrame

    @property
    def percent(self) -> pd.DataFrame:
        """Contributions as fractions of the total (rows sum to 1)."""
        return self.contribution.div(self.total, axis=0)


def _returns(returns: Any) -> tuple[np.ndarray, pd.Index, pd.Index]:
    arr, labels = as_returns(returns, "returns")
    if np.isnan(arr).any():
        row, col = np.argwhere(np.isnan(arr))[0]
        raise ValidationError(
            f"returns has NaN (first: asset {labels.columns[col]!r} at {labels.index[row]}); "
            "risk scenarios need every asset: drop or fill those rows first"
        )
    if arr.shape[0] < 2:
        raise ValidationError(f"returns needs at least 2 bars; got {arr.shape[0]}")
    return arr, labels.index, labels.columns


def _weights(weights: Any, assets: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """``(n_portfolios, n_assets)`` aligned on ``assets`` by name; and the portfolio labels."""
    if isinstance(weights, dict):
        weights = pd.Series(weights, dtype=float)
    if isinstance(weights, pd.Series):
        weights = weights.to_frame().T
        weights.index = pd.RangeIndex(1)
    if isinstance(weights, pd.DataFrame):
        unknown = weights.columns.difference(assets)
        absent = assets.difference(weights.columns)
        if len(unknown) or len(absent):
            raise AlignmentError(
                f"weights columns must be the assets of returns; unknown: {list(unknown)[:5]}, "
                f"missing: {list(absent)[:5]}. Give a weight (0 if none) to every asset"
            )
        w = weights[assets].to_numpy(dtype=np.float64)
        ports = weights.index
    else:
        w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        if w.shape[1] != len(assets):
            raise AlignmentError(
                f"weights has {w.shape[1]} columns for {len(assets)} assets in returns; "
                "pass one weight per asset (or a Series indexed by asset)"
            )
        ports = pd.RangeIndex(w.shape[0])
    if not np.isfinite(w).all():
        raise ValidationError("weights must be finite; got NaN or inf. Use 0 for no position")
    return w, ports


def _alpha(alpha: float) -> float:
    if not 0.0 < alpha <= 0.5:
        raise ParameterError(f"alpha must be in (0, 0.5]; got {alpha!r}. Pass e.g. 0.05")
    return float(alpha)


def _tail(port: np.ndarray, k: int) -> np.ndarray:
    """Bar positions of the ``k`` worst bars of each portfolio row, ``(n_portfolios, k)``."""
    return np.argpartition(port, k - 1, axis=1)[:, :k]


def risk_contributions(
    returns: Any, weights: Any, measure: str = "volatility", *, alpha: float = 0.05
) -> RiskDecomposition:
    """Euler risk decomposition of portfolios: total, marginal risk and contributions.

    Parameters
    ----------
    returns : DataFrame, shape (n_bars, n_assets)
        Asset returns, no NaN.
    weights : Series / dict (n_assets,) or DataFrame (n_portfolios, n_assets)
        Portfolio weights by asset name (a 1-D / 2-D array in the column order of returns).
    measure : {"volatility", "var", "cvar"}, default "volatility"
    alpha : float, default 0.05
        Tail probability of VaR / CVaR.

    Returns
    -------
    RiskDecomposition

    Raises
    ------
    ValidationError
        NaN returns, non-finite weights.
    AlignmentError
        Weights not covering exactly the assets of returns.
    ParameterError
        Unknown ``measure``, ``alpha`` outside (0, 0.5].

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, -0.02, 0.03, 0.0], "B": [0.0, 0.01, -0.01, 0.02]})
    >>> d = risk_contributions(r, {"A": 0.5, "B": 0.5})
    >>> bool(np.isclose(d.contribution.sum(axis=1), d.total).all())
    True
    """
    if measure not in _MEASURES:
        raise ParameterError(
            f"The 'measure' parameter of risk_contributions must be one of {list(_MEASURES)}. "
            f"Got {measure!r} instead"
        )
    r, _, assets = _returns(returns)
    w, ports = _weights(weights, assets)
    if measure == "volatility":
        sw = w @ np.cov(r, rowvar=False, ddof=1).reshape(len(assets), len(assets))
        total = np.sqrt(np.einsum("pn,pn->p", w, sw))
        with np.errstate(invalid="ignore", divide="ignore"):
            marginal = sw / total[:, None]
    else:
        k = int((r.shape[0] - 1) * _alpha(alpha)) + 1
        port = w @ r.T  # (n_portfolios, n_bars): partitions run along contiguous rows
        tail = _tail(port, k)
        if measure == "var":
            worst = np.take_along_axis(port, tail, axis=1)
            at = tail[np.arange(w.shape[0]), np.argmax(worst, axis=1)]  # the k-th worst bar
            marginal = -r[at]
        else:
            mask = np.zeros_like(port)
            np.put_along_axis(mask, tail, 1.0 / k, axis=1)
            marginal = -(mask @ r)
        total = np.einsum("pn,pn->p", w, marginal)
    return RiskDecomposition(
        measure=measure,
        total=pd.Series(total, index=ports, name=measure),
        marginal=pd.DataFrame(marginal, index=ports, columns=assets),
        contribution=pd.DataFrame(w * marginal, index=ports, columns=assets),
    )


def diversification_ratio(returns: Any, weights: Any) -> pd.Series:
    """Weighted average asset volatility over portfolio volatility, ``sum |w_i| s_i / s_p``.

    1 for a single asset or perfectly correlated assets; higher = more diversified.

    Parameters
    ----------
    returns : DataFrame, shape (n_bars, n_assets)
    weights : Series / dict (n_assets,) or DataFrame (n_portfolios, n_assets)

    Returns
    -------
    Series, shape (n_portfolios,)

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, -0.01, 0.01, -0.01], "B": [-0.01, 0.01, -0.01, 0.01]})
    >>> round(float(diversification_ratio(r, {"A": 0.9, "B": 0.1}).iloc[0]), 12)
    1.25
    """
    r, _, assets = _returns(returns)
    w, ports = _weights(weights, assets)
    vol = risk_contributions(pd.DataFrame(r, columns=assets), w).total.to_numpy()
    s = r.std(axis=0, ddof=1)
    return pd.Series(np.abs(w) @ s / vol, index=ports, name="diversification_ratio")


def clustered_correlation(returns: Any, method: str = "average") -> pd.DataFrame:
    """Correlation matrix with assets in hierarchical-clustering (dendrogram leaf) order.

    Clustering: :func:`scipy.cluster.hierarchy.linkage` with ``method`` on the distance
    ``sqrt((1 - rho) / 2)`` (the metric of hierarchical risk parity), leaves in
    :func:`scipy.cluster.hierarchy.leaves_list` order, so correlated assets sit together.

    Parameters
    ----------
    returns : DataFrame, shape (n_bars, n_assets)
    method : str, default "average"
        Any linkage method of scipy ("single", "complete", "average", "ward" ...).

    Returns
    -------
    DataFrame, shape (n_assets, n_assets)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> a, b = rng.normal(size=(2, 200))
    >>> r = pd.DataFrame({"A1": a, "B1": b, "A2": a + 0.1 * rng.normal(size=200),
    ...                   "B2": b + 0.1 * rng.normal(size=200)})
    >>> sorted(clustered_correlation(r).columns[:2])
    ['A1', 'A2']
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    r, _, assets = _returns(returns)
    corr = np.corrcoef(r, rowvar=False)
    dist = np.sqrt(np.clip((1.0 - corr) / 2.0, 0.0, None))
    np.fill_diagonal(dist, 0.0)
    try:
        order = leaves_list(linkage(squareform(dist, checks=False), method=method))
    except ValueError as exc:
        raise ParameterError(f"method={method!r} is not a scipy linkage method ({exc})") from None
    return pd.DataFrame(corr[np.ix_(order, order)], index=assets[order], columns=assets[order])


def _window(window: Any, n_bars: int) -> int:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 2:
        raise ParameterError(f"window must be an int >= 2 (bars); got {window!r}. Pass e.g. 63")
    return int(window)


def _against(returns: Any, benchmark: Any) -> tuple[pd.DataFrame, pd.Series]:
    r, lab = as_returns(returns, "returns")
    b, blab = as_returns(benchmark, "benchmark")
    if b.shape[1] != 1:
        raise ParameterError(f"benchmark must be one series; got {b.shape[1]} columns")
    if not lab.index.equals(blab.index):
        raise AlignmentError(
            "benchmark's index differs from returns' index; align them first, e.g. "
            "benchmark.reindex(returns.index)"
        )
    return pd.DataFrame(r, index=lab.index, columns=lab.columns), pd.Series(b[:, 0], lab.index)


def rolling_correlation(returns: Any, benchmark: Any, window: int) -> pd.DataFrame:
    """Pearson correlation of each column with ``benchmark`` over a trailing window.

    The first ``window - 1`` rows are NaN; a window holding a NaN gives NaN (pandas rolling
    with ``min_periods=window``).

    Parameters
    ----------
    returns : DataFrame (n_bars, n_columns) or Series
    benchmark : Series, shape (n_bars,), same index
    window : int (>= 2)

    Returns
    -------
    DataFrame, shape (n_bars, n_columns)

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> rolling_correlation(pd.DataFrame({"x": 2 * b}), b, 3)["x"].round(12).tolist()[2:]
    [1.0, 1.0]
    """
    r, b = _against(returns, benchmark)
    w = _window(window, len(r))
    return r.rolling(w, min_periods=w).corr(b)


def rolling_beta(returns: Any, benchmark: Any, window: int) -> pd.DataFrame:
    """OLS beta of each column on ``benchmark`` over a trailing window, ``cov / var``.

    Parameters
    ----------
    returns : DataFrame (n_bars, n_columns) or Series
    benchmark : Series, shape (n_bars,), same index
    window : int (>= 2)

    Returns
    -------
    DataFrame, shape (n_bars, n_columns)

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> rolling_beta(pd.DataFrame({"x": 2 * b + 0.001}), b, 3)["x"].round(12).tolist()[2:]
    [2.0, 2.0]
    """
    r, b = _against(returns, benchmark)
    w = _window(window, len(r))
    cov = r.rolling(w, min_periods=w).cov(b)
    return cov.div(b.rolling(w, min_periods=w).var(), axis=0)
