"""The MLflow model registry: register versions, move aliases, list, resolve and download.

Versions are immutable; aliases (``production``, ``staging``) move. Stages are
deprecated in MLflow and not used.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quantlab.errors import ModelNotFoundError, ParameterError
from quantlab.tracking import store
from quantlab.tracking.model_format import StoredModel, to_stored

__all__ = [
    "RegisteredVersion",
    "delete_alias",
    "list_models",
    "load_registered",
    "log_model",
    "register_model",
    "resolve_alias",
    "set_alias",
]

#: Experiment that holds the runs of :func:`register_model`.
REGISTER_EXPERIMENT = "quantlab-registered-models"
_MODEL_ARTIFACT = "model"


@dataclass(frozen=True)
class RegisteredVersion:
    """A registered model version.

    Attributes
    ----------
    name, version : str
    model_uri : str
        ``models:/<name>/<version>``.
    run_id : str
        The run that logged the model.
    alias : str or None
        The alias moved to this version, if any.
    """

    name: str
    version: str
    model_uri: str
    run_id: str
    alias: str | None = None


def _check_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "@/:"):
        raise ParameterError(
            f"{what} must be a non-empty str without '@', '/' or ':'; got {value!r}"
        )
    return value


def signature_for(names: list[str]) -> Any:
    """An MLflow signature: one double column per feature, one double output."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    return ModelSignature(
        inputs=Schema([ColSpec("double", n, required=False) for n in names]),
        outputs=Schema([ColSpec("double")]),
    )


def log_model(
    stored: StoredModel, *, register_as: str | None = None, input_example: Any = None
) -> Any:
    """Log ``stored`` into the active run (and register it); returns MLflow's ``ModelInfo``."""
    from mlflow.models import Model

    from quantlab.tracking import model_format

    return Model.log(
        None,
        model_format,
        name=_MODEL_ARTIFACT,
        registered_model_name=register_as,
        quantlab_model=stored,
        signature=signature_for(stored.feature_names),
        input_example=input_example,
    )


def register_model(
    model: Any,
    name: str,
    alias: str | None = None,
    feature_names: Any = None,
    *,
    feature_set: Any = None,
    metadata: dict[str, Any] | None = None,
    kind: str | None = None,
    input_example: Any = None,
    experiment: str = REGISTER_EXPERIMENT,
    tracking_uri: str | None = None,
) -> RegisteredVersion:
    """Register an already fitted model as a new version of ``name``.

    For models trained by your own code: a ``lightgbm.Booster`` / ``LGBMModel`` (stored in
    LightGBM's text format), a quantlab model, or any scikit-learn estimator (stored as a
    pickle, so loading it later needs ``trusted=True``).

    Parameters
    ----------
    model : object
        The fitted model.
    name : str
        Registered model name.
    alias : str, optional
        Alias to move to the new version (e.g. ``"production"``).
    feature_names : list of str, optional
        Input columns in training order (default: the model's own names).
    feature_set : FeatureSet, optional
        The features the model expects; enables ``predict(prices=...)``.
    metadata : dict, optional
        JSON metadata stored with the model.
    kind : {"return", "probability", "score"}, optional
        Overrides the inferred kind.
    input_example : pandas.DataFrame, optional
        A few rows of features, logged with the model.
    experiment : str, default "quantlab-registered-models"
        Experiment of the run that logs the model.
    tracking_uri : str, optional
        Default: ``QUANTLAB_TRACKING_URI`` / ``MLFLOW_TRACKING_URI`` / SQLite.

    Returns
    -------
    RegisteredVersion

    Raises
    ------
    ParameterError, ShapeError, DataTypeError
        An unusable model, name or feature names.
    TrackingError
        The tracking store is unreachable.

    Examples
    --------
    >>> import numpy as np, lightgbm  # doctest: +SKIP
    >>> booster = lightgbm.train({"verbose": -1}, lightgbm.Dataset(X, y))  # doctest: +SKIP
    >>> v = register_model(booster, "my-model", alias="production",
    ...                    feature_names=["ret_5", "vol_21"])  # doctest: +SKIP
    >>> quantlab.predict("my-model", {"ret_5": 0.01, "vol_21": 0.02})  # doctest: +SKIP
    """
    _check_name(name, "name")
    if alias is not None:
        _check_name(alias, "alias")
    stored = to_stored(
        model, feature_names=feature_names, feature_set=feature_set, metadata=metadata, kind=kind
    )
    uri = store.use_store(tracking_uri)
    exp_id = store.get_experiment_id(experiment, uri)
    import mlflow

    def run() -> RegisteredVersion:
        with mlflow.start_run(experiment_id=exp_id, run_name=f"register {name}") as active:
            mlflow.set_tags(
                {"quantlab.registered_as": name, "quantlab.model_class": stored.model_class}
            )
            info = log_model(stored, register_as=name, input_example=input_example)
            return _finish(name, str(info.registered_model_version), active.info.run_id, alias, uri)

    return store.call(run, uri, f"register model {name!r}")


def _finish(name: str, version: str, run_id: str, alias: str | None, uri: str) -> RegisteredVersion:
    if alias is not None:
        set_alias(name, alias, version, tracking_uri=uri)
    return RegisteredVersion(name, version, f"models:/{name}/{version}", run_id, alias)


