"""Factor exposures: OLS of returns on factor returns with Newey-West errors (statsmodels).

The regressions are statsmodels' (``OLS(...).fit(cov_type="HAC")`` and ``RollingOLS``),
wrapped: quantlab aligns, validates and labels, it does not re-implement OLS.

Conventions (the task is silent):

* A constant (``alpha``, per bar) is always included.
* Newey-West lags default to ``floor(4 * (n_bars / 100) ** (2 / 9))`` (Newey and West 1994's
  plug-in rule); the Bartlett kernel, no small-sample correction (statsmodels' defaults).
* Rows where the asset or any factor is NaN are dropped *per asset*, and the number of bars
  used is reported (``n_obs``); the indexes of returns and factors must be identical.
* Attribution splits each bar's return into ``alpha + sum_j beta_j f_j + residual``. With
  ``window=None`` the betas are the full-sample ones (ex post, residuals are the OLS
  residuals); with ``window=N`` they are the rolling betas estimated on the N bars *before*
  the bar (ex ante, no look-ahead), and the first N bars are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab._validation import as_returns
from quantlab.errors import AlignmentError, ParameterError, ValidationError

__all__ = ["FactorExposures", "factor_exposures", "rolling_exposures", "factor_attribution"]


@dataclass(frozen=True)
class FactorExposures:
    """Full-sample regression of each asset on the factors.

    Attributes
    ----------
    params : DataFrame, shape (n_assets, 1 + n_factors)
        ``alpha`` (per bar) then one beta per factor.
    bse : DataFrame, shape (n_assets, 1 + n_factors)
        Newey-West (HAC) standard errors.
    tvalues, pvalues : DataFrame, shape (n_assets, 1 + n_factors)
    rsquared : Series, shape (n_assets,)
    n_obs : Series, shape (n_assets,)
        Bars used (rows with a NaN dropped).
    lags : int
        Newey-West lags.
    """

    params: pd.DataFrame
    bse: pd.DataFrame
    tvalues: pd.DataFrame
    pvalues: pd.DataFrame
    rsquared: pd.Series
    n_obs: pd.Series
    lags: int


def _inputs(returns: Any, factors: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    r, rl = as_returns(returns, "returns")
    f, fl = as_returns(factors, "factors")
    if not rl.index.equals(fl.index):
        raise AlignmentError(
            f"factors' index differs from returns' index ({len(fl.index)} vs {len(rl.index)} "
            "bars); align them first, e.g. factors.reindex(returns.index)"
        )
    rets = pd.DataFrame(r, index=rl.index, columns=rl.columns)
    fac = pd.DataFrame(f, index=fl.index, columns=fl.columns)
    return rets, fac


def _design(fac: pd.DataFrame) -> pd.DataFrame:
    x = fac.copy()
    x.insert(0, "alpha", 1.0)
    return x


def factor_exposures(returns: Any, factors: Any, *, lags: int | None = None) -> FactorExposures:
    """Regress each asset's returns on the factors: betas, alpha and Newey-West errors.

    Parameters
    ----------
    returns : DataFrame (n_bars, n_assets) or Series
        Asset (or portfolio) returns.
    factors : DataFrame, shape (n_bars, n_factors), same index
        Factor returns.
    lags : int, optional
        Newey-West lags (default: the module's plug-in rule).

    Returns
    -------
    FactorExposures

    Raises
    ------
    AlignmentError
        Different indexes.
    ValidationError
        An asset with fewer complete bars than regressors + 1.
    ParameterError
        Negative ``lags``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame(rng.normal(0, 0.01, (500, 2)), columns=["MKT", "SMB"])
    >>> r = pd.DataFrame({"X": 0.001 + 1.5 * f["MKT"] - 0.5 * f["SMB"]})
    >>> factor_exposures(r, f).params.round(6).loc["X"].tolist()
    [0.001, 1.5, -0.5]
    """
    import statsmodels.api as sm

    rets, fac = _inputs(returns, factors)
    x_all = _design(fac)
    n_lags = int(np.floor(4 * (len(rets) / 100) ** (2 / 9))) if lags is None else lags
    if isinstance(n_lags, bool) or not isinstance(n_lags, (int, np.integer)) or n_lags < 0:
        raise ParameterError(f"lags must be a non-negative int; got {lags!r}. Pass e.g. 5")
    rows: dict[str, list[Any]] = {k: [] for k in ("params", "bse", "t", "p", "r2", "n")}
    for col in rets.columns:
        ok = rets[col].notna() & x_all.notna().all(axis=1)
        if ok.sum() <= x_all.shape[1]:
            raise ValidationError(
                f"asset {col!r} has {int(ok.sum())} complete bars for {x_all.shape[1]} "
                "regressors (alpha + factors); it needs more history"
            )
        fit = sm.OLS(rets.loc[ok, col], x_all.loc[ok]).fit(
            cov_type="HAC", cov_kwds={"maxlags": int(n_lags)}
        )
        rows["params"].append(fit.params)
        rows["bse"].append(fit.bse)
        rows["t"].append(fit.tvalues)
        rows["p"].append(fit.pvalues)
        rows["r2"].append(fit.rsquared)
        rows["n"].append(int(fit.nobs))

    def frame(key: str) -> pd.DataFrame:
        return pd.DataFrame(rows[key], index=rets.columns, columns=x_all.columns)

    return FactorExposures(
        params=frame("params"),
        bse=frame("bse"),
        tvalues=frame("t"),
        pvalues=frame("p"),
        rsquared=pd.Series(rows["r2"], index=rets.columns, name="rsquared"),
        n_obs=pd.Series(rows["n"], index=rets.columns, name="n_obs"),
        lags=int(n_lags),
    )


def rolling_exposures(returns: Any, factors: Any, window: int) -> pd.DataFrame:
    """Alpha and betas of each asset over a trailing window (statsmodels ``RollingOLS``).

    The row at bar ``t`` uses bars ``t - window + 1 .. t``; windows with a NaN give NaN.

    Parameters
    ----------
    returns : DataFrame (n_bars, n_assets) or Series
    factors : DataFrame, shape (n_bars, n_factors), same index
    window : int
        Bars per regression (> 1 + n_factors).

    Returns
    -------
    DataFrame, shape (n_bars, n_assets * (1 + n_factors))
        Columns: MultiIndex (asset, "alpha" / factor).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame(rng.normal(0, 0.01, (100, 1)), columns=["MKT"])
    >>> r = pd.DataFrame({"X": 2.0 * f["MKT"]})
    >>> float(rolling_exposures(r, f, 20)[("X", "MKT")].iloc[-1].round(10))
    2.0
    """
    from statsmodels.regression.rolling import RollingOLS

    rets, fac = _inputs(returns, factors)
    x_all = _design(fac)
    if (
        isinstance(window, bool)
        or not isinstance(window, (int, np.integer))
        or not x_all.shape[1] < window <= len(rets)
    ):
        raise ParameterError(
            f"window must be an int in ({x_all.shape[1]}, {len(rets)}] (more bars than "
            f"regressors, at most n_bars); got {window!r}"
        )
    out = {}
    for col in rets.columns:
        # only params are read; statsmodels' log-likelihood of an exact fit divides by zero
        with np.errstate(divide="ignore"):
            out[col] = RollingOLS(rets[col], x_all, window=int(window), missing="skip").fit().params
    return pd.concat(out, axis=1)


def factor_attribution(returns: Any, factors: Any, *, window: int | None = None) -> pd.DataFrame:
    """Split each bar's return into alpha, one part per factor, and the residual.

    Parameters
    ----------
    returns : Series (n_bars,) or DataFrame (n_bars, n_assets)
    factors : DataFrame, shape (n_bars, n_factors), same index
    window : int, optional
        None: full-sample betas (ex post). N: betas of the N bars before each bar (ex ante).

    Returns
    -------
    DataFrame, shape (n_bars, n_assets * (2 + n_factors))
        Columns: MultiIndex (asset, "alpha" / factor / "residual"); each asset's parts sum to
        its return.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame(rng.normal(0, 0.01, (300, 1)), columns=["MKT"])
    >>> r = pd.Series(0.5 * f["MKT"] + rng.normal(0, 0.001, 300), name="X")
    >>> parts = factor_attribution(r, f)
    >>> bool(np.allclose(parts["X"].sum(axis=1), r))
    True
    """
    rets, fac = _inputs(returns, factors)
    x_all = _design(fac).to_numpy()
    if window is None:
        p = factor_exposures(rets, fac, lags=0).params
        betas = {col: np.broadcast_to(p.loc[col].to_numpy(), x_all.shape) for col in rets.columns}
    else:
        roll = rolling_exposures(rets, fac, window).shift(1)
        betas = {col: roll[col].to_numpy() for col in rets.columns}
    parts = {}
    for col in rets.columns:
        explained = x_all * betas[col]
        frame = pd.DataFrame(explained, index=rets.index, columns=["alpha", *fac.columns])
        frame["residual"] = rets[col].to_numpy() - explained.sum(axis=1)
        parts[col] = frame
    return pd.concat(parts, axis=1)
