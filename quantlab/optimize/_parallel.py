"""Running independent chunks: in process, on local processes, or on a Dask cluster.

Local parallelism uses joblib's process pool. Given a scheduler address, the chunks run
on a ``dask.distributed`` cluster through joblib's dask backend; connecting is bounded by
``timeout`` (an unreachable address fails fast with a clear error), and a worker that dies
mid-chunk has its chunk rescheduled by Dask on another worker. Results come back in
chunk order and their count is checked, so a result never silently misses a chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from quantlab.errors import ChunkError, ClusterError


def run_chunks(
    func: Callable[[Any], Any],
    chunks: Sequence[Any],
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    timeout: float = 10.0,
    progress: bool = True,
    desc: str = "chunks",
) -> list[Any]:
    """``[func(c) for c in chunks]``, possibly in parallel; order preserved."""
    total = len(chunks)
    show = progress and total > 1
    if scheduler is None and n_jobs == 1:
        out = []
        iterator: Any = chunks
        if show:
            from tqdm.auto import tqdm

            iterator = tqdm(chunks, desc=desc, total=total)
        for c in iterator:
            out.append(func(c))
        return out

    from joblib import Parallel, delayed, parallel_backend

    if scheduler is not None:
        client = _connect(scheduler, timeout)
        try:
            with parallel_backend("dask", client=client, wait_for_workers_timeout=timeout):
                results = _collect(
                    Parallel(return_as="generator")(delayed(func)(c) for c in chunks),
                    total,
                    show,
                    desc,
                )
        finally:
            client.close()
    else:
        results = _collect(
            Parallel(n_jobs=n_jobs, return_as="generator")(delayed(func)(c) for c in chunks),
            total,
            show,
            desc,
        )
    if len(results) != total:  # pragma: no cover - defensive: joblib returns all or raises
        raise ChunkError(f"{total - len(results)} of {total} chunks returned no result")
    return results


def _collect(gen: Any, total: int, show: bool, desc: str) -> list[Any]:
    if show:
        from tqdm.auto import tqdm

        gen = tqdm(gen, desc=desc, total=total)
    return list(gen)


def _connect(address: str, timeout: float) -> Any:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is an optional extra
        raise ClusterError(
            "a scheduler address was given but dask.distributed is not installed; "
            "pip install 'quantlab[dask]'"
        ) from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s ({exc}); "
            "check the address (tcp://host:8786) and that the scheduler is running, or "
            "drop scheduler= to run locally"
        ) from None
