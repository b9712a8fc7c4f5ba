"""LightGBM trees compiled from the text model: the serving fast path without the Booster.

``Booster.predict`` costs tens of microseconds per call before it touches a tree (ctypes,
argument checks, a C++ predictor set up per call). Serving walks the trees itself instead:
:func:`compile_model` parses LightGBM's text model (``Booster.model_to_string()``, the
``model.txt`` a stored model already holds) into flat NumPy arrays, every tree
concatenated, and :func:`predict` walks them in a numba kernel.

Why here: the only consumer is serving, and the text format is what serving stores
(``quantlab.tracking.model_format``); ``quantlab.models`` keeps predicting with its
Booster, so the parser lives next to its one caller and imports nothing but NumPy and
:mod:`quantlab._numba`.

The decision rules are LightGBM's own (``include/LightGBM/tree.h``, checked against
``Booster.predict`` in ``tests/serving/test_trees.py``), per node ``decision_type`` bits:
bit 0 categorical, bit 1 default-left, bits 2-3 the missing type (0 None, 1 Zero, 2 NaN).
First, a value with ``|x| <= 1e-35`` (LightGBM's ``kZeroThreshold``, a float32 constant)
is 0.0: LightGBM's C API keeps a dense row as sparse (index, value) pairs and drops those
values, so the trees see a zero.

* Numerical split. A NaN becomes 0.0 unless the missing type is NaN. Then, if the missing
  type is Zero and ``x`` is 0.0, or the missing type is NaN and ``x`` is NaN, the row goes
  to the default side; otherwise left when ``x <= threshold``.
* Categorical split. ``static_cast<int>(x)``: a value that does not fit an ``int`` (NaN,
  ``x <= -1``, ``x >= 2**31``) goes right, as it does in LightGBM on x86-64 (where the cast
  gives ``INT_MIN``); otherwise the category ``trunc(x)`` goes left when its bit is set in
  the node's bitset (``cat_boundaries`` / ``cat_threshold``), right when it is not or lies
  beyond the bitset (an unseen category).

A row's raw score is the sum of its leaves' values over the trees, in tree order and
starting from 0.0 like LightGBM (leaf values in the text already include the shrinkage and
the initial score). :func:`predict` returns what ``Booster.predict`` returns by default:
for a random forest (``average_output``) that sum divided by the number of iterations
(LightGBM's raw score, :func:`predict_raw`, is not divided), then the objective's output
transform: identity for the regression and ranking objectives,
``1 / (1 + exp(-sigmoid * raw))`` for ``binary``, ``exp`` for poisson, gamma and tweedie.

The kernel is serial (one core per request, ``nogil``): an API process runs requests in
many threads at once, which numba's ``workqueue`` threading layer does not allow for
parallel kernels (it aborts the process). Serially it walks a row faster than LightGBM
does on one thread, but on a large batch the Booster spreads the rows over all cores and
wins (10,000 rows, 200 trees, 2 idle cores: 50 ms here against 33 ms), so serving uses
the compiled trees below :data:`BOOSTER_ROWS` rows and ``Booster.predict`` on all cores
from there on (on a one-core machine, the compiled trees for every size). Both give the
same numbers.

Not compiled (:func:`compile_model` raises :class:`~quantlab.errors.ValidationError`, and
serving keeps the Booster): several trees per iteration (multiclass), linear trees, and
objectives whose transform is not listed above (``regression sqrt``, cross-entropy,
custom objectives).
"""

from __future__ import annotations

import math
import os
from typing import Any, NamedTuple

import numpy as np

from quantlab._numba import JIT_ENABLED, jit
from quantlab.errors import ValidationError

__all__ = [
    "BOOSTER_ROWS",
    "CompiledTrees",
    "compile_booster",
    "compile_model",
    "predict",
    "predict_raw",
]

#: LightGBM's kZeroThreshold: ``const double kZeroThreshold = 1e-35f`` (a float literal).
ZERO_THRESHOLD = float(np.float32(1e-35))

#: From this many rows on, serving hands a request to ``Booster.predict`` on all cores
#: (the row count from which it already used every thread); None on a one-core machine.
BOOSTER_ROWS: int | None = 256 if (os.cpu_count() or 1) > 1 else None

