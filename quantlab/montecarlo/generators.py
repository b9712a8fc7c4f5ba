"""Path generators: resampled history or a fitted model, seeded per path.

Methods (the ``method`` argument of :func:`generate_paths` and
:func:`~quantlab.montecarlo.simulate`):

==========================  ==================================================================
``"bootstrap"``             iid bootstrap: each step draws a historical date uniformly.
``"stationary_bootstrap"``  Politis-Romano: a new random date with probability
                            ``1 / block_length`` per step, otherwise the next date (circular);
                            block lengths are geometric with mean ``block_length``.
``"block_bootstrap"``       circular block bootstrap with fixed ``block_length``.
``"shuffle"``               successive random permutations of the history (without
                            replacement). A shuffle only reorders returns, and products
                            commute: a buy-and-hold path over the whole history ends at the
                            same wealth as the history; only the path (drawdowns, goal times)
                            changes. Use a bootstrap to spread terminal wealth.
``"normal"``                multivariate normal returns, mean and covariance per step.
``"student_t"``             multivariate Student-t (one chi-square per step shared by all
                            assets), scaled so its covariance equals ``cov``; ``dof > 2``.
``"gbm"``                   geometric Brownian motion: log-returns ``N(mean - diag(cov)/2,
                            cov)`` per step, so ``E[1 + r] = exp(mean)``.
==========================  ==================================================================

Resampling methods draw whole dates, so the cross-section (co-movement of the assets on a
date) is preserved. Random numbers come from one xoshiro256++ stream per path keyed by
``(seed, path)`` (:mod:`quantlab.montecarlo._rng`): the same seed gives the same paths whatever
the number of threads or chunks. Integers are drawn without modulo bias (Lemire's method);
normals by Box-Muller; chi-square by Marsaglia-Tsang gammas.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array2D
from quantlab._validation import choice
from quantlab.errors import ParameterError, ShapeError, ValidationError
from quantlab.montecarlo import _kernels as K
from quantlab.montecarlo._inputs import (
    finite_float,
    load_history,
    positive_int,
    resolve_seed,
)

#: method name -> kernel code
METHODS: dict[str, int] = {
    "bootstrap": K.IID,
    "stationary_bootstrap": K.STATIONARY,
    "block_bootstrap": K.BLOCK,
    "shuffle": K.SHUFFLE,
    "normal": K.NORMAL,
    "student_t": K.STUDENT_T,
    "gbm": K.GBM,
}
RESAMPLING = ("bootstrap", "stationary_bootstrap", "block_bootstrap", "shuffle")
PARAMETRIC = ("normal", "student_t", "gbm")

#: Degrees of freedom used by the Student-t fit when the history shows no excess kurtosis.
MAX_DOF = 100.0

#: Largest array ``generate_paths`` will allocate, in bytes.
MAX_GENERATED_BYTES = 1 << 30

_PRANGE_CHUNK = 16


class ModelParams(NamedTuple):
    """Per-step parameters of a parametric model.

    ``mean`` is the mean simple return per step (``"normal"``, ``"student_t"``) or the drift
    per step with ``E[1 + r] = exp(mean)`` (``"gbm"``); ``cov`` is the covariance per step of
    simple returns (normal, t) or of log-returns (GBM); ``dof`` the Student-t degrees of
    freedom (``None`` for the other models).
    """

    mean: Float64Array1D
    cov: Float64Array2D
    dof: float | None


def fit_model(returns: Any, model: str = "normal") -> ModelParams:
    """Fit a parametric model to a returns history (per step, not annualized).

    ``"normal"``: sample mean and covariance (ddof=1). ``"student_t"``: the same, plus
    ``dof = 4 + 6 / k`` from the average excess kurtosis ``k`` of the columns (method of
    moments), capped at :data:`MAX_DOF` when ``k`` is small or negative. ``"gbm"``: mean and
    covariance of the log-returns ``log1p(r)``, with ``mean`` the drift
    ``mean(log1p(r)) + diag(cov) / 2``.

    Parameters
    ----------
    returns : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Simple returns; rows with NaN are dropped (with a warning).
    model : {"normal", "student_t", "gbm"}

    Returns
    -------
    ModelParams

    Raises
    ------
    ParameterError
        Unknown ``model``.
    ValidationError
        Returns <= -1 or fewer than 2 usable rows.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.random.default_rng(0).normal(0.001, 0.01, size=(1000, 2))
    >>> params = fit_model(r, "normal")
    >>> params.cov.shape
    (2, 2)
    """
    model = choice(model, "model", {m: m for m in PARAMETRIC})
    values = load_history(returns).values
    return _fit(values, model)


def _fit(values: Float64Array2D, model: str) -> ModelParams:
    x = np.log1p(values) if model == "gbm" else values
    mean = x.mean(axis=0)
    cov = np.atleast_2d(np.cov(x, rowvar=False, ddof=1))
    if model == "gbm":
        return ModelParams(mean + 0.5 * np.diag(cov), cov, None)
    if model == "student_t":
        centered = values - mean
        m2 = (centered**2).mean(axis=0)
        m4 = (centered**4).mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            kurt = np.where(m2 > 0, m4 / np.where(m2 > 0, m2, 1.0) ** 2 - 3.0, 0.0)
        excess = float(np.mean(kurt))
        dof = MAX_DOF if excess <= 6.0 / (MAX_DOF - 4.0) else 4.0 + 6.0 / excess
        return ModelParams(mean, cov, dof)
    return ModelParams(mean, cov, None)


def _factor(cov: Any, n_assets: int) -> Float64Array2D:
    """``A`` with ``A @ A.T == cov`` (Cholesky, or eigen-decomposition when singular)."""
    try:
        c = np.asarray(cov, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"cov must be a numeric matrix; got {cov!r:.80}") from None
    c = np.atleast_2d(c)
    if c.shape != (n_assets, n_assets):
        raise ShapeError(
            f"cov must have shape (n_assets, n_assets) = ({n_assets}, {n_assets}); got "
            f"{c.shape}. Pass one row and column per asset"
        )
    if not np.isfinite(c).all():
        raise ValidationError("cov holds NaN or infinite values; pass a finite covariance")
    scale = max(float(np.abs(c).max()), 1e-300)
    if not np.allclose(c, c.T, rtol=0.0, atol=1e-10 * scale):
        raise ValidationError(
            "cov is not symmetric; pass a covariance matrix (e.g. (cov + cov.T) / 2)"
        )
    c = 0.5 * (c + c.T)
    eig, vec = np.linalg.eigh(c)
    if eig.min() < -1e-10 * scale:
        raise ValidationError(
            f"cov is not positive semi-definite (smallest eigenvalue {eig.min():.3g}); pass a "
            "valid covariance, e.g. the sample covariance or a shrunk estimate"
        )
    try:
        return np.ascontiguousarray(np.linalg.cholesky(c))
    except np.linalg.LinAlgError:
        return np.ascontiguousarray(vec * np.sqrt(np.clip(eig, 0.0, None)))


def draw_spec(
    method: str,
    values: Float64Array2D | None,
    n_assets: int,
    *,
    block_length: float | None = None,
    mean: Any = None,
    cov: Any = None,
    dof: float | None = None,
) -> K.DrawSpec:
    """Build the kernel's :class:`~quantlab.montecarlo._kernels.DrawSpec` (validated)."""
    code = METHODS[method]
    growth = np.ones((1, n_assets))
    restart = 1.0
    block = 1
    loc = np.zeros(n_assets)
    factor = np.zeros((n_assets, n_assets))
    t_dof = 0.0
    if method in RESAMPLING:
        assert values is not None  # the API checks returns is given for resampling
        growth = np.ascontiguousarray(1.0 + values)
        if method in ("stationary_bootstrap", "block_bootstrap"):
            if block_length is None:
                block_length = max(1.0, round(len(values) ** (1.0 / 3.0)))
            bl = finite_float(block_length, "block_length", low=1.0)
            restart = 1.0 / bl
            block = max(1, round(bl))
        if len(values) >= 2**32:
            raise ValidationError(f"returns has {len(values)} rows; at most 2**32 - 1 allowed")
    else:
        fitted = _fit(values, method) if values is not None else None
        if mean is None:
            if fitted is None:
                raise ParameterError(f"method={method!r} without returns needs mean= and cov=")
            m = fitted.mean
        else:
            m = np.atleast_1d(np.asarray(mean, dtype=np.float64))
            if m.shape != (n_assets,):
                raise ShapeError(f"mean must have shape (n_assets,) = ({n_assets},); got {m.shape}")
            if not np.isfinite(m).all():
                raise ParameterError(f"mean must be finite; got {m.tolist()}")
        if cov is None:
            if fitted is None:
                raise ParameterError(f"method={method!r} without returns needs mean= and cov=")
            c = fitted.cov
        else:
            c = cov
        factor = _factor(c, n_assets)
        cov_arr = factor @ factor.T
        loc = np.ascontiguousarray(m - 0.5 * np.diag(cov_arr) if method == "gbm" else m)
        if method == "student_t":
            if dof is None:
                dof = fitted.dof if fitted is not None else None
            if dof is None:
                raise ParameterError("method='student_t' without returns needs dof= (> 2)")
            t_dof = finite_float(dof, "dof", low=2.0, low_open=True)
    return K.DrawSpec(code, growth, restart, block, loc, factor, t_dof)


