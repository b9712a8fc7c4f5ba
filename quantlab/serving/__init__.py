"""``quantlab.predict``: model resolution, a thread-safe cache, and the fast path.

The HTTP API layer calls :func:`predict` on every request. The model reference is
resolved and loaded once (per process, thread-safe), then every call is a dict lookup,
request validation in pure Python / NumPy and the native predictor (see
:mod:`quantlab.serving.fast`). Aliases are re-resolved every ``ttl`` seconds, so promoting
a new version takes effect without a restart (see :mod:`quantlab.serving.cache`).

Importing this package imports neither mlflow nor scikit-learn, matplotlib or dask;
mlflow is imported only to resolve a registry name (first call, alias refresh).

>>> import numpy as np
>>> from quantlab.models import RidgeModel
>>> m = load_model(RidgeModel().fit(np.eye(2), [0.0, 1.0]), feature_names=["a", "b"])
>>> predict(m, [{"a": 1.0, "b": 0.0}, {"a": 0.0, "b": 1.0}]).round(3).tolist()
[0.1, 0.9]
"""

from __future__ import annotations

from typing import Any

from quantlab.serving.cache import ModelCache, ModelRef, parse_ref
from quantlab.serving.fast import Model, as_matrix

__all__ = [
    "Model",
    "ModelCache",
    "ModelRef",
    "as_matrix",
    "clear_cache",
    "default_cache",
    "load_model",
    "parse_ref",
    "predict",
]

_CACHE = ModelCache()


def default_cache() -> ModelCache:
    """The process-wide cache :func:`predict` and :func:`load_model` use."""
    return _CACHE


def clear_cache() -> None:
    """Forget every cached model (e.g. after pointing at another tracking store)."""
    _CACHE.clear()


def load_model(
    model: Any,
    *,
    trusted: bool = False,
    ttl: float | None = None,
    feature_names: Any = None,
    feature_set: Any = None,
) -> Model:
    """Load (or fetch from the cache) a model.

    Parameters
    ----------
    model : str, Model or fitted estimator
        ``"name"`` (alias ``production``), ``"name@alias"``, ``"name/3"``, a
        ``"models:/..."`` URI, a local model directory, a loaded :class:`Model`, or a fitted
        estimator (wrapped in memory; ``feature_names`` / ``feature_set`` as in
        :func:`quantlab.tracking.register_model`).
    trusted : bool, default False
        Allow a pickled third-party estimator (unpickling executes code).
    ttl : float, optional
        Seconds between alias re-resolutions for this reference (default 60).

    Returns
    -------
    Model
        With ``feature_names``, ``metadata``, ``kind`` and ``predict``. For an alias this
        is the version current now; :func:`predict` follows later promotions.

    Raises
    ------
    ModelNotFoundError
        Unknown model, version or alias; the message lists what is registered.
    TrackingError
        The tracking store is unreachable (after bounded retries).
    UntrustedModelError
        Loading would execute code and ``trusted`` is False.
    """
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        loaded: Model = _CACHE.get(model, ttl=ttl, trusted=trusted)
        return loaded
    if hasattr(model, "__fspath__"):
        return Model.from_dir(model, trusted=trusted)
    return Model.from_estimator(model, feature_names=feature_names, feature_set=feature_set)


def predict(
    model: Any,
    X: Any = None,
    *,
    prices: Any = None,
    events: Any = None,
    ttl: float | None = None,
    trusted: bool = False,
) -> Any:
    """Predict with a registered, saved or loaded model.

    Parameters
    ----------
    model : str or Model
        As in :func:`load_model`; strings are resolved and loaded once, then cached.
    X : dict, list of dict, pandas.DataFrame or 2-D array, optional
        Feature values: one row as a dict (a JSON request), rows as dicts, a frame with
        the model's feature columns, or an array with them in order.
    prices : pandas.DataFrame or OHLCV mapping, optional
        Raw prices instead of ``X``: the model's own feature set computes the features of
        the latest bar for every asset.
    events : pandas.DataFrame, optional
        Event table for event features (with ``prices``).
    ttl : float, optional
        Alias re-resolution interval in seconds, fixed when the reference is first seen.
    trusted : bool, default False
        Allow a pickled third-party estimator.

    Returns
    -------
    numpy.ndarray or pandas.Series
        ``(n_rows,)`` predictions of the model's ``kind`` for ``X``; a Series indexed by
        asset for ``prices``.

    Raises
    ------
    ModelNotFoundError
        Unknown model or alias (the message lists the registered ones).
    TrackingError
        Tracking store unreachable on the first load.
    AlignmentError
        Missing, extra or misspelt features (named in the message).
    DataTypeError
        Non-numeric values.
    ValidationError
        Empty request, infinite values, NaN where the model forbids it.

    Examples
    --------
    >>> import numpy as np
    >>> from quantlab.models import RidgeModel
    >>> m = load_model(RidgeModel().fit(np.eye(2), [0.0, 1.0]), feature_names=["a", "b"])
    >>> predict(m, {"a": 1.0, "b": 0.0}).round(3).tolist()
    [0.1]
    """
    if type(model) is str:
        m = _CACHE.get(model, ttl=ttl, trusted=trusted)
    elif isinstance(model, Model):
        m = model
    else:
        m = load_model(model, trusted=trusted)
    return m.predict(X, prices=prices, events=events)
