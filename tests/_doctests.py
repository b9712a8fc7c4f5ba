"""Running the Examples sections of a quantlab package's docstrings, module by module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType


def modules_of(package: ModuleType) -> list[str]:
    """The package and its direct submodules, by name (one test per module)."""
    return [package.__name__] + [
        f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
    ]


def failed_examples(name: str) -> int:
    """Run module ``name``'s docstring examples; the number that failed."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    return result.failed
