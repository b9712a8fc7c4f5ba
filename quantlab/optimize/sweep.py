"""Parameter sweeps: every combination of a grid through the engine, in few vectorized calls.

A *strategy* is a function ``strategy(data, **params)`` returning either
``(entries, exits)`` boolean panels (run through :func:`~quantlab.backtest.from_signals`)
or a weights panel (run through :func:`~quantlab.backtest.from_weights`), with one column
per asset. Marked with :func:`vectorized`, it is called once per chunk with each parameter
as a *list* (one value per combination) and returns panels whose MultiIndex columns are
``(param levels..., asset)`` -- the fast path: indicators are computed once per distinct
window and the whole chunk goes through one engine call.

All combinations of a chunk run through ONE stats-only engine call; chunks are sized so
the signals of a chunk fit in ``max_memory`` bytes, and run in process, on local
processes (``n_jobs``) or on a Dask cluster (``scheduler``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab._periods import resolve_or_per_bar
from quantlab.backtest.result import SummaryResult
from quantlab.errors import ChunkError, DataTypeError, ParameterError, QuantlabError
from quantlab.optimize._parallel import run_chunks
from quantlab.optimize.grid import expand_grid
from quantlab.optimize.result import SweepResult

_ENGINE_DATA_KEYS = ("open", "high", "low")


def vectorized(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a strategy as taking lists of parameter values (one per combination).

    The function keeps its signature; quantlab only reads the marker attribute.
    """
    func.__quantlab_vectorized__ = True  # type: ignore[attr-defined]
    return func


def _is_vectorized(strategy: Callable[..., Any]) -> bool:
    return bool(getattr(strategy, "__quantlab_vectorized__", False))


