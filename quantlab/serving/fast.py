"""The fast path: validate a request in pure Python / NumPy, then call the native predictor.

A request is a dict (one row, the shape of a JSON body), a list of dicts, a DataFrame, or a
2-D array. It becomes one C-contiguous float64 matrix in the model's feature order, and
that matrix goes straight to the estimator: LightGBM trees compiled from the text model
(:mod:`quantlab.serving._trees`; ``lightgbm.Booster.predict`` on all cores for large
batches and for what that does not compile), ``X @ coef + intercept`` for linear models,
or the third-party estimator's own ``predict``. A dict request never touches pandas.

Rules (each failure names the feature):

* the features must be exactly the model's: missing or extra columns / keys are refused,
  with a "did you mean" hint for a misspelt key;
* values must be real numbers (``int``, ``float``, NumPy numbers; ``None`` in a JSON row
  means missing, i.e. NaN); strings, booleans and objects are refused;
* infinite values are always refused; NaN follows the model's NaN policy: passed to
  LightGBM, imputed by linear models (training medians), refused under ``"raise"``;
* an empty request is refused.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from quantlab.errors import AlignmentError, DataTypeError, ShapeError, ValidationError
from quantlab.tracking.model_format import read_model, to_stored
from quantlab.tracking.stored import StoredModel, check_values, native_predictor

__all__ = ["Model", "as_matrix"]

_NUMBER_TYPES = (float, int)


def _hint(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _short(text: str, limit: int = 64) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def _key_error(row: Mapping[Any, Any], names: list[str], where: str) -> AlignmentError:
    known = set(names)
    missing = [n for n in names if n not in row]
    # echo unknown keys shortened: a hostile request must not get its payload back
    extra = [_short(str(k)) for k in row if k not in known]
    parts = []
    if missing:
        parts.append(f"missing feature(s) {missing[:10]}")
    if extra:
        hints = "".join(_hint(k, missing or names) for k in extra[:3])
        parts.append(f"unknown feature(s) {extra[:10]}{hints}")
    return AlignmentError(
        f"{where} has {' and '.join(parts)}; the model expects exactly {len(names)} "
        f"feature(s): {names[:30]}{' ...' if len(names) > 30 else ''}"
    )


def _number(value: Any, feature: str, where: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise DataTypeError(
            f"feature {feature!r} of {where} must be a number; got {type(value).__name__} "
            f"{value!r:.40}. Send numbers (null for a missing value)"
        )
    if isinstance(value, np.complexfloating):
        raise DataTypeError(f"feature {feature!r} of {where} must be a real number; got {value!r}")
    return float(value)


def _row(row: Any, names: list[str], where: str) -> list[float]:
    if not isinstance(row, Mapping):
        raise DataTypeError(
            f"{where} must be a dict of feature name -> number; got {type(row).__name__}"
        )
    try:
        vals = [row[n] for n in names]
    except KeyError:
        raise _key_error(row, names, where) from None
    if len(row) != len(names):
        raise _key_error(row, names, where)
    for i, v in enumerate(vals):
        if type(v) is not float and type(v) is not int:
            vals[i] = _number(v, names[i], where)
    return vals


def _from_frame(X: Any, names: list[str]) -> np.ndarray:
    import pandas as pd

    cols = [str(c) for c in X.columns]
    if cols != names:
        if len(set(cols)) != len(cols):
            dup = sorted({c for c in cols if cols.count(c) > 1})
            raise AlignmentError(f"X has duplicated column(s) {dup}; pass each feature once")
        if set(cols) != set(names):
            raise _key_error(dict.fromkeys(cols), names, "X")
        X = X.set_axis(cols, axis=1)[names]
    bad = [
        str(c)
        for c, dt in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt))
    ]
    if bad:
        raise DataTypeError(
            f"X column(s) {bad[:10]} are not numeric (dtypes "
            f"{[str(X[c].dtype) for c in bad[:10]]}); the model takes float features. Convert "
            "them with pd.to_numeric"
        )
    return np.ascontiguousarray(X.to_numpy(dtype=np.float64, na_value=np.nan))


def as_matrix(X: Any, names: list[str]) -> np.ndarray:
    """Convert a request to a ``(n_rows, n_features)`` float64 matrix in ``names`` order.

    Parameters
    ----------
    X : dict, list of dict, pandas.DataFrame or 2-D array
        One row as a dict, rows as a list of dicts, a frame with the feature columns (any
        order), or a 2-D array whose columns are already in ``names`` order.
    names : list of str
        The model's features.

    Returns
    -------
    numpy.ndarray
        C-contiguous float64, NaN where a value is missing. Infinite values are not
        checked here (see :meth:`Model.predict`).

    Raises
    ------
    AlignmentError
        Missing, extra or misspelt features (named), or a wrong number of columns.
    DataTypeError
        Non-numeric values or dtypes, or an unsupported request type.
    ValidationError
        An empty request.

    Examples
    --------
    >>> as_matrix({"b": 2.0, "a": 1}, ["a", "b"]).tolist()
    [[1.0, 2.0]]
    >>> as_matrix({"a": 1.0, "bb": 2.0}, ["a", "b"])
    Traceback (most recent call last):
    ...
    quantlab.errors.AlignmentError: the request row has missing feature(s) ['b'] and unknown \
