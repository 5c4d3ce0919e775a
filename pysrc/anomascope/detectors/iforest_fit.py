"""Growing an Isolation Forest in numpy (Liu, Ting & Zhou 2008, as scikit-learn does it).

Each tree is grown on ``max_samples`` rows drawn without replacement (all rows when there are
fewer). A node with at least 2 rows, above the depth limit ``ceil(log2(max_samples))`` and
with at least one non-constant feature is split on a feature drawn uniformly among its
non-constant features, at a threshold drawn uniformly between that feature's minimum and
maximum in the node (scikit-learn's rule: a draw equal to the maximum becomes the minimum);
rows with ``x <= threshold`` go left. Other nodes are leaves. Scores then follow
:class:`anomascope.detectors.iforest.IsolationForestDetector` (depth + ``c(leaf size)``).

Vectorised: a group of trees is grown together, one level of all their nodes per loop
iteration (per-node minima and maxima with ``np.minimum.reduceat`` over rows sorted by node).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from anomascope import AnomascopeError
from anomascope.detectors.base import Detector
from anomascope.detectors.ecod import check_training
from anomascope.detectors.explain import median_steps
from anomascope.detectors.iforest import IsolationForestDetector

#: bound on trees * max_samples * d values grown in one step (about 100 ms in the browser)
GROW_ELEMENTS_PER_STEP = 250_000


def _level(
    vals: np.ndarray,
    rows: np.ndarray,
    node: np.ndarray,
    depth_ok: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Split every node of one level.

    Parameters
    ----------
    vals : float32 (m0, d)
        Values of every sampled row of the trees being grown (fixed for the whole growth).
    rows : int64 (m,)
        Rows of ``vals`` still in play (in nodes that are not leaves yet).
    node : int64 (m,)
        Node of each row in play.
    depth_ok : bool, indexed by node id
        Whether the node is above the depth limit.

    Returns
    -------
    dict with ``nodes`` (the level's node ids, sorted), ``count``, ``feature`` (per node; -1
    for a leaf), ``threshold``, ``rows`` (rows in play sorted by node) and ``right`` (per sorted
    row: goes to the right child).
    """
    order = np.argsort(node, kind="stable")
    sn, r = node[order], rows[order]
    starts = np.flatnonzero(np.r_[True, sn[1:] != sn[:-1]])
    nodes = sn[starts]
    count = np.diff(np.r_[starts, sn.size])
    n_nodes, d = nodes.size, vals.shape[1]
    seg = np.repeat(np.arange(n_nodes), count)
    feature = np.full(n_nodes, -1, dtype=np.int64)
    lo = np.zeros(n_nodes)
    hi = np.zeros(n_nodes)
    pending = (count >= 2) & depth_ok[nodes]
    tried = np.zeros((n_nodes, d), dtype=bool)
    every = np.arange(n_nodes)
    for _ in range(d):  # draw features until each node has a non-constant one (or none)
        if not pending.any():
            break
        draw = rng.random((n_nodes, d))
        draw[tried] = -1.0
        f = np.argmax(draw, axis=1)
        x = vals[r, f[seg]]
        f_lo = np.minimum.reduceat(x, starts).astype(np.float64)
        f_hi = np.maximum.reduceat(x, starts).astype(np.float64)
        ok = pending & (f_hi > f_lo)
        feature[ok], lo[ok], hi[ok] = f[ok], f_lo[ok], f_hi[ok]
        tried[every, f] = True
        pending &= ~ok & ~tried.all(axis=1)
    threshold = lo + rng.random(n_nodes) * (hi - lo)
    threshold = np.where(threshold == hi, lo, threshold)
    right = vals[r, np.maximum(feature, 0)[seg]].astype(np.float64) > threshold[seg]
    return {
        "nodes": nodes,
        "count": count,
        "feature": feature,
        "threshold": threshold,
        "rows": r,
        "right": right,
    }


def grow_trees(
    X: np.ndarray, n_trees: int, max_samples: int, rng: np.random.Generator
) -> list[dict[str, np.ndarray]]:
    """Grow ``n_trees`` isolation trees on float32 rows ``X`` ``(n, d)``.

    Returns
    -------
    list of dict
        Per tree, 1-D node arrays with the keys of
        :data:`anomascope.detectors.iforest.KEYS` (the input of ``from_trees``).
    """
    n, d = X.shape
    s = min(int(max_samples), n)
    max_depth = int(math.ceil(math.log2(max(s, 2))))
    sample = np.stack([rng.choice(n, size=s, replace=False) for _ in range(n_trees)])
    vals = X[sample.ravel()]
    rows = np.arange(vals.shape[0], dtype=np.int64)
    node = np.repeat(np.arange(n_trees, dtype=np.int64), s)  # global node ids, roots 0..T-1
    tree = [np.arange(n_trees)]
    left, right_c, feat, thr, count = [], [], [], [], []
    total = n_trees
    level_ids = np.arange(n_trees, dtype=np.int64)
    for level in range(max_depth + 1):  # one tree level per iteration
        depth_ok = np.zeros(total, dtype=bool)
        depth_ok[level_ids] = level < max_depth
        lv = _level(vals, rows, node, depth_ok, rng)
        nodes, split = lv["nodes"], lv["feature"] >= 0
        k = int(split.sum())
        kid = np.full(nodes.size, -1, dtype=np.int64)
        kid[split] = total + 2 * np.arange(k)
        left.append(kid)
        right_c.append(np.where(split, kid + 1, -1))
        feat.append(np.where(split, lv["feature"], -2))
        thr.append(np.where(split, lv["threshold"], -2.0))
        count.append(lv["count"])
        seg = np.repeat(np.arange(nodes.size), lv["count"])
        keep = split[seg]
        node = (kid[seg] + lv["right"])[keep]
        rows = lv["rows"][keep]
        tree.append(np.repeat(np.concatenate(tree)[nodes][split], 2))
        level_ids = total + np.arange(2 * k, dtype=np.int64)
        total += 2 * k
        if k == 0:
            break
    return _per_tree(
        np.concatenate(tree),
        [np.concatenate(a) for a in (left, right_c, feat, thr, count)],
        n_trees,
    )


