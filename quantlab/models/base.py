"""The model contract and the generic wrapper for any scikit-learn-compatible estimator.

Every quantlab model follows the scikit-learn estimator contract (``__init__`` stores its
arguments, ``fit(X, y, sample_weight=None)`` validates and returns ``self``, fitted
attributes end in ``_``) and adds:

``kind``            what ``predict`` returns: ``"return"`` (an expected return),
                    ``"probability"`` (``P(y > 0)``, in [0, 1]) or ``"score"`` (any
                    monotone score; only its ranking is meaningful)
``feature_names_``  the training columns; ``predict`` on a DataFrame checks them (and
                    reorders a permuted frame), so serving cannot silently swap features

**NaN / inf policy** (per model, documented on each class): infinite features are always
rejected with a :class:`~quantlab.errors.ValidationError`; NaN is handled natively
(LightGBM), imputed with training medians (linear models, random forests), or rejected
(``nan_policy="raise"``, the default for a wrapped third-party estimator).
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError

__all__ = ["KINDS", "NAN_POLICIES", "QuantlabModel", "SklearnModel", "is_estimator"]

#: What a model's ``predict`` returns.
KINDS: tuple[str, ...] = ("return", "probability", "score")
#: How a model treats NaN features.
NAN_POLICIES: tuple[str, ...] = ("native", "median", "zero", "raise")


def is_estimator(obj: Any) -> bool:
    """Whether ``obj`` has callable ``fit`` and ``predict`` (an estimator instance)."""
    return callable(getattr(obj, "fit", None)) and callable(getattr(obj, "predict", None))


def _check_kind(kind: Any, allowed: tuple[str, ...] = KINDS) -> str:
    if kind not in allowed:
        raise ParameterError(f"kind must be one of {list(allowed)}; got {kind!r}")
    return str(kind)


class QuantlabModel:
    """Base class: parameter handling, feature checks and the NaN policy.

    Subclasses implement ``_fit(X, y, sample_weight)`` and ``_predict(X)`` on validated
    float64 arrays, and set the class attribute ``kind`` (or an ``__init__`` argument).
    """

    kind: str = "score"
    #: The NaN policy when a class has no ``nan_policy`` argument.
    default_nan_policy: ClassVar[str] = "raise"

    # -- scikit-learn parameter protocol (no sklearn import needed) -------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self" and sig.parameters[p].kind.value < 2]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments (scikit-learn convention; ``clone`` works)."""
        return {k: getattr(self, k) for k in self._param_names()}

    def set_params(self, **params: Any) -> QuantlabModel:
        """Set constructor arguments; unknown names raise :class:`ParameterError`."""
        known = self._param_names()
        for key, value in params.items():
            if key not in known:
                raise ParameterError(
                    f"{type(self).__name__} has no parameter {key!r}; its parameters are {known}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- fit / predict -------------------------------------------------------------------
    @property
    def nan_policy_(self) -> str:
        return str(getattr(self, "nan_policy", self.default_nan_policy))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> QuantlabModel:
        """Fit on features ``X`` ``(n_samples, n_features)`` and targets ``y``.

        Raises
        ------
        ValidationError
            Infinite features, NaN features under ``nan_policy="raise"``, NaN / inf
            targets, or negative sample weights.
        ShapeError
            ``y`` or ``sample_weight`` of the wrong length.
        """
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
        arr = _as_2d(X, "X")
        self.feature_names_ = names or [f"x{i}" for i in range(arr.shape[1])]
        self.n_features_in_ = arr.shape[1]
        target = _as_1d(y, "y", arr.shape[0])
        if not np.isfinite(target).all():
            raise ValidationError(
                f"y holds {int((~np.isfinite(target)).sum())} NaN / infinite value(s); drop "
                "those rows before fitting (fit_predict_oos does this for you)"
            )
        weight = (
            None if sample_weight is None else _as_1d(sample_weight, "sample_weight", len(target))
        )
        if weight is not None and (~np.isfinite(weight) | (weight < 0)).any():
            raise ValidationError("sample_weight must be finite and >= 0; fix or drop those rows")
        self._set_fill(arr)
        self._fit(self._apply_nan_policy(arr), target, weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict ``(n_samples,)`` values of this model's :attr:`kind`."""
        if not hasattr(self, "feature_names_"):
            raise ValidationError(
                f"this {type(self).__name__} is not fitted; call fit(X, y) before predict"
            )
        arr = self._check_columns(X)
        return np.asarray(self._predict(self._apply_nan_policy(arr)), dtype=np.float64)

    def _check_columns(self, X: Any) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            cols = [str(c) for c in X.columns]
            if cols != self.feature_names_:
                missing = [c for c in self.feature_names_ if c not in cols]
                if missing:
                    raise AlignmentError(
                        f"X is missing feature(s) {missing[:5]} the model was trained on; "
                        f"compute features with the same FeatureSet ({self.feature_names_[:5]}...)"
                    )
                X = X[[c for c in X.columns if str(c) in self.feature_names_]]
                X = X.set_axis([str(c) for c in X.columns], axis=1)[self.feature_names_]
        arr = _as_2d(X, "X")
        if arr.shape[1] != self.n_features_in_:
            raise AlignmentError(
                f"X has {arr.shape[1]} features but the model was trained on "
                f"{self.n_features_in_}; pass the same feature columns"
            )
        return arr

    def _set_fill(self, arr: np.ndarray) -> None:
        policy = self.nan_policy_
        if policy not in NAN_POLICIES:
            raise ParameterError(f"nan_policy must be one of {list(NAN_POLICIES)}; got {policy!r}")
        if policy == "median":
            fill = np.zeros(arr.shape[1])
            for j in range(arr.shape[1]):
                col = arr[:, j][~np.isnan(arr[:, j])]
                fill[j] = float(np.median(col)) if col.size else 0.0
            self.fill_values_ = fill
        elif policy == "zero":
            self.fill_values_ = np.zeros(arr.shape[1])

    def _apply_nan_policy(self, arr: np.ndarray) -> np.ndarray:
        nan = np.isnan(arr)
        if not nan.any():
            return arr
        policy = self.nan_policy_
        if policy == "native":
            return arr
        if policy == "raise":
            col = int(np.argmax(nan.any(axis=0)))
            raise ValidationError(
                f"X holds NaN (first in feature {self.feature_names_[col]!r}) and "
                f"{type(self).__name__} has nan_policy='raise'; drop those rows or pass "
                "nan_policy='median' to impute training medians"
            )
        return np.where(nan, self.fill_values_[None, :], arr)

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        raise NotImplementedError  # pragma: no cover

    def _predict(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover


def _as_2d(X: Any, name: str) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        bad = [c for c, dt in X.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)]
        if bad:
            raise DataTypeError(
                f"{name} must hold numbers; column(s) {bad[:5]} are not numeric. Encode them "
                "as numbers first"
            )
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataTypeError(
            f"{name} must hold numbers; got {type(X).__name__} that does not convert"
        ) from None
    if arr.ndim != 2:
        raise ValidationError(
            f"{name} must be 2-D (n_samples, n_features); got shape {arr.shape}. Use "
            "X.reshape(-1, 1) for a single feature"
        )
    if np.isinf(arr).any():
        r, c = np.argwhere(np.isinf(arr))[0]
        raise ValidationError(
            f"{name} holds infinite values (first at row {r}, feature {c}); no model accepts "
            "inf. Replace them with NaN (FeatureSet.compute already does) or clip them"
        )
    return arr


def _as_1d(y: Any, name: str, n: int) -> np.ndarray:
    from quantlab.errors import ShapeError

    try:
        arr = np.asarray(y, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise DataTypeError(f"{name} must hold numbers; got {type(y).__name__}") from None
    if arr.shape[0] != n:
        raise ShapeError(
            f"{name} has {arr.shape[0]} values but X has {n} rows; pass one value per row "
            "(align them on the same (date, symbol) index)"
        )
    return arr


def binary_target(y: np.ndarray, model: str) -> np.ndarray:
    """``y > 0`` as 0/1, raising when the training labels hold a single class."""
    out = (y > 0).astype(np.float64)
    if out.min() == out.max():
        raise ValidationError(
            f"{model} needs both classes (y > 0 and y <= 0) in the training labels; got only "
            f"{'positive' if out[0] else 'non-positive'} values. Use more data or a regressor"
        )
    return out


class SklearnModel(QuantlabModel):
    """Wrap any estimator with ``fit`` / ``predict`` as a quantlab model.

    Parameters
    ----------
    estimator : object
        An unfitted scikit-learn-compatible estimator (cloned at ``fit``).
    kind : {"return", "probability", "score"}, optional
        Default: ``"probability"`` when the estimator has ``predict_proba`` (``predict``
        then returns the probability of the largest class), else ``"score"``.
    nan_policy : {"raise", "median", "zero", "native"}, default "raise"
        ``"native"`` passes NaN through to the estimator.

    Raises
    ------
    DataTypeError
        ``estimator`` lacks ``fit`` or ``predict``; at ``fit``, it can be neither cloned
        (scikit-learn's ``get_params`` contract) nor deep-copied. The user's instance is
        never fitted in place.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> m = SklearnModel(LinearRegression(), kind="return").fit(np.eye(3), [1.0, 2.0, 3.0])
    >>> m.predict(np.eye(3)).round(6).tolist()
    [1.0, 2.0, 3.0]
    """

    def __init__(self, estimator: Any, kind: str | None = None, nan_policy: str = "raise") -> None:
        if not is_estimator(estimator) or isinstance(estimator, type):
            raise DataTypeError(
                f"estimator must be an estimator instance with fit() and predict(); got "
                f"{estimator!r:.80}. Pass e.g. sklearn.linear_model.Ridge() or a model name"
            )
        self.estimator = estimator
        self.kind = (
            _check_kind(kind)
            if kind is not None
            else ("probability" if callable(getattr(estimator, "predict_proba", None)) else "score")
        )
        self.nan_policy = nan_policy

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        est = _fresh_copy(self.estimator)
        if self.kind == "probability":
            y = binary_target(y, type(self.estimator).__name__)
        if sample_weight is not None and "sample_weight" in inspect.signature(est.fit).parameters:
            est.fit(X, y, sample_weight=sample_weight)
        else:
            est.fit(X, y)
        self.estimator_ = est

    def _predict(self, X: np.ndarray) -> np.ndarray:
        if self.kind == "probability" and callable(getattr(self.estimator_, "predict_proba", None)):
            proba = np.asarray(self.estimator_.predict_proba(X))
            return proba[:, -1]
        return np.asarray(self.estimator_.predict(X)).reshape(-1)


def random_forest(**params: Any) -> SklearnModel:
    """A random-forest regressor (kind ``"return"``, NaN imputed with training medians)."""
    from sklearn.ensemble import RandomForestRegressor

    defaults = {
        "n_estimators": 200,
        "min_samples_leaf": 100,
        "max_features": 0.5,
        "n_jobs": 1,
        "random_state": 0,
    }
    return SklearnModel(
        RandomForestRegressor(**(defaults | params)), kind="return", nan_policy="median"
    )


def random_forest_classifier(**params: Any) -> SklearnModel:
    """A random-forest classifier of ``y > 0`` (kind ``"probability"``, median imputation)."""
    from sklearn.ensemble import RandomForestClassifier

    defaults = {
        "n_estimators": 200,
        "min_samples_leaf": 100,
        "max_features": 0.5,
        "n_jobs": 1,
        "random_state": 0,
    }
    return SklearnModel(
        RandomForestClassifier(**(defaults | params)), kind="probability", nan_policy="median"
    )


def _fresh_copy(estimator: Any) -> Any:
    """An unfitted copy of ``estimator``: ``sklearn.base.clone``, else ``copy.deepcopy``.

    Never the instance itself: fitting it would change the caller's object (and every other
    model sharing it) behind their back.
    """
    from sklearn.base import clone

    try:
        return clone(estimator)
    except (TypeError, ValueError, AttributeError, RuntimeError):
        pass  # not following the get_params / set_params contract
    try:
        return copy.deepcopy(estimator)
    except Exception as exc:  # any failure of a user's __deepcopy__ / __reduce__
        raise DataTypeError(
            f"estimator {type(estimator).__name__} can be neither cloned by scikit-learn "
            f"({'no get_params()' if not hasattr(estimator, 'get_params') else 'clone failed'}) "
            f"nor deep-copied ({type(exc).__name__}: {exc}); SklearnModel fits a copy, never "
            "your instance. Implement get_params()/set_params() (derive from "
            "sklearn.base.BaseEstimator) or make it copyable"
        ) from exc
