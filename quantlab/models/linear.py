"""Linear models: ridge regression and logistic regression, stored as plain coefficients.

NaN policy: ``nan_policy="median"`` (default) fills NaN with the training medians
(``fill_values_``); ``"zero"`` fills 0; ``"raise"`` rejects NaN. Infinite values are always
rejected. Features are standardised at fit (``standardize=True``) and the coefficients
mapped back to raw units, so ``predict`` is ``fill(X) @ coef_ + intercept_`` (through a
sigmoid for the logistic model) in NumPy, and :meth:`to_dict` / :meth:`from_dict` round-trip a
fitted model through JSON without scikit-learn or pickle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quantlab.errors import ValidationError
from quantlab.models.base import QuantlabModel, _check_kind, binary_target

__all__ = ["RidgeModel", "LogisticModel"]


class _Linear(QuantlabModel):
    standardize: bool
    nan_policy: str

    def _standardize(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.standardize:
            return X, np.zeros(X.shape[1]), np.ones(X.shape[1])
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        return (X - mean) / scale, mean, scale

    def _store(
        self, coef: np.ndarray, intercept: float, mean: np.ndarray, scale: np.ndarray
    ) -> None:
        self.coef_ = np.asarray(coef, dtype=np.float64).reshape(-1) / scale
        self.intercept_ = float(intercept - np.sum(self.coef_ * mean))

    def _linear(self, X: np.ndarray) -> np.ndarray:
        return X @ self.coef_ + self.intercept_

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the fitted model (class, params, coefficients, fills)."""
        if not hasattr(self, "coef_"):
            raise ValidationError(f"this {type(self).__name__} is not fitted; call fit first")
        return {
            "class": type(self).__name__,
            "kind": self.kind,
            "params": {k: v for k, v in self.get_params().items()},
            "feature_names": list(self.feature_names_),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "fill_values": getattr(self, "fill_values_", np.zeros(len(self.coef_))).tolist(),
        }

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> Any:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        if spec.get("class") != cls.__name__:
            raise ValidationError(
                f"spec describes a {spec.get('class')!r}, not a {cls.__name__}; call "
                f"{spec.get('class')}.from_dict"
            )
        model = cls(**spec["params"])
        model.feature_names_ = list(spec["feature_names"])
        model.n_features_in_ = len(model.feature_names_)
        model.coef_ = np.asarray(spec["coef"], dtype=np.float64)
        model.intercept_ = float(spec["intercept"])
        model.fill_values_ = np.asarray(spec["fill_values"], dtype=np.float64)
        return model


class RidgeModel(_Linear):
    """Ridge regression of the label (registry name ``"ridge"``).

    Parameters
    ----------
    alpha : float, default 1.0
        L2 penalty on the standardised coefficients.
    standardize : bool, default True
        Scale features to unit variance before the penalty applies.
    nan_policy : {"median", "zero", "raise"}, default "median"
        Treatment of NaN features (see the module docstring).
    kind : {"return", "score"}, default "return"

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [np.nan]]); y = np.array([0.0, 1.0, 2.0, 1.0])
    >>> m = RidgeModel(alpha=1e-9).fit(X, y)
    >>> m.predict([[3.0]]).round(3).tolist(), m.fill_values_.tolist()
    ([3.0], [1.0])
    """

    def __init__(
        self,
        alpha: float = 1.0,
        standardize: bool = True,
        nan_policy: str = "median",
        kind: str = "return",
    ) -> None:
        self.alpha = alpha
        self.standardize = standardize
        self.nan_policy = nan_policy
        self.kind = _check_kind(kind, ("return", "score"))

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        from sklearn.linear_model import Ridge

        Z, mean, scale = self._standardize(X)
        est = Ridge(alpha=self.alpha).fit(Z, y, sample_weight=sample_weight)
        self._store(est.coef_, float(est.intercept_), mean, scale)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self._linear(X)


class LogisticModel(_Linear):
    """L2 logistic regression of ``y > 0`` (registry name ``"logistic"``).

    ``predict`` returns ``P(y > 0)`` (kind ``"probability"``).

    Parameters
    ----------
    C : float, default 1.0
        Inverse L2 penalty on the standardised coefficients.
    standardize : bool, default True
    nan_policy : {"median", "zero", "raise"}, default "median"
    max_iter : int, default 1000

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([-1, -1, 1, 1])
    >>> p = LogisticModel().fit(X, y).predict([[-3.0], [3.0]])
    >>> bool(p[0] < 0.5 < p[1])
    True
    """

    kind = "probability"

    def __init__(
        self,
        C: float = 1.0,
        standardize: bool = True,
        nan_policy: str = "median",
        max_iter: int = 1000,
    ) -> None:
        self.C = C
        self.standardize = standardize
        self.nan_policy = nan_policy
        self.max_iter = max_iter

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        from sklearn.linear_model import LogisticRegression

        target = binary_target(y, "logistic")
        Z, mean, scale = self._standardize(X)
        est = LogisticRegression(C=self.C, max_iter=self.max_iter)
        est.fit(Z, target, sample_weight=sample_weight)
        self._store(est.coef_[0], float(est.intercept_[0]), mean, scale)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        z = np.clip(self._linear(X), -500.0, 500.0)
        return 1.0 / (1.0 + np.exp(-z))
