"""Isolation Forest, inference from exported tree arrays with a vectorised traversal.

Each tree of scikit-learn's ``IsolationForest`` is exported as its node arrays, padded to
``max_nodes`` columns and stacked into 2-D arrays of shape ``(n_trees, max_nodes)``:

- ``children_left``, ``children_right`` (int32): child node index, ``-1`` at leaves/padding;
- ``feature`` (int32): split feature as a column of the *full* input (scikit-learn's per-tree
  feature subsets already mapped back), ``-2`` at leaves/padding;
- ``threshold`` (float64, kept float64 by the weight file for exact parity): go left when
  ``x[feature] <= threshold``;
- ``n_node_samples`` (int32): training rows that reached the node.

All rows and all trees advance together, one tree level per loop iteration. The path length
of a row in a tree is its leaf depth plus ``c(n_node_samples[leaf])`` (the average path length
of an unsuccessful BST search, scikit-learn's correction), and

``score = 2 ** (-mean_path_length / c(max_samples))``

which is ``-IsolationForest.score_samples``: higher = more anomalous, in (0, 1].
Input is cast to float32 first, as scikit-learn does; each threshold is then compared as the
largest float32 not above it, which takes exactly the same branches and halves the bytes read.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import Detector

KEYS = ("children_left", "children_right", "feature", "threshold", "n_node_samples")


def average_path_length(n: np.ndarray) -> np.ndarray:
    """``c(n)``: 0 for n <= 1, 1 for n == 2, else ``2 (ln(n-1) + euler_gamma) - 2 (n-1)/n``.

    Parameters
    ----------
    n : array-like of node sample counts (any shape). Returns float64 of the same shape.
    """
    n = np.asarray(n, dtype=np.float64)
    safe = np.maximum(n, 3.0)
    c = 2.0 * (np.log(safe - 1.0) + np.euler_gamma) - 2.0 * (safe - 1.0) / safe
    return np.where(n <= 1.0, 0.0, np.where(n == 2.0, 1.0, c))


class IsolationForestDetector(Detector):
    """Isolation Forest scorer over padded tree arrays (see module docstring).

    explain_method: the shared median replacement (:mod:`anomascope.detectors.explain`): the
    change of the score when a feature is set to its training median. A forest grown in numpy
    (:mod:`anomascope.detectors.iforest_fit`) stores those medians as the array ``baseline``.

    Parameters
    ----------
    children_left, children_right, feature, n_node_samples : ndarray, int, (n_trees, max_nodes)
    threshold : ndarray, float64, (n_trees, max_nodes)
    input_dim : int
        Number of input features.
    max_samples : int
        Rows each tree was grown on (scikit-learn's ``max_samples_``).
    chunk_elements : int
        Bound on ``rows * n_trees`` handled at once (memory).
    """

    kind = "iforest"
    float64_keys: ClassVar[frozenset[str]] = frozenset({"threshold"})

    def __init__(
        self,
        children_left: np.ndarray,
        children_right: np.ndarray,
        feature: np.ndarray,
        threshold: np.ndarray,
        n_node_samples: np.ndarray,
        input_dim: int,
        max_samples: int,
        chunk_elements: int = 1 << 18,
    ) -> None:
        self.children_left_ = np.asarray(children_left, dtype=np.int32)
        self.children_right_ = np.asarray(children_right, dtype=np.int32)
        self.feature_ = np.asarray(feature, dtype=np.int32)
        self.tree_threshold_ = np.asarray(threshold, dtype=np.float64)
        self.n_node_samples_ = np.asarray(n_node_samples, dtype=np.int32)
        shape = self.children_left_.shape
        arrays = (self.children_right_, self.feature_, self.tree_threshold_, self.n_node_samples_)
        if len(shape) != 2 or any(a.shape != shape for a in arrays):
            raise AnomascopeError("tree arrays must all have shape (n_trees, max_nodes)")
        self.input_dim = int(input_dim)
        self.max_samples = int(max_samples)
        self.chunk_elements = int(chunk_elements)
        n_trees, max_nodes = shape
        leaf = self.children_left_ < 0
        inner_feat = self.feature_[~leaf]
        inner_kids = np.concatenate([self.children_left_[~leaf], self.children_right_[~leaf]])
        if inner_feat.size and (inner_feat.min() < 0 or inner_feat.max() >= self.input_dim):
            raise AnomascopeError("tree feature index out of range for input_dim")
        if inner_kids.size and (inner_kids.min() < 0 or inner_kids.max() >= max_nodes):
            raise AnomascopeError("tree child index out of range for max_nodes")
        # flat per-node tables: node id = tree * max_nodes + local index. A leaf (and padding)
        # points to itself on both sides with threshold +inf, so extra levels are no-ops.
        offs = (np.arange(n_trees, dtype=np.int64) * max_nodes)[:, None]
        ids = np.arange(n_trees * max_nodes, dtype=np.int64).reshape(shape)
        left = np.where(leaf, ids, self.children_left_ + offs).ravel()
        right = np.where(leaf, ids, self.children_right_ + offs).ravel()
        self._roots = offs[:, 0]
        depth, self.max_depth = self._node_depths(left, right, leaf.ravel())
        path = depth + average_path_length(self.n_node_samples_).ravel()
        self._set_walk_tables(left, right, leaf, path)
        self._norm = float(average_path_length(np.array([self.max_samples]))[0])
        self.threshold_: float | None = 0.5

    def _set_walk_tables(
        self, left: np.ndarray, right: np.ndarray, leaf: np.ndarray, path: np.ndarray
    ) -> None:
        """The tables :meth:`mean_path_length` walks, indexed by ``s = 2 * node id``.

        ``_step[s + go]`` is ``2 * child`` (``go`` = 1 when ``x > threshold``); ``_split[s]``
        (the split feature, int32, and the threshold's float32 bits, rounded down: see the
        module docstring, packed in one int64 so that a level reads both at once) and
        ``_path[s]`` (depth + ``c(leaf size)``) are the node's, stored at ``s`` and ``s + 1``.
        Indices are ``np.intp`` (int32 in the browser), so fancy indexing needs no cast.
        """
        self._step = (2 * np.stack([left, right], axis=1).ravel()).astype(np.intp)
        thr = np.where(leaf, np.inf, self.tree_threshold_).ravel()
        with np.errstate(over="ignore"):  # beyond float32's range: +-inf, then rounded down
            thr32 = thr.astype(np.float32)
        above = thr32.astype(np.float64) > thr
        thr32[above] = np.nextafter(thr32[above], np.float32(-np.inf))
        split = np.empty((thr.size, 2), dtype=np.int32)
        split[:, 0] = np.where(leaf, 0, self.feature_).ravel()
        split[:, 1] = thr32.view(np.int32)
        self._split = np.repeat(split.view(np.int64).ravel(), 2)
        self._path = np.repeat(path, 2)
        self._start = (2 * self._roots).astype(np.intp)

    def _node_depths(
        self, left: np.ndarray, right: np.ndarray, leaf: np.ndarray
    ) -> tuple[np.ndarray, int]:
        """Depth of every flat node (root 0) and the forest's maximum leaf depth."""
        depth = np.zeros(leaf.size, dtype=np.float64)
        frontier = self._roots.ravel()
        level = 0
        while True:  # loop over tree levels
            frontier = frontier[~leaf[frontier]]
            if frontier.size == 0:
                return depth, level
            level += 1
            frontier = np.concatenate([left[frontier], right[frontier]])
            if level > leaf.size or frontier.size > leaf.size:
                raise AnomascopeError("tree arrays do not form trees (a node is reached twice)")
            depth[frontier] = level

    @property
    def n_trees(self) -> int:
        return int(self.children_left_.shape[0])

    def mean_path_length(self, X: np.ndarray) -> np.ndarray:
        """Mean over trees of depth + ``c(leaf size)``, float64, shape ``(n,)``."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise AnomascopeError(f"expected rows with {self.input_dim} features, got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise AnomascopeError("input contains NaN or infinite values")
        n, d = X.shape
        out = np.empty(n, dtype=np.float64)
        step = max(1, self.chunk_elements // max(1, self.n_trees))
        step = min(step, max(1, np.iinfo(np.intp).max // max(1, d)))  # block offsets fit intp
        for start in range(0, n, step):  # loop over row blocks, not rows
            block = np.ascontiguousarray(X[start : start + step]).ravel()
            rows = min(n, start + step) - start
            row_base = (np.arange(rows, dtype=np.intp) * d)[:, None]
            s = np.repeat(self._start[None, :], rows, axis=0)  # (rows, n_trees): 2 * node
            for _ in range(self.max_depth):  # one tree level per iteration
                split = self._split[s].view(np.int32).reshape(rows, -1, 2)
                x = block[split[..., 0] + row_base]
                s += x > split[..., 1].view(np.float32)
                s = self._step[s]
            out[start : start + rows] = self._path[s].mean(axis=1)
        return out

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Anomaly scores in (0, 1], float64, shape ``(n,)``; equals
        ``-IsolationForest.score_samples(X)``."""
        mpl = self.mean_path_length(X)
        ratio = mpl / self._norm if self._norm != 0 else np.ones_like(mpl)
        return np.power(2.0, -ratio)

    def architecture(self) -> dict[str, Any]:
        arch: dict[str, Any] = {
            "input_dim": self.input_dim,
            "n_trees": self.n_trees,
            "max_nodes": int(self.children_left_.shape[1]),
            "max_samples": self.max_samples,
        }
        if self.baseline_ is not None:
            arch["baseline"] = True  # the training medians travel with the model
        return arch

    def state_dict(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {
            "children_left": self.children_left_,
            "children_right": self.children_right_,
            "feature": self.feature_,
            "threshold": self.tree_threshold_,
            "n_node_samples": self.n_node_samples_,
        }
        if self.baseline_ is not None:
            out["baseline"] = np.asarray(self.baseline_, dtype=np.float32)
        return out

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        shape = (int(architecture["n_trees"]), int(architecture["max_nodes"]))
        out: dict[str, tuple[int, ...]] = {k: shape for k in KEYS}
        if architecture.get("baseline"):
            out["baseline"] = (int(architecture["input_dim"]),)
        return out

    @classmethod
    def from_state(
        cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> IsolationForestDetector:
        det = cls(
            arrays["children_left"],
            arrays["children_right"],
            arrays["feature"],
            arrays["threshold"],
            arrays["n_node_samples"],
            input_dim=int(architecture["input_dim"]),
            max_samples=int(architecture["max_samples"]),
        )
        if "baseline" in arrays:
            det.baseline_ = np.asarray(arrays["baseline"], dtype=np.float32)
        return det

    @classmethod
    def from_trees(
        cls, trees: list[dict[str, np.ndarray]], input_dim: int, max_samples: int
    ) -> IsolationForestDetector:
        """Pad per-tree node arrays (dicts with :data:`KEYS`, 1-D each) into one forest."""
        if not trees:
            raise AnomascopeError("an isolation forest needs at least one tree")
        m = max(int(np.asarray(t["children_left"]).size) for t in trees)
        fill = {"children_left": -1, "children_right": -1, "feature": -2}
        padded = {}
        for k in KEYS:
            dtype = np.float64 if k == "threshold" else np.int32
            a = np.full((len(trees), m), fill.get(k, -2 if k == "threshold" else 0), dtype=dtype)
            for i, t in enumerate(trees):  # loop over trees, once at export time
                v = np.asarray(t[k])
                a[i, : v.size] = v
            padded[k] = a
        return cls(
            padded["children_left"],
            padded["children_right"],
            padded["feature"],
            padded["threshold"],
            padded["n_node_samples"],
            input_dim=input_dim,
            max_samples=max_samples,
        )
