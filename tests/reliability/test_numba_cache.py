"""An unusable or corrupted numba cache: quantlab recompiles in memory and says so once.

Every case runs in a fresh interpreter (``QUANTLAB_NUMBA_CACHE_DIR`` is read at import) and
must: exit 0, produce the very numbers of a normal run, and emit exactly one
``RuntimeWarning`` about the cache.

Read-only directory, as root: ``chmod 0o555`` does not stop root from writing (CAP_DAC_OVERRIDE),
so the portable case points the cache *below a regular file* (``<file>/cache``):
``mkdir`` fails with ``NotADirectoryError`` for every user, root included. The chmod case
runs too when the suite is not run as root.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import quantlab as ql
from quantlab import _numba

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 240  # a cold compile of the signal kernels takes ~30 s on a busy 2-core box

pytestmark = pytest.mark.skipif(not _numba.JIT_ENABLED, reason="JIT disabled")

# One from_signals call (stats mode: the fewest kernels to compile) on a panel with gaps.
BACKTEST = textwrap.dedent(
    """
    import json, warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numpy as np
        import quantlab as ql
        rng = np.random.default_rng(7)
        close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.02, size=(60, 3)), axis=0))
        close[10:14, 1] = np.nan
        entries = rng.random((60, 3)) < 0.15
        exits = rng.random((60, 3)) < 0.15
        res = ql.backtest.from_signals(close, entries, exits, fees=0.001, mode="stats")
        table = res.table.to_numpy().tolist()
    print(json.dumps({
        "table": table,
        "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    }))
    """
)


def _reference_table() -> np.ndarray:
    """The same backtest in this process (normal cache)."""
    rng = np.random.default_rng(7)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.02, size=(60, 3)), axis=0))
    close[10:14, 1] = np.nan
    entries = rng.random((60, 3)) < 0.15
    exits = rng.random((60, 3)) < 0.15
    res = ql.backtest.from_signals(close, entries, exits, fees=0.001, mode="stats")
    return res.table.to_numpy()


def _env(cache_dir: Path | str, extra_path: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR",)}
    env["QUANTLAB_NUMBA_CACHE_DIR"] = str(cache_dir)
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
    return env


def _start(script: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the subprocess hung for {TIMEOUT} s")
    # a negative return code is a signal: a segfault shows as -11
    assert proc.returncode == 0, f"exit {proc.returncode}\n{err[-3000:]}"
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _cache_warnings(result: dict[str, Any]) -> list[str]:
    return [msg for cat, msg in result["warnings"] if cat == "RuntimeWarning" and "cache" in msg]


def _corrupt(directory: Path, patterns: tuple[str, ...], garbage: bytes) -> list[Path]:
    files = sorted(p for pat in patterns for p in directory.rglob(pat))
    for p in files:
        p.write_bytes(garbage)
    return files


@pytest.fixture(scope="module")
def backtest_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the cold cases concurrently (each recompiles the engine, ~30 s)."""
    base = tmp_path_factory.mktemp("numba_cache")
    a_file = base / "regular_file"
    a_file.write_text("a file where the cache directory should be")
    fresh = base / "fresh"
    procs = {"under_file": _start(BACKTEST, _env(a_file / "cache"))}
    procs["populate"] = _start(BACKTEST, _env(fresh))
    if os.geteuid() != 0:  # chmod only stops non-root users
        ro = base / "read_only"
        ro.mkdir()
        ro.chmod(0o555)
        procs["chmod_555"] = _start(BACKTEST, _env(ro))
    results = {name: _finish(p) for name, p in procs.items()}
    files = _corrupt(fresh, ("*.nbi", "*.nbc"), b"\x00not a numba cache file\xff" * 8)
    results["n_corrupted"] = len(files)
    results["corrupted"] = _finish(_start(BACKTEST, _env(fresh)))
    return results


# chmod 0o555 stops only non-root users; as root (CI) the directory below a regular file,
# which no user can create, is the unusable-directory case.
_UNUSABLE_CASES = ["under_file"] + (["chmod_555"] if os.geteuid() != 0 else [])


@pytest.mark.slow
@pytest.mark.parametrize("case", _UNUSABLE_CASES)
def test_unusable_cache_dir_compiles_in_memory_and_warns_once(backtest_runs, case) -> None:
    result = backtest_runs[case]
    np.testing.assert_array_equal(np.array(result["table"]), _reference_table())
    warned = _cache_warnings(result)
    assert len(warned) == 1, result["warnings"]
    expected = "NotADirectoryError" if case == "under_file" else "PermissionError"
    assert f"numba's kernel cache is unusable ({expected}" in warned[0]
    assert "kernels are compiled in memory for this process" in warned[0]


@pytest.mark.slow
def test_corrupted_cache_files_are_a_miss_and_warn_once(backtest_runs) -> None:
    populate = backtest_runs["populate"]
    assert _cache_warnings(populate) == []  # a healthy cache says nothing
    ref = _reference_table()
    np.testing.assert_array_equal(np.array(populate["table"]), ref)
    assert backtest_runs["n_corrupted"] >= 2  # the first run did write *.nbi and *.nbc
    corrupted = backtest_runs["corrupted"]
    np.testing.assert_array_equal(np.array(corrupted["table"]), ref)
    warned = _cache_warnings(corrupted)
    assert len(warned) == 1, corrupted["warnings"]
    assert "numba's kernel cache is unusable (UnpicklingError" in warned[0]


# Two tiny kernels (one calling the other in nopython mode) compile in about a second,
# so every kind of damage is cheap to check: index, data file, empty (truncated) index.
TINY_MODULE = textwrap.dedent(
    """
    from quantlab._numba import jit

    @jit()
    def inner(x):
        return 2.0 * x

    @jit()
    def outer(values):
        s = 0.0
        for v in values:
            s += inner(v)
        return s
    """
)

TINY_RUN = textwrap.dedent(
    """
    import json, warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numpy as np
        import tiny_kernels
        out = tiny_kernels.outer(np.arange(5.0))
    print(json.dumps({
        "out": out,
        "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    }))
    """
)


@pytest.mark.parametrize(
    ("patterns", "garbage", "error"),
    [
        (("*.nbi",), b"\x00garbage index\xff", "UnpicklingError"),
        (("*.nbc",), b"\x00garbage data\xff", "UnpicklingError"),
        (("*.nbi",), b"", "EOFError"),
    ],
    ids=["index-garbage", "data-garbage", "index-truncated"],
)
def test_damaged_cache_file_is_a_miss(tmp_path: Path, patterns, garbage, error) -> None:
    (tmp_path / "tiny_kernels.py").write_text(TINY_MODULE)
    env = _env(tmp_path / "cache", extra_path=tmp_path)
    first = _finish(_start(TINY_RUN, env))
    assert first["out"] == 20.0 and _cache_warnings(first) == []
    assert _corrupt(tmp_path / "cache", patterns, garbage)
    again = _finish(_start(TINY_RUN, env))
    assert again["out"] == 20.0
    warned = _cache_warnings(again)
    assert len(warned) == 1, again["warnings"]
    assert f"numba's kernel cache is unusable ({error}" in warned[0]


def test_jit_returns_a_numba_dispatcher_with_the_tolerant_cache() -> None:
    import numba

    from quantlab.backtest import _signals_kernel as SK

    kernel = SK.simulate_signals
    assert isinstance(kernel, numba.core.registry.CPUDispatcher)
    assert isinstance(kernel._cache, _numba._TolerantCache)
