"""quantlab: from raw prices to a tracked, servable model.

The top-level namespace is small and lazy: subpackages are imported on first attribute
access, so ``import quantlab`` stays fast and never imports mlflow, lightgbm or matplotlib.

>>> import quantlab as ql
>>> ql.backtest.from_signals  # doctest: +ELLIPSIS
<function from_signals at ...>
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBMODULES = {
    "backtest",
    "data",
    "events",
    "errors",
    "factors",
    "indicators",
    "metrics",
    "ml",
    "models",
    "montecarlo",
    "optimize",
    "portfolio",
    "report",
    "serving",
    "signals",
    "tracking",
    "config",
}
_FUNCTIONS = {
    "predict": ("quantlab.serving", "predict"),
    "load_model": ("quantlab.serving", "load_model"),
    "train": ("quantlab.tracking", "train"),
}

__all__ = sorted(_SUBMODULES | set(_FUNCTIONS) | {"__version__"})

if TYPE_CHECKING:  # pragma: no cover
    from quantlab import backtest, errors, metrics  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"quantlab.{name}")
        globals()[name] = module
        return module
    if name in _FUNCTIONS:
        mod_name, attr = _FUNCTIONS[name]
        value = getattr(importlib.import_module(mod_name), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'quantlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
