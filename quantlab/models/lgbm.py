"""LightGBM models: a regressor (kind ``"return"``) and a classifier of ``y > 0``.

NaN policy: **native**. LightGBM learns a direction for missing values at every split, so
NaN features (warm-up bars, assets without events) are passed through; infinite values are
rejected. The fitted booster is ``booster_`` (a ``lightgbm.Booster``); ``predict`` calls it
directly, so a model rebuilt from LightGBM's native text format with
:meth:`LGBMRegressorModel.from_booster` predicts exactly the same values.

LightGBM is imported when a model is fitted or rebuilt, not when this module is imported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quantlab.models.base import QuantlabModel, _check_kind, binary_target

__all__ = ["LGBMRegressorModel", "LGBMClassifierModel"]


class _LGBMBase(QuantlabModel):
    """Shared LightGBM plumbing (parameters, fit, booster access)."""

    nan_policy = "native"
    _objective = "regression"

    def __init__(
        self,
        n_estimators: int = 200,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        max_depth: int = -1,
        min_child_samples: int = 200,
        subsample: float = 0.8,
        subsample_freq: int = 1,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        random_state: int = 0,
        n_jobs: int = 1,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.subsample_freq = subsample_freq
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.params = params

    def _lgbm_params(self) -> dict[str, Any]:
        base = {k: v for k, v in self.get_params().items() if k not in ("params", "kind")}
        base["verbose"] = -1
        base["objective"] = self._objective
        return base | dict(self.params or {})

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        import lightgbm

        est_cls = lightgbm.LGBMClassifier if self._objective == "binary" else lightgbm.LGBMRegressor
        est = est_cls(**self._lgbm_params())
        est.fit(X, y, sample_weight=sample_weight, feature_name=list(self.feature_names_))
        self.booster_ = est.booster_

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster_.predict(X, num_threads=max(int(self.n_jobs), 1)))

    @property
    def feature_importances_(self) -> np.ndarray:
        """Total gain of each feature over all splits."""
        return np.asarray(self.booster_.feature_importance(importance_type="gain"), dtype=float)

    @classmethod
    def from_booster(cls, booster: Any, **params: Any) -> Any:
        """Rebuild a fitted model from a ``lightgbm.Booster`` or its native text dump.

        Parameters
        ----------
        booster : lightgbm.Booster or str
            The booster, or the text of ``booster.model_to_string()`` / a saved model file.
        **params
            Constructor arguments (only ``n_jobs`` matters for prediction).
        """
        import lightgbm

        if isinstance(booster, str):
            booster = lightgbm.Booster(model_str=booster)
        model = cls(**params)
        model.booster_ = booster
        model.feature_names_ = list(booster.feature_name())
        model.n_features_in_ = len(model.feature_names_)
        return model


class LGBMRegressorModel(_LGBMBase):
    """LightGBM gradient-boosted trees regressing the label (registry name ``"lgbm"``).

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, max_depth, min_child_samples, subsample,
    subsample_freq, colsample_bytree, reg_lambda, random_state, n_jobs
        LightGBM's parameters (sklearn names); the defaults are shallow, slow and heavily
        regularised, as suits noisy return data. ``n_jobs=1`` keeps fits reproducible.
    params : dict, optional
        Any other LightGBM parameter.
    kind : {"return", "score"}, default "return"
        ``"score"`` when the label is a rank rather than a return.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)); y = X[:, 0] + rng.normal(size=500)
    >>> m = LGBMRegressorModel(n_estimators=20, min_child_samples=20).fit(X, y)
    >>> m.kind, m.feature_names_, m.predict(X[:2]).shape
    ('return', ['x0', 'x1', 'x2'], (2,))
    """

    def __init__(
        self,
        n_estimators: int = 200,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        max_depth: int = -1,
        min_child_samples: int = 200,
        subsample: float = 0.8,
        subsample_freq: int = 1,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        random_state: int = 0,
        n_jobs: int = 1,
        params: dict[str, Any] | None = None,
        kind: str = "return",
    ) -> None:
        super().__init__(
            n_estimators,
            learning_rate,
            num_leaves,
            max_depth,
            min_child_samples,
            subsample,
            subsample_freq,
            colsample_bytree,
            reg_lambda,
            random_state,
            n_jobs,
            params,
        )
        self.kind = _check_kind(kind, ("return", "score"))


class LGBMClassifierModel(_LGBMBase):
    """LightGBM classifier of ``y > 0`` (registry name ``"lgbm_classifier"``).

    ``predict`` returns ``P(y > 0)`` (kind ``"probability"``). Labels in {-1, 0, +1}
    (signs, triple-barrier) or {0, 1} (meta-labels) all work: positive is ``y > 0``.
    Parameters as :class:`LGBMRegressorModel`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2)); y = np.sign(X[:, 0] + rng.normal(size=500))
    >>> p = LGBMClassifierModel(n_estimators=20, min_child_samples=20).fit(X, y).predict(X)
    >>> bool(((p >= 0) & (p <= 1)).all())
    True
    """

    kind = "probability"
    _objective = "binary"

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        super()._fit(X, binary_target(y, "lgbm_classifier"), sample_weight)
