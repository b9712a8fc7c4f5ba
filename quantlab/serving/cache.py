"""A thread-safe model cache: one load per model, aliases re-resolved every ``ttl`` seconds.

A hit costs one dict lookup and one monotonic-clock read. A miss takes the key's own lock
(double-checked, so 16 threads asking for the same new model load it once). An alias
(``name@production``, or a bare ``name``) is re-resolved at most every ``ttl`` seconds by
the first caller after the deadline; the others keep being served the current model
meanwhile. A failed refresh keeps serving the last good model, warns once per TTL window
(a :class:`~quantlab.errors.StaleModelWarning` and the ``quantlab.serving`` logger) and
is retried in the next window, so serving recovers by itself when the server returns.

Resolution and loading are injectable (``resolver``, ``loader``, ``clock``) for tests.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from quantlab import config
from quantlab.errors import ParameterError, StaleModelWarning

__all__ = ["ModelCache", "ModelRef", "parse_ref"]

logger = logging.getLogger("quantlab.serving")

DEFAULT_ALIAS = "production"


@dataclass(frozen=True)
class ModelRef:
    """A parsed model reference.

    Exactly one of ``path``, ``uri``, ``version`` / ``alias`` (with ``name``) is the way
    to find the model. Only alias references move, so only they are re-resolved.
    """

    raw: str
    name: str | None = None
    version: str | None = None
    alias: str | None = None
    path: str | None = None
    uri: str | None = None

    @property
    def moving(self) -> bool:
        """Whether the reference can point to another version later (an alias)."""
        return self.alias is not None

    def pinned(self, version: str) -> ModelRef:
        """This alias reference resolved to ``version``."""
        return replace(self, version=str(version))


def _refuse_latest(raw: str) -> ParameterError:
    return ParameterError(
        f"model reference {raw!r}: 'latest' is not supported, neither as a version nor as "
        "an alias (versions move under you); use an alias such as 'name@production' or a "
        "version 'name/3'"
    )


def _name_ref(raw: str, body: str) -> ModelRef:
    if "@" in body:
        name, alias = body.rsplit("@", 1)
        if not name or not alias:
            raise ParameterError(f"model reference {raw!r} needs 'name@alias'; got an empty part")
        if alias.strip().lower() == "latest":
            raise _refuse_latest(raw)
        return ModelRef(raw, name=name, alias=alias)
    head, _, tail = body.rpartition("/")
    if head and tail.isdigit():
        return ModelRef(raw, name=head, version=str(int(tail)))
    if head and tail.strip().lower() == "latest":
        raise _refuse_latest(raw)
    return ModelRef(raw, name=body, alias=DEFAULT_ALIAS)


def parse_ref(ref: str) -> ModelRef:
    """Parse ``"name"``, ``"name@alias"``, ``"name/3"``, ``"models:/..."`` or a local path.

    A bare ``"name"`` means ``"name@production"``. An existing directory, or a string that
    starts with ``/``, ``./``, ``../``, ``~`` or ``file:``, is a path; any other URI scheme
    (``runs:/``, ``s3://``, ``models:/m-<id>``) is downloaded as is.

    Raises
    ------
    ParameterError
        Empty or malformed reference.

    Examples
    --------
    >>> ref = parse_ref("momentum@staging")
    >>> ref.name, ref.alias, ref.version
    ('momentum', 'staging', None)
    >>> parse_ref("models:/momentum/3").version
    '3'
    >>> parse_ref("momentum").alias
    'production'
    """
    if not isinstance(ref, str) or not ref.strip():
        raise ParameterError(
            f"model must be a non-empty str ('name', 'name@alias', 'name/3', 'models:/...', "
            f"a path) or a loaded quantlab Model; got {ref!r}"
        )
    text = ref.strip()
    if text.startswith("file:"):
        path = text[5:]
        while path.startswith("//"):
            path = path[1:]
        return ModelRef(ref, path=path)
    if text.startswith(("/", "./", "../", "~", ".\\")) or os.path.isdir(text):
        return ModelRef(ref, path=os.path.expanduser(text))
    if text.startswith("models:/"):
        body = text[len("models:/") :].strip("/")
        if body.startswith("m-") and "/" not in body and "@" not in body:
            return ModelRef(ref, uri=text)  # an MLflow 3 logged-model id
        return _name_ref(ref, body)
    if "://" in text or text.startswith("runs:/"):
        return ModelRef(ref, uri=text)
    return _name_ref(ref, text)


Resolver = Callable[[ModelRef], ModelRef]
Loader = Callable[[ModelRef, bool], Any]


class _Entry:
    __slots__ = ("model", "pinned", "ttl", "expires", "lock")

    def __init__(self, lock: threading.Lock) -> None:
        self.model: Any = None
        self.pinned: ModelRef | None = None
        self.ttl = 0.0
        self.expires = 0.0
        self.lock = lock


def _default_resolver(ref: ModelRef) -> ModelRef:
    from quantlab.tracking.registry import resolve_alias

    return ref.pinned(resolve_alias(str(ref.name), str(ref.alias)))


def _default_loader(ref: ModelRef, trusted: bool) -> Any:
    from quantlab.serving.fast import Model

    if ref.path is not None:
        return Model.from_dir(ref.path, trusted=trusted)
    from quantlab.tracking.registry import load_registered

    stored, info = load_registered(ref, trusted=trusted)
    return Model(stored, **info)


class ModelCache:
    """Loaded models by reference, thread-safe, with TTL re-resolution of aliases.

    Parameters
    ----------
    ttl : float, optional
        Seconds between re-resolutions of an alias (default
        :data:`quantlab.config.DEFAULT_ALIAS_TTL`); a per-call ``ttl`` overrides it when
        the entry is created.
    resolver : callable, optional
        ``resolver(ref) -> pinned ref``: maps an alias reference to its current version
        (default: the MLflow registry).
    loader : callable, optional
        ``loader(pinned_ref, trusted) -> Model`` (default: download from the registry or
        read the path).
    clock : callable, optional
        Monotonic seconds (default :func:`time.monotonic`).

    Examples
    --------
    >>> calls = []
    >>> cache = ModelCache(ttl=10, resolver=lambda r: r.pinned("1"),
    ...                    loader=lambda r, t: calls.append(r.version) or f"model v{r.version}")
    >>> cache.get("demo@production"), cache.get("demo@production"), calls
    ('model v1', 'model v1', ['1'])
    """

    def __init__(
        self,
        ttl: float | None = None,
        *,
        resolver: Resolver | None = None,
        loader: Loader | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = float(config.DEFAULT_ALIAS_TTL if ttl is None else _check_ttl(ttl))
        self._resolver = resolver or _default_resolver
        self._loader = loader or _default_loader
        self._clock = clock
        self._entries: dict[tuple[str, bool], _Entry] = {}
        self._guard = threading.Lock()

    def get(self, ref: str, *, ttl: float | None = None, trusted: bool = False) -> Any:
        """The model for ``ref`` (loaded once; aliases refreshed after ``ttl`` seconds).

        Raises
        ------
        ModelNotFoundError
            Unknown name, version or alias (only on a first load; a refresh that fails
            keeps the last good model).
        TrackingError
            The tracking store is unreachable on a first load.
        """
        key = (ref, trusted)
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self._clock():
            return entry.model
        return self._slow_get(key, ttl, trusted)

    def _slow_get(self, key: tuple[str, bool], ttl: float | None, trusted: bool) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry.model is None:
            with self._guard:
                entry = self._entries.get(key)
                if entry is None:
                    entry = _Entry(threading.Lock())
                    self._entries[key] = entry
            with entry.lock:
                if entry.model is None:  # double-checked: one load per key
                    self._first_load(entry, key[0], ttl, trusted)
                return entry.model
        if not entry.lock.acquire(blocking=False):
            return entry.model  # another thread is refreshing: serve the current model
        try:
            if entry.expires <= self._clock():
                self._refresh(entry, key[0], trusted)
            return entry.model
        finally:
            entry.lock.release()

    def _first_load(self, entry: _Entry, raw: str, ttl: float | None, trusted: bool) -> None:
        ref = parse_ref(raw)
        pinned = self._resolver(ref) if ref.moving else ref
        model = self._loader(pinned, trusted)
        entry.ttl = self.ttl if ttl is None else _check_ttl(ttl)
        entry.pinned = pinned
        entry.model = model
        entry.expires = self._clock() + entry.ttl if ref.moving else float("inf")

    def _refresh(self, entry: _Entry, raw: str, trusted: bool) -> None:
        try:
            pinned = self._resolver(parse_ref(raw))
            if pinned != entry.pinned:
                entry.model = self._loader(pinned, trusted)
                entry.pinned = pinned
        except Exception as exc:  # keep serving the last good model
            current = entry.pinned.version if entry.pinned else "?"
            msg = (
                f"quantlab.predict: could not refresh model {raw!r} ({type(exc).__name__}: "
                f"{str(exc)[:300]}); still serving version {current}, retrying in "
                f"{entry.ttl:g} s"
            )
            logger.warning(msg)
            warnings.warn(msg, StaleModelWarning, stacklevel=5)
        entry.expires = self._clock() + entry.ttl

    def peek(self, ref: str, *, trusted: bool = False) -> Any:
        """The cached model for ``ref`` without loading or refreshing (None if absent)."""
        entry = self._entries.get((ref, trusted))
        return None if entry is None else entry.model

    def clear(self) -> None:
        """Forget every cached model (the next call loads again)."""
        with self._guard:
            self._entries.clear()

    def __len__(self) -> int:
        return sum(1 for e in self._entries.values() if e.model is not None)


def _check_ttl(ttl: Any) -> float:
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl >= 0:
        raise ParameterError(f"ttl must be a number of seconds >= 0; got {ttl!r}")
    return float(ttl)