def close_of(data: Any) -> pd.DataFrame:
    """The close panel of ``data``: the frame itself, ``data["close"]`` or ``data.close``."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping) and "close" in data:
        return data["close"]  # type: ignore[no-any-return]
    if hasattr(data, "close") and isinstance(data.close, pd.DataFrame):
        return data.close  # type: ignore[no-any-return]
    raise DataTypeError(
        f"data must be a close-price DataFrame or hold one under 'close' (dict or object "
        f"with a .close frame); got {type(data).__name__}"
    )


def _ohlc_of(data: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _ENGINE_DATA_KEYS:
        if isinstance(data, Mapping) and key in data:
            out[key] = data[key]
        elif not isinstance(data, pd.DataFrame) and isinstance(
            getattr(data, key, None), pd.DataFrame
        ):
            out[key] = getattr(data, key)
    return out


def _check_params(strategy: Callable[..., Any], names: list[str]) -> None:
    try:
        sig = inspect.signature(strategy)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return
    params = sig.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [n for n, p in params.items() if p.kind is not inspect.Parameter.VAR_POSITIONAL]
    unknown = [n for n in names if n not in accepted[1:]]
    if unknown:
        raise ParameterError(
            f"the grid has parameter(s) {unknown} that the strategy "
            f"{getattr(strategy, '__name__', strategy)!r} does not accept; its parameters "
            f"are {accepted[1:]}"
        )


def _engine_kwargs_check(engine_kwargs: dict[str, Any]) -> None:
    from quantlab.backtest import from_signals, from_weights

    allowed = set(inspect.signature(from_signals).parameters) | set(
        inspect.signature(from_weights).parameters
    )
    reserved = {"close", "entries", "exits", "weights", "mode", "returns_by", "keep_returns"}
    bad = [k for k in engine_kwargs if k not in allowed or k in reserved]
    if bad:
        raise ParameterError(
            f"unknown or reserved engine keyword(s) {bad}; sweep passes fees, init_cash, "
            "sl_stop ... through to the backtest (see quantlab.backtest.from_signals)"
        )


@dataclass(frozen=True)
class _Job:
    strategy: Callable[..., Any]
    data: Any
    combos: pd.DataFrame
    engine_kwargs: dict[str, Any]
    periods_per_year: float | None


def _describe(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _build_per_combination(job: _Job) -> tuple[str, Any, Any]:
    names = list(job.combos.columns)
    first: list[Any] = []
    second: list[Any] = []
    kind = ""
    keys = [tuple(row) for row in job.combos.itertuples(index=False)]
    for key in keys:
        params = dict(zip(names, key, strict=True))
        try:
            out = job.strategy(job.data, **params)
        except QuantlabError:
            raise
        except Exception as exc:
            raise ChunkError(
                f"the strategy failed for parameters ({_describe(params)}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        k, a, b = _classify(out, params)
        if kind and k != kind:
            raise ChunkError(
                f"the strategy returned {k} for ({_describe(params)}) but {kind} before; "
                "return the same kind of output for every combination"
            )
        kind = k
        first.append(a)
        if b is not None:
            second.append(b)
    concat_keys: list[Any] = [k[0] for k in keys] if len(names) == 1 else keys
    e = pd.concat(first, axis=1, keys=concat_keys, names=names)
    x = pd.concat(second, axis=1, keys=concat_keys, names=names) if second else None
    return kind, e, x


def _classify(out: Any, params: Mapping[str, Any]) -> tuple[str, Any, Any]:
    if isinstance(out, tuple) and len(out) == 2:
        return "signals", out[0], out[1]
    if isinstance(out, pd.DataFrame):
        return "weights", out, None
    raise ChunkError(
        f"the strategy returned {type(out).__name__} for ({_describe(params)}); return "
        "(entries, exits) boolean panels or a weights DataFrame"
    )


def _build_vectorized(job: _Job) -> tuple[str, Any, Any]:
    names = list(job.combos.columns)
    lists = {n: job.combos[n].tolist() for n in names}
    try:
        out = job.strategy(job.data, **lists)
    except QuantlabError:
        raise
    except Exception as exc:
        first = dict(job.combos.iloc[0])
        raise ChunkError(
            f"the vectorized strategy failed on the chunk starting at ({_describe(first)}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    kind, a, b = _classify(out, {n: f"{len(v)} values" for n, v in lists.items()})
    want = _combo_index(job.combos)
    a = _select_combos(a, want, names, "first output")
    if b is not None:
        b = _select_combos(b, want, names, "second output")
    return kind, a, b


def _combo_index(combos: pd.DataFrame) -> pd.Index:
    if combos.shape[1] == 1:
        return pd.Index(combos.iloc[:, 0], name=combos.columns[0])
    return pd.MultiIndex.from_frame(combos)


def _select_combos(
    panel: pd.DataFrame, want: pd.Index, names: list[str], what: str
) -> pd.DataFrame:
    """The columns of each wanted combination, in grid order (assets kept in order)."""
    cols = panel.columns
    if not isinstance(cols, pd.MultiIndex) or list(cols.names[: len(names)]) != names:
        raise ChunkError(
            f"the vectorized strategy's {what} must have MultiIndex columns "
            f"({', '.join(names)}, asset); got levels {list(getattr(cols, 'names', []))}"
        )
    outer = cols.droplevel(list(range(len(names), cols.nlevels)))
    codes, uniques = pd.factorize(outer, sort=False)
    upos = pd.Index(uniques).get_indexer(want)
    if (upos < 0).any():
        missing = want[int(np.argmax(upos < 0))]
        raise ChunkError(
            f"the vectorized strategy's {what} lacks the combination "
            f"{dict(zip(names, np.atleast_1d(missing), strict=True))}"
        )
    by_code: dict[int, list[int]] = {}
    for j, code in enumerate(codes.tolist()):
        by_code.setdefault(code, []).append(j)
    order = [j for u in upos.tolist() for j in by_code[u]]
    return panel.iloc[:, order]


def evaluate_chunk(job: _Job) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run one chunk of combinations; returns (per-column table, per-combination returns)."""
    from quantlab.backtest import from_signals, from_weights

    build = _build_vectorized if _is_vectorized(job.strategy) else _build_per_combination
    kind, a, b = build(job)
    names = list(job.combos.columns)
    close = close_of(job.data)
    try:
        if kind == "signals":
            _check_bool(a, "entries", job)
            _check_bool(b, "exits", job)
            res = from_signals(
                close,
                a,
                b,
                mode="stats",
                returns_by=names,
                periods_per_year=job.periods_per_year,
                **_ohlc_of(job.data),
                **job.engine_kwargs,
            )
        else:
            res = from_weights(
                close,
                a,
                mode="stats",
                keep_returns=True,
                periods_per_year=job.periods_per_year,
                **job.engine_kwargs,
            )
    except QuantlabError as exc:
        first = dict(job.combos.iloc[0])
        raise type(exc)(
            f"{exc} (chunk of {len(job.combos)} combinations starting at ({_describe(first)}))"
        ) from exc
    assert isinstance(res, SummaryResult) and res.returns is not None  # mode="stats"
    return res.table, res.returns


def _check_bool(panel: Any, name: str, job: _Job) -> None:
    if not isinstance(panel, pd.DataFrame):
        return
    bad = [str(d) for d in panel.dtypes.unique() if not pd.api.types.is_bool_dtype(d)]
    if bad:
        first = dict(job.combos.iloc[0])
        raise DataTypeError(
            f"the strategy's {name} must be boolean; got dtype(s) {bad} (chunk starting at "
            f"({_describe(first)})). Return boolean panels, e.g. (fast > slow)"
        )