def generate_paths(
    returns: Any,
    n_paths: int,
    horizon: int,
    method: str = "bootstrap",
    *,
    seed: int | None = None,
    block_length: float | None = None,
    mean: Any = None,
    cov: Any = None,
    dof: float | None = None,
    return_indices: bool = False,
) -> Any:
    """Draw per-step asset returns, exactly as :func:`~quantlab.montecarlo.simulate` does.

    Path ``i`` under ``seed`` is the same here and in ``simulate`` (same ``method`` and
    parameters), so a slow reference can replay a simulation step by step. Meant for small
    sizes: the output is ``n_paths * horizon * n_assets`` floats.

    Parameters
    ----------
    returns : DataFrame, Series or ndarray, shape (n_bars, n_assets), or None
        Simple-return history (rows with NaN dropped, with a warning). ``None`` only for a
        parametric method with ``mean`` and ``cov`` given.
    n_paths, horizon : int
        Number of paths and steps per path (>= 1).
    method : str
        One of ``"bootstrap"``, ``"stationary_bootstrap"``, ``"block_bootstrap"``,
        ``"shuffle"``, ``"normal"``, ``"student_t"``, ``"gbm"`` (see the module docs).
    seed : int, optional
        Stream key in ``[0, 2**64)``; ``None`` draws one.
    block_length : float, optional
        Mean (stationary) or fixed (block) block length, >= 1; default ``n_bars ** (1/3)``.
    mean, cov, dof : optional
        Model parameters per step (default: fitted to ``returns``, see :func:`fit_model`).
    return_indices : bool
        Also return the ``(n_paths, horizon)`` historical row drawn at each step (-1 for
        parametric methods).

    Returns
    -------
    ndarray, shape (n_paths, horizon, n_assets)
        Simulated simple returns (and the indices when ``return_indices``).

    Raises
    ------
    ParameterError, ValidationError, ShapeError
        Invalid arguments (see :func:`~quantlab.montecarlo.simulate`).

    Examples
    --------
    >>> import numpy as np
    >>> hist = np.array([0.01, -0.02, 0.03, 0.0])
    >>> r, idx = generate_paths(hist, n_paths=2, horizon=3, seed=1, return_indices=True)
    >>> r.shape, idx.shape
    ((2, 3, 1), (2, 3))
    >>> bool(np.allclose(r[..., 0], hist[idx]))
    True
    """
    method = choice(method, "method", {m: m for m in METHODS})
    n_paths = positive_int(n_paths, "n_paths")
    horizon = positive_int(horizon, "horizon")
    values = None
    if returns is None:
        if method in RESAMPLING:
            raise ParameterError(f"method={method!r} resamples history: returns is required")
        n_assets = np.atleast_1d(np.asarray(mean)).shape[0] if mean is not None else 1
    else:
        values = load_history(returns).values
        n_assets = values.shape[1]
    nbytes = n_paths * horizon * n_assets * 16
    if nbytes > MAX_GENERATED_BYTES:
        raise ParameterError(
            f"generate_paths would allocate {nbytes / 2**20:.0f} MiB for n_paths={n_paths}, "
            f"horizon={horizon}, {n_assets} asset(s) (limit {MAX_GENERATED_BYTES >> 20} MiB); "
            "use simulate(...) for large runs"
        )
    spec = draw_spec(
        method, values, n_assets, block_length=block_length, mean=mean, cov=cov, dof=dof
    )
    key = np.uint64(resolve_seed(seed))
    rets = np.empty((n_paths, horizon, n_assets))
    idxs: Int64Array2D = np.empty((n_paths, horizon), dtype=np.int64)
    K.generate(key, 0, spec, rets, idxs, _PRANGE_CHUNK)
    return (rets, idxs) if return_indices else rets


__all__ = [
    "METHODS",
    "ModelParams",
    "fit_model",
    "generate_paths",
]
