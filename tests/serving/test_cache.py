"""The model cache: one load under concurrency, TTL alias refresh, stale-but-serving."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import warnings

import pytest

from quantlab.errors import ModelNotFoundError, ParameterError, StaleModelWarning, TrackingError
from quantlab.serving.cache import ModelCache, ModelRef, parse_ref


class FakeRegistry:
    """Resolver + loader with a settable alias target and a switchable outage."""

    def __init__(self) -> None:
        self.version = "1"
        self.down = False
        self.loads: list[str] = []
        self.resolves = 0
        self.lock = threading.Lock()

    def resolve(self, ref: ModelRef) -> ModelRef:
        with self.lock:
            self.resolves += 1
        if self.down:
            raise TrackingError("the tracking store at http://x failed (connection refused)")
        return ref.pinned(self.version)

    def load(self, ref: ModelRef, trusted: bool) -> str:
        time.sleep(0.05)  # slow enough for concurrent first calls to overlap
        with self.lock:
            self.loads.append(str(ref.version))
        return f"model v{ref.version}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_parse_ref() -> None:
    assert parse_ref("m") == ModelRef("m", name="m", alias="production")
    assert parse_ref("m@staging") == ModelRef("m@staging", name="m", alias="staging")
    assert parse_ref("m/3") == ModelRef("m/3", name="m", version="3")
    assert parse_ref("models:/m/3").version == "3"
    assert parse_ref("models:/m@prod").alias == "prod"
    assert parse_ref("models:/m-0123abcd").uri == "models:/m-0123abcd"
    assert parse_ref("runs:/abc/model").uri == "runs:/abc/model"
    assert parse_ref("/tmp/model").path == "/tmp/model"
    assert parse_ref("file:///tmp/model").path == "/tmp/model"
    with pytest.raises(ParameterError, match="non-empty str"):
        parse_ref("")
    with pytest.raises(ParameterError, match="'latest' is not supported"):
        parse_ref("m/latest")
    # the README says "latest" is refused: as an alias too, in every spelling
    for ref in ("m@latest", "m@LATEST", "models:/m@latest", "models:/m/Latest"):
        with pytest.raises(ParameterError, match="'latest' is not supported"):
            parse_ref(ref)
    with pytest.raises(ParameterError, match="needs 'name@alias'"):
        parse_ref("m@")


def test_concurrent_first_calls_load_once() -> None:
    reg = FakeRegistry()
    cache = ModelCache(ttl=60, resolver=reg.resolve, loader=reg.load)
    barrier = threading.Barrier(16)
    out: list[str] = []

    def worker() -> None:
        barrier.wait()
        out.append(cache.get("m@production"))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reg.loads == ["1"]
    assert out == ["model v1"] * 16


def test_alias_re_resolved_after_ttl_only() -> None:
    reg, clock = FakeRegistry(), Clock()
    cache = ModelCache(ttl=60, resolver=reg.resolve, loader=reg.load, clock=clock)
    assert cache.get("m") == "model v1"
    reg.version = "2"
    clock.now += 59
    assert cache.get("m") == "model v1" and reg.resolves == 1
    clock.now += 2
    assert cache.get("m") == "model v2"
    assert reg.loads == ["1", "2"]
    clock.now += 61  # same version: re-resolved, not reloaded
    assert cache.get("m") == "model v2" and reg.resolves == 3 and reg.loads == ["1", "2"]


def test_pinned_versions_and_paths_never_refresh() -> None:
    reg, clock = FakeRegistry(), Clock()
    cache = ModelCache(ttl=1, resolver=reg.resolve, loader=reg.load, clock=clock)
    cache.get("m/1")
    clock.now += 1e6
    cache.get("m/1")
    assert reg.resolves == 0 and reg.loads == ["1"]


def test_failed_refresh_keeps_serving_warns_once_per_window_and_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reg, clock = FakeRegistry(), Clock()
    cache = ModelCache(ttl=10, resolver=reg.resolve, loader=reg.load, clock=clock)
    cache.get("m")
    reg.down, reg.version = True, "2"
    clock.now += 11
    with pytest.warns(
        StaleModelWarning, match=r"could not refresh model 'm' .*still serving version 1"
    ):
        assert cache.get("m") == "model v1"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning inside the same window
        for _ in range(5):
            assert cache.get("m") == "model v1"
    assert reg.resolves == 2
    assert "still serving version 1" in caplog.text
    reg.down = False
    clock.now += 11
    assert cache.get("m") == "model v2"


def test_first_load_errors_propagate_and_are_not_cached() -> None:
    reg = FakeRegistry()

    def resolve(ref: ModelRef) -> ModelRef:
        raise ModelNotFoundError("model 'x' is not registered; registered models: ['m']")

    cache = ModelCache(resolver=resolve, loader=reg.load)
    for _ in range(2):
        with pytest.raises(ModelNotFoundError, match=r"registered models: \['m'\]"):
            cache.get("x")
    assert len(cache) == 0


def test_ttl_must_be_non_negative() -> None:
    with pytest.raises(ParameterError, match="ttl must be a number of seconds >= 0; got -1"):
        ModelCache(ttl=-1)


def test_import_serving_stays_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import quantlab; "
        "dt = time.perf_counter() - t; import quantlab.serving; quantlab.predict; "
        "heavy = [m for m in ('mlflow', 'sklearn', 'matplotlib', 'dask') if m in sys.modules]; "
        "print(heavy, dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, dt = out.stdout.strip().rsplit(" ", 1)
    assert heavy == "[]", out.stdout
    assert float(dt) < 0.3
