"""Out-of-sample predictions for every date, and the one-call research pipeline.

:func:`fit_predict_oos` fits a fresh copy of the model on each training split and
predicts its test split, so every prediction comes from a model that never saw that
date's label (nor, with purging and embargo, any label overlapping it). :func:`research`
chains features -> labels -> OOS predictions -> weights -> backtest -> metrics.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import AlignmentError, ParameterError, ValidationError
from quantlab.ml._panel import check_stacked, close_panel
from quantlab.ml.cv import CombinatorialPurgedCV, PurgedKFold
from quantlab.ml.features import FeatureSet
from quantlab.ml.ic import ic_summary, information_coefficient
from quantlab.ml.labels import Labels, forward_returns
from quantlab.ml.positions import OOSBacktest, backtest_predictions
from quantlab.ml.weights import average_uniqueness

__all__ = ["OOSResult", "ResearchResult", "fit_predict_oos", "research"]


@dataclass(frozen=True)
class OOSResult:
    """Out-of-sample predictions and their information coefficients.

    Attributes
    ----------
    predictions : pandas.Series
        (date, symbol) OOS prediction for every row with a valid label that a test
        split covered (walk-forward leaves the first training window unpredicted). For
        combinatorial CV, the mean over the backtest paths.
    paths : pandas.DataFrame
        One column per backtest path (``path_0`` ...); a single column otherwise.
    target : pandas.Series
        The label ``y`` on the same rows.
    returns : pandas.Series
        The labels' realised returns on the same rows (what the IC is measured against).
    kind : str
        The model's kind (``"return"``, ``"probability"``, ``"score"``).
    horizon : int
        The labels' horizon in bars.
    ic : pandas.DataFrame
        Per-date ``pearson`` / ``rank`` IC of ``predictions`` against ``returns``.
    folds : pandas.DataFrame
        Per split: ``n_train``, ``n_test``, ``test_start``, ``test_end``, ``rank_ic``.
    models : list
        The fitted models per split (empty unless ``keep_models=True``).
    """

    predictions: pd.Series
    paths: pd.DataFrame
    target: pd.Series
    returns: pd.Series
    kind: str
    horizon: int
    ic: pd.DataFrame
    folds: pd.DataFrame
    models: list[Any] = field(default_factory=list)

    def ic_summary(self) -> pd.DataFrame:
        """Mean, std, ICIR, Newey-West t-statistic of the per-date ICs (see :mod:`.ic`)."""
        return ic_summary(self.ic, horizon=max(self.horizon, 1))


def _as_labels(labels: Any) -> Labels:
    if isinstance(labels, Labels):
        return labels
    if isinstance(labels, pd.Series):
        check_stacked(labels, "labels")
        dates = pd.Series(labels.index.get_level_values(0), index=labels.index)
        end = dates.where(labels.notna())
        return Labels(
            y=labels.astype(float), end=end, ret=labels.astype(float), kind="return", horizon=1
        )
    raise ValidationError(
        f"labels must be a quantlab.ml.labels.Labels (with end times for purging) or a "
        f"(date, symbol) Series; got {type(labels).__name__}"
    )


def _align(features: pd.DataFrame, labels: Labels) -> Labels:
    if labels.index.equals(features.index):
        return labels
    in_feat = labels.index.isin(features.index)
    in_lab = features.index.isin(labels.index)
    if len(labels) == len(features) and in_lab.all():
        return labels.reindex(features.index)
    raise AlignmentError(
        f"labels and features are not on the same (date, symbol) rows: {int((~in_lab).sum())} "
        f"feature row(s) have no label row and {int((~in_feat).sum())} label row(s) have no "
        "feature row. Compute both on the same close panel, or pass "
        "labels.reindex(features.index)"
    )


def _resolve_cv(cv: Any, labels: Labels, horizon: int) -> Any:
    if cv is None:
        cv = PurgedKFold(n_splits=5, embargo=horizon)
    elif isinstance(cv, int | np.integer) and not isinstance(cv, bool):
        cv = PurgedKFold(n_splits=int(cv), embargo=horizon)
    if not callable(getattr(cv, "split", None)):
        raise ParameterError(
            f"cv must be a splitter with split(X) (e.g. PurgedKFold(5)) or an int; got {cv!r:.60}"
        )
    return cv


def _weights(sample_weight: Any, labels: Labels) -> np.ndarray | None:
    if sample_weight is None:
        return None
    if isinstance(sample_weight, str):
        if sample_weight != "uniqueness":
            raise ParameterError(
                f"sample_weight must be None, 'uniqueness' or a (date, symbol) Series; got "
                f"{sample_weight!r}"
            )
        return average_uniqueness(labels).to_numpy()
    if isinstance(sample_weight, pd.Series):
        return sample_weight.reindex(labels.index).to_numpy(dtype=np.float64)
    raise ParameterError(
        f"sample_weight must be None, 'uniqueness' or a (date, symbol) Series; got "
        f"{type(sample_weight).__name__}"
    )


def fit_predict_oos(
    features: pd.DataFrame,
    labels: Labels | pd.Series,
    model: Any = "lgbm",
    cv: Any = None,
    *,
    sample_weight: Any = None,
    keep_models: bool = False,
    **model_params: Any,
) -> OOSResult:
    """Fit on each training split, predict each test split, and measure the IC.

    Parameters
    ----------
    features : pandas.DataFrame
        (date, symbol) feature frame, e.g. :meth:`FeatureSet.compute`.
    labels : Labels or pandas.Series
        On the same rows (e.g. :func:`~quantlab.ml.labels.forward_returns` of the same
        close panel). A bare Series has no end times, so nothing is purged.
    model : str, class or estimator, default "lgbm"
        Resolved by :func:`quantlab.models.make_model`; copied afresh for every split.
    cv : splitter or int, optional
        Default ``PurgedKFold(5, embargo=horizon)``. Splitters of :mod:`quantlab.ml.cv`
        get the labels' end times (``with_label_end``) when they have none; any
        scikit-learn splitter works but is not purged.
    sample_weight : None, "uniqueness" or pandas.Series
        ``"uniqueness"``: :func:`~quantlab.ml.weights.average_uniqueness` of the labels.
    keep_models : bool, default False
        Keep each split's fitted model in ``OOSResult.models``.
    **model_params
        Passed to :func:`~quantlab.models.make_model`.

    Returns
    -------
    OOSResult

    Raises
    ------
    AlignmentError
        Labels not on the features' (date, symbol) rows.
    ValidationError
        Too few dates for the number of folds, or a split with an empty training set.
    ModelNotFoundError
        Unknown model name (the message lists the known ones).

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> from quantlab.ml import FeatureSet, Feature, forward_returns, PurgedKFold
    >>> u = sample_universe(n_assets=10, n_days=150, seed=0)
    >>> X = FeatureSet([Feature("ret", window=5), Feature("vol", window=10)]).compute(u.close)
    >>> res = fit_predict_oos(X, forward_returns(u.close, 5), "ridge", PurgedKFold(3))
    >>> list(res.ic.columns), res.kind
    (['pearson', 'rank', 'n_assets'], 'return')
    """
    from quantlab.models import make_model

    check_stacked(features, "features")
    lab = _align(features, _as_labels(labels))
    proto = make_model(model, **model_params)
    weights = _weights(sample_weight, lab)
    valid = lab.valid & (np.isfinite(weights) if weights is not None else True)
    rows = np.flatnonzero(valid)
    if len(rows) == 0:
        raise ValidationError("labels have no valid (finite) value on the features' rows")
    X = features.iloc[rows]
    y = lab.y.to_numpy(dtype=np.float64)[rows]
    w = weights[rows] if weights is not None else None
    cv = _resolve_cv(cv, lab, lab.horizon)
    if callable(getattr(cv, "with_label_end", None)) and getattr(cv, "label_end", None) is None:
        cv = cv.with_label_end(lab.end.iloc[rows])

    preds: list[tuple[np.ndarray, np.ndarray]] = []
    fold_rows, models = [], []
    dates = X.index.get_level_values(0)
    for k, (train, test) in enumerate(cv.split(X)):
        if len(train) == 0:
            raise ValidationError(
                f"split {k} of {cv!r} has no training rows left after purging and embargo; "
                f"there are too few samples ({len(X)} rows, {dates.nunique()} dates) for this "
                "number of folds. Use fewer folds, a smaller embargo or more data"
            )
        m = copy.deepcopy(proto)
        m.fit(X.iloc[train], y[train], sample_weight=None if w is None else w[train])
        p = np.asarray(m.predict(X.iloc[test]), dtype=np.float64)
        preds.append((test, p))
        fold_rows.append(
            {
                "n_train": len(train),
                "n_test": len(test),
                "test_start": dates[test].min(),
                "test_end": dates[test].max(),
            }
        )
        if keep_models:
            models.append(m)

    paths = _assemble(cv, X, preds)
    pred = paths.mean(axis=1).rename("prediction")
    covered = pred.notna().to_numpy()
    pred = pred[covered]
    paths = paths[covered]
    ret = lab.ret.iloc[rows][covered]
    target = lab.y.iloc[rows][covered]
    ic = information_coefficient(pred, ret)
    for k, (test, p) in enumerate(preds):
        fold_ic = information_coefficient(
            pd.Series(p, index=X.index[test]), lab.ret.iloc[rows[test]]
        )
        fold_rows[k]["rank_ic"] = float(fold_ic["rank"].mean())
    return OOSResult(
        predictions=pred,
        paths=paths,
        target=target,
        returns=ret,
        kind=str(getattr(proto, "kind", "score")),
        horizon=lab.horizon,
        ic=ic,
        folds=pd.DataFrame(fold_rows),
        models=models,
    )


def _assemble(cv: Any, X: pd.DataFrame, preds: list[tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    n = len(X)
    if isinstance(cv, CombinatorialPurgedCV):
        group = cv.group_of_rows(X)
        table = cv.paths()
        out = np.full((n, cv.n_paths), np.nan)
        for p in range(cv.n_paths):
            for g in range(cv.n_groups):
                test, values = preds[table[p, g]]
                sel = group[test] == g
                out[test[sel], p] = values[sel]
        cols = [f"path_{p}" for p in range(cv.n_paths)]
        return pd.DataFrame(out, index=X.index, columns=cols)
    total = np.zeros(n)
    count = np.zeros(n)
    for test, values in preds:
        np.add.at(total, test, values)
        np.add.at(count, test, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(count > 0, total / count, np.nan)
    return pd.DataFrame({"path_0": out}, index=X.index)


@dataclass(frozen=True)
class ResearchResult:
    """Output of :func:`research`: the pieces of the pipeline, in order."""

    features: pd.DataFrame
    labels: Labels
    oos: OOSResult
    backtest: OOSBacktest | None

    @property
    def ic(self) -> pd.DataFrame:
        """IC summary (rows ``pearson``, ``rank``)."""
        return self.oos.ic_summary()

    @property
    def metrics(self) -> pd.Series:
        """Backtest metrics, including ``deflated_sharpe``."""
        if self.backtest is None:
            raise ValidationError("research ran with backtest=False; there are no metrics")
        return self.backtest.metrics


def research(
    prices: Any,
    *,
    feature_set: FeatureSet | None = None,
    events: pd.DataFrame | None = None,
    labels: Labels | None = None,
    horizon: int = 5,
    model: Any = "lgbm",
    cv: Any = None,
    sample_weight: Any = "uniqueness",
    backtest: bool = True,
    fees: float = 0.0005,
    n_trials: int = 1,
    **options: Any,
) -> ResearchResult:
    """Run the whole research loop: features, labels, OOS predictions, backtest, metrics.

    Parameters
    ----------
    prices : SampleUniverse, OHLCV dict or close panel
        A :class:`~quantlab.data.SampleUniverse` also supplies its events.
    feature_set : FeatureSet, optional
        Default :meth:`FeatureSet.default` (event features only when events are known).
    events : pandas.DataFrame, optional
        Event table for event features.
    labels : Labels, optional
        Default: :func:`~quantlab.ml.labels.forward_returns` over ``horizon``.
    horizon : int, default 5
    model, cv, sample_weight
        As in :func:`fit_predict_oos`.
    backtest : bool, default True
        Also backtest the predictions (needs :mod:`quantlab.backtest`).
    fees : float, default 0.0005
        Proportional trading cost of the backtest.
    n_trials : int, default 1
        Configurations tried, for the deflated Sharpe ratio.
    **options
        Passed to :func:`~quantlab.ml.positions.backtest_predictions` (``quantile``,
        ``threshold``, ``long_only``, ``gross``, ...).

    Returns
    -------
    ResearchResult
    """
    if events is None:
        events = getattr(prices, "events", None)
    fs = feature_set or FeatureSet.default(events=events is not None)
    close = close_panel(prices)
    X = fs.compute(prices, events)
    lab = labels if labels is not None else forward_returns(close, horizon)
    oos = fit_predict_oos(X, lab, model, cv, sample_weight=sample_weight)
    bt = None
    if backtest:
        bt = backtest_predictions(
            oos.predictions,
            close,
            kind=oos.kind,
            horizon=lab.horizon,
            fees=fees,
            n_trials=n_trials,
            **options,
        )
    return ResearchResult(features=X, labels=lab, oos=oos, backtest=bt)
