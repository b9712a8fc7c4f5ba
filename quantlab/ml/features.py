"""Declarative, JSON-serialisable feature sets computed on whole panels at once.

A :class:`FeatureSet` is a list of :class:`Feature` specs (a *kind*, its parameters, an
optional cross-sectional transform). The same object computes the features for training
(:meth:`FeatureSet.compute`, every bar) and for serving (:meth:`FeatureSet.latest`, the last
bar only), so there is no train/serve skew; :meth:`FeatureSet.to_json` /
:meth:`FeatureSet.from_json` round-trip it exactly.

Every kind works on the ``(n_bars, n_assets)`` arrays of all assets at once (numba kernels
or :mod:`quantlab.indicators`), never in a Python loop over assets, and uses only bars up to
and including ``t`` for the value at ``t``.

Kinds (parameters with defaults) and their value at bar ``t``:

``ret`` (``window=1, lag=0``)
    ``close[t-lag] / close[t-lag-window] - 1``
``vol`` (``window=21``)
    standard deviation (ddof=1) of 1-bar returns over ``window`` bars
``sma_ratio`` (``window=20``) / ``ema_ratio`` (``span=20``)
    ``close / sma(close, window) - 1`` / ``close / ema(close, span) - 1``
``rsi`` (``window=14``)
    ``quantlab.indicators.rsi`` (0-100)
``macd`` (``fast=12, slow=26, signal=9``)
    MACD histogram / close
``bollinger`` (``window=20, n_std=2.0``)
    ``(close - middle) / (upper - middle)``
``zscore`` (``window=20``)
    ``quantlab.indicators.zscore(close, window)``
``atr`` (``window=14``)
    ``atr / close`` (needs high and low)
``volume_ratio`` (``window=21``)
    ``volume / sma(volume, window) - 1`` (needs volume)
``event`` (``field="net_count", window=21``)
    a trailing event feature of :func:`quantlab.data.events_to_features`; ``field`` is
    ``"count"``, ``"net_count"`` or ``"net_amount"``

``ret``, ``vol`` and the cross-sectional transforms use this module's numba kernels; the
indicator kinds call :mod:`quantlab.indicators` (imported when first used).

Transforms: ``"xs_rank"`` (cross-sectional percentile rank per bar) and ``"xs_zscore"``
(cross-sectional z-score per bar).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab.data.validate import validate_panel
from quantlab.errors import NotFoundError, ParameterError, ValidationError
from quantlab.ml import _kernels
from quantlab.ml._panel import close_panel, stack_arrays

__all__ = ["Feature", "FeatureSet", "FEATURE_KINDS", "TRANSFORMS"]

_FORMAT_VERSION = 1
#: The keys of a feature spec besides the kind's parameters.
_SPEC_KEYS = ("kind", "name", "transform", "params")
#: The keys of a feature-set spec (:meth:`FeatureSet.to_dict`).
_SET_KEYS = ("format", "version", "name", "features")
TRANSFORMS: tuple[str, ...] = ("xs_rank", "xs_zscore")


class _Inputs:
    """The panels a feature set reads, as float64 arrays, with per-call caches."""

    def __init__(self, prices: Any, events: pd.DataFrame | None) -> None:
        close = close_panel(prices)
        self.close_df = close
        self.index = pd.DatetimeIndex(close.index)
        self.columns = close.columns
        self.close = np.ascontiguousarray(close.to_numpy())  # a frame's values are F-order
        self.events = events
        self._fields: dict[str, pd.DataFrame] = {"close": close}
        if isinstance(prices, Mapping):
            for f in ("high", "low", "volume"):
                if f in prices:
                    self._fields[f] = prices[f]
        elif hasattr(prices, "high"):
            for f in ("high", "low", "volume"):
                self._fields[f] = getattr(prices, f)
        self.cache: dict[Any, np.ndarray] = {}

    def field(self, name: str, kind: str) -> pd.DataFrame:
        if name not in self._fields:
            raise ValidationError(
                f"feature kind {kind!r} needs the {name!r} panel; pass an OHLCV dict (or "
                f"a SampleUniverse) with {name!r} instead of the close panel alone"
            )
        panel = validate_panel(self._fields[name], name, positive=name != "volume")
        if not (panel.index.equals(self.index) and panel.columns.equals(self.columns)):
            raise ValidationError(
                f"{name} and close have different labels; align them with "
                "quantlab.data.align_panels"
            )
        return panel

    def returns(self) -> np.ndarray:
        if "ret1" not in self.cache:
            out = np.full_like(self.close, np.nan)
            out[1:] = self.close[1:] / self.close[:-1] - 1.0
            self.cache["ret1"] = out
        return self.cache["ret1"]


def _indicators() -> Any:
    try:
        import quantlab.indicators as ind
    except ImportError as exc:  # pragma: no cover - the indicators package ships with quantlab
        raise NotFoundError(
            f"this feature kind is computed by quantlab.indicators, which failed to import "
            f"({exc}); use kinds 'ret' / 'vol' / 'event' or fix the installation"
        ) from exc
    return ind


def _arr(obj: Any) -> np.ndarray:
    values = obj.to_numpy() if hasattr(obj, "to_numpy") else obj
    return np.ascontiguousarray(values, dtype=np.float64)


def _ret(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    w, lag = p["window"], p["lag"]
    out = np.full_like(x.close, np.nan)
    n = out.shape[0]
    if n > w + lag:
        out[w + lag :] = x.close[w : n - lag] / x.close[: n - w - lag] - 1.0
    return out


def _vol(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    return _kernels.rolling_std(x.returns(), p["window"], 1)


def _sma_ratio(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    return x.close / _arr(_indicators().sma(x.close_df, p["window"])) - 1.0


def _ema_ratio(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    return x.close / _arr(_indicators().ema(x.close_df, p["span"])) - 1.0


def _rsi(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    return _arr(_indicators().rsi(x.close_df, p["window"]))


def _macd(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    res = _indicators().macd(x.close_df, p["fast"], p["slow"], p["signal"])
    return _arr(res.hist) / x.close


def _bollinger(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    res = _indicators().bollinger(x.close_df, p["window"], p["n_std"])
    mid = _arr(res.middle)
    upper = _arr(res.upper)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (x.close - mid) / (upper - mid)
    out[~np.isfinite(out)] = np.nan
    return out


def _zscore(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    return _arr(_indicators().zscore(x.close_df, p["window"]))


def _atr(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    high, low = x.field("high", "atr"), x.field("low", "atr")
    return _arr(_indicators().atr(high, low, x.close_df, p["window"])) / x.close


def _volume_ratio(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    vol = x.field("volume", "volume_ratio")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = vol.to_numpy() / _arr(_indicators().sma(vol, p["window"])) - 1.0
    out[~np.isfinite(out)] = np.nan
    return out


def _event(x: _Inputs, p: dict[str, Any]) -> np.ndarray:
    from quantlab.data.events import events_to_features

    if x.events is None:
        raise ValidationError(
            "feature kind 'event' needs an event table; pass events= to compute / latest "
            "(e.g. the .events of quantlab.data.sample_universe)"
        )
    key = ("event", p["window"])
    if key not in x.cache:
        panels = events_to_features(x.events, x.index, symbols=x.columns, windows=[p["window"]])
        for name, panel in panels.items():
            x.cache[(name,)] = panel.to_numpy()
        x.cache[key] = np.empty(0)
    return x.cache[(f"event_{p['field']}_{p['window']}",)]


@dataclass(frozen=True)
class _Kind:
    compute: Callable[[_Inputs, dict[str, Any]], np.ndarray]
    defaults: dict[str, Any]
    #: bars of history needed for an exact value at the last bar; None = whole history
    lookback: Callable[[dict[str, Any]], int | None]
    choices: dict[str, tuple[Any, ...]] | None = None


FEATURE_KINDS: dict[str, _Kind] = {
    "ret": _Kind(_ret, {"window": 1, "lag": 0}, lambda p: p["window"] + p["lag"] + 1),
    "vol": _Kind(_vol, {"window": 21}, lambda p: p["window"] + 1),
    "sma_ratio": _Kind(_sma_ratio, {"window": 20}, lambda p: p["window"]),
    "ema_ratio": _Kind(_ema_ratio, {"span": 20}, lambda p: None),
    "rsi": _Kind(_rsi, {"window": 14}, lambda p: None),
    "macd": _Kind(_macd, {"fast": 12, "slow": 26, "signal": 9}, lambda p: None),
    "bollinger": _Kind(_bollinger, {"window": 20, "n_std": 2.0}, lambda p: p["window"]),
    "zscore": _Kind(_zscore, {"window": 20}, lambda p: p["window"]),
    "atr": _Kind(_atr, {"window": 14}, lambda p: None),
    "volume_ratio": _Kind(_volume_ratio, {"window": 21}, lambda p: p["window"]),
    "event": _Kind(
        _event,
        {"field": "net_count", "window": 21},
        lambda p: p["window"] + 1,
        {"field": ("count", "net_count", "net_amount")},
    ),
}


class Feature:
    """One feature: a kind from :data:`FEATURE_KINDS`, its parameters, a transform.

    Parameters
    ----------
    kind : str
        One of the kinds listed in the module docstring.
    name : str, optional
        Column name; default built from the kind and its parameters (``"ret_5"``).
    transform : {None, "xs_rank", "xs_zscore"}
        Cross-sectional transform applied per bar after the time-series computation.
    **params
        The kind's parameters (see the table in the module docstring).

    Raises
    ------
    NotFoundError
        Unknown kind (the message lists the known ones).
    ParameterError
        Unknown parameter, a window that is not a positive int, or an unknown transform.

    Examples
    --------
    >>> Feature("ret", window=5).name
    'ret_5'
    >>> Feature("ret", window=5, lag=5, transform="xs_rank").name
    'ret_5_lag5_xs_rank'
    """

    __slots__ = ("kind", "params", "name", "transform")

    def __init__(
        self, kind: str, *, name: str | None = None, transform: str | None = None, **params: Any
    ) -> None:
        if kind not in FEATURE_KINDS:
            raise NotFoundError(
                f"feature kind {kind!r} is not known; choose one of {sorted(FEATURE_KINDS)}"
            )
        spec = FEATURE_KINDS[kind]
        unknown = sorted(set(params) - set(spec.defaults))
        if unknown:
            raise ParameterError(
                f"feature kind {kind!r} has no parameter(s) {unknown}; its parameters are "
                f"{spec.defaults} (and name, transform)"
            )
        full = {**spec.defaults, **params}
        for key, value in full.items():
            _check_param(kind, key, value, spec)
        if transform is not None and transform not in TRANSFORMS:
            raise ParameterError(
                f"transform must be None or one of {list(TRANSFORMS)}; got {transform!r}"
            )
        self.kind = kind
        self.params = full
        self.transform = transform
        self.name = name if name is not None else _default_name(kind, full, spec, transform)

    @property
    def lookback(self) -> int | None:
        """Bars of history needed for an exact last-bar value (None: the whole history)."""
        return FEATURE_KINDS[self.kind].lookback(self.params)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: kind, params, name, transform."""
        return {
            "kind": self.kind,
            "params": dict(self.params),
            "name": self.name,
            "transform": self.transform,
        }

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Feature:
        """Inverse of :meth:`to_dict`; also reads the flat form ``{"kind", <params>}``.

        The kind's parameters may sit under ``"params"`` (the :meth:`to_dict` form) or
        next to ``"kind"`` (the flat form of a TOML recipe), not both for one parameter.
        Any other key raises, naming it and the kind's parameters.

        Raises
        ------
        ValidationError
            No ``"kind"``, ``"params"`` not a mapping, or a parameter given twice.
        NotFoundError, ParameterError
            As the constructor (unknown kind or parameter, invalid value).

        Examples
        --------
        >>> Feature.from_dict({"kind": "ret", "window": 5}).name
        'ret_5'
        >>> Feature.from_dict({"kind": "ret", "windw": 5})
        Traceback (most recent call last):
        ...
        quantlab.errors.ParameterError: feature kind 'ret' has no parameter(s) ['windw']; \
its parameters are {'window': 1, 'lag': 0} (and name, transform)
        """
        if not isinstance(spec, Mapping) or "kind" not in spec:
            raise ValidationError(
                f"a feature spec must be a dict with a 'kind' (e.g. {{'kind': 'ret', "
                f"'window': 5}}); got {spec!r:.80}"
            )
        params = spec.get("params", {})
        if not isinstance(params, Mapping):
            raise ValidationError(
                f"the 'params' of feature spec {dict(spec)!r:.80} must be a dict; got "
                f"{type(params).__name__}"
            )
        flat = {k: v for k, v in spec.items() if k not in _SPEC_KEYS}
        twice = sorted(set(flat) & set(params))
        if twice:
            raise ValidationError(
                f"feature spec {dict(spec)!r:.80} gives {twice} both flat and under "
                "'params'; give each parameter once"
            )
        return cls(
            spec["kind"],
            name=spec.get("name"),
            transform=spec.get("transform"),
            **{**flat, **params},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Feature) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        tr = f", transform={self.transform!r}" if self.transform else ""
        return f"Feature({self.kind!r}, {args}{tr})"


