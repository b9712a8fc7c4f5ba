"""Information coefficient of a factor: per date and horizon, its decay, by group.

The IC of a date is the Spearman rank correlation, across that date's kept names, between
the factor and the forward return of a horizon (``scipy.stats.spearmanr``: ranks with ties
averaged, then Pearson), as alphalens' ``factor_information_coefficient``. Dates with fewer
than 2 names, or a constant factor or return, give NaN (scipy warns and gives NaN too).
Summaries use the Newey-West t-statistic of :mod:`quantlab.metrics.hac` with ``h - 1`` lags
(the overlap of ``h``-bar forward returns); alphalens reports a plain t-test instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError
from quantlab.factors import _kernels as K
from quantlab.factors.clean import FactorData
from quantlab.factors.returns import demeaned_forward
from quantlab.metrics.hac import newey_west_tstat

__all__ = ["factor_ic", "ic_by_group", "ic_decay", "ic_table"]


def factor_ic(fd: FactorData, *, group_adjust: bool = False) -> pd.DataFrame:
    """Spearman IC of every date and horizon.

    Parameters
    ----------
    fd : FactorData
    group_adjust : bool
        Demean forward returns within each (date, group) first.

    Returns
    -------
    DataFrame
        Index: dates; columns = horizons.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> ic = factor_ic(clean_factor(close.pct_change(5), close, horizons=(1, 5)))
    >>> ic.shape, bool(ic.abs().le(1).all().all())
    ((30, 2), True)
    """
    y = demeaned_forward(fd, demeaned=False, group_adjust=group_adjust)
    ic = K.seg_spearman(fd.factor, np.ascontiguousarray(y), fd.date_starts)
    return pd.DataFrame(ic, index=fd.dates, columns=pd.Index(fd.horizons, name="horizon"))


def ic_by_group(fd: FactorData, *, group_adjust: bool = False) -> pd.DataFrame:
    """Spearman IC of every (date, group) and horizon.

    Returns
    -------
    DataFrame
        Index (date, group); columns = horizons. Needs ``groups`` in :func:`clean_factor`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> fd = clean_factor(close.pct_change(5), close, horizons=(1,), quantiles=2,
    ...                   groups={s: "xy"[i % 2] for i, s in enumerate(close.columns)})
    >>> ic_by_group(fd).index.names
    FrozenList(['date', 'group'])
    """
    if fd.group_labels is None:
        raise ParameterError("ic_by_group needs groups; pass groups= to clean_factor")
    y = demeaned_forward(fd, demeaned=False, group_adjust=group_adjust)
    ic = K.seg_spearman(fd.factor, np.ascontiguousarray(y), fd.group_starts)
    first = fd.group_starts[:-1]
    idx = pd.MultiIndex.from_arrays(
        [fd.calendar[fd.date_pos[first]], fd.group_labels[fd.group[first]]],
        names=["date", "group"],
    )
    return pd.DataFrame(ic, index=idx, columns=pd.Index(fd.horizons, name="horizon"))


def ic_table(ic: pd.DataFrame) -> pd.DataFrame:
    """Mean, std, ICIR, Newey-West t-statistic, hit rate and count of per-date ICs.

    Parameters
    ----------
    ic : DataFrame
        Dates x horizons (from :func:`factor_ic`); the column labels are the horizons in bars.

    Returns
    -------
    DataFrame
        Index = horizons; columns ``mean``, ``std``, ``icir``, ``t_stat``, ``hit_rate``,
        ``n_dates``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> ic_table(factor_ic(clean_factor(close.pct_change(5), close, horizons=(1, 5)))).shape
    (2, 6)
    """
    rows = {}
    for h in ic.columns:
        x = ic[h].to_numpy(dtype=np.float64)
        x = x[np.isfinite(x)]
        std = float(x.std(ddof=1)) if len(x) > 1 else np.nan
        mean = float(x.mean()) if len(x) else np.nan
        rows[h] = {
            "mean": mean,
            "std": std,
            "icir": mean / std if std > 0 else np.nan,
            "t_stat": newey_west_tstat(x, int(h) - 1),
            "hit_rate": float((x > 0).mean()) if len(x) else np.nan,
            "n_dates": len(x),
        }
    out = pd.DataFrame(rows).T
    out.index.name = "horizon"
    return out


def ic_decay(fd: FactorData) -> pd.Series:
    """Mean IC per horizon (how fast the factor's information decays).

    Returns
    -------
    Series
        Index = horizons, values = mean Spearman IC over dates.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> ic_decay(clean_factor(close.pct_change(5), close, horizons=(1, 5))).index.tolist()
    [1, 5]
    """
    return factor_ic(fd).mean().rename("mean_ic")
