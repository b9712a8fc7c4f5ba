"""Where runs and models are stored: URI resolution, experiments, bounded retries.

Resolution order of the tracking URI: an explicit ``tracking_uri=`` argument, then
``QUANTLAB_TRACKING_URI``, then ``MLFLOW_TRACKING_URI``, then the embedded default
:data:`quantlab.config.DEFAULT_TRACKING_URI` (``sqlite:///mlflow.db``, artifacts in
``./mlartifacts``). MLflow's deprecated file store (a bare directory or ``file:`` URI) is
refused. The registry lives in the same store.

Every call that reaches the store goes through :func:`call`, which bounds MLflow's HTTP
retries (:func:`bound_retries`) and turns a failure into a
:class:`~quantlab.errors.TrackingError` that names the URI and the fix.

mlflow is imported inside the functions, never at module import.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from quantlab import config
from quantlab.errors import NotFoundError, ParameterError, QuantlabError, TrackingError

__all__ = [
    "RETRY_DEFAULTS",
    "artifact_location",
    "bound_retries",
    "call",
    "client",
    "existing_store",
    "get_experiment_id",
    "is_not_found",
    "sqlite_path",
    "quiet_mlflow_logging",
    "tracking_uri",
    "use_store",
]

T = TypeVar("T")

#: Bounded HTTP retries towards a tracking server (set unless the environment sets them):
#: about 3 attempts and a few seconds before a request to a dead server gives up.
RETRY_DEFAULTS: dict[str, str] = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0.2",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
    # a server process downloading a model must not draw progress bars on stderr
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def quiet_mlflow_logging() -> list[Any]:
    """Raise MLflow's (and its migrations') loggers to WARNING; return them.

    MLflow configures its loggers when first imported, so a level set before that is
    overwritten: this imports it first. ``quantlab run`` calls it (and sends what is still
    logged above its progress bar) so INFO lines such as "Creating initial MLflow database
    tables" do not land inside the bar.
    """
    import logging

    import mlflow  # noqa: F401

    loggers = [logging.getLogger(name) for name in ("mlflow", "alembic")]
    for log in loggers:
        log.setLevel(logging.WARNING)
    return loggers


def tracking_uri(uri: str | None = None) -> str:
    """The tracking URI to use (explicit argument, environment, or the SQLite default).

    Parameters
    ----------
    uri : str, optional
        Wins over the environment when given.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        The URI names MLflow's deprecated file store.

    Examples
    --------
    >>> tracking_uri("sqlite:///tmp/x.db")
    'sqlite:///tmp/x.db'
    """
    resolved = (
        uri
        or os.environ.get("QUANTLAB_TRACKING_URI")
        or os.environ.get("MLFLOW_TRACKING_URI")
        or config.DEFAULT_TRACKING_URI
    )
    scheme = resolved.split(":", 1)[0].lower() if "://" in resolved else ""
    if scheme in ("", "file"):
        raise ParameterError(
            f"tracking URI {resolved!r} is MLflow's deprecated file store; quantlab does not "
            "use it. Set QUANTLAB_TRACKING_URI to a database (sqlite:///mlflow.db) or a "
            "tracking server (http://host:5000)"
        )
    return resolved


def sqlite_path(uri: str) -> str | None:
    """The database file of a ``sqlite:`` URI (``None`` for another scheme or in-memory).

    Examples
    --------
    >>> sqlite_path("sqlite:///mlflow.db"), sqlite_path("sqlite:////tmp/x.db?mode=ro")
    ('mlflow.db', '/tmp/x.db')
    >>> sqlite_path("http://mlflow:5000") is None
    True
    """
    if not uri.lower().startswith("sqlite://"):
        return None
    rest = uri[len("sqlite://") :].split("?", 1)[0]
    path = rest[1:] if rest.startswith("/") else rest
    return None if path in ("", ":memory:") else path


def existing_store(uri: str | None = None) -> str:
    """The resolved tracking URI for a command that only reads: never creates a store.

    Opening a ``sqlite:`` URI with MLflow creates the database file; a read-only caller
    (``quantlab models``, ``quantlab predict``) calls this first, so a mistyped path says
    there is no store instead of leaving an empty database behind. Servers and other
    databases are returned unchecked (reading them creates nothing).

    Raises
    ------
    NotFoundError
        The URI names a SQLite file that does not exist.

    Examples
    --------
    >>> existing_store("http://mlflow:5000")
    'http://mlflow:5000'
    """
    resolved = tracking_uri(uri)
    path = sqlite_path(resolved)
    if path is not None and not os.path.isfile(path):
        raise NotFoundError(
            f"there is no tracking store at {resolved} (no file {os.path.abspath(path)}); "
            "check --tracking-uri / QUANTLAB_TRACKING_URI, or create the store with "
            "`quantlab run models/<recipe>.toml`"
        )
    return resolved


def _is_local_db(uri: str) -> bool:
    return not uri.lower().startswith(("http://", "https://", "databricks"))


def artifact_location(uri: str, experiment: str) -> str | None:
    """Artifact location for a new experiment: ``<artifact root>/<experiment>`` for a local DB.

    A tracking server decides itself (``None``). The root is ``QUANTLAB_ARTIFACT_ROOT`` or
    :data:`quantlab.config.DEFAULT_ARTIFACT_ROOT`, made absolute.
    """
    if not _is_local_db(uri):
        return None
    root = os.environ.get("QUANTLAB_ARTIFACT_ROOT") or config.DEFAULT_ARTIFACT_ROOT
    return os.path.join(os.path.abspath(root), experiment).replace(os.sep, "/")


def bound_retries() -> None:
    """Give MLflow's HTTP client bounded retries and timeouts (:data:`RETRY_DEFAULTS`).

    Values already in the environment are kept, so operators can tune them.
    """
    for key, value in RETRY_DEFAULTS.items():
        os.environ.setdefault(key, value)


def is_not_found(exc: BaseException) -> bool:
    """Whether ``exc`` is MLflow's RESOURCE_DOES_NOT_EXIST (an unknown name, version, alias)."""
    code = getattr(exc, "error_code", None)
    return code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND") or (
        code == "INVALID_PARAMETER_VALUE" and "not found" in str(exc).lower()
    )