def _per_tree(
    tree: np.ndarray, arrays: list[np.ndarray], n_trees: int
) -> list[dict[str, np.ndarray]]:
    """Global, level-ordered node arrays -> per-tree arrays with tree-local child indices."""
    left, right, feat, thr, count = arrays
    order = np.argsort(tree, kind="stable")  # global ids are level order within each tree
    local = np.empty(tree.size, dtype=np.int64)
    per_tree = np.bincount(tree, minlength=n_trees)
    first = np.r_[0, np.cumsum(per_tree)[:-1]]
    local[order] = np.arange(tree.size) - np.repeat(first, per_tree)
    out = []
    bounds = np.r_[first, tree.size]
    for t in range(n_trees):  # loop over trees: slicing only
        ids = order[bounds[t] : bounds[t + 1]]
        lt, rt = left[ids], right[ids]
        out.append(
            {
                "children_left": np.where(lt >= 0, local[np.maximum(lt, 0)], -1),
                "children_right": np.where(rt >= 0, local[np.maximum(rt, 0)], -1),
                "feature": feat[ids],
                "threshold": thr[ids],
                "n_node_samples": count[ids],
            }
        )
    return out


class IsolationForestFit(Detector):
    """An Isolation Forest grown in numpy (kind ``"iforest"``); after fitting it scores,
    explains and saves through its :class:`IsolationForestDetector` ``forest_``, and
    ``load_model`` gives back that class with identical scores.

    explain_method: the shared median replacement (:mod:`anomascope.detectors.explain`); the
    training medians are saved with the model.

    Parameters
    ----------
    n_trees : int
    max_samples : int
        Rows per tree (all rows when there are fewer).
    seed : int
        Seeds the row samples, features and thresholds: the same seed and data give the same
        forest.
    """

    kind = "iforest"
    float64_keys: ClassVar[frozenset[str]] = IsolationForestDetector.float64_keys

    def __init__(self, n_trees: int = 100, max_samples: int = 256, seed: int = 0) -> None:
        self.n_trees = int(n_trees)
        self.max_samples = int(max_samples)
        self.seed = int(seed)
        self.forest_: IsolationForestDetector | None = None
        self.threshold_: float | None = None

    def fit_steps(self, X: np.ndarray, y: np.ndarray | None = None) -> Iterator[float]:
        """Grow the forest a group of trees per step; yields the fraction of trees grown."""
        X = check_training(X, "Isolation Forest")
        if self.n_trees < 1 or self.max_samples < 2:
            raise AnomascopeError("Isolation Forest needs n_trees >= 1 and max_samples >= 2")
        rng = np.random.default_rng(self.seed)
        s = min(self.max_samples, X.shape[0])
        group = max(1, GROW_ELEMENTS_PER_STEP // (s * X.shape[1]))
        trees: list[dict[str, np.ndarray]] = []
        total = self.n_trees + 1  # the last share: the training medians (for explanations)
        while len(trees) < self.n_trees:  # loop over groups of trees
            size = min(group, self.n_trees - len(trees))
            trees.extend(grow_trees(X, size, s, rng))
            yield len(trees) / total
        base = np.empty(X.shape[1], dtype=np.float32)
        for cols in median_steps(X, base):
            if cols < X.shape[1]:
                yield (self.n_trees + cols / X.shape[1]) / total
        forest = IsolationForestDetector.from_trees(trees, input_dim=X.shape[1], max_samples=s)
        forest.baseline_ = self.baseline_ = base
        forest.threshold_ = self.threshold_
        self.forest_ = forest
        yield 1.0

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> IsolationForestFit:
        """Grow the forest on rows ``X`` ``(n, d)``; returns self."""
        for _ in self.fit_steps(X):
            pass
        return self

    def _fitted(self) -> IsolationForestDetector:
        if self.forest_ is None:
            raise AnomascopeError("this Isolation Forest is not fitted")
        return self.forest_

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Scores in (0, 1], float64 ``(n,)`` (see :class:`IsolationForestDetector`)."""
        return self._fitted().score_samples(X)

    def architecture(self) -> dict[str, Any]:
        return self._fitted().architecture()

    def state_dict(self) -> dict[str, np.ndarray]:
        return self._fitted().state_dict()

    @classmethod
    def expected_shapes(cls, architecture: dict[str, Any]) -> dict[str, tuple[int, ...]]:
        return IsolationForestDetector.expected_shapes(architecture)

    @classmethod
    def from_state(cls, architecture: dict[str, Any], arrays: dict[str, np.ndarray]) -> Detector:
        return IsolationForestDetector.from_state(architecture, arrays)
