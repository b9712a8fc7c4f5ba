"""Portfolio construction and risk: walk-forward optimization over skfolio estimators.

skfolio (the ``portfolio`` extra) is imported only inside the functions that need it; this
package wraps its estimators and never re-implements an optimizer.
"""

from quantlab.portfolio.walk_forward import WalkForwardResult, rebalance_bars, walk_forward

__all__ = ["WalkForwardResult", "rebalance_bars", "walk_forward"]
