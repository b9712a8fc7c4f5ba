"""Dtype-and-shape type aliases used in signatures and docstrings.

Shapes are documented in the alias name: ``Float64Array2D`` is ``(n_bars, n_columns)``
unless a docstring says otherwise.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

Float64Array: TypeAlias = npt.NDArray[np.float64]
Float64Array1D: TypeAlias = npt.NDArray[np.float64]
Float64Array2D: TypeAlias = npt.NDArray[np.float64]
Int64Array1D: TypeAlias = npt.NDArray[np.int64]
Int64Array2D: TypeAlias = npt.NDArray[np.int64]
BoolArray1D: TypeAlias = npt.NDArray[np.bool_]
BoolArray2D: TypeAlias = npt.NDArray[np.bool_]
RecordArray: TypeAlias = npt.NDArray[np.void]

#: A price/returns/signal panel as the user may pass it: DataFrame, Series or array.
PanelLike: TypeAlias = "pd.DataFrame | pd.Series[Any] | npt.NDArray[Any]"
#: A per-column parameter: a scalar or a 1-D array of length ``n_columns``.
ColumnParam: TypeAlias = "float | int | npt.ArrayLike"
