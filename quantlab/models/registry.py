"""The model registry: short names for built-in models, plus third-party entry points.

Built-in names
--------------
=============================  ===========================================  ============
name                           model                                        kind
=============================  ===========================================  ============
``"lgbm"``                     :class:`~quantlab.models.LGBMRegressorModel`   return
``"lgbm_classifier"``          :class:`~quantlab.models.LGBMClassifierModel`  probability
``"ridge"``                    :class:`~quantlab.models.RidgeModel`           return
``"logistic"``                 :class:`~quantlab.models.LogisticModel`        probability
``"random_forest"``            scikit-learn random forest regressor           return
``"random_forest_classifier"``  scikit-learn random forest classifier         probability
=============================  ===========================================  ============

Third-party packages add names through the ``quantlab.models`` entry-point group; the
entry point loads a factory (a class or a function taking keyword parameters) that
returns a quantlab model or any estimator with ``fit`` / ``predict``::

    [project.entry-points."quantlab.models"]
    my_model = "my_package.models:MyModel"

:func:`register` adds a name at run time (notebooks, tests).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from quantlab.errors import DataTypeError, ModelNotFoundError, ParameterError
from quantlab.models.base import QuantlabModel, SklearnModel, is_estimator

__all__ = ["ENTRY_POINT_GROUP", "available_models", "make_model", "register", "unregister"]

#: The entry-point group third-party models register under.
ENTRY_POINT_GROUP = "quantlab.models"

_BUILTINS: dict[str, str] = {
    "lgbm": "quantlab.models.lgbm:LGBMRegressorModel",
    "lgbm_classifier": "quantlab.models.lgbm:LGBMClassifierModel",
    "ridge": "quantlab.models.linear:RidgeModel",
    "logistic": "quantlab.models.linear:LogisticModel",
    "random_forest": "quantlab.models.base:random_forest",
    "random_forest_classifier": "quantlab.models.base:random_forest_classifier",
}
_registered: dict[str, Callable[..., Any]] = {}
_entry_points: dict[str, Any] | None = None


def _load(path: str) -> Callable[..., Any]:
    module, attr = path.split(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def _plugins() -> dict[str, Any]:
    global _entry_points
    if _entry_points is None:
        _entry_points = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return _entry_points


def available_models() -> list[str]:
    """Every name :func:`make_model` accepts: built-ins, registered, entry points.

    Examples
    --------
    >>> {"lgbm", "ridge", "logistic"} <= set(available_models())
    True
    """
    return sorted(set(_BUILTINS) | set(_registered) | set(_plugins()))


def register(name: str, factory: Callable[..., Any], *, overwrite: bool = False) -> None:
    """Register ``factory`` (a class or function returning a model) under ``name``.

    Raises
    ------
    ParameterError
        ``name`` is taken and ``overwrite`` is False, or ``factory`` is not callable.

    Examples
    --------
    >>> from sklearn.linear_model import Lasso
    >>> from quantlab.models import SklearnModel
    >>> register("lasso_demo", lambda **kw: SklearnModel(Lasso(**kw), kind="return"))
    >>> make_model("lasso_demo", alpha=0.1).kind
    'return'
    >>> unregister("lasso_demo")
    """
    if not isinstance(name, str) or not name:
        raise ParameterError(f"name must be a non-empty str; got {name!r}")
    if not callable(factory):
        raise ParameterError(f"factory must be callable (a class or function); got {factory!r:.60}")
    if not overwrite and (name in _BUILTINS or name in _registered or name in _plugins()):
        raise ParameterError(
            f"model name {name!r} is already registered; pick another name or pass overwrite=True"
        )
    _registered[name] = factory


def unregister(name: str) -> None:
    """Remove a name added with :func:`register` (built-ins cannot be removed)."""
    if name not in _registered:
        raise ModelNotFoundError(
            f"model name {name!r} was not added with register(); registered: {sorted(_registered)}"
        )
    del _registered[name]


def make_model(model: Any, **params: Any) -> Any:
    """Resolve a model name, class or estimator to a quantlab model.

    Parameters
    ----------
    model : str, class or estimator instance
        A registry name (see the module docstring), a model class, a quantlab model, or
        any estimator with ``fit`` / ``predict`` (wrapped in :class:`SklearnModel`).
    **params
        Constructor parameters (for a name or class), or :class:`SklearnModel` options
        (``kind``, ``nan_policy``) for a bare estimator.

    Returns
    -------
    QuantlabModel or estimator
        An unfitted model with ``fit``, ``predict`` and ``kind``.

    Raises
    ------
    ModelNotFoundError
        Unknown name; the message lists the known ones.
    DataTypeError
        An object without ``fit`` / ``predict``.

    Examples
    --------
    >>> make_model("ridge", alpha=10.0)
    RidgeModel(alpha=10.0, standardize=True, nan_policy='median', kind='return')
    >>> from sklearn.linear_model import LinearRegression
    >>> make_model(LinearRegression(), kind="return").kind
    'return'
    """
    if isinstance(model, str):
        factory = _resolve(model)
        try:
            built = factory(**params)
        except TypeError as exc:  # an unknown or misspelt hyperparameter
            raise ParameterError(
                f"model {model!r} does not accept these parameters: {exc}. Check the spelling "
                f"of the keys in {sorted(params)}"
            ) from None
        return _finish(built, model)
    if isinstance(model, type):
        return _finish(model(**params), model.__name__)
    if isinstance(model, QuantlabModel):
        return model.set_params(**params) if params else model
    if is_estimator(model):
        if hasattr(model, "kind") and not params:
            return model
        return SklearnModel(model, **params)
    raise DataTypeError(
        f"model must be a registry name, a model class or an estimator with fit() and "
        f"predict(); got {type(model).__name__}. Known names: {available_models()}"
    )


def _resolve(name: str) -> Callable[..., Any]:
    if name in _registered:
        return _registered[name]
    if name in _BUILTINS:
        return _load(_BUILTINS[name])
    plugins = _plugins()
    if name in plugins:
        return plugins[name].load()  # type: ignore[no-any-return]
    raise ModelNotFoundError(
        f"model name {name!r} is not registered; known models: {available_models()}. "
        "Register yours with quantlab.models.register or the 'quantlab.models' entry-point "
        "group, or pass an estimator instance"
    )


def _finish(obj: Any, name: str) -> Any:
    if isinstance(obj, QuantlabModel) or (is_estimator(obj) and hasattr(obj, "kind")):
        return obj
    if is_estimator(obj):
        return SklearnModel(obj)
    raise DataTypeError(
        f"the factory of model {name!r} returned {type(obj).__name__}, which has no fit() / "
        "predict(); a factory must return an estimator"
    )
