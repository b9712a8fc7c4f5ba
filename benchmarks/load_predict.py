"""Load test of the prediction API (examples/api/app.py) with a promotion mid-test.

    python benchmarks/load_predict.py                      # 200 clients, 30 s
    python benchmarks/load_predict.py --duration 10 --clients 50 --workers 1

1. Registers two small LightGBM models as versions 1 (``@production``) and 2 of one name
   in a temporary SQLite store (or the store in ``QUANTLAB_LOAD_TRACKING_URI`` /
   ``--tracking-uri``), in a child process.
2. Starts uvicorn (``--workers``) serving the app on a free loopback port.
3. Runs the load from a SECOND process: asyncio + aiohttp, ``--clients`` concurrent clients,
   each posting one JSON row after the other (closed loop) for ``--duration`` seconds.
4. Half-way (``--promote-at``) moves ``@production`` to version 2; the app's TTL
   (``--ttl``) bounds how long version 1 may still be served.
5. Writes throughput, p50/p95/p99 latency, errors and the promotion timeline to
   ``benchmarks/results/load_predict.json`` (``--output``) and prints them.

Targets: >= 1,000 predictions/s, p99 < 200 ms, zero errors.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_DIR = ROOT / "examples" / "api"
DEFAULT_OUTPUT = HERE / "results" / "load_predict.json"
MODEL = "load-test-lgbm"
N_FEATURES = 8
TARGETS = {"throughput_per_s": 1000.0, "p99_ms": 200.0, "errors": 0}


def feature_names() -> list[str]:
    return [f"f{i}" for i in range(N_FEATURES)]


def request_row() -> dict[str, float]:
    return {n: round(0.05 * (i + 1), 3) for i, n in enumerate(feature_names())}


# ------------------------------------------------------------------ setup (child process)


def _setup(uri: str) -> None:
    """Register version 1 (@production) and version 2 of MODEL; print their versions."""
    import lightgbm
    import numpy as np

    from quantlab.tracking import register_model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, N_FEATURES))
    y = X[:, 0] - 0.5 * X[:, 1] + rng.normal(scale=0.3, size=len(X))
    params = {"objective": "regression", "verbose": -1, "num_threads": 1}
    out = []
    for shift, alias in ((0.0, "production"), (10.0, None)):
        data = lightgbm.Dataset(X, y + shift, feature_name=feature_names())
        booster = lightgbm.train(params, data, num_boost_round=50)
        out.append(register_model(booster, MODEL, alias=alias, tracking_uri=uri).version)
    print(json.dumps({"versions": out}))


# ------------------------------------------------------------------ load (second process)


async def _load(url: str, clients: int, duration: float, ready: str, out: str) -> None:
    import asyncio

    import aiohttp

    body = json.dumps(request_row()).encode()
    headers = {"content-type": "application/json"}
    sent: list[float] = []
    lat: list[float] = []
    status: list[int] = []
    versions: list[str] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # warm every connection once, outside the measured window
        async def warm() -> None:
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()

        await asyncio.gather(*(warm() for _ in range(clients)), return_exceptions=True)
        t0 = time.time()
        Path(ready).write_text(str(t0))
        end = time.perf_counter() + duration

        async def client() -> None:
            while time.perf_counter() < end:
                wall = time.time()
                start = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as resp:
                        raw = await resp.read()
                        code = resp.status
                    version = json.loads(raw).get("version", "") if code == 200 else ""
                    if code != 200:
                        errors.append(f"HTTP {code}: {raw[:200]!r}")
                except Exception as exc:
                    code, version = 0, ""
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                lat.append(time.perf_counter() - start)
                sent.append(wall)
                status.append(code)
                versions.append(str(version))

        await asyncio.gather(*(client() for _ in range(clients)))
        t1 = time.time()
    with open(out, "w") as fh:
        json.dump(
            {
                "t0": t0,
                "t1": t1,
                "sent": sent,
                "latency": lat,
                "status": status,
                "version": versions,
                "errors": errors[:20],
            },
            fh,
        )


# ------------------------------------------------------------------ orchestration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_health(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the API did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            if sig == signal.SIGTERM:
                os.killpg(proc.pid, signal.SIGKILL)  # stray workers
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass


def _percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _summarize(raw: dict[str, Any], promoted_at: float, ttl: float) -> dict[str, Any]:
    ok = [i for i, c in enumerate(raw["status"]) if c == 200]
    n = len(raw["status"])
    elapsed = raw["t1"] - raw["t0"]
    lat_ms = [raw["latency"][i] * 1000.0 for i in ok]
    sent, version = raw["sent"], raw["version"]
    after = [i for i in ok if sent[i] >= promoted_at]
    old_after = [sent[i] - promoted_at for i in after if version[i] == "1"]
    new_after = [sent[i] - promoted_at for i in after if version[i] == "2"]
    settled = [i for i in after if sent[i] >= promoted_at + ttl + 5.0]
    return {
        "requests": n,
        "ok": len(ok),
        "errors": n - len(ok),
        "error_rate": (n - len(ok)) / n if n else float("nan"),
        "error_samples": raw["errors"][:5],
        "elapsed_s": round(elapsed, 3),
        "throughput_per_s": round(len(ok) / elapsed, 1) if elapsed > 0 else 0.0,
        "latency_ms": {
            "p50": round(_percentile(lat_ms, 50), 2),
            "p95": round(_percentile(lat_ms, 95), 2),
            "p99": round(_percentile(lat_ms, 99), 2),
            "max": round(max(lat_ms), 2) if lat_ms else float("nan"),
        },
        "promotion": {
            "promoted_after_s": round(promoted_at - raw["t0"], 3),
            "v1_served_before": sum(1 for i in ok if sent[i] < promoted_at and version[i] == "1"),
            "v2_served_after": len(new_after),
            "first_v2_after_s": round(min(new_after), 3) if new_after else None,
            "last_v1_after_s": round(max(old_after), 3) if old_after else None,
            "v1_served_after_settling": sum(1 for i in settled if version[i] != "2"),
            "requests_after_settling": len(settled),
        },
    }


def run(
    *,
    duration: float = 30.0,
    clients: int = 200,
    workers: int = 2,
    ttl: float = 1.0,
    promote_at: float = 0.5,
    tracking_uri: str | None = None,
    output: str | os.PathLike[str] | None = DEFAULT_OUTPUT,
    verbose: bool = True,
) -> dict[str, Any]:
    """Run the whole harness; return (and write to ``output``) the results."""
    from quantlab.tracking import resolve_alias, set_alias

    with tempfile.TemporaryDirectory(prefix="quantlab-load-") as tmp_name:
        tmp = Path(tmp_name)
        uri = (
            tracking_uri
            or os.environ.get("QUANTLAB_LOAD_TRACKING_URI")
            or f"sqlite:///{tmp / 'mlflow.db'}"
        )
        env = {**os.environ, "QUANTLAB_TRACKING_URI": uri, "OMP_NUM_THREADS": "1"}
        env["QUANTLAB_ARTIFACT_ROOT"] = str(tmp / "mlartifacts")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        env.pop("MLFLOW_REGISTRY_URI", None)
        # MLflow resolves models:/ downloads through its process-wide URI (see the report
        # in tests/integration/test_tracking_faults.py): give the API the same store.
        env["MLFLOW_TRACKING_URI"] = uri
        setup = subprocess.run(
            [sys.executable, __file__, "--_setup", uri],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if setup.returncode != 0:
            raise RuntimeError(f"registering the models failed:\n{setup.stderr[-3000:]}")
        v1, v2 = json.loads(setup.stdout.strip().splitlines()[-1])["versions"]
        if (v1, v2) != ("1", "2"):  # a reused store: serve the two new versions
            set_alias(MODEL, "production", v1, tracking_uri=uri)
        # import MLflow and open the store now, so the promotion mid-test is one round trip
        assert resolve_alias(MODEL, "production", tracking_uri=uri) == v1

        port = _free_port()
        api_env = {**env, "QUANTLAB_API_MODEL": MODEL, "QUANTLAB_API_TTL": str(ttl)}
        log_path = tmp / "api.log"
        cmd = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(APP_DIR)]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        cmd += ["--no-access-log", "--log-level", "warning"]
        with open(log_path, "w") as log:
            api = subprocess.Popen(
                cmd, env=api_env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        client = None
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_health(f"{base}/health", api, log_path, timeout=120)
            ready, raw_out = tmp / "ready", tmp / "load.json"
            client = subprocess.Popen(
                [sys.executable, __file__, "--_client", f"{base}/predict", str(clients),
                 str(duration), str(ready), str(raw_out)],
                env=env, cwd=tmp, start_new_session=True,
            )  # fmt: skip
            deadline = time.monotonic() + 120
            while not ready.exists():
                if client.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the load client did not start")
                time.sleep(0.05)
            t0 = float(ready.read_text())
            time.sleep(max(0.0, t0 + promote_at * duration - time.time()))
            set_alias(MODEL, "production", v2, tracking_uri=uri)
            promoted_at = time.time()
            client.wait(timeout=duration + 120)
            if client.returncode != 0:
                raise RuntimeError(f"the load client failed (exit {client.returncode})")
            raw = json.loads(raw_out.read_text())
        finally:
            if client is not None and client.poll() is None:
                _stop(client)
            _stop(api)
        raw["version"] = ["1" if v == v1 else "2" if v == v2 else v for v in raw["version"]]
    result = {
        "benchmark": "load_predict",
        "config": {
            "clients": clients,
            "duration_s": duration,
            "uvicorn_workers": workers,
            "ttl_s": ttl,
            "rows_per_request": 1,
            # uvicorn picks uvloop / httptools when installed (uvicorn[standard])
            "event_loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
            "http_parser": "httptools" if importlib.util.find_spec("httptools") else "h11",
            "store": "sqlite (temporary)" if uri.startswith("sqlite") else uri,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        },
        **_summarize(raw, promoted_at, ttl),
        "targets": TARGETS,
    }
    lat = result["latency_ms"]
    result["targets_met"] = {
        "throughput": result["throughput_per_s"] >= TARGETS["throughput_per_s"],
        "p99": lat["p99"] < TARGETS["p99_ms"],
        "errors": result["errors"] == 0,
    }
    if output is not None:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(result, indent=1) + "\n")
    if verbose:
        p = result["promotion"]
        print(
            f"{clients} clients x {duration:g} s, {workers} worker(s): "
            f"{result['throughput_per_s']:.0f} predictions/s, p50 {lat['p50']:.1f} ms, "
            f"p95 {lat['p95']:.1f} ms, p99 {lat['p99']:.1f} ms, {result['errors']} errors "
            f"of {result['requests']}; version 2 first served {p['first_v2_after_s']} s after "
            f"the promotion, version 1 last {p['last_v1_after_s']} s after; targets met: "
            f"{result['targets_met']}"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_setup"]:
        _setup(argv[1])
        return 0
    if argv[:1] == ["--_client"]:
        import asyncio

        url, clients, duration, ready, out = argv[1:6]
        asyncio.run(_load(url, int(clients), float(duration), ready, out))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load [30]")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients [200]")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers [2]")
    parser.add_argument("--ttl", type=float, default=1.0, help="alias TTL of the app [1]")
    parser.add_argument("--promote-at", type=float, default=0.5, help="fraction [0.5]")
    parser.add_argument("--tracking-uri", default=None, help="store [a temporary SQLite]")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="results JSON")
    args = parser.parse_args(argv)
    result = run(
        duration=args.duration,
        clients=args.clients,
        workers=args.workers,
        ttl=args.ttl,
        promote_at=args.promote_at,
        tracking_uri=args.tracking_uri,
        output=args.output,
    )
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
