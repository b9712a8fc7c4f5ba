"""The quantlab model directory: feature-set definition + fitted estimator + metadata.

Layout (every file but the estimator's is plain text)::

    <model dir>/
      MLmodel               MLflow metadata: a ``python_function`` flavor whose
                            ``loader_module`` is this module (no pickled python_model),
                            a ``quantlab`` flavor, the signature and input example
      requirements.txt, python_env.yaml, conda.yaml, input_example.json, ...  (MLflow)
      data/quantlab/        the quantlab files (:func:`write_model` writes them alone):
      quantlab_model.json   format version, kind, estimator type, model class, feature
                            names, NaN policy, feature-set JSON, metadata (data range and
                            hash, metrics, ...)
      model.txt             LightGBM's native text format          (estimator_type "lightgbm")
      coefficients.json     linear coefficients, intercept, fills  (estimator_type "linear")
      estimator.pkl         a pickled third-party estimator        (estimator_type "pickle")

:func:`save_model` writes the MLflow files through MLflow's public
``mlflow.pyfunc.save_model``; models saved before (quantlab files next to ``MLmodel``)
still read.

Built-in models (LightGBM, ridge, logistic) load without executing any code from the
directory: LightGBM parses its text format, coefficients are JSON. Reading a model
(:func:`read_model`) needs only json, PyYAML, numpy and lightgbm -- never mlflow or pickle --
unless the model is a pickled third-party estimator, which requires ``trusted=True``.
``MLmodel`` is parsed with ``yaml.safe_load`` (block or flow style, quoted keys alike);
a directory whose ``MLmodel`` has a flavor other than ``python_function`` and
``quantlab``, a ``loader_module`` other than this module in any flavor, or a pickled
``python_model``, or a built-in model directory that contains any pickle file, is refused
unless ``trusted=True``.

Through MLflow the directory is a valid pyfunc model: ``mlflow.pyfunc.load_model(uri)``
calls :func:`_load_pyfunc` here, and ``mlflow models serve`` works. A pickled estimator
loaded through pyfunc needs the environment variable ``QUANTLAB_TRUSTED_MODELS=1``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    ModelNotFoundError,
    ParameterError,
    ShapeError,
    UntrustedModelError,
    ValidationError,
)
from quantlab.tracking.stored import StoredModel, check_values, native_predictor

__all__ = [
    "BOOSTER_FILE",
    "ESTIMATOR_TYPES",
    "FORMAT_VERSION",
    "LINEAR_FILE",
    "LOADER_MODULE",
    "META_FILE",
    "PICKLE_FILE",
    "StoredModel",
    "read_model",
    "save_model",
    "to_stored",
    "write_model",
]

FORMAT_VERSION = 1
LOADER_MODULE = "quantlab.tracking.model_format"
META_FILE = "quantlab_model.json"
BOOSTER_FILE = "model.txt"
LINEAR_FILE = "coefficients.json"
#: Where :func:`save_model` puts the quantlab files inside an MLflow model directory.
DATA_DIR = "data/quantlab"
#: The MLmodel flavors a quantlab model directory has (any other is refused untrusted).
FLAVORS = ("python_function", "quantlab")
PICKLE_FILE = "estimator.pkl"
ESTIMATOR_TYPES: tuple[str, ...] = ("lightgbm", "linear", "pickle")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".cloudpickle", ".dill", ".pt", ".pth")
_LINEAR_CLASSES = ("RidgeModel", "LogisticModel")


# ------------------------------------------------------------------ building from objects


def _module_of(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def _booster_kind(booster: Any) -> str:
    text_head = booster.model_to_string(num_iteration=0)[:4000]
    match = re.search(r"^objective=(\S+)", text_head, re.MULTILINE)
    objective = match.group(1) if match else "regression"
    if objective.startswith(("multiclass", "multiclassova", "softmax", "multiclass_ova")):
        raise ParameterError(
            f"a LightGBM model with objective {objective!r} predicts one column per class; "
            "quantlab serves one value per row. Train a regressor or a binary classifier"
        )
    if objective in ("binary", "cross_entropy", "xentropy"):
        return "probability"
    if objective.startswith(("lambdarank", "rank_xendcg")):
        return "score"
    return "return"


def _default_names(names: list[str]) -> bool:
    return all(re.fullmatch(r"(Column_|x)\d+", n) for n in names)


def _resolve_names(
    own: list[str] | None, given: Any, feature_set: dict[str, Any] | None, n_features: int | None
) -> list[str]:
    fs_names = [f["name"] for f in feature_set["features"]] if feature_set else None
    if given is not None:
        if isinstance(given, str) or not all(isinstance(n, str) for n in given):
            raise ParameterError(f"feature_names must be a list of str; got {given!r:.80}")
        names = list(given)
    else:
        names = fs_names or own or []
    if not names:
        raise ParameterError(
            "the estimator does not record its feature names; pass feature_names=[...] "
            "(or feature_set=) in the order the estimator was trained on"
        )
    if len(set(names)) != len(names):
        raise ParameterError(f"feature_names must be unique; got {names}")
    if n_features is not None and len(names) != n_features:
        raise ShapeError(
            f"feature_names has {len(names)} name(s) but the estimator takes {n_features} "
            "feature(s); pass one name per training column, in order"
        )
    if fs_names is not None and names != fs_names:
        raise ParameterError(
            f"the feature set computes columns {fs_names} but the model's features are "
            f"{names}; pass the FeatureSet the model was trained on"
        )
    if own and not _default_names(own) and own != names:
        raise ParameterError(
            f"the estimator was trained on features {own} but feature_names / feature_set "
            f"give {names}; they must match in order"
        )
    return names


def _feature_set_dict(feature_set: Any) -> dict[str, Any] | None:
    if feature_set is None:
        return None
    if isinstance(feature_set, dict):
        return feature_set
    if callable(getattr(feature_set, "to_dict", None)):
        spec = feature_set.to_dict()
        if isinstance(spec, dict):
            return spec
    raise DataTypeError(
        f"feature_set must be a quantlab.ml.FeatureSet or its to_dict(); got "
        f"{type(feature_set).__name__}"
    )


def to_stored(
    model: Any,
    *,
    feature_names: Any = None,
    feature_set: Any = None,
    metadata: dict[str, Any] | None = None,
    kind: str | None = None,
) -> StoredModel:
    """Describe a fitted model in the storage format.

    Parameters
    ----------
    model : object
        A fitted quantlab model, a ``lightgbm.Booster`` or ``LGBMModel``, a scikit-learn
        (or any) estimator with ``predict``, or a loaded :class:`quantlab.serving.Model`.
    feature_names : list of str, optional
        Input columns in training order; default the estimator's own names (or the
        feature set's).
    feature_set : FeatureSet or dict, optional
        The features the model expects (enables ``predict(prices=...)``).
    metadata : dict, optional
        JSON-serialisable metadata.
    kind : {"return", "probability", "score"}, optional
        Overrides the inferred kind.

    Returns
    -------
    StoredModel

    Raises
    ------
    DataTypeError
        Not a fitted estimator.
    ParameterError, ShapeError
        Feature names that do not fit the estimator; a multi-class LightGBM model.

    Examples
    --------
    >>> import numpy as np
    >>> from quantlab.models import RidgeModel
    >>> m = RidgeModel().fit(np.eye(3), [1.0, 2.0, 3.0])
    >>> s = to_stored(m, feature_names=["a", "b", "c"])
    >>> s.estimator_type, s.kind, s.feature_names
    ('linear', 'return', ['a', 'b', 'c'])
    """
    fs = _feature_set_dict(feature_set)
    meta = dict(metadata or {})
    stored_model = getattr(model, "stored", None)
    if isinstance(stored_model, StoredModel):  # a loaded quantlab.serving.Model
        base = stored_model
        return StoredModel(
            base.estimator_type,
            kind or base.kind,
            _resolve_names(base.feature_names, feature_names, fs or base.feature_set, None),
            base.estimator,
            base.model_class,
            base.nan_policy,
            fs or base.feature_set,
            {**base.metadata, **meta},
        )
    if isinstance(model, type) or not callable(getattr(model, "predict", None)):
        raise DataTypeError(
            f"model must be a fitted estimator with predict(): a quantlab model, a "
            f"lightgbm.Booster / LGBMModel or a scikit-learn estimator; got {model!r:.80}"
        )
    cls = type(model).__name__
    own = getattr(model, "feature_names_", None)
    if own is None and hasattr(model, "feature_names_in_"):
        own = [str(n) for n in model.feature_names_in_]
    booster = None
    if _module_of(model) == "lightgbm":
        booster = model if cls == "Booster" else getattr(model, "booster_", None)
        if booster is None:
            raise DataTypeError(f"this {cls} is not fitted; call fit(X, y) first")
        if own is None:
            own = list(booster.feature_name())
        if getattr(model, "n_classes_", 2) > 2:
            raise ParameterError(
                f"{cls} has {model.n_classes_} classes; quantlab serves one value per row. "
                "Train a regressor or a binary classifier"
            )
    elif cls in ("LGBMRegressorModel", "LGBMClassifierModel") and hasattr(model, "booster_"):
        booster = model.booster_
    if booster is not None:
        names = _resolve_names(own, feature_names, fs, int(booster.num_feature()))
        return StoredModel(
            "lightgbm",
            kind or getattr(model, "kind", None) or _booster_kind(booster),
            names,
            booster,
            cls,
            "native",
            fs,
            meta,
        )
    if cls in _LINEAR_CLASSES and _module_of(model) == "quantlab" and hasattr(model, "coef_"):
        spec = model.to_dict()
        names = _resolve_names(own, feature_names, fs, len(spec["coef"]))
        spec["feature_names"] = names
        return StoredModel(
            "linear", str(spec["kind"]), names, spec, cls, model.nan_policy, fs, meta
        )
    n_in = getattr(model, "n_features_in_", None)
    names = _resolve_names(own, feature_names, fs, None if n_in is None else int(n_in))
    return StoredModel(
        "pickle",
        kind or getattr(model, "kind", None) or _sklearn_kind(model),
        names,
        model,
        cls,
        str(getattr(model, "nan_policy_", getattr(model, "nan_policy", "raise"))),
        fs,
        meta,
    )


def _sklearn_kind(model: Any) -> str:
    etype = getattr(model, "_estimator_type", None)
    tags = getattr(model, "__sklearn_tags__", None)
    if etype is None and callable(tags):
        etype = getattr(tags(), "estimator_type", None)
    if etype == "regressor":
        return "return"
    if callable(getattr(model, "predict_proba", None)):
        return "probability"
    return "score"


# ------------------------------------------------------------------ writing


def write_model(stored: StoredModel, path: str | os.PathLike[str]) -> Path:
    """Write the quantlab files of ``stored`` into directory ``path`` (created).

    ``MLmodel`` and the environment files are added by :func:`save_model`.
    """
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    if stored.estimator_type == "lightgbm":
        stored.estimator.save_model(str(out / BOOSTER_FILE))
        data_file = BOOSTER_FILE
    elif stored.estimator_type == "linear":
        (out / LINEAR_FILE).write_text(json.dumps(stored.estimator, indent=1))
        data_file = LINEAR_FILE
    elif stored.estimator_type == "pickle":
        import pickle

        with open(out / PICKLE_FILE, "wb") as fh:
            pickle.dump(stored.estimator, fh, protocol=pickle.HIGHEST_PROTOCOL)
        data_file = PICKLE_FILE
    else:
        raise ParameterError(
            f"estimator_type must be one of {list(ESTIMATOR_TYPES)}; got {stored.estimator_type!r}"
        )
    from quantlab import __version__

    meta = {
        "format": "quantlab.model",
        "format_version": FORMAT_VERSION,
        "quantlab_version": __version__,
        "kind": stored.kind,
        "estimator_type": stored.estimator_type,
        "model_class": stored.model_class,
        "data": data_file,
        "feature_names": list(stored.feature_names),
        "nan_policy": stored.nan_policy,
        "feature_set": stored.feature_set,
        "metadata": stored.metadata,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=1, default=_json_default))
    return out


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _requirements() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    reqs = []
    for pkg in ("quantlab", "mlflow", "lightgbm", "numpy", "pandas", "scikit-learn"):
        try:
            reqs.append(f"{pkg}=={version(pkg)}")
        except PackageNotFoundError:  # pragma: no cover - a source checkout
            reqs.append(pkg)
    return reqs


def save_model(
    path: str,
    mlflow_model: Any = None,
    *,
    quantlab_model: Any,
    feature_names: Any = None,
    feature_set: Any = None,
    metadata: dict[str, Any] | None = None,
    kind: str | None = None,
    signature: Any = None,
    input_example: Any = None,
) -> None:
    """Save a model directory with its MLflow ``MLmodel`` (the flavor hook of ``Model.log``).

    The quantlab files go to ``<path>/data/quantlab/``; ``MLmodel``, the environment files
    and the input example are written by MLflow's public ``mlflow.pyfunc.save_model`` (with
    :data:`LOADER_MODULE` as the ``loader_module``), never by hand.

    Parameters
    ----------
    path : str
        Directory to create (must not exist or be empty).
    mlflow_model : mlflow.models.Model, optional
        MLflow's model metadata object (``Model.log`` passes it); a new one by default.
    quantlab_model : object
        The fitted model, or a :class:`StoredModel` (see :func:`to_stored`).
    feature_names, feature_set, metadata, kind
        As in :func:`to_stored`.
    signature : mlflow.models.ModelSignature, optional
    input_example : pandas.DataFrame, optional
    """
    import tempfile
    import warnings

    import mlflow.pyfunc
    from mlflow.models import Model

    stored = (
        quantlab_model
        if isinstance(quantlab_model, StoredModel)
        else to_stored(
            quantlab_model,
            feature_names=feature_names,
            feature_set=feature_set,
            metadata=metadata,
            kind=kind,
        )
    )
    mlflow_model = Model() if mlflow_model is None else mlflow_model
    mlflow_model.add_flavor(
        "quantlab",
        format_version=FORMAT_VERSION,
        kind=stored.kind,
        estimator_type=stored.estimator_type,
        data=f"{DATA_DIR}/{META_FILE}",
    )
    with tempfile.TemporaryDirectory(prefix="quantlab-model-") as tmp:
        data = Path(tmp) / Path(DATA_DIR).name
        write_model(stored, data)
        with warnings.catch_warnings():
            # quantlab writes the signature from the feature names; an example is optional
            warnings.filterwarnings("ignore", message=".*input example was not provided")
            mlflow.pyfunc.save_model(
                path,
                loader_module=LOADER_MODULE,
                data_path=str(data),
                mlflow_model=mlflow_model,
                signature=signature,
                input_example=input_example,
                pip_requirements=_requirements(),
            )


# ------------------------------------------------------------------ reading


def _is_pickle(path: Path) -> bool:
    if path.suffix.lower() in _PICKLE_SUFFIXES:
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
    except OSError:
        return False
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5  # pickle protocol 2-5


def _pickle_files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and _is_pickle(p)
    )


def _untrusted(where: Path, why: str) -> UntrustedModelError:
    return UntrustedModelError(
        f"refusing to load the model at {where}: {why}. Loading it could execute arbitrary "
        "code from the directory; if you produced it yourself or trust its source, pass "
        "trusted=True (quantlab.load_model(..., trusted=True))"
    )


def _mlmodel(root: Path) -> dict[str, Any] | None:
    """``root/MLmodel`` parsed with ``yaml.safe_load`` (None when there is none)."""
    import yaml

    path = root / "MLmodel"
    if not path.is_file():
        return None
    try:
        doc = yaml.safe_load(path.read_text(errors="replace"))
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path} is not valid YAML ({exc}); the model is corrupt") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("flavors"), dict):
        raise ValidationError(
            f"{path} has no 'flavors' mapping; it is not an MLflow model file (the model is "
            "corrupt)"
        )
    return doc


def _check_flavors(root: Path, doc: dict[str, Any]) -> None:
    """Every flavor of MLmodel must be ours, and the pyfunc one must load through us."""
    flavors: dict[Any, Any] = doc["flavors"]
    foreign = sorted(str(f) for f in flavors if f not in FLAVORS)
    if foreign:
        raise _untrusted(root, f"its MLmodel has flavor(s) {foreign} besides {list(FLAVORS)}")
    loaders = sorted(
        {
            str(flavor["loader_module"])
            for flavor in flavors.values()
            if isinstance(flavor, dict) and "loader_module" in flavor
        }
        - {LOADER_MODULE}
    )
    if loaders:
        raise _untrusted(
            root, f"its MLmodel names loader_module {loaders} instead of {LOADER_MODULE!r}"
        )
    pyfunc = flavors.get("python_function")
    if isinstance(pyfunc, dict):
        code = sorted(
            str(k) for k in ("python_model", "cloudpickle_version", "code") if pyfunc.get(k)
        )
        if code:
            raise _untrusted(root, f"its python_function flavor carries {code}")


def _check_trust(root: Path, meta: dict[str, Any], trusted: bool, doc: Any) -> None:
    if trusted:
        return
    if doc is not None:
        _check_flavors(root, doc)
    etype = meta.get("estimator_type")
    pickles = _pickle_files(root)
    if etype == "pickle":
        raise _untrusted(
            root,
            f"it stores a third-party estimator ({meta.get('model_class')}) as a pickle "
            f"({PICKLE_FILE}), and unpickling runs code chosen by whoever wrote the file",
        )
    if pickles:
        raise _untrusted(
            root,
            f"it is a built-in {etype!r} model, stored without pickle, yet the directory holds "
            f"pickle file(s) {pickles[:5]}",
        )


def read_model(path: str | os.PathLike[str], *, trusted: bool = False) -> StoredModel:
    """Read a model directory written by :func:`write_model` / :func:`save_model`.

    Parameters
    ----------
    path : str or path-like
        The model directory.
    trusted : bool, default False
        Allow loading a pickled estimator (and directories with unexpected loaders or
        pickle files). Unpickling executes code: only for models from a trusted source.

    Returns
    -------
    StoredModel

    Raises
    ------
    ModelNotFoundError
        ``path`` is not a directory.
    ValidationError
        Not a quantlab model directory, an unsupported format version, or corrupt files.
    UntrustedModelError
        Loading would execute code and ``trusted`` is False.
    """
    root = Path(path)
    if not root.is_dir():
        raise ModelNotFoundError(
            f"model path {str(path)!r} is not a directory; pass a model directory, a "
            "registered name ('name', 'name@alias', 'name/3') or a models:/ URI"
        )
    doc = _mlmodel(root)
    files = root
    if not (root / META_FILE).is_file() and doc is not None:
        # an MLflow model directory: the quantlab flavor says where its files are
        ours = doc["flavors"].get("quantlab")
        rel = ours.get("data") if isinstance(ours, dict) else None
        if isinstance(rel, str):
            files = (root / rel).parent
            if root.resolve() not in files.resolve().parents and files.resolve() != root.resolve():
                raise ValidationError(
                    f"{root}/MLmodel points the quantlab flavor outside the directory "
                    f"({rel!r}); the model is corrupt"
                )
    meta_path = files / META_FILE
    if not meta_path.is_file():
        raise ValidationError(
            f"{root} is not a quantlab model directory (no {META_FILE}); save models with "
            "quantlab.tracking.register_model / save_model"
        )
    try:
        meta = json.loads(meta_path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            f"{meta_path} is not valid JSON ({exc}); the model is corrupt"
        ) from None
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise ValidationError(
            f"{meta_path} has format_version {version!r}; this quantlab reads version "
            f"{FORMAT_VERSION}. Upgrade quantlab or re-save the model"
        )
    etype = meta.get("estimator_type")
    if etype not in ESTIMATOR_TYPES:
        raise ValidationError(
            f"{meta_path} has estimator_type {etype!r}; expected one of {list(ESTIMATOR_TYPES)}"
        )
    _check_trust(root, meta, trusted, doc)
    names = [str(n) for n in meta.get("feature_names", [])]
    data = files / str(meta.get("data", ""))
    if data.parent != files or not data.is_file():
        raise ValidationError(f"{root} lacks its estimator file {meta.get('data')!r}")
    estimator = _load_estimator(etype, data)
    if etype == "lightgbm" and int(estimator.num_feature()) != len(names):
        raise ValidationError(
            f"{data} takes {estimator.num_feature()} features but {META_FILE} lists "
            f"{len(names)}; the model directory is inconsistent"
        )
    return StoredModel(
        estimator_type=etype,
        kind=str(meta.get("kind", "score")),
        feature_names=names,
        estimator=estimator,
        model_class=str(meta.get("model_class", "")),
        nan_policy=str(meta.get("nan_policy", "raise")),
        feature_set=meta.get("feature_set"),
        metadata=dict(meta.get("metadata") or {}),
    )


def _load_estimator(etype: str, data: Path) -> Any:
    if etype == "lightgbm":
        import lightgbm

        try:
            return lightgbm.Booster(model_file=str(data))
        except Exception as exc:
            raise ValidationError(f"{data} is not a LightGBM model file ({exc})") from None
    if etype == "linear":
        try:
            spec = json.loads(data.read_text())
        except ValueError as exc:
            raise ValidationError(f"{data} is not valid JSON ({exc})") from None
        if spec.get("class") not in _LINEAR_CLASSES:
            raise ValidationError(
                f"{data} describes class {spec.get('class')!r}; expected one of "
                f"{list(_LINEAR_CLASSES)}"
            )
        return spec
    import pickle

    with open(data, "rb") as fh:
        return pickle.load(fh)  # only reached with trusted=True


# ------------------------------------------------------------------ MLflow pyfunc


class _PyFuncModel:
    """What ``mlflow.pyfunc.load_model`` wraps: ``predict(DataFrame) -> ndarray``."""

    def __init__(self, stored: StoredModel) -> None:
        self.stored = stored
        self._predict = native_predictor(stored)

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> np.ndarray:
        names = list(self.stored.feature_names)
        columns = [str(c) for c in getattr(model_input, "columns", [])]
        missing = [n for n in names if n not in columns]
        if missing:
            raise AlignmentError(
                f"model_input lacks feature(s) {missing[:10]}; the model expects {names[:30]}"
            )
        arr = np.ascontiguousarray(
            model_input.set_axis(columns, axis=1)[names].to_numpy(dtype=np.float64, na_value=np.nan)
        )
        if not np.isfinite(arr).all():
            check_values(arr, names, self.stored.nan_policy != "raise", "this")
        return self._predict(arr)

    def get_raw_model(self) -> Any:
        return self.stored


def _load_pyfunc(data_path: str, model_config: Any = None) -> _PyFuncModel:
    """MLflow's pyfunc entry point (``loader_module: quantlab.tracking.model_format``)."""
    trusted = os.environ.get("QUANTLAB_TRUSTED_MODELS", "").strip().lower() in ("1", "true", "yes")
    return _PyFuncModel(read_model(data_path, trusted=trusted))