_IDENTITY = frozenset(
    {"regression", "regression_l1", "huber", "fair", "quantile", "mape", "lambdarank",
     "rank_xendcg"}
)  # fmt: skip
_EXP = frozenset({"poisson", "gamma", "tweedie"})


class CompiledTrees(NamedTuple):
    """A LightGBM model as flat arrays (all trees concatenated; the kernel's input).

    A child or root ``c >= 0`` is a split node (an index into the node arrays), ``c < 0``
    the leaf ``~c`` (an index into ``leaf_value``).
    """

    root: np.ndarray  # int32 (n_trees,)
    feature: np.ndarray  # int32 (n_nodes,)
    threshold: np.ndarray  # float64 (n_nodes,)
    decision: np.ndarray  # uint8 (n_nodes,): LightGBM's decision_type bits
    left: np.ndarray  # int32 (n_nodes,)
    right: np.ndarray  # int32 (n_nodes,)
    cat_start: np.ndarray  # int32 (n_nodes,): first word of a categorical node's bitset
    cat_words: np.ndarray  # int32 (n_nodes,): number of 32-bit words of that bitset
    cat_bits: np.ndarray  # uint32 (n_words,)
    leaf_value: np.ndarray  # float64 (n_leaves,)
    n_features: int
    divisor: float  # number of iterations for average_output, else 1.0
    transform: int  # 0 identity, 1 sigmoid, 2 exp
    sigmoid: float


def _refuse(why: str) -> ValidationError:
    return ValidationError(
        f"the LightGBM model cannot be compiled for serving: {why}; predict it with "
        "lightgbm.Booster.predict instead"
    )


def _fields(block: list[str]) -> dict[str, str]:
    out = {}
    for line in block:
        key, sep, value = line.partition("=")
        out[key.strip()] = value.strip() if sep else ""
    return out


def _ints(fields: dict[str, str], key: str, n: int) -> np.ndarray:
    arr = np.array(fields[key].split(), dtype=np.int64) if n else np.zeros(0, np.int64)
    if len(arr) != n:
        raise _refuse(f"field {key!r} has {len(arr)} values where {n} were expected")
    return arr


def _floats(fields: dict[str, str], key: str, n: int) -> np.ndarray:
    arr = np.array(fields[key].split(), dtype=np.float64) if n else np.zeros(0)
    if len(arr) != n:
        raise _refuse(f"field {key!r} has {len(arr)} values where {n} were expected")
    return arr


def _objective(spec: str) -> tuple[int, float]:
    parts = spec.split()
    name = parts[0] if parts else ""
    if name == "binary":
        params = dict(p.partition(":")[::2] for p in parts[1:])
        if set(params) != {"sigmoid"}:
            raise _refuse(f"unexpected binary objective parameters {spec!r}")
        return 1, float(params["sigmoid"])
    if len(parts) == 1 and name in _IDENTITY:
        return 0, 1.0
    if len(parts) == 1 and name in _EXP:
        return 2, 1.0
    raise _refuse(f"objective {spec!r} has no compiled output transform")