def _check_param(kind: str, key: str, value: Any, spec: _Kind) -> None:
    if spec.choices and key in spec.choices:
        if value not in spec.choices[key]:
            raise ParameterError(
                f"The {key!r} parameter of feature {kind!r} must be one of "
                f"{list(spec.choices[key])}. Got {value!r} instead."
            )
        return
    default = spec.defaults[key]
    if isinstance(default, int):
        low = 0 if key == "lag" else 1
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ParameterError(
                f"The {key!r} parameter of feature {kind!r} must be an int >= {low}. "
                f"Got {value!r} instead."
            )
    elif isinstance(default, float):
        if not isinstance(value, int | float) or not np.isfinite(value) or value <= 0:
            raise ParameterError(
                f"The {key!r} parameter of feature {kind!r} must be a number > 0. "
                f"Got {value!r} instead."
            )


def _default_name(kind: str, params: dict[str, Any], spec: _Kind, transform: str | None) -> str:
    parts = [kind]
    for i, (key, value) in enumerate(params.items()):
        if key == "field":
            parts = [f"{kind}_{value}"]
        elif i == 0 or kind in ("event", "macd", "bollinger"):
            parts.append(f"{value:g}" if isinstance(value, float) else str(value))
        elif value != spec.defaults[key]:
            parts.append(f"{key}{value}")
    if transform:
        parts.append(transform)
    return "_".join(parts)


