"""Running independent chunks: in process, on local processes, or on a Dask cluster.

Local parallelism uses joblib's process pool. Given a scheduler address, the chunks run
on a ``dask.distributed`` cluster as Dask futures (``client.map``); connecting is bounded
by ``timeout`` (an unreachable address fails fast with a clear error), and a worker that
dies mid-chunk has its chunk rescheduled by Dask on another worker. A chunk Dask gives up
on (its workers died ``distributed.scheduler.allowed-failures`` times: ``KilledWorker``)
raises :class:`~quantlab.errors.ChunkError` naming the chunk. Results come back in chunk
order and their count is checked, so a result never silently misses a chunk.

Why not joblib's dask backend: it reports a task that failed on the scheduler's side
(``KilledWorker``) only through the future joblib never polls, so ``Parallel`` waited
forever -- a sweep hung instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from quantlab.errors import ChunkError, ClusterError, QuantlabError


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

    from joblib import Parallel, delayed

    if scheduler is not None:
        client = _connect(scheduler, timeout)
        try:
            results = _run_on_dask(client, func, chunks, timeout, show, desc)
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


def _run_on_dask(
    client: Any,
    func: Callable[[Any], Any],
    chunks: Sequence[Any],
    timeout: float,
    show: bool,
    desc: str,
) -> list[Any]:
    """``[func(c) for c in chunks]`` as Dask futures; a lost chunk raises, never hangs."""
    from distributed import as_completed

    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ClusterError(
            f"the Dask scheduler at {client.scheduler.address!r} has no worker after "
            f"{timeout:g} s; start workers (dask worker <address>) or raise timeout="
        ) from None
    futures = client.map(func, list(chunks), pure=False)
    position = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(futures)
    done: Any = as_completed(futures, loop=client.loop)
    if show:
        from tqdm.auto import tqdm

        done = tqdm(done, desc=desc, total=len(futures))
    try:
        for fut in done:
            i = position[fut.key]
            try:
                out[i] = fut.result()
            except QuantlabError:
                raise
            except Exception as exc:  # KilledWorker, CancelledError, a lost scheduler
                raise ChunkError(
                    f"{_chunk_label(i, len(futures), chunks[i])} failed on the Dask cluster "
                    f"({type(exc).__name__}: {exc}); the whole run is abandoned rather than "
                    "returned without it. Check the workers' logs (memory limits) and rerun"
                ) from exc
    except BaseException:
        client.cancel(futures)  # stop the other chunks: no partial result is returned
        raise
    return out


def _chunk_label(i: int, total: int, chunk: Any) -> str:
    """``chunk 3 of 8`` (+ its first parameter combination for a sweep chunk)."""
    label = f"chunk {i + 1} of {total}"
    combos = getattr(chunk, "combos", None)
    if combos is not None and len(combos):
        row = combos.iloc[0].to_dict()
        first = ", ".join(f"{k}={getattr(v, 'item', lambda v=v: v)()!r}" for k, v in row.items())
        label += f" ({len(combos)} combinations starting at ({first}))"
    return label


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
