"""Portfolio construction and risk: walk-forward optimization over skfolio estimators,
risk decomposition, factor exposures, group rotation,
tracking a ledger of real trades.

skfolio (the ``portfolio`` extra) is imported only inside the functions that need it; this
package wraps its estimators and never re-implements an optimizer.
"""

from quantlab.portfolio.exposures import (
    FactorExposures,
    factor_attribution,
    factor_exposures,
    rolling_exposures,
)
from quantlab.portfolio.ledger import TrackedPortfolio, track
from quantlab.portfolio.risk import (
    RiskDecomposition,
    clustered_correlation,
    diversification_ratio,
    risk_contributions,
    rolling_beta,
    rolling_correlation,
)
from quantlab.portfolio.rotation import RotationResult, group_rotation
from quantlab.portfolio.walk_forward import (
    WalkForwardResult,
    rebalance_bars,
    walk_forward,
    walk_forward_weights,
)

__all__ = [
    "FactorExposures",
    "factor_attribution",
    "factor_exposures",
    "rolling_exposures",
    "RiskDecomposition",
    "RotationResult",
    "group_rotation",
    "TrackedPortfolio",
    "WalkForwardResult",
    "clustered_correlation",
    "diversification_ratio",
    "rebalance_bars",
    "risk_contributions",
    "rolling_beta",
    "rolling_correlation",
    "track",
    "walk_forward",
    "walk_forward_weights",
]
