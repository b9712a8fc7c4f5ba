"""Running a serial kernel over disjoint ranges of columns in parallel threads.

The engine's kernels are compiled serially with ``nogil=True`` and take a ``[lo, hi)``
range of columns (or portfolios); each range writes only its own outputs. Splitting the
range over a few threads uses every core without numba's ``prange``, whose outlined loop
body ran about twice as slow per thread as the same serial code here; it also keeps
numba's parallel runtime out of the process (faster first call).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from quantlab import config

_CHUNKS_PER_THREAD = 4


def n_threads() -> int:
    """Threads for the engine: ``QUANTLAB_NUM_THREADS``, else numba's thread count."""
    if config.NUM_THREADS:
        return max(1, int(config.NUM_THREADS))
    try:
        import numba

        return max(1, int(numba.get_num_threads()))
    except ImportError:  # pragma: no cover - numba is a dependency
        return 1


def in_threads(run: Callable[[int, int], object], n_items: int, work: int) -> None:
    """Call ``run(lo, hi)`` over ``[0, n_items)``, split across threads when ``work``
    (elements to process) is at least ``config.PARALLEL_MIN_ELEMENTS``."""
    k = min(n_threads(), n_items)
    if k <= 1 or work < config.PARALLEL_MIN_ELEMENTS:
        run(0, n_items)
        return
    # a few ranges per thread, taken in turn: columns differ in cost (a fast moving
    # average trades more often) and a shared machine can stall one thread, so equal
    # halves left one core idle at the end of the call
    n_chunks = min(n_items, _CHUNKS_PER_THREAD * k)
    bounds = np.linspace(0, n_items, n_chunks + 1).astype(np.int64)
    with ThreadPoolExecutor(max_workers=k) as pool:
        futures = [
            pool.submit(run, int(lo), int(hi))
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for f in futures:
            f.result()  # re-raise a kernel's exception here