def call(fn: Callable[[], T], uri: str, what: str) -> T:
    """Run ``fn`` against the store at ``uri``; failures become :class:`TrackingError`.

    Not-found errors (:func:`is_not_found`) and quantlab's own errors pass through
    unchanged, so callers can turn them into messages that list what exists.

    Raises
    ------
    TrackingError
        The store is unreachable (after MLflow's bounded retries) or refused the call.
    """
    bound_retries()
    try:
        return fn()
    except QuantlabError:
        raise
    except Exception as exc:
        if is_not_found(exc):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TrackingError(
            f"could not {what}: the tracking store at {uri} failed ({first[:300]}). Check "
            "that the server is running and reachable (mlflow server --host ... --port ...) "
            "or point QUANTLAB_TRACKING_URI at a reachable store (default sqlite:///mlflow.db)"
        ) from exc


def client(uri: str | None = None) -> Any:
    """An ``mlflow.MlflowClient`` for the resolved tracking URI (registry in the same store)."""
    resolved = tracking_uri(uri)
    bound_retries()
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=resolved, registry_uri=resolved)


def use_store(uri: str | None = None) -> str:
    """Point MLflow's fluent API (``mlflow.start_run`` ...) at the resolved store; return it."""
    resolved = tracking_uri(uri)
    bound_retries()
    import mlflow

    mlflow.set_tracking_uri(resolved)
    mlflow.set_registry_uri(resolved)
    return resolved


def get_experiment_id(name: str, uri: str | None = None, *, create: bool = True) -> str | None:
    """The id of experiment ``name``, created (with a local artifact location) if missing.

    Parameters
    ----------
    name : str
        Experiment name.
    uri : str, optional
        Tracking URI (resolved by :func:`tracking_uri`).
    create : bool, default True
        Create the experiment when it does not exist; otherwise return ``None``.

    Raises
    ------
    ParameterError
        ``name`` is not a non-empty str.
    TrackingError
        The store is unreachable.
    """
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"experiment must be a non-empty str; got {name!r}")
    resolved = tracking_uri(uri)
    cl = client(resolved)
    exp = call(lambda: cl.get_experiment_by_name(name), resolved, f"look up experiment {name!r}")
    if exp is not None:
        return str(exp.experiment_id)
    if not create:
        return None
    location = artifact_location(resolved, name)

    def create_or_get() -> str:
        try:
            return str(cl.create_experiment(name, artifact_location=location))
        except Exception as exc:
            # another process created it between our look-up and this call: use theirs
            if "RESOURCE_ALREADY_EXISTS" not in str(exc) and "already exists" not in str(exc):
                raise
            found = cl.get_experiment_by_name(name)
            if found is None:
                raise
            return str(found.experiment_id)

    return call(create_or_get, resolved, f"create experiment {name!r}")
