"""Training recipes: the schema, its validation, and TOML loading.

A recipe is a dict (or a TOML file with the same structure) that :func:`quantlab.train`
runs. :func:`validate_recipe` checks it and fills the defaults; every unknown key or wrong
type raises :class:`~quantlab.errors.ParameterError` naming the key (``model.params`` and
``cv`` parameters go to their constructors, which check them).

Schema (defaults in brackets)::

    name         str    run name                                     [recipe file stem]
    experiment   str    MLflow experiment                            ["quantlab"]
    register_as  str    registered model name                        [none: not registered]
    alias        str    alias to move to the new version             [none]
    trial_family str    the runs whose distinct configurations count as trials of
                        the deflated Sharpe (see "Trials" below)      [the model name]

    [data]       source = "sample" | a .csv / .parquet OHLCV path    ["sample"]
                 n_assets, n_days, seed, signal_strength, event_rate  (sample only)
                 events = path of an event table (.csv / .parquet)   [sample: its events]
                          or of a disclosure file (.json / .csv / .parquet)
                 events_layout = "auto" | "house_watcher" | "senate_watcher" | "generic":
                          read `events` with quantlab.data.read_disclosures
                          [.json: "auto"; else: an event table as is]
                 start, end = "YYYY-MM-DD" date slice                [whole range]
    features     "default" | list of feature specs {kind, name?, transform?, <params>}
                 | a FeatureSet.to_dict()                            ["default"]
    [label]      kind = forward_returns | forward_sign | cross_sectional_rank
                        | triple_barrier                             ["forward_returns"]
                 horizon [5]; upper, lower, vol_window (triple_barrier)
    [model]      name [lgbm]; params = {...}; sample_weight = "uniqueness" | "none"
    [baseline]   name, params: a reference model run on the same features, labels, CV
                 folds, positions and costs; its OOS rank IC and Sharpe are logged
                 (``baseline_*``) and shown next to the model's   [none]
    [cv]         kind = purged_kfold | walk_forward | combinatorial  ["purged_kfold"]
                 n_splits [5]; embargo [label horizon]; other constructor parameters
    [positions]  method, quantile, threshold, long_only, gross, rebalance_every
    [costs]      fees [0.0005], slippage [0.0]
    [montecarlo] Monte Carlo of the OOS strategy returns (:func:`~quantlab.train` and
                 ``quantlab run``): n_paths [1000; 0 = off], horizon [252],
                 method [:data:`quantlab.montecarlo.METHODS`, "stationary_bootstrap"],
                 block_length [n_bars ** (1/3)], seed [0]
    [report]     HTML tearsheet of the run (:func:`~quantlab.train` and ``quantlab run``):
                 enabled [true], dir ["reports"], title [the run name]

Trials. The deflated Sharpe of a run counts *distinct configurations* of its trial
family in the experiment, not runs: :func:`config_hash` hashes the recipe without what
does not change the strategy (the run name, experiment, registry and alias, the trial
family, the baseline, Monte Carlo and report sections, and every seed), so an identical
rerun (or a rerun with another seed) is the same trial, and a run of another family (by
default another model, e.g. the ridge baseline next to LightGBM) is not a trial of this
one. Give recipes the same ``trial_family`` to pool them (a search over model families).
Decision: seeds are left out because a seed picks a draw, not a configuration; on the
sample universe ``data.seed`` draws another synthetic market, which is still the same
strategy being tried.

Data paths (``data.source``, ``data.events``) must exist: a missing file raises
:class:`~quantlab.errors.NotFoundError` naming the key. :func:`load_recipe` resolves a
relative path against the working directory, then against the recipe's directory.

Example (TOML)::

    experiment = "momentum"
    register_as = "momentum-lgbm"
    alias = "production"
    features = "default"
    [data]
    source = "sample"
    n_assets = 50
    [label]
    horizon = 5
    [model]
    name = "lgbm"
    params = { n_estimators = 200, num_leaves = 15 }
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quantlab.errors import NotFoundError, ParameterError

__all__ = [
    "CV_KINDS",
    "CV_SPLITTERS",
    "DEFAULTS",
    "LABEL_KINDS",
    "config_hash",
    "load_recipe",
    "validate_recipe",
]

LABEL_KINDS: tuple[str, ...] = (
    "forward_returns",
    "forward_sign",
    "cross_sectional_rank",
    "triple_barrier",
)
#: ``cv.kind`` -> the :mod:`quantlab.ml` splitter class it builds (owned here: the recipe
#: names its splitters; :func:`quantlab.train` builds them from this table).
CV_SPLITTERS: dict[str, str] = {
    "purged_kfold": "PurgedKFold",
    "walk_forward": "WalkForward",
    "combinatorial": "CombinatorialPurgedCV",
}
CV_KINDS: tuple[str, ...] = tuple(CV_SPLITTERS)

DEFAULTS: dict[str, Any] = {
    "name": None,
    "experiment": "quantlab",
    "trial_family": None,
    "register_as": None,
    "alias": None,
    "data": {"source": "sample"},
    "features": "default",
    "label": {"kind": "forward_returns", "horizon": 5},
    "model": {"name": "lgbm", "params": {}, "sample_weight": "uniqueness"},
    "baseline": {},
    "cv": {"kind": "purged_kfold", "n_splits": 5},
    "positions": {},
    "costs": {"fees": 0.0005, "slippage": 0.0},
    "montecarlo": {"n_paths": 1000, "horizon": 252, "method": "stationary_bootstrap", "seed": 0},
    "report": {"enabled": True, "dir": "reports"},
}

_NUM = (int, float)
# section -> key -> allowed types (None: any value, checked downstream)
_SECTIONS: dict[str, dict[str, Any]] = {
    "data": {
        "source": (str,),
        "n_assets": (int,),
        "n_days": (int,),
        "seed": (int,),
        "signal_strength": _NUM,
        "event_rate": _NUM,
        "events": (str,),
        "events_layout": (str,),
        "start": (str,),
        "end": (str,),
    },
    "label": {
        "kind": (str,),
        "horizon": (int,),
        "upper": _NUM,
        "lower": _NUM,
        "vol_window": (int,),
    },
    "model": {"name": (str,), "params": (Mapping,), "sample_weight": (str,)},
    "baseline": {"name": (str,), "params": (Mapping,)},
    "cv": {
        "kind": (str,),
        "n_splits": (int,),
        "embargo": (int,),
        "train_size": (int,),
        "test_size": (int,),
        "gap": (int,),
        "n_groups": (int,),
        "n_test_groups": (int,),
    },
    "positions": {
        "method": (str,),
        "quantile": _NUM,
        "threshold": _NUM,
        "long_only": (bool,),
        "gross": _NUM,
        "rebalance_every": (int,),
    },
    "costs": {"fees": _NUM, "slippage": _NUM},
    "montecarlo": {
        "n_paths": (int,),
        "horizon": (int,),
        "method": (str,),
        "block_length": _NUM,
        "seed": (int,),
    },
    "report": {"enabled": (bool,), "dir": (str,), "title": (str,)},
}
_TOP: dict[str, Any] = {
    "name": (str,),
    "experiment": (str,),
    "register_as": (str,),
    "alias": (str,),
    "trial_family": (str,),
    "features": (str, list, Mapping),
    **{s: (Mapping,) for s in _SECTIONS},
}
_CHOICES = {
    "label.kind": LABEL_KINDS,
    "data.events_layout": ("auto", "house_watcher", "senate_watcher", "generic"),
    "cv.kind": CV_KINDS,
    "model.sample_weight": ("uniqueness", "none"),
    "positions.method": ("quantile", "threshold"),
}


def _mc_methods() -> tuple[str, ...]:
    """The simulator's own method names (imported when first needed: numba loads with it)."""
    from quantlab.montecarlo import METHODS

    return tuple(METHODS)


