"""The load harness of benchmarks/load_predict.py, briefly: no errors, promotion followed.

Runs the real thing (uvicorn serving examples/api/app.py, a second process posting rows
with aiohttp, ``@production`` moved to version 2 mid-test) with 20 clients for 8 s. No
timing assertions: those belong to the benchmark's report, not to a shared CI machine.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "load_predict.py"


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_predict", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_under_load_serves_without_errors_and_follows_a_promotion(tmp_path: Path) -> None:
    ttl = 1.0
    out = tmp_path / "load.json"
    result = _harness().run(
        duration=8.0, clients=20, workers=1, ttl=ttl, promote_at=0.25, output=out
    )
    assert json.loads(out.read_text())["requests"] == result["requests"]
    assert result["requests"] > 0
    assert result["errors"] == 0, result["error_samples"]
    promo = result["promotion"]
    assert promo["v1_served_before"] > 0  # version 1 was served before the promotion
    assert promo["v2_served_after"] > 0, promo  # the promoted version is served after it
    # version 1 stops being served within the TTL (+ a registry round trip and download)
    assert promo["last_v1_after_s"] is None or promo["last_v1_after_s"] < ttl + 3.0, promo