def compile_model(text: str) -> CompiledTrees:
    """Parse LightGBM's text model (``Booster.model_to_string()``) into flat arrays.

    Parameters
    ----------
    text : str
        The model text, as ``lightgbm.Booster.model_to_string()`` writes it.

    Returns
    -------
    CompiledTrees

    Raises
    ------
    ValidationError
        The model is not a LightGBM text model, or uses what is not compiled (several
        trees per iteration, linear trees, an objective without a listed transform).

    Examples
    --------
    >>> import lightgbm, numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 3)); y = X[:, 0] - X[:, 1]
    >>> booster = lightgbm.train({"verbose": -1}, lightgbm.Dataset(X, y), 20)
    >>> trees = compile_model(booster.model_to_string())
    >>> len(trees.root), trees.n_features
    (20, 3)
    >>> bool(np.abs(predict(trees, X) - booster.predict(X)).max() < 1e-12)
    True
    >>> compile_model("hello")
    Traceback (most recent call last):
    ...
    quantlab.errors.ValidationError: the LightGBM model cannot be compiled for serving: \
the text does not start with 'tree' (got 'hello'); predict it with \
lightgbm.Booster.predict instead
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != "tree":
        raise _refuse(f"the text does not start with 'tree' (got {text[:20]!r})")
    blocks: list[list[str]] = [[]]
    for line in lines[1:]:
        line = line.strip()
        if line.startswith("end of trees"):
            break
        if line.startswith("Tree="):
            blocks.append([])
        elif line:
            blocks[-1].append(line)
    head = _fields(blocks[0])
    per_iteration = int(head.get("num_tree_per_iteration", "1"))
    if int(head.get("num_class", "1")) != 1 or per_iteration != 1:
        raise _refuse(f"it has {per_iteration} trees per iteration (multiclass)")
    transform, sigmoid = _objective(head.get("objective", ""))
    n_features = int(head["max_feature_idx"]) + 1
    trees = [_fields(b) for b in blocks[1:]]
    if not trees:
        raise _refuse("it has no trees")

    root, feat, thr, dec, left, right, cstart, cwords, bits, leaves = ([] for _ in range(10))
    n_nodes = n_leaves = n_words = 0
    for t, tree in enumerate(trees):
        if tree.get("is_linear", "0") != "0":
            raise _refuse(f"tree {t} is a linear tree")
        nl = int(tree["num_leaves"])
        ns = nl - 1
        leaves.append(_floats(tree, "leaf_value", nl))
        if ns == 0:
            root.append(~n_leaves)
            n_leaves += nl
            continue
        lc = _ints(tree, "left_child", ns)
        rc = _ints(tree, "right_child", ns)
        # a child >= 0 is a node of this tree, < 0 the leaf ~child: shift both into the
        # concatenated numbering (~(n_leaves + ~c) == c - n_leaves for c < 0)
        left.append(np.where(lc >= 0, lc + n_nodes, lc - n_leaves))
        right.append(np.where(rc >= 0, rc + n_nodes, rc - n_leaves))
        sf = _ints(tree, "split_feature", ns)
        if sf.min() < 0 or sf.max() >= n_features:
            raise _refuse(f"tree {t} splits on a feature outside 0..{n_features - 1}")
        feat.append(sf)
        th = _floats(tree, "threshold", ns)
        thr.append(th)
        dt = _ints(tree, "decision_type", ns)
        dec.append(dt)
        start = np.zeros(ns, np.int64)
        words = np.zeros(ns, np.int64)
        if int(tree.get("num_cat", "0")) > 0:
            bounds = _ints(tree, "cat_boundaries", int(tree["num_cat"]) + 1)
            bitset = np.array(tree["cat_threshold"].split(), dtype=np.int64)
            is_cat = (dt & 1) == 1
            idx = th[is_cat].astype(np.int64)
            start[is_cat] = bounds[idx] + n_words
            words[is_cat] = bounds[idx + 1] - bounds[idx]
            bits.append(bitset)
            n_words += len(bitset)
        cstart.append(start)
        cwords.append(words)
        root.append(n_nodes)
        n_nodes += ns
        n_leaves += nl

    def join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0), dtype)

    average = any(line.strip() == "average_output" for line in blocks[0])
    return CompiledTrees(
        root=np.array(root, dtype=np.int32),
        feature=join(feat, np.int32),
        threshold=join(thr, np.float64),
        decision=join(dec, np.uint8),
        left=join(left, np.int32),
        right=join(right, np.int32),
        cat_start=join(cstart, np.int32),
        cat_words=join(cwords, np.int32),
        cat_bits=join(bits, np.uint32),
        leaf_value=join(leaves, np.float64),
        n_features=n_features,
        divisor=float(len(trees)) if average else 1.0,
        transform=transform,
        sigmoid=sigmoid,
    )


@jit(inline=True)
def _leaf(trees: CompiledTrees, x: np.ndarray, node: int) -> int:
    """Walk one tree from ``node`` for the row ``x``; the leaf index reached."""
    while node >= 0:
        fval = x[trees.feature[node]]
        if -ZERO_THRESHOLD <= fval <= ZERO_THRESHOLD:  # LightGBM drops these from the row
            fval = 0.0
        dt = trees.decision[node]
        if dt & 1:  # categorical
            go_left = False
            if fval > -1.0 and fval < 2147483648.0:  # False for NaN
                cat = int(fval)
                word = cat >> 5
                if word < trees.cat_words[node]:
                    go_left = (trees.cat_bits[trees.cat_start[node] + word] >> (cat & 31)) & 1 == 1
        else:
            missing = (dt >> 2) & 3
            if missing != 2 and math.isnan(fval):
                fval = 0.0
            if (missing == 1 and -ZERO_THRESHOLD <= fval <= ZERO_THRESHOLD) or (
                missing == 2 and math.isnan(fval)
            ):
                go_left = (dt & 2) == 2
            else:
                go_left = fval <= trees.threshold[node]
        node = trees.left[node] if go_left else trees.right[node]
    return ~node


@jit(inline=True)
def _row_score(trees: CompiledTrees, x: np.ndarray, transformed: bool) -> float:
    total = 0.0
    for t in range(len(trees.root)):
        total += trees.leaf_value[_leaf(trees, x, trees.root[t])]
    if not transformed:
        return total
    total /= trees.divisor  # GBDT::Predict averages, GBDT::PredictRaw does not
    if trees.transform == 1:  # LightGBM's BinaryLogloss::ConvertOutput
        return 1.0 / (1.0 + math.exp(-trees.sigmoid * total))
    if trees.transform == 2:
        return math.exp(total)
    return total


@jit()
def _serial(trees: CompiledTrees, X: np.ndarray, transformed: bool) -> np.ndarray:
    out = np.empty(X.shape[0])
    for r in range(X.shape[0]):
        out[r] = _row_score(trees, X[r], transformed)
    return out


def _run(trees: CompiledTrees, X: np.ndarray, transformed: bool) -> np.ndarray:
    if X.ndim != 2 or X.shape[1] != trees.n_features:
        raise ValidationError(
            f"X must have shape (n_rows, {trees.n_features}); got {X.shape}. Pass the "
            "model's features in order"
        )
    X = np.ascontiguousarray(X, dtype=np.float64)
    return _serial(trees, X, transformed)  # type: ignore[no-any-return]


def predict_raw(trees: CompiledTrees, X: np.ndarray) -> np.ndarray:
    """Raw scores (``Booster.predict(X, raw_score=True)``) of a float64 ``(n_rows, n_features)``.

    ``X`` should be C-contiguous float64 with ``trees.n_features`` columns (serving's
    :func:`~quantlab.serving.fast.as_matrix` gives that).

    Raises
    ------
    ValidationError
        ``X`` is not 2-D with ``trees.n_features`` columns.
    """
    return _run(trees, X, False)


def predict(trees: CompiledTrees, X: np.ndarray) -> np.ndarray:
    """Predictions as ``Booster.predict(X)`` returns them (the objective's transform applied).

    The transform is computed in the kernel with the C library's ``exp``, the function
    LightGBM calls. See :func:`predict_raw` for ``X``.
    """
    return _run(trees, X, True)


def compile_booster(booster: Any) -> CompiledTrees | None:
    """``booster``'s trees compiled and warmed up, or None where serving keeps the Booster.

    None when JIT is disabled (``QUANTLAB_DISABLE_JIT``: the same walk in pure Python
    would be far slower than LightGBM) or when :func:`compile_model` refuses the model.
    The kernel runs once here on a row of zeros, so a model's first request does not
    pay numba's compile (or cache load).

    Examples
    --------
    >>> import lightgbm, numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 3)); y = X[:, 0] > 0
    >>> booster = lightgbm.train({"objective": "binary", "verbose": -1},
    ...                          lightgbm.Dataset(X, y.astype(float)), 10)
    >>> trees = compile_booster(booster)
    >>> trees is None or bool(np.abs(predict(trees, X) - booster.predict(X)).max() < 1e-12)
    True
    """
    if not JIT_ENABLED:
        return None
    try:
        trees = compile_model(booster.model_to_string())
    except ValidationError:
        return None
    predict(trees, np.zeros((1, trees.n_features)))
    return trees
