"""Parameter sweeps, walk-forward optimization and overfitting diagnostics.

:func:`sweep` runs a strategy over a parameter grid through the stats-only engine
(vectorized, chunked under a memory bound, locally or on a Dask cluster) and reports the
deflated Sharpe ratio of the best combination and the PBO of the grid;
:func:`walk_forward` re-optimizes on rolling or expanding in-sample windows and stitches
the out-of-sample equity.
"""

from quantlab.optimize.grid import expand_grid
from quantlab.optimize.result import SweepResult
from quantlab.optimize.sweep import sweep, vectorized
from quantlab.optimize.walkforward import WalkForwardResult, walk_forward

__all__ = [
    "sweep",
    "vectorized",
    "expand_grid",
    "SweepResult",
    "walk_forward",
    "WalkForwardResult",
]
