"""Every exception class quantlab raises.

Each class derives from :class:`QuantlabError` *and* from the builtin a caller would
naturally catch (``ValueError``, ``TypeError``, ``KeyError``, ``LookupError`` ...), so
``except ValueError`` keeps working for code that does not know about quantlab.

Messages follow one rule: name the argument, the rule it broke, what was received,
and how to fix it, e.g.
``close has 3 duplicated timestamps (first: 2021-03-01); pass a panel with a unique index``.
"""

from __future__ import annotations

__all__ = [
    "QuantlabError",
    "ValidationError",
    "DataTypeError",
    "ShapeError",
    "AlignmentError",
    "ParameterError",
    "NotFoundError",
    "ModelNotFoundError",
    "TrackingError",
    "UntrustedModelError",
    "ChunkError",
    "ClusterError",
    "StaleModelWarning",
]


class QuantlabError(Exception):
    """Base class of every error raised by quantlab."""


class ValidationError(QuantlabError, ValueError):
    """An input value breaks a documented rule (non-positive price, NaN where forbidden ...)."""


class DataTypeError(QuantlabError, TypeError):
    """An input has the wrong type or dtype (strings where numbers are expected ...)."""


class ShapeError(ValidationError):
    """Arrays whose shapes cannot be broadcast or aligned together."""


class AlignmentError(ValidationError):
    """Indexes or columns that do not match (unsorted, duplicated, misaligned)."""


class ParameterError(ValidationError):
    """A keyword parameter is out of its allowed range or is not one of the allowed choices."""


class NotFoundError(QuantlabError, LookupError):
    """Something looked up by name does not exist."""


class ModelNotFoundError(NotFoundError, KeyError):
    """A model name, version or alias that is not registered."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class TrackingError(QuantlabError, ConnectionError):
    """The tracking store could not be reached or refused an operation."""


class UntrustedModelError(QuantlabError, PermissionError):
    """Loading the artifact would execute code; pass ``trusted=True`` to allow it."""


class ChunkError(QuantlabError, RuntimeError):
    """One chunk of a parallel job failed; the message names the chunk's parameters."""


class ClusterError(QuantlabError, ConnectionError):
    """A compute cluster (Dask scheduler) could not be reached or failed."""


class StaleModelWarning(QuantlabError, UserWarning):
    """``quantlab.predict`` could not refresh a model alias and keeps serving the last good one."""
