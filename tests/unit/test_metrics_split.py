"""Labels from a label column and the seeded stratified fit / validation / test split."""

from __future__ import annotations

import numpy as np
import pytest

from anomascope import AnomascopeError
from anomascope.evaluation import (
    SPLIT,
    anomaly_labels,
    fit_rows,
    label_counts,
    row_scores,
    stratified_split,
    window_labels,
)


def refused(fn, *args) -> AnomascopeError:
    with pytest.raises(AnomascopeError) as info:
        fn(*args)
    return info.value


def test_split_is_stratified_disjoint_complete_and_seeded() -> None:
    y = np.zeros(1000, dtype=bool)
    y[np.random.default_rng(0).choice(1000, 100, replace=False)] = True
    split = stratified_split(y, 4)
    rows = np.concatenate(list(split.values()))
    assert np.array_equal(np.sort(rows), np.arange(1000))
    assert split["validation"].size == round(900 * SPLIT["validation"]) + 20
    assert split["test"].size == round(900 * SPLIT["test"]) + 30
    for name, share in (("validation", 20), ("test", 30), ("fit", 50)):
        assert int(y[split[name]].sum()) == share, name  # 10 % anomalies in each split
    again = stratified_split(y, 4)
    assert all(np.array_equal(split[k], again[k]) for k in split)
    other = stratified_split(y, 5)
    assert not np.array_equal(split["test"], other["test"])


def test_smallest_possible_classes() -> None:
    y = np.array([1, 1, 0, 0, 0], dtype=bool)
    split = stratified_split(y, 0)
    for name in ("validation", "test"):
        assert set(y[split[name]].tolist()) == {False, True}
    assert y[split["fit"]].tolist() == [False]


@pytest.mark.parametrize(("n_anom", "n_norm"), [(1, 50), (0, 50), (5, 2)])
def test_too_small_a_class_names_the_counts(n_anom: int, n_norm: int) -> None:
    y = np.array([True] * n_anom + [False] * n_norm)
    err = refused(stratified_split, y, 0, "target")
    assert err.field == "label_column"
    assert f"{n_anom} anomalous and {n_norm} normal" in str(err) and "'target'" in str(err)


def test_semi_supervised_fits_on_normal_fit_rows_only() -> None:
    y = np.array([0, 1] * 50, dtype=bool)
    split = stratified_split(y, 1)
    semi = fit_rows(split, y, "semi_supervised")
    assert not y[semi].any() and set(semi) <= set(split["fit"])
    assert np.array_equal(fit_rows(split, y, "unsupervised"), split["fit"])


def test_labels_from_text_and_numeric_columns() -> None:
    text = np.array(["a", "b", "a", "c", "b"], dtype=object)
    assert anomaly_labels(text, "cls", ["b", "c"]).tolist() == [False, True, False, True, True]
    numeric = np.array([0.0, 1.0, 0.0, 2.0])
    assert anomaly_labels(numeric, "y", ["1", "2.0"]).tolist() == [False, True, False, True]
    assert label_counts(numeric) == [["0", 2], ["1", 1], ["2", 1]]
    assert label_counts(text) == [["a", 2], ["b", 2], ["c", 1]]


def test_label_value_not_present_lists_the_values() -> None:
    err = refused(anomaly_labels, np.array(["ok", "bad", "ok"], dtype=object), "status", ["Bad"])
    assert err.field == "anomaly_values"
    assert "'Bad'" in str(err) and "'ok'" in str(err) and "'bad'" in str(err)


def test_one_class_and_missing_labels_are_refused() -> None:
    err = refused(anomaly_labels, np.array([1.0, 1.0, 1.0]), "y", ["1"])
    assert err.field == "label_column" and "one class" in str(err)
    err = refused(anomaly_labels, np.array(["a", None, "b"], dtype=object), "y", ["a"],
                  lambda i: i + 2)
    assert err.field == "label_column" and "row 3" in str(err)
    err = refused(anomaly_labels, np.array(["a", "b"], dtype=object), "y", ["a", "b"])
    assert err.field == "anomaly_values"
    err = refused(anomaly_labels, np.array(["a", "b"], dtype=object), "y", [])
    assert err.field == "anomaly_values"


def test_a_window_is_anomalous_when_any_row_is() -> None:
    labels = np.zeros(10, dtype=bool)
    labels[6] = True
    starts = np.array([0, 2, 4, 6])
    assert window_labels(labels, starts, 3).tolist() == [False, False, True, True]


def test_row_scores_are_the_highest_covering_window() -> None:
    starts = np.array([0, 2, 4])
    out = row_scores(np.array([1.0, 5.0, 2.0]), starts, 3, 8)
    assert out[:7].tolist() == [1.0, 1.0, 5.0, 5.0, 5.0, 2.0, 2.0] and np.isnan(out[7])
