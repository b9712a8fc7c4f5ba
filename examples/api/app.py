"""A small prediction API: FastAPI + uvicorn in front of ``quantlab.predict``.

Run::

    QUANTLAB_TRACKING_URI=http://mlflow:5000 QUANTLAB_API_MODEL=momentum-lgbm \
        uvicorn app:app --app-dir examples/api --host 127.0.0.1 --port 8000 --workers 2

Endpoints:

* ``POST /predict``: a JSON row (``{"feature": number, ...}``) or a list of rows;
  answers ``{"predictions": [...], "model": name, "version": "3"}``.
* ``GET /health``: 200 with the served version once the model is loaded, 503 otherwise.

Configuration (environment):

* ``QUANTLAB_API_MODEL``: the model reference, ``name`` or ``name@alias`` (default
  ``momentum-lgbm``; a bare name means ``@production``).
* ``QUANTLAB_API_TTL``: seconds between alias re-resolutions, i.e. how fast a promotion
  is picked up (default 60).
* ``QUANTLAB_API_MAX_ROWS`` (default 10000) and ``QUANTLAB_API_MAX_BYTES`` (default
  4 MiB): larger requests get 413.

Errors: malformed JSON (and the non-standard ``NaN`` / ``Infinity`` literals) 400;
a request quantlab refuses (unknown / missing features, non-numbers, inf, empty) 422 with
quantlab's message; unknown model 404; registry unreachable before the first load 503.
Once loaded, the model keeps being served when the registry is down (quantlab warns once
per TTL and recovers by itself).

Where the work runs (the load benchmark, ``benchmarks/load_predict.py``, measures this):

* Requests never touch the registry once the model is loaded. A background task
  re-resolves the alias every TTL in the thread pool (a registry round trip, a download
  after a promotion, bounded retries when the registry is down) and the cache swaps the
  model in atomically; requests read the cached model.
* A request of at most ``INLINE_ROWS`` (64) rows is predicted on the event loop: it costs
  tens of microseconds, far less than a hop to the thread pool, whose GIL hand-offs (5 ms
  switch interval) and 40-token limiter put a long tail on the latency under load. Larger
  requests, and every request before the first successful load, run in the thread pool
  so they never stall the loop.
* After start-up ``gc.freeze()`` moves the objects of the imports (MLflow, pandas, the
  model) out of the collector's reach: full collections then walk only what requests
  allocate, instead of pausing the loop for the whole heap.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

import quantlab as ql
from quantlab.errors import ModelNotFoundError, QuantlabError, TrackingError

MODEL = os.environ.get("QUANTLAB_API_MODEL", "momentum-lgbm")
REF = MODEL if "@" in MODEL else f"{MODEL}@production"
TTL = float(os.environ.get("QUANTLAB_API_TTL", "60"))
MAX_ROWS = int(os.environ.get("QUANTLAB_API_MAX_ROWS", "10000"))
MAX_BYTES = int(os.environ.get("QUANTLAB_API_MAX_BYTES", str(4 * 1024 * 1024)))
INLINE_ROWS = 64
#: how often the background task asks the cache for the model; the cache itself goes to
#: the registry only once per TTL, so a promotion is served within TTL + this period
REFRESH_PERIOD = min(max(TTL / 4.0, 0.05), 5.0)
_CACHE = ql.serving.default_cache()


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def _error(status: int, kind: str, detail: str) -> Response:
    return _json(status, {"error": kind, "detail": detail})


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; send null for a missing value")


def _model() -> Any:
    """The model currently behind REF (cached; the alias is re-resolved every TTL)."""
    return ql.load_model(REF, ttl=TTL)


def _cached() -> Any:
    """The model requests are served with (None before the first successful load)."""
    return _CACHE.peek(REF)


async def _keep_fresh() -> None:
    """Re-resolve the alias off the request path (see the module docstring)."""
    while True:
        await asyncio.sleep(REFRESH_PERIOD)
        try:
            await run_in_threadpool(_model)
        except QuantlabError:
            pass  # not loaded yet: /health says why; the cache warns about failed refreshes


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    try:  # warm the cache so the first requests do not wait for the download
        await run_in_threadpool(_model)
    except QuantlabError:
        pass  # /health reports it; /predict retries on every request until it loads
    gc.collect()
    gc.freeze()
    task = asyncio.create_task(_keep_fresh())
    try:
        yield
    finally:
        task.cancel()


app = FastAPI(title="quantlab prediction API", lifespan=lifespan)


@app.get("/health")
def health() -> Response:
    try:
        m = _model()
    except QuantlabError as exc:
        return _error(503, type(exc).__name__, str(exc))
    return _json(200, {"status": "ok", "model": REF, "version": m.version})


def _parse(raw: bytes) -> Any:
    if len(raw) > MAX_BYTES:
        return _error(413, "PayloadTooLarge", f"the body has {len(raw)} bytes; max {MAX_BYTES}")
    try:
        payload = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # too deep: RecursionError
        return _error(400, "InvalidJSON", f"the body is not valid JSON: {str(exc)[:200]}")
    if isinstance(payload, list) and len(payload) > MAX_ROWS:
        return _error(
            413, "TooManyRows", f"the request has {len(payload)} rows; max {MAX_ROWS} per request"
        )
    if not isinstance(payload, dict | list):
        return _error(
            422, "DataTypeError", "send a JSON object (one row) or a list of objects (rows)"
        )
    return payload


def _predict(payload: Any, model: Any = None) -> Response:
    try:
        m = _model() if model is None else model
        y = ql.predict(m, payload)
    except ModelNotFoundError as exc:
        return _error(404, type(exc).__name__, str(exc))
    except TrackingError as exc:
        return _error(503, type(exc).__name__, str(exc))
    except QuantlabError as exc:
        return _error(422, type(exc).__name__, str(exc))
    return _json(200, {"predictions": y.tolist(), "model": m.name, "version": m.version})


@app.post("/predict")
async def predict(request: Request) -> Response:
    content_length = request.headers.get("content-length")
    if content_length and content_length.isdigit() and int(content_length) > MAX_BYTES:
        return _error(
            413, "PayloadTooLarge", f"the body has {content_length} bytes; max {MAX_BYTES}"
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            return _error(413, "PayloadTooLarge", f"the body exceeds {MAX_BYTES} bytes")
    payload = _parse(bytes(body))
    if isinstance(payload, Response):
        return payload
    model = _cached()
    if model is not None and (isinstance(payload, dict) or len(payload) <= INLINE_ROWS):
        return _predict(payload, model)
    return await run_in_threadpool(_predict, payload, model)
