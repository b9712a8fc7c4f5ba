"""The one wrapper through which every quantlab kernel is compiled.

Kernels are written as plain Python over NumPy arrays and decorated with :func:`jit`.
With ``QUANTLAB_DISABLE_JIT=1`` (or numba's ``NUMBA_DISABLE_JIT=1``) the decorator returns
the function unchanged and :data:`prange` is the builtin ``range``, so the very same code
runs uncompiled for debugging and coverage; the test suite compares both modes.

Caching: compiled kernels are cached on disk (``cache=True``). If no cache directory is
usable (read-only install, a ``QUANTLAB_NUMBA_CACHE_DIR`` that cannot be created or written
-- checked once at import, so numba does not silently fall back to another directory), the
kernels are compiled in memory instead and quantlab says so once with a
:class:`RuntimeWarning`. The same happens when a cache file cannot be read back (an index
``*.nbi`` or data ``*.nbc`` file truncated or overwritten): that surfaces at a kernel's
first *call*, so each dispatcher gets a :class:`_TolerantCache` (numba's own
``FunctionCache``, the one ``cache=True`` installs) that turns a failed load or save into
a cache miss, warns once and stops using the disk for that kernel. ``jit`` still returns
a plain numba dispatcher, so kernels keep calling one another in nopython mode.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from quantlab import config

F = TypeVar("F", bound=Callable[..., Any])

if config.NUMBA_CACHE_DIR and "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = config.NUMBA_CACHE_DIR

JIT_ENABLED: bool = not config.DISABLE_JIT

_cache_warned = False


def _warn_cache_once(exc: BaseException, stacklevel: int = 4) -> None:
    global _cache_warned
    if not _cache_warned:
        _cache_warned = True
        warnings.warn(
            f"quantlab: numba's kernel cache is unusable ({type(exc).__name__}: {exc}); "
            "kernels are compiled in memory for this process. Set QUANTLAB_NUMBA_CACHE_DIR "
            "to a writable directory (or delete a corrupted one) to cache them again.",
            RuntimeWarning,
            stacklevel=stacklevel,
        )


def _cache_dir_problem(path: str | None) -> OSError | None:
    """Why ``path`` cannot hold numba's cache (``None`` if it can, or if it is unset).

    The same test numba's locators run (create the directory, write a temporary file), done
    up front: when it fails numba would quietly cache elsewhere instead.
    """
    if not path:
        return None
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        return exc
    return None


if JIT_ENABLED:
    import numba

    if config.NUM_THREADS:
        numba.set_num_threads(min(config.NUM_THREADS, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]

    from numba.core.caching import FunctionCache

    prange: Any = numba.prange

    if config.NUMBA_CACHE_DIR:
        # numba reads NUMBA_CACHE_DIR when it is first imported: if something imported it
        # before quantlab, pick up the directory set above (numba's own reload hook)
        numba.config.reload_config()  # type: ignore[no-untyped-call]

    #: Why QUANTLAB_NUMBA_CACHE_DIR is unusable (then every kernel stays in memory).
    _CACHE_DIR_ERROR = _cache_dir_problem(
        numba.config.CACHE_DIR if config.NUMBA_CACHE_DIR else None  # type: ignore[attr-defined]
    )

    class _TolerantCache(FunctionCache):  # type: ignore[misc]
        """numba's per-function disk cache, where an unreadable/unwritable file is a miss.

        numba raises whatever unpickling garbage raises (``UnpicklingError``, ``EOFError``,
        ``ValueError`` ...) from the dispatcher's first call; here it warns once, disables
        the disk cache of this kernel and lets numba compile in memory.
        """

        def load_overload(self, sig: Any, target_context: Any) -> Any:
            try:
                return super().load_overload(sig, target_context)
            except Exception as exc:  # any corruption of *.nbi / *.nbc
                _warn_cache_once(exc, stacklevel=3)
                self.disable()
                return None

        def save_overload(self, sig: Any, data: Any) -> None:
            try:
                super().save_overload(sig, data)
            except Exception as exc:  # read-only or corrupted index discovered on save
                _warn_cache_once(exc, stacklevel=3)
                self.disable()

    def jit(
        parallel: bool = False, fastmath: bool = False, inline: bool = False
    ) -> Callable[[F], F]:
        """Compile a kernel with numba: nopython, nogil, cached on disk, optionally parallel.

        ``inline=True`` inlines a small helper into its callers at numba's IR level (for
        per-bar helpers in hot loops, where a call would cost as much as the work).
        Returns the numba dispatcher itself, so compiled kernels can call one another.
        """

        def decorate(func: F) -> F:
            # error_model="numpy": a float division by zero gives inf/NaN (IEEE) instead of
            # a Python exception, so hot loops carry no per-division check; kernels guard
            # their divisions explicitly
            options: dict[str, Any] = {
                "parallel": parallel,
                "fastmath": fastmath,
                "nogil": True,
                "error_model": "numpy",
            }
            if inline:
                options["inline"] = "always"
            disp = numba.njit(cache=False, **options)(func)
            if _CACHE_DIR_ERROR is not None:
                _warn_cache_once(_CACHE_DIR_ERROR)
                return disp  # type: ignore[no-any-return]
            try:  # what cache=True does (Dispatcher.enable_caching), with a tolerant cache
                disp._cache = _TolerantCache(disp.py_func)
            except (RuntimeError, OSError) as exc:  # no writable cache locator
                _warn_cache_once(exc)
            return disp  # type: ignore[no-any-return]

        return decorate

else:  # pragma: no cover - exercised by the QUANTLAB_DISABLE_JIT test job
    prange = range

    def jit(
        parallel: bool = False, fastmath: bool = False, inline: bool = False
    ) -> Callable[[F], F]:
        """Return the kernel unchanged: JIT is disabled."""

        def decorate(func: F) -> F:
            return func

        return decorate


__all__ = ["jit", "prange", "JIT_ENABLED"]
