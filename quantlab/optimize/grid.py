"""Parameter grids: the full product of value lists, or a seeded random sample of it."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError


def expand_grid(
    grid: Mapping[str, Iterable[Any]],
    *,
    n_samples: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """All combinations of ``grid`` (one row each, one column per parameter).

    Parameters
    ----------
    grid : mapping of parameter name -> iterable of values
        The full product is taken in the order given (the last parameter varies fastest).
    n_samples : int, optional
        Keep a random sample of this many combinations (without replacement, seeded, in
        grid order). Larger than the grid keeps the whole grid.
    seed : int, optional
        Seed of the sample.

    Returns
    -------
    DataFrame

    Raises
    ------
    ParameterError
        Empty grid, a parameter with no values, ``n_samples < 1``.

    Examples
    --------
    >>> expand_grid({"fast": [5, 10], "slow": [20, 50]}).values.tolist()
    [[5, 20], [5, 50], [10, 20], [10, 50]]
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ParameterError(
            f"grid must be a non-empty dict of parameter name -> list of values; got {grid!r}"
        )
    values: dict[str, list[Any]] = {}
    for name, vals in grid.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
            vals = [vals]
        vals = list(vals)
        if not vals:
            raise ParameterError(
                f"grid[{name!r}] has no values; give at least one value for {name!r}"
            )
        values[str(name)] = vals
    combos = list(itertools.product(*values.values()))
    frame = pd.DataFrame(combos, columns=list(values))
    if n_samples is not None:
        if int(n_samples) < 1:
            raise ParameterError(f"n_samples must be >= 1; got {n_samples}")
        if n_samples < len(frame):
            rng = np.random.default_rng(seed)
            keep = np.sort(rng.choice(len(frame), size=int(n_samples), replace=False))
            frame = frame.iloc[keep].reset_index(drop=True)
    return frame
