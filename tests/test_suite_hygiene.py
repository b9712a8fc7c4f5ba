"""The test suite's own rules: quantlab's deprecations fail, shipped packages are not skipped."""

from __future__ import annotations

import ast
import pathlib
import re
import tomllib
import warnings

import pandas as pd
import pytest

from quantlab._periods import infer_periods_per_year

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Distribution name -> import name, where they differ.
IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml"}


@pytest.mark.parametrize("category", [DeprecationWarning, FutureWarning])
def test_deprecations_raised_from_quantlab_are_errors(category):
    # what pandas does for a deprecated call made by quantlab code: the warning is
    # attributed to the calling quantlab module
    with pytest.raises(category):
        warnings.warn_explicit("old API", category, "quantlab/_periods.py", 1, "quantlab._periods")
    with warnings.catch_warnings(record=True) as seen:
        warnings.warn_explicit("old API", category, "other/lib.py", 1, "otherlib.module")
    assert all(w.category is not category or "otherlib" not in str(w.filename) for w in seen)


def test_inferring_periods_uses_no_deprecated_pandas_api():
    index = pd.bdate_range("2024-01-01", periods=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # DatetimeIndex.dayofweek warned here before
        assert infer_periods_per_year(index) == 252.0
        assert infer_periods_per_year(pd.date_range("2024-01-01", periods=240, freq="h")) == 8760


def _shipped() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {"quantlab"}
    for dep in meta["dependencies"]:
        dist = re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0].lower()
        names.add(IMPORT_NAMES.get(dist, dist.replace("-", "_")))
    return names


def test_no_importorskip_of_a_package_that_ships_with_quantlab():
    shipped = _shipped()
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "importorskip"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).split(".")[0] in shipped
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value}")
    assert offenders == [], "import these directly: they are installed with quantlab"
