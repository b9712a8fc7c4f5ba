"""The in-memory model and its native predictor: the leaf under the model format and serving.

:class:`StoredModel` is what a model directory holds; :func:`native_predictor` turns it
into a ``matrix -> predictions`` function. Both the directory format
(:mod:`quantlab.tracking.model_format`, its MLflow pyfunc entry point included) and the
fast path (:mod:`quantlab.serving.fast`) build on this module, which imports neither of
them, so serving depends on tracking and never the other way round (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from quantlab.errors import ValidationError

__all__ = ["StoredModel", "check_values", "native_predictor"]


@dataclass
class StoredModel:
    """The contents of a model directory, in memory.

    Attributes
    ----------
    estimator_type : {"lightgbm", "linear", "pickle"}
    kind : {"return", "probability", "score"}
    feature_names : list of str
        Input columns, in the estimator's order.
    estimator : object
        A ``lightgbm.Booster``, the linear model's :meth:`~quantlab.models.RidgeModel.to_dict`
        spec, or the unpickled estimator.
    model_class : str
        The original class (``"LGBMRegressorModel"``, ``"RidgeModel"``, ``"Booster"`` ...).
    nan_policy : str
        ``"native"`` (NaN passed to LightGBM), ``"median"`` / ``"zero"`` (imputed) or
        ``"raise"`` (rejected).
    feature_set : dict or None
        :meth:`quantlab.ml.FeatureSet.to_dict` of the features the model expects.
    metadata : dict
        Free JSON metadata (training data range and hash, metrics, ...).
    """

    estimator_type: str
    kind: str
    feature_names: list[str]
    estimator: Any
    model_class: str
    nan_policy: str = "raise"
    feature_set: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def native_predictor(stored: StoredModel) -> Callable[[np.ndarray], np.ndarray]:
    """The estimator's predict over a ``(n_rows, n_features)`` float64 matrix.

    ``Booster.predict`` (one thread under 256 rows) for LightGBM, ``X @ coef + intercept``
    (NaN imputed with the training fills; a sigmoid for logistic models) for linear ones,
    the estimator's own ``predict`` / ``predict_proba`` for third-party estimators.

    Examples
    --------
    >>> spec = {"class": "RidgeModel", "coef": [1.0, 2.0], "intercept": 0.5}
    >>> s = StoredModel("linear", "return", ["a", "b"], spec, "RidgeModel", "median")
    >>> native_predictor(s)(np.array([[1.0, 1.0]])).tolist()
    [3.5]
    """
    est = stored.estimator
    if stored.estimator_type == "lightgbm":
        booster = est

        def lgbm(arr: np.ndarray) -> np.ndarray:
            threads = 1 if arr.shape[0] < 256 else 0
            return np.asarray(booster.predict(arr, num_threads=threads), dtype=np.float64)

        return lgbm
    if stored.estimator_type == "linear":
        coef = np.asarray(est["coef"], dtype=np.float64)
        intercept = float(est["intercept"])
        fill = np.asarray(est.get("fill_values", np.zeros(len(coef))), dtype=np.float64)
        logistic = est["class"] == "LogisticModel"

        def linear(arr: np.ndarray) -> np.ndarray:
            nan = np.isnan(arr)
            if nan.any():
                arr = np.where(nan, fill[None, :], arr)
            z = arr @ coef + intercept
            if logistic:
                return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0))))
            return np.asarray(z)

        return linear
    names = list(stored.feature_names)
    kind = stored.kind

    def third_party(arr: np.ndarray) -> np.ndarray:
        X: Any = arr
        if hasattr(est, "feature_names_in_") or hasattr(est, "feature_names_"):
            import pandas as pd

            X = pd.DataFrame(arr, columns=names)
        if (
            kind == "probability"
            and not hasattr(est, "kind")
            and callable(getattr(est, "predict_proba", None))
        ):
            return np.asarray(est.predict_proba(X))[:, -1].astype(np.float64)
        return np.asarray(est.predict(X), dtype=np.float64).reshape(-1)

    return third_party


def check_values(arr: np.ndarray, names: list[str], allow_nan: bool, model: str) -> None:
    """Refuse infinite values always, and NaN unless ``allow_nan`` (naming the feature)."""
    inf = np.isinf(arr)
    if inf.any():
        r, c = np.argwhere(inf)[0]
        raise ValidationError(
            f"feature {names[c]!r} is infinite (row {r}); no model accepts inf. Send a finite "
            "value or null"
        )
    if not allow_nan:
        nan = np.isnan(arr)
        if nan.any():
            r, c = np.argwhere(nan)[0]
            raise ValidationError(
                f"feature {names[c]!r} is NaN / missing (row {r}) and model {model} does not "
                "accept missing values (nan_policy='raise'); send a value for every feature"
            )
