"""Tunables in one place.

Every value can be overridden through an environment variable read at import time;
nothing here has side effects beyond reading the environment.

``QUANTLAB_DISABLE_JIT``  run every numba kernel as plain Python ("1", "true", "yes").
``QUANTLAB_NUMBA_CACHE_DIR``  where compiled kernels are cached (numba's NUMBA_CACHE_DIR).
``QUANTLAB_NUM_THREADS``  threads numba's parallel kernels may use (default: all cores).
``QUANTLAB_TRACKING_URI``  MLflow tracking URI (falls back to MLFLOW_TRACKING_URI, then SQLite).
"""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


#: Run numba kernels uncompiled (debugging, coverage). Numba's own NUMBA_DISABLE_JIT also works.
DISABLE_JIT: bool = _flag("QUANTLAB_DISABLE_JIT") or _flag("NUMBA_DISABLE_JIT")

#: Directory for numba's on-disk cache; ``None`` keeps numba's default (next to the sources,
#: or the user cache dir when that is read-only).
NUMBA_CACHE_DIR: str | None = os.environ.get("QUANTLAB_NUMBA_CACHE_DIR") or None

#: Threads for numba ``parallel=True`` kernels; ``None`` means numba's default (all cores).
NUM_THREADS: int | None = (
    int(os.environ["QUANTLAB_NUM_THREADS"]) if os.environ.get("QUANTLAB_NUM_THREADS") else None
)

#: Inputs with fewer elements (bars x columns) than this run the serial twin of a kernel:
#: thread start-up would cost more than it saves.
PARALLEL_MIN_ELEMENTS: int = int(os.environ.get("QUANTLAB_PARALLEL_MIN_ELEMENTS", "250000"))

#: Default starting capital of a backtest, in cash units.
DEFAULT_INIT_CASH: float = 100.0

#: Default seconds between re-resolutions of a model alias in ``quantlab.predict``.
DEFAULT_ALIAS_TTL: float = 60.0

#: Default embedded MLflow stores (relative to the working directory).
DEFAULT_TRACKING_URI: str = "sqlite:///mlflow.db"
DEFAULT_ARTIFACT_ROOT: str = "./mlartifacts"