def __getattr__(name: str) -> Any:
    # MC_METHODS is quantlab.montecarlo.METHODS' names, read when asked for (importing the
    # simulator loads numba, which `import quantlab.tracking` must not); not in __all__
    if name == "MC_METHODS":
        return _mc_methods()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def _names(types: tuple[type, ...]) -> str:
    return " or ".join("table" if t is Mapping else t.__name__ for t in types)


#: Numeric keys that cannot be negative (costs are never rebates).
_NON_NEGATIVE = {"costs.fees", "costs.slippage"}


def _check(key: str, value: Any, types: tuple[type, ...]) -> None:
    if not _type_ok(value, types):
        raise ParameterError(
            f"recipe key {key!r} must be {_names(types)}; got {type(value).__name__} {value!r:.60}"
        )
    if types == _NUM and isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(f"recipe key {key!r} must be a finite number; got {value!r}")
    if key in _NON_NEGATIVE and value < 0:
        raise ParameterError(f"recipe key {key!r} must be >= 0; got {value!r}")
    choices = _mc_methods() if key == "montecarlo.method" else _CHOICES.get(key)
    if choices is not None and value not in choices:
        raise ParameterError(f"recipe key {key!r} must be one of {list(choices)}; got {value!r}")


def validate_recipe(recipe: Mapping[str, Any]) -> dict[str, Any]:
    """Check a recipe and return it with every default filled in (a new dict).

    Parameters
    ----------
    recipe : mapping
        See the module docstring for the schema.

    Returns
    -------
    dict

    Raises
    ------
    ParameterError
        Not a mapping, an unknown key, a wrong type or a value outside its choices; the
        message names the key (``"model.params"``, ``"costs.fees"`` ...).
    NotFoundError
        ``data.source`` or ``data.events`` names a file that does not exist.

    Examples
    --------
    >>> r = validate_recipe({"experiment": "demo", "model": {"name": "ridge"}})
    >>> r["model"], r["label"]["horizon"]
    ({'name': 'ridge', 'params': {}, 'sample_weight': 'uniqueness'}, 5)
    >>> validate_recipe({"modle": {"name": "ridge"}})
    Traceback (most recent call last):
    ...
    quantlab.errors.ParameterError: unknown recipe key 'modle' (did you mean 'model'?); \
known keys: ['alias', 'baseline', 'costs', 'cv', 'data', 'experiment', 'features', \
'label', 'model', 'montecarlo', 'name', 'positions', 'register_as', 'report', \
'trial_family']
    """
    import difflib

    if not isinstance(recipe, Mapping):
        raise ParameterError(
            f"a recipe must be a dict (or a TOML path); got {type(recipe).__name__}"
        )
    out = copy.deepcopy(DEFAULTS)
    for key, value in recipe.items():
        if key not in _TOP:
            close = difflib.get_close_matches(str(key), list(_TOP), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(f"unknown recipe key {key!r}{hint}; known keys: {sorted(_TOP)}")
        if value is None and key in ("name", "register_as", "alias", "trial_family"):
            continue
        _check(key, value, _TOP[key])
        if key not in _SECTIONS:
            out[key] = copy.deepcopy(value)
            continue
        section = dict(out[key])
        for sub, sub_value in value.items():
            allowed = _SECTIONS[key]
            full = f"{key}.{sub}"
            if sub not in allowed:
                close = difflib.get_close_matches(str(sub), list(allowed), n=1)
                hint = f" (did you mean '{key}.{close[0]}'?)" if close else ""
                raise ParameterError(
                    f"unknown recipe key {full!r}{hint}; [{key}] accepts {sorted(allowed)}"
                )
            _check(full, sub_value, allowed[sub])
            section[sub] = copy.deepcopy(
                dict(sub_value) if isinstance(sub_value, Mapping) else sub_value
            )
        out[key] = section
    if out["alias"] is not None and out["register_as"] is None:
        raise ParameterError("recipe key 'alias' needs 'register_as' (the model to move it on)")
    if out["trial_family"] is not None and not _FAMILY_RE.fullmatch(out["trial_family"]):
        raise ParameterError(
            f"recipe key 'trial_family' must be letters, digits and '._-/' (1-100 "
            f"characters); got {out['trial_family']!r}"
        )
    if out["baseline"] and "name" not in out["baseline"]:
        raise ParameterError(
            "recipe section [baseline] needs 'name' (a model such as \"ridge\"); got "
            f"{sorted(out['baseline'])}"
        )
    _check_features(out["features"])
    _check_ranges(out)
    _check_files(out["data"])
    return out


_FAMILY_RE = re.compile(r"[\w.\-/]{1,100}")
#: Keys that do not change the strategy a run evaluates (see "Trials" above).
_NOT_CONFIG = (
    "name",
    "experiment",
    "register_as",
    "alias",
    "trial_family",
    "baseline",
    "montecarlo",
    "report",
)
_SEED_KEYS = ("seed", "random_state", "random_seed")


def _without_seeds(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _without_seeds(v) for k, v in value.items() if k not in _SEED_KEYS}
    if isinstance(value, list | tuple):
        return [_without_seeds(v) for v in value]
    return value


def config_hash(recipe: Mapping[str, Any]) -> str:
    """The identity of a recipe's configuration as a trial: a SHA-256 (16 hex digits).

    The recipe is validated (defaults filled) and hashed without the run name, experiment,
    registry keys, trial family, ``[baseline]``, ``[montecarlo]``, ``[report]`` and any
    ``seed`` / ``random_state`` key, so reruns and reseeded runs of one configuration
    hash alike.

    Examples
    --------
    >>> a = config_hash({"name": "first", "model": {"name": "ridge"}})
    >>> a == config_hash({"name": "rerun", "data": {"seed": 7}, "model": {"name": "ridge"}})
    True
    >>> a == config_hash({"model": {"name": "ridge", "params": {"alpha": 2.0}}})
    False
    """
    full = validate_recipe(recipe)
    core = {k: v for k, v in full.items() if k not in _NOT_CONFIG}
    text = json.dumps(_without_seeds(core), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def trial_family(recipe: Mapping[str, Any]) -> str:
    """The recipe's trial family: ``trial_family``, else its model name."""
    return str(recipe.get("trial_family") or recipe["model"]["name"])


def _check_ranges(recipe: dict[str, Any]) -> None:
    mc = recipe["montecarlo"]
    for key, low in (("n_paths", 0), ("horizon", 1)):
        if mc[key] < low:
            raise ParameterError(f"recipe key 'montecarlo.{key}' must be >= {low}; got {mc[key]!r}")
    if "block_length" in mc and not mc["block_length"] >= 1:
        raise ParameterError(
            f"recipe key 'montecarlo.block_length' must be >= 1; got {mc['block_length']!r}"
        )


def _check_files(data: dict[str, Any]) -> None:
    for key in ("source", "events"):
        path = data.get(key)
        if path is None or (key == "source" and path == "sample"):
            continue
        if not os.path.isfile(os.path.expanduser(path)):
            hint = ' or "sample" (the generated universe)' if key == "source" else ""
            raise NotFoundError(
                f"recipe key 'data.{key}': file {path!r} does not exist (working directory "
                f"{os.getcwd()}); pass the path of a .csv / .parquet file{hint}"
            )


def _check_features(features: Any) -> None:
    """Build the feature set now, so a typo fails here naming its key (never ignored)."""
    from quantlab.errors import QuantlabError
    from quantlab.ml.features import FeatureSet

    if isinstance(features, str):
        if features != "default":
            raise ParameterError(
                f"recipe key 'features' must be \"default\", a list of feature specs or a "
                f"FeatureSet dict; got {features!r}"
            )
        return
    if isinstance(features, list):
        for i, spec in enumerate(features):
            if not isinstance(spec, Mapping) or "kind" not in spec:
                raise ParameterError(
                    f"recipe key 'features[{i}]' must be a table with a 'kind' (e.g. "
                    f'{{kind = "ret", window = 5}}); got {spec!r:.60}'
                )
            try:
                FeatureSet([spec])
            except QuantlabError as exc:
                raise ParameterError(f"recipe key 'features[{i}]': {exc}") from None
    try:
        FeatureSet(features) if isinstance(features, list) else FeatureSet.from_dict(features)
    except QuantlabError as exc:
        raise ParameterError(f"recipe key 'features': {exc}") from None


def load_recipe(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML recipe and validate it (the run name defaults to the file stem).

    Raises
    ------
    NotFoundError
        The recipe file or a data file it names does not exist.
    ParameterError
        Invalid TOML or an invalid recipe.
    """
    import tomllib

    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"recipe file {str(path)!r} does not exist")
    try:
        raw = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"recipe {p} is not valid TOML: {exc}") from None
    data = raw.get("data")
    if isinstance(data, dict):
        for key in ("source", "events"):
            value = data.get(key)
            if isinstance(value, str) and value != "sample" and not os.path.isabs(value):
                here = p.parent / value
                if not os.path.exists(value) and here.is_file():
                    data[key] = str(here)
    recipe = validate_recipe(raw)
    if recipe["name"] is None:
        recipe["name"] = p.stem
    return recipe