def _chunk_size(data: Any, n_combos: int, max_memory: float, n_outputs: int = 2) -> int:
    close = close_of(data)
    per_combo = close.shape[0] * close.shape[1] * (n_outputs + 1) * 8.0
    return max(1, min(n_combos, int(max_memory // max(per_combo, 1.0))))


def _parse_memory(value: float | str) -> float:
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ParameterError(f"max_memory must be > 0 bytes; got {value}")
        return float(value)
    units = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "k": 1e3, "m": 1e6, "g": 1e9, "b": 1.0}
    text = str(value).strip().lower()
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix):
            try:
                return float(text[: -len(suffix)]) * units[suffix]
            except ValueError:
                break
    raise ParameterError(f"max_memory must be bytes or a size like '2GB'; got {value!r}")


def sweep(
    strategy: Callable[..., Any],
    grid: Mapping[str, Iterable[Any]],
    data: Any,
    *,
    n_samples: int | None = None,
    seed: int | None = None,
    metric: str = "sharpe",
    max_memory: float | str = "1GB",
    n_jobs: int = 1,
    scheduler: str | None = None,
    timeout: float = 10.0,
    progress: bool = True,
    periods_per_year: float | None = None,
    **engine_kwargs: Any,
) -> SweepResult:
    """Backtest every combination of ``grid`` and rank them.

    Parameters
    ----------
    strategy : callable
        ``strategy(data, **params) -> (entries, exits)`` or a weights DataFrame; see the
        module docstring and :func:`vectorized` for the fast path.
    grid : dict of parameter -> values
        The full product is swept (or ``n_samples`` of it, seeded by ``seed``).
    data : DataFrame of close prices, or dict/object with ``close`` (+ open/high/low)
        Passed to the strategy as is; the engine trades its close (and uses its
        open/high/low for stops and next-open fills when present).
    metric : str
        Column of the table that ranks combinations (mean over assets for signal
        strategies), e.g. "sharpe", "total_return", "sortino".
    max_memory : bytes or "2GB"
        Bound on the signals materialized per chunk; larger grids are chunked.
    n_jobs : int
        Local worker processes for the chunks (1 = in process).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): chunks run on that cluster.
    timeout : float
        Seconds allowed to connect to the scheduler.
    progress : bool
        Show a progress bar for chunked or parallel sweeps.
    periods_per_year : float, optional
        Annualization; inferred from the prices' index.
    **engine_kwargs
        Passed to the backtest (fees, slippage, init_cash, sl_stop, ...).

    Returns
    -------
    SweepResult
        ``table`` (one row per combination and asset, or per portfolio), ``best``,
        ``heatmap(...)``, ``deflated_sharpe``, ``pbo`` and the per-combination returns.

    Raises
    ------
    ParameterError
        Empty grid, a parameter the strategy does not accept, unknown engine keywords.
    ChunkError
        The strategy failed or returned the wrong kind of output (names the combination).
    ClusterError
        The scheduler cannot be reached within ``timeout``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> close = pd.DataFrame({"A": 100 + np.cumsum(np.sin(np.arange(300) / 9))}, index=idx)
    >>> def cross(data, fast, slow):
    ...     f, s = data.rolling(fast).mean(), data.rolling(slow).mean()
    ...     return (f > s) & (f.shift() <= s.shift()), (f < s) & (f.shift() >= s.shift())
    >>> res = ql.optimize.sweep(cross, {"fast": [5, 10], "slow": [20, 40]}, close,
    ...                         progress=False)
    >>> res.table.shape[0]
    4
    """
    combos = expand_grid(grid, n_samples=n_samples, seed=seed)
    names = list(combos.columns)
    _check_params(strategy, names)
    _engine_kwargs_check(engine_kwargs)
    close = close_of(data)
    if n_jobs < 1:
        raise ParameterError(f"n_jobs must be >= 1; got {n_jobs}")
    size = _chunk_size(data, len(combos), _parse_memory(max_memory))
    chunks = [
        _Job(
            strategy,
            data,
            combos.iloc[i : i + size].reset_index(drop=True),
            engine_kwargs,
            periods_per_year,
        )
        for i in range(0, len(combos), size)
    ]
    outputs = run_chunks(
        evaluate_chunk,
        chunks,
        n_jobs=n_jobs,
        scheduler=scheduler,
        timeout=timeout,
        progress=progress,
        desc="sweep",
    )
    tables = [t for t, _ in outputs]
    returns = pd.concat([r for _, r in outputs], axis=1)
    table = pd.concat(tables)
    n_found = len(returns.columns)
    if n_found != len(combos):  # pragma: no cover - defensive
        raise ChunkError(f"the sweep returned {n_found} of {len(combos)} combinations")
    returns.columns = _combo_index(combos)
    if table.index.nlevels > len(names) and table.index.names[-1] is None:
        table.index = table.index.set_names("asset", level=-1)
    tidy = table.reset_index()
    ppy = _ppy(close, periods_per_year)
    return SweepResult(
        table=tidy, params=names, metric=metric, returns=returns, periods_per_year=ppy
    )


def _ppy(close: pd.DataFrame, periods_per_year: float | None) -> float | None:
    """The library's one rule (:func:`quantlab._periods.resolve_or_per_bar`), as backtests."""
    return resolve_or_per_bar(close.index, periods_per_year)


__all__ = ["sweep", "vectorized", "evaluate_chunk", "close_of"]
