"""The one wrapper through which every quantlab kernel is compiled.

Kernels are written as plain Python over NumPy arrays and decorated with :func:`jit`.
With ``QUANTLAB_DISABLE_JIT=1`` (or numba's ``NUMBA_DISABLE_JIT=1``) the decorator returns
the function unchanged and :data:`prange` is the builtin ``range``, so the very same code
runs uncompiled for debugging and coverage; the test suite compares both modes.

Caching: compiled kernels are cached on disk (``cache=True``). If no cache directory is
usable (read-only install, read-only ``QUANTLAB_NUMBA_CACHE_DIR``), the kernels are
compiled in memory instead and quantlab says so once with a :class:`RuntimeWarning`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from quantlab import config

F = TypeVar("F", bound=Callable[..., Any])

if config.NUMBA_CACHE_DIR and "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = config.NUMBA_CACHE_DIR

JIT_ENABLED: bool = not config.DISABLE_JIT

_cache_warned = False


def _warn_cache_once(exc: BaseException) -> None:
    global _cache_warned
    if not _cache_warned:
        _cache_warned = True
        warnings.warn(
            f"quantlab: numba's kernel cache is unusable ({exc}); kernels are compiled in "
            "memory for this process. Set QUANTLAB_NUMBA_CACHE_DIR to a writable directory "
            "to cache them again.",
            RuntimeWarning,
            stacklevel=4,
        )


if JIT_ENABLED:
    import numba

    if config.NUM_THREADS:
        numba.set_num_threads(min(config.NUM_THREADS, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]

    prange: Any = numba.prange

    def jit(parallel: bool = False, fastmath: bool = False) -> Callable[[F], F]:
        """Compile a kernel with numba: nopython, nogil, cached on disk, optionally parallel.

        Returns the numba dispatcher itself, so compiled kernels can call one another.
        """

        def decorate(func: F) -> F:
            options: dict[str, Any] = {"parallel": parallel, "fastmath": fastmath, "nogil": True}
            try:
                return numba.njit(cache=True, **options)(func)  # type: ignore[no-any-return]
            except (RuntimeError, OSError) as exc:  # no writable cache locator
                _warn_cache_once(exc)
                return numba.njit(cache=False, **options)(func)  # type: ignore[no-any-return]

        return decorate

else:  # pragma: no cover - exercised by the QUANTLAB_DISABLE_JIT test job
    prange = range

    def jit(parallel: bool = False, fastmath: bool = False) -> Callable[[F], F]:
        """Return the kernel unchanged: JIT is disabled."""

        def decorate(func: F) -> F:
            return func

        return decorate


__all__ = ["jit", "prange", "JIT_ENABLED"]