feature(s) ['bb'] (did you mean 'b'?); the model expects exactly 2 feature(s): ['a', 'b']
    """
    n = len(names)
    if type(X) is dict:
        if not X:
            raise ValidationError(f"the request is empty (no features); send the {n} feature(s)")
        return np.array([_row(X, names, "the request row")], dtype=np.float64)
    if isinstance(X, np.ndarray):
        if X.ndim != 2:
            raise ShapeError(
                f"X must be 2-D (n_rows, {n}); got shape {X.shape}. Use X.reshape(1, -1) "
                "for one row"
            )
        if X.shape[0] == 0:
            raise ValidationError("X has no rows; the request is empty")
        if X.shape[1] != n:
            raise AlignmentError(
                f"X has {X.shape[1]} column(s) but the model takes {n} feature(s) {names[:30]}; "
                "pass them in this order (or send a DataFrame / dicts with names)"
            )
        if X.dtype.kind not in "fiu":
            raise DataTypeError(
                f"X has dtype {X.dtype}; the model takes numbers (float or int). Convert with "
                "X.astype(float)"
            )
        return np.ascontiguousarray(X, dtype=np.float64)
    if isinstance(X, Mapping):
        return as_matrix(dict(X), names)
    if isinstance(X, list | tuple):
        if not X:
            raise ValidationError("the request is an empty list; send at least one row")
        if all(isinstance(r, Mapping) for r in X):
            rows = [_row(r, names, f"request row {i}") for i, r in enumerate(X)]
            return np.array(rows, dtype=np.float64)
        return as_matrix(np.asarray(X), names)
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        if len(X) == 0:
            raise ValidationError("X has no rows; the request is empty")
        return _from_frame(X, names)
    raise DataTypeError(
        f"X must be a dict (one row), a list of dicts, a pandas.DataFrame or a 2-D array; "
        f"got {type(X).__name__}"
    )


def _fast_predictor(stored: StoredModel) -> Any:
    """The matrix predictor of the fast path.

    LightGBM: the trees compiled from the stored text model (:mod:`quantlab.serving._trees`)
    under ``BOOSTER_ROWS`` rows, the Booster on all cores above (and when the model cannot
    be compiled or JIT is off); every other model: its native predictor.
    """
    native = native_predictor(stored)
    if stored.estimator_type != "lightgbm":
        return native
    from quantlab.serving._trees import BOOSTER_ROWS, compile_booster, predict

    trees = compile_booster(stored.estimator)  # None: JIT off or a model it cannot compile
    if trees is None:
        return native

    def lgbm(arr: np.ndarray) -> np.ndarray:
        if BOOSTER_ROWS is None or arr.shape[0] < BOOSTER_ROWS:
            return predict(trees, arr)
        return native(arr)  # large batches: the Booster on all cores

    return lgbm


class Model:
    """A loaded quantlab model: feature set, native predictor, metadata.

    Build it with :func:`quantlab.load_model` (registry names, URIs, paths),
    :meth:`from_dir` or :meth:`from_estimator`.

    Attributes
    ----------
    feature_names : list of str
        The input features, in order.
    kind : str
        ``"return"``, ``"probability"`` or ``"score"``.
    metadata : dict
        Training metadata (data range and hash, metrics, ...), plus ``name`` / ``version``
        for a registry model.
    name, version, source : str or None
        Registered name and version, and where the model was loaded from.

    Examples
    --------
    >>> import numpy as np
    >>> from quantlab.models import RidgeModel
    >>> m = Model.from_estimator(RidgeModel().fit(np.eye(2), [0.0, 1.0]), feature_names=["a", "b"])
    >>> m.predict({"a": 0.0, "b": 1.0}).round(3).tolist()
    [0.9]
    """

    def __init__(
        self,
        stored: StoredModel,
        *,
        name: str | None = None,
        version: str | None = None,
        source: str | None = None,
    ) -> None:
        self.stored = stored
        self.feature_names: list[str] = list(stored.feature_names)
        self.kind = stored.kind
        self.name = name
        self.version = version
        self.source = source
        self.metadata: dict[str, Any] = dict(stored.metadata)
        if name is not None:
            self.metadata.update(name=name, version=version)
        self._allow_nan = stored.nan_policy != "raise"
        self._feature_set: Any = None
        self._predict_matrix = _fast_predictor(stored)

    # -------------------------------------------------------------- constructors
    @classmethod
    def from_dir(cls, path: str | os.PathLike[str], *, trusted: bool = False, **info: Any) -> Model:
        """Load a model directory (see :mod:`quantlab.tracking.model_format`)."""
        return cls(read_model(path, trusted=trusted), source=info.pop("source", str(path)), **info)

    @classmethod
    def from_estimator(cls, model: Any, **options: Any) -> Model:
        """Wrap a fitted estimator in memory (options as :func:`~.model_format.to_stored`)."""
        return cls(to_stored(model, **options), source="memory")

    # -------------------------------------------------------------- prediction
    @property
    def feature_set(self) -> Any:
        """The :class:`~quantlab.ml.FeatureSet` the model expects (None if not stored)."""
        if self._feature_set is None and self.stored.feature_set is not None:
            from quantlab.ml.features import FeatureSet

            self._feature_set = FeatureSet.from_dict(self.stored.feature_set)
        return self._feature_set

    def features(self, prices: Any, events: Any = None) -> Any:
        """Features of the latest bar of ``prices`` (one row per asset) by the model's set.

        Raises
        ------
        ValidationError
            The model has no stored feature set.
        """
        fs = self.feature_set
        if fs is None:
            raise ValidationError(
                f"model {self.name or self.source} has no stored feature set, so it cannot "
                "compute features from prices; pass X= (the feature values) instead"
            )
        latest = fs.latest(prices, events)
        return latest.droplevel(0)

    def predict(self, X: Any = None, *, prices: Any = None, events: Any = None) -> Any:
        """Predict from features ``X`` or from raw ``prices`` (+ ``events``).

        Parameters
        ----------
        X : dict, list of dict, pandas.DataFrame or 2-D array, optional
            Feature values (see :func:`as_matrix`).
        prices : pandas.DataFrame or OHLCV mapping, optional
            Raw prices; the model's feature set computes the features of the last bar.
        events : pandas.DataFrame, optional
            Event table for event features.

        Returns
        -------
        numpy.ndarray or pandas.Series
            ``(n_rows,)`` float64 for ``X``; a Series indexed by asset for ``prices``.

        Raises
        ------
        AlignmentError, DataTypeError, ValidationError
            Bad request (see the module docstring).
        """
        if X is not None:
            if prices is not None:
                raise ValidationError("pass either X (features) or prices, not both")
            arr = as_matrix(X, self.feature_names)
            if not np.isfinite(arr).all():
                check_values(arr, self.feature_names, self._allow_nan, str(self.name or "this"))
            return self._predict_matrix(arr)
        if prices is None:
            raise ValidationError(
                "the request is empty: pass X (feature values: a dict, list of dicts, "
                "DataFrame or 2-D array) or prices= (raw prices for the model's feature set)"
            )
        import pandas as pd

        feats = self.features(prices, events)
        arr = np.ascontiguousarray(feats.to_numpy(dtype=np.float64))
        if not np.isfinite(arr).all():
            check_values(arr, self.feature_names, self._allow_nan, str(self.name or "this"))
        return pd.Series(self._predict_matrix(arr), index=feats.index, name="prediction")

    def __repr__(self) -> str:
        where = f"{self.name}/{self.version}" if self.name else self.source
        return (
            f"Model({where}, kind={self.kind!r}, estimator={self.stored.model_class}, "
            f"{len(self.feature_names)} features)"
        )
