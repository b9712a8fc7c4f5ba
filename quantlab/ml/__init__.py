"""The ML research pipeline: features, labels, leakage-free CV, OOS predictions, backtest.

>>> from quantlab.data import sample_universe
>>> from quantlab.ml import FeatureSet, forward_returns
>>> u = sample_universe(n_assets=5, n_days=100, seed=0)
>>> X = FeatureSet.default().compute(u, u.events)
>>> y = forward_returns(u.close, horizon=5)
>>> X.index.equals(y.index)
True
"""

from __future__ import annotations

from quantlab.ml._panel import close_panel
from quantlab.ml.cv import CombinatorialPurgedCV, PurgedKFold, WalkForward
from quantlab.ml.features import FEATURE_KINDS, Feature, FeatureSet
from quantlab.ml.ic import ic_summary, information_coefficient
from quantlab.ml.labels import (
    Labels,
    cross_sectional_rank,
    forward_returns,
    forward_sign,
    meta_labels,
    triple_barrier_labels,
)
from quantlab.ml.leakage import check_lookahead
from quantlab.ml.pipeline import OOSResult, ResearchResult, fit_predict_oos, research
from quantlab.ml.positions import OOSBacktest, backtest_predictions, predictions_to_weights
from quantlab.ml.weights import average_uniqueness

__all__ = [
    "FEATURE_KINDS",
    "CombinatorialPurgedCV",
    "Feature",
    "FeatureSet",
    "Labels",
    "OOSBacktest",
    "OOSResult",
    "PurgedKFold",
    "ResearchResult",
    "WalkForward",
    "average_uniqueness",
    "backtest_predictions",
    "check_lookahead",
    "close_panel",
    "cross_sectional_rank",
    "fit_predict_oos",
    "forward_returns",
    "forward_sign",
    "ic_summary",
    "information_coefficient",
    "meta_labels",
    "predictions_to_weights",
    "research",
    "triple_barrier_labels",
]