def set_alias(
    name: str, alias: str, version: str | int, *, tracking_uri: str | None = None
) -> None:
    """Point ``name@alias`` at ``version`` (``quantlab.predict`` follows within its TTL).

    Raises
    ------
    ModelNotFoundError
        Unknown model or version.
    TrackingError
        The store is unreachable.
    """
    _check_name(alias, "alias")
    uri = store.tracking_uri(tracking_uri)
    cl = store.client(uri)
    _version_info(cl, uri, name, str(version))
    store.call(
        lambda: cl.set_registered_model_alias(name, alias, str(version)),
        uri,
        f"set alias {name}@{alias}",
    )


def delete_alias(name: str, alias: str, *, tracking_uri: str | None = None) -> None:
    """Remove ``name@alias``."""
    uri = store.tracking_uri(tracking_uri)
    cl = store.client(uri)
    resolve_alias(name, alias, tracking_uri=uri)
    store.call(lambda: cl.delete_registered_model_alias(name, alias), uri, f"delete {name}@{alias}")


def _registered(cl: Any, uri: str) -> dict[str, dict[str, str]]:
    models = store.call(
        lambda: list(cl.search_registered_models(max_results=1000)), uri, "list registered models"
    )
    return {m.name: {a: str(v) for a, v in (m.aliases or {}).items()} for m in models}


def list_models(*, tracking_uri: str | None = None) -> dict[str, dict[str, Any]]:
    """Every registered model: ``{name: {"aliases": {alias: version}, "latest_version": v}}``.

    Raises
    ------
    TrackingError
        The store is unreachable.
    """
    uri = store.tracking_uri(tracking_uri)
    cl = store.client(uri)
    models = store.call(
        lambda: list(cl.search_registered_models(max_results=1000)), uri, "list registered models"
    )
    out = {}
    for m in models:
        versions = [int(v.version) for v in (m.latest_versions or [])]
        out[m.name] = {
            "aliases": {a: str(v) for a, v in (m.aliases or {}).items()},
            "latest_version": str(max(versions)) if versions else None,
        }
    return out


def _lookup(
    cl: Any, uri: str, name: str, fetch: Callable[[], Any], what: str
) -> tuple[Any, dict[str, str]]:
    """``fetch()`` through the store's bounded retries: ``(result, {})``, or ``(None,
    aliases of name)`` when the store answers "not found" for a registered model. An
    unregistered ``name`` raises, listing the registered models."""
    try:
        return store.call(fetch, uri, what), {}
    except ModelNotFoundError:
        raise
    except Exception as exc:
        if not store.is_not_found(exc):
            raise
    registered = _registered(cl, uri)
    if name not in registered:
        raise ModelNotFoundError(
            f"model {name!r} is not registered in {uri}; registered models: "
            f"{sorted(registered)}. Register one with quantlab.train(..., register_as=) or "
            "quantlab.tracking.register_model"
        )
    return None, registered[name]


def _version_info(cl: Any, uri: str, name: str, version: str) -> Any:
    found, aliases = _lookup(
        cl, uri, name, lambda: cl.get_model_version(name, version), f"look up {name}/{version}"
    )
    if found is not None:
        return found
    versions = store.call(
        lambda: sorted(int(v.version) for v in cl.search_model_versions(f"name='{name}'")),
        uri,
        f"list versions of {name!r}",
    )
    raise ModelNotFoundError(
        f"model {name!r} has no version {version!r}; its versions are {versions} and its "
        f"aliases {aliases}"
    )


def resolve_alias(name: str, alias: str, *, tracking_uri: str | None = None) -> str:
    """The version ``name@alias`` points to now.

    Raises
    ------
    ModelNotFoundError
        Unknown model or alias; the message lists the registered models or the model's
        aliases.
    TrackingError
        The store is unreachable (after bounded retries).
    """
    uri = store.tracking_uri(tracking_uri)
    cl = store.client(uri)
    mv, aliases = _lookup(
        cl, uri, name, lambda: cl.get_model_version_by_alias(name, alias), f"resolve {name}@{alias}"
    )
    if mv is not None:
        return str(mv.version)
    raise ModelNotFoundError(
        f"model {name!r} has no alias {alias!r}; its aliases are {aliases}. Use "
        f"'{name}@<alias>' or '{name}/<version>', or move the alias with "
        "quantlab.tracking.set_alias"
    )


def load_registered(ref: Any, *, trusted: bool = False, tracking_uri: str | None = None) -> Any:
    """Download and read a pinned reference (``name`` + ``version``, or a URI).

    ``ref`` is a :class:`quantlab.serving.ModelRef`; the download goes to a temporary
    directory that is removed once the model is in memory. Returns ``(stored, info)``: the
    :class:`~quantlab.tracking.model_format.StoredModel` and ``{"name", "version",
    "source"}``, which :class:`quantlab.serving.Model` wraps (tracking never imports
    serving: DESIGN.md's dependency direction).
    """
    from quantlab.tracking.model_format import read_model

    uri = store.tracking_uri(tracking_uri)
    if ref.uri is not None:
        source, name, version = ref.uri, None, None
    else:
        cl = store.client(uri)
        name, version = str(ref.name), str(ref.version)
        _version_info(cl, uri, name, version)
        source = f"models:/{name}/{version}"
    import mlflow.artifacts

    # MLflow resolves a registered version's LoggedModel (models:/m-...) through its
    # process-wide URIs, whatever tracking_uri= says: point them at this store too
    store.use_store(uri)
    with tempfile.TemporaryDirectory(prefix="quantlab-model-") as tmp:
        local = store.call(
            lambda: mlflow.artifacts.download_artifacts(
                artifact_uri=source, dst_path=tmp, tracking_uri=uri, registry_uri=uri
            ),
            uri,
            f"download {source}",
        )
        stored = read_model(local, trusted=trusted)
    return stored, {"name": name, "version": version, "source": source}