class FeatureSet:
    """An ordered, named collection of :class:`Feature` specs.

    Parameters
    ----------
    features : sequence of Feature or dict
        The features, in column order; dicts follow :meth:`Feature.to_dict`.
    name : str, optional
        A label for tracking.

    Raises
    ------
    ValidationError
        No features, or two features with the same name.

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> u = sample_universe(n_assets=4, n_days=80, seed=0)
    >>> fs = FeatureSet([Feature("ret", window=5), Feature("vol", window=10)])
    >>> X = fs.compute(u.close)
    >>> X.shape, X.index.names
    ((320, 2), FrozenList(['date', 'symbol']))
    >>> FeatureSet.from_json(fs.to_json()) == fs
    True
    >>> fs.latest(u.close).equals(X.tail(4))
    True
    """

    def __init__(self, features: Sequence[Feature | Mapping[str, Any]], *, name: str = "") -> None:
        feats = [f if isinstance(f, Feature) else Feature.from_dict(f) for f in features]
        if not feats:
            raise ValidationError("features is empty; pass at least one Feature")
        names = [f.name for f in feats]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValidationError(
                f"feature names must be unique; {dup} appear more than once. Give one of "
                "them an explicit name="
            )
        self.features: tuple[Feature, ...] = tuple(feats)
        self.name = name

    @classmethod
    def default(cls, *, events: bool = True) -> FeatureSet:
        """A compact research set: returns, volatility, reversal ranks, event features."""
        feats = [
            Feature("ret", window=1),
            Feature("ret", window=5),
            Feature("ret", window=21),
            Feature("ret", window=5, transform="xs_rank"),
            Feature("ret", window=21, transform="xs_rank"),
            Feature("vol", window=21),
            Feature("vol", window=63),
        ]
        if events:
            feats += [
                Feature("event", field="net_count", window=10),
                Feature("event", field="net_amount", window=10, transform="xs_rank"),
                Feature("event", field="count", window=21),
            ]
        return cls(feats, name="default")

    @property
    def names(self) -> list[str]:
        """Column names of the computed frame."""
        return [f.name for f in self.features]

    @property
    def needs_events(self) -> bool:
        """Whether any feature reads an event table."""
        return any(f.kind == "event" for f in self.features)

    @property
    def lookback(self) -> int | None:
        """Bars needed for an exact last-bar value; None when a feature has infinite memory."""
        looks = [f.lookback for f in self.features]
        return None if any(v is None for v in looks) else max(v for v in looks if v is not None)

    def _arrays(
        self, prices: Any, events: pd.DataFrame | None
    ) -> tuple[list[np.ndarray], pd.DatetimeIndex, pd.Index]:
        inputs = _Inputs(prices, events)
        arrays = []
        raw: dict[str, np.ndarray] = {}  # features differing only by transform share it
        for f in self.features:
            key = json.dumps([f.kind, f.params], sort_keys=True)
            if key not in raw:
                values = FEATURE_KINDS[f.kind].compute(inputs, f.params)
                values = np.asarray(values, dtype=np.float64)
                inf = np.isinf(values)
                raw[key] = np.where(inf, np.nan, values) if inf.any() else values
            arr = raw[key]
            if f.transform == "xs_rank":
                arr = _kernels.xs_rank(np.ascontiguousarray(arr))
            elif f.transform == "xs_zscore":
                arr = _xs_zscore(arr)
            arrays.append(arr)
        return arrays, inputs.index, inputs.columns

    def compute_panels(
        self, prices: Any, events: pd.DataFrame | None = None
    ) -> dict[str, pd.DataFrame]:
        """Compute every feature as a wide ``(n_bars, n_assets)`` panel, by name.

        Same arguments and values as :meth:`compute`, before stacking.
        """
        arrays, index, columns = self._arrays(prices, events)
        return {
            n: pd.DataFrame(a, index=index, columns=columns)
            for n, a in zip(self.names, arrays, strict=True)
        }

    def compute(self, prices: Any, events: pd.DataFrame | None = None) -> pd.DataFrame:
        """Features of every bar, stacked into a ``(date, symbol)`` x feature frame.

        Parameters
        ----------
        prices : pandas.DataFrame or mapping
            The close panel, or an OHLCV dict / :class:`~quantlab.data.SampleUniverse`
            (needed by kinds that read high, low or volume).
        events : pandas.DataFrame, optional
            Event table for the ``event`` kind.

        Returns
        -------
        pandas.DataFrame
            ``(n_bars * n_assets, n_features)`` float64, index ``(date, symbol)`` in
            date-major order; the full grid is kept (warm-up rows are NaN), so labels
            computed on the same close panel align row by row. Infinite values become NaN.

        Raises
        ------
        ValidationError
            A required panel or the event table is missing; invalid prices.
        """
        arrays, index, columns = self._arrays(prices, events)
        return stack_arrays(arrays, self.names, index, columns)

    def latest(self, prices: Any, events: pd.DataFrame | None = None) -> pd.DataFrame:
        """Features of the last bar only, equal to ``compute(prices).tail(n_assets)``.

        Only the last :attr:`lookback` bars are read when every feature has finite memory
        (the whole history otherwise), so this is the fast path for serving.
        """
        look = self.lookback
        raw = _raw_close(prices)
        if look is not None and isinstance(raw, pd.DataFrame) and len(raw) > look + 1:
            prices = _tail(prices, look + 1)  # only the tail is validated and computed
        arrays, index, columns = self._arrays(prices, events)
        last = [a[-1:] for a in arrays]
        return stack_arrays(last, self.names, index[-1:], columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (format version, name, feature specs)."""
        return {
            "format": "quantlab.FeatureSet",
            "version": _FORMAT_VERSION,
            "name": self.name,
            "features": [f.to_dict() for f in self.features],
        }

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> FeatureSet:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        ValidationError
            A key other than ``format``, ``version``, ``name``, ``features`` (named), no
            ``features`` list, another format or an unsupported version.

        Examples
        --------
        >>> FeatureSet.from_dict({"features": [{"kind": "ret", "window": 5}]}).names
        ['ret_5']
        >>> FeatureSet.from_dict({"featurs": [{"kind": "ret"}]})
        Traceback (most recent call last):
        ...
        quantlab.errors.ValidationError: unknown FeatureSet key(s) ['featurs']; a FeatureSet \
dict has keys ['format', 'version', 'name', 'features'] (a list of feature specs)
        """
        if not isinstance(spec, Mapping):
            raise ValidationError(f"a FeatureSet spec must be a dict; got {type(spec).__name__}")
        unknown = sorted(str(k) for k in spec if k not in _SET_KEYS)
        if unknown:
            raise ValidationError(
                f"unknown FeatureSet key(s) {unknown}; a FeatureSet dict has keys "
                f"{list(_SET_KEYS)} (a list of feature specs)"
            )
        fmt = spec.get("format", "quantlab.FeatureSet")
        if fmt != "quantlab.FeatureSet":
            raise ValidationError(f"FeatureSet 'format' must be 'quantlab.FeatureSet'; got {fmt!r}")
        feats = spec.get("features")
        if not isinstance(feats, list | tuple):
            raise ValidationError(
                f"a FeatureSet dict needs 'features', a list of feature specs; got "
                f"{type(feats).__name__} {feats!r:.60}"
            )
        version = spec.get("version", _FORMAT_VERSION)
        if version != _FORMAT_VERSION:
            raise ValidationError(
                f"FeatureSet spec version {version!r} is not supported (this quantlab reads "
                f"version {_FORMAT_VERSION}); upgrade quantlab"
            )
        return cls(list(feats), name=spec.get("name", ""))

    def to_json(self, **kwargs: Any) -> str:
        """Serialise to a JSON string (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_json(cls, text: str) -> FeatureSet:
        """Rebuild a feature set from :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FeatureSet) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.to_json(sort_keys=True))

    def __len__(self) -> int:
        return len(self.features)

    def __repr__(self) -> str:
        return f"FeatureSet({self.names})"


def _raw_close(prices: Any) -> Any:
    if isinstance(prices, Mapping):
        return prices.get("close")
    return getattr(prices, "close", prices) if not isinstance(prices, pd.DataFrame) else prices


def _tail(prices: Any, n: int) -> Any:
    if isinstance(prices, pd.DataFrame):
        return prices.iloc[-n:]
    if isinstance(prices, Mapping):
        return {k: v.iloc[-n:] for k, v in prices.items() if isinstance(v, pd.DataFrame)}
    return {
        f: getattr(prices, f).iloc[-n:]
        for f in ("open", "high", "low", "close", "volume")
        if isinstance(getattr(prices, f, None), pd.DataFrame)
    }


def _xs_zscore(arr: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        count = np.sum(np.isfinite(arr), axis=1, keepdims=True)
        mean = np.nansum(arr, axis=1, keepdims=True) / np.maximum(count, 1)
        dev = np.where(np.isfinite(arr), arr - mean, 0.0)
        std = np.sqrt(np.sum(dev * dev, axis=1, keepdims=True) / np.maximum(count - 1, 1))
        out = (arr - mean) / std
    out[~np.isfinite(out)] = np.nan
    return out
