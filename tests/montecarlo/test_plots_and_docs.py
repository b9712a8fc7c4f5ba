"""Plots render headless; the docstring examples run."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

import quantlab.montecarlo as mc

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_plots():
    import matplotlib.pyplot as plt

    res = mc.simulate(
        np.random.default_rng(0).normal(0.0005, 0.01, 300),
        n_paths=200,
        seed=1,
        goal=1.2,
        periods_per_year=252,
    )
    ax = res.plot_fan(log=True)
    assert ax.get_legend() is not None and len(ax.lines) == 2  # median + historical
    ax = res.plot_fan(historical=False, bands=[(0.1, 0.9)])
    assert len(ax.lines) == 1
    ax = res.plot_terminal_hist(log=True)
    assert ax.get_xlabel() == "log10(terminal wealth)"
    plt.close("all")


@pytest.mark.parametrize(
    "module",
    [
        "quantlab.montecarlo",
        "quantlab.montecarlo.generators",
        "quantlab.montecarlo.simulation",
        "quantlab.montecarlo.result",
        "quantlab.montecarlo.trades",
        "quantlab.montecarlo.plots",
    ],
)
def test_docstring_examples_run(module):
    import matplotlib.pyplot as plt

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    plt.close("all")
    assert result.failed == 0 and result.attempted > 0
