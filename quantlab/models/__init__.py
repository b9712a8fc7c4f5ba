"""Pluggable prediction models and their registry.

Every model follows the scikit-learn estimator contract and declares a ``kind``
(``"return"``, ``"probability"`` or ``"score"``); see :mod:`quantlab.models.base`.

>>> from quantlab.models import make_model, available_models
>>> make_model("lgbm").kind
'return'
"""

from __future__ import annotations

from quantlab.models.base import KINDS, QuantlabModel, SklearnModel, is_estimator
from quantlab.models.lgbm import LGBMClassifierModel, LGBMRegressorModel
from quantlab.models.linear import LogisticModel, RidgeModel
from quantlab.models.registry import (
    ENTRY_POINT_GROUP,
    available_models,
    make_model,
    register,
    unregister,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "LGBMClassifierModel",
    "LGBMRegressorModel",
    "LogisticModel",
    "QuantlabModel",
    "RidgeModel",
    "SklearnModel",
    "available_models",
    "is_estimator",
    "make_model",
    "register",
    "unregister",
]
