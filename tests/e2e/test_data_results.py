"""The data page's results, end to end with the network cut: the breast cancer example with its
label column, three detectors fitted in the browser, and every number checked against the same
computation run natively here (same file, same seed -> same split -> same scores): the
comparison table's ROC AUCs, the confusion matrix after the threshold moves (by keyboard and by
dragging on the histogram), the scored CSV, and the downloaded model, scored again by the CLI
and uploaded back to the page."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
from a11y_checks import assert_axe_clean
from data_results_page import (
    BREAST_CANCER,
    ROOT,
    choose_detectors,
    fit,
    load_example,
    shown_errors,
    wait_results,
)
from playwright.sync_api import Page, expect

from anomascope.detectors.fitting import TABLE_PARAMS, make_detector
from anomascope.evaluation import anomaly_labels, fit_rows, stratified_split
from anomascope.preprocessing import apply_preprocessing
from anomascope.tables import feature_matrix, fit_preparation, parse_table

KINDS = ["pca", "ecod", "iforest"]
SEED = 0
LABEL, ANOMALY = "diagnosis", "malignant"


def native_run() -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Labels (bool, (n,)), the split (name -> row indices) and every kind's scores of every
    row (float64, (n,)), computed natively from the example file as the page asks for it."""
    table = parse_table(BREAST_CANCER.read_bytes(), BREAST_CANCER.name)
    features = [name for name in table.names if name != LABEL]
    labels = anomaly_labels(table.column(LABEL), LABEL, [ANOMALY])
    split = stratified_split(labels, SEED, LABEL)
    rows = fit_rows(split, labels, "unsupervised")
    spec = fit_preparation(table, features, rows)
    X = apply_preprocessing(spec, feature_matrix(table, features)).astype(np.float32)
    scores = {}
    for kind in KINDS:
        defaults = {k: v["default"] for k, v in TABLE_PARAMS[kind].items()}
        detector = make_detector(kind, defaults, SEED)
        detector.fit(X[rows])
        scores[kind] = np.asarray(detector.score_samples(X), dtype=np.float64)
    return labels, split, scores


def numpy_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic, ties counted half (average ranks)."""
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    average_rank = np.cumsum(counts) - (counts - 1) / 2.0
    ranks = average_rank[inverse]
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def cell_value(page: Page, kind: str, col: str) -> float:
    cell = page.locator(f'#results-table tr[data-kind="{kind}"] td[data-col="{col}"]')
    return float(cell.get_attribute("data-value") or "nan")


def confusion_on_page(page: Page) -> dict[str, int]:
    cells = page.locator("#results-explorer [data-cell]")
    return {
        str(c.get_attribute("data-cell")): int(c.inner_text().replace(",", ""))
        for c in cells.all()
    }


def settled_threshold(page: Page, before: str) -> float:
    """Wait until the explorer shows Python's numbers for a threshold other than ``before``."""
    page.wait_for_function(
        """(before) => { const e = document.getElementById('results-explorer');
             return e.dataset.pending === 'false' && e.dataset.threshold !== before; }""",
        arg=before,
    )
    return float(page.locator("#results-explorer").get_attribute("data-threshold") or "nan")


def check_confusion(page: Page, scores: np.ndarray, y: np.ndarray, threshold: float) -> None:
    flagged = scores > threshold
    expected = {
        "tp": int(np.sum(flagged & y)), "fp": int(np.sum(flagged & ~y)),
        "tn": int(np.sum(~flagged & ~y)), "fn": int(np.sum(~flagged & y)),
    }
    assert confusion_on_page(page) == expected, threshold


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_results_match_numpy_and_the_model_round_trips(  # type: ignore[no-untyped-def]
    open_page, tmp_path: Path
) -> None:
    labels, split, scores = native_run()
    test = split["test"]
    page = open_page("data.html")
    load_example(page, "breast_cancer", "breast_cancer.csv")
    page.select_option("#label-column", LABEL)
    page.check(f'#anomaly-checks input[value="{ANOMALY}"]')
    choose_detectors(page, KINDS)
    assert fit(page) == "done", shown_errors(page)
    wait_results(page)
    assert_axe_clean(page, "data page with results")

    # the notes say which split every number comes from, in Python's words
    note = f"Metrics are on the {test.size} test rows"
    expect(page.locator("#results-split-note")).to_contain_text(note)
    expect(page.locator("#results-rule-note")).to_contain_text("best F1")
    # the comparison table's AUCs are numpy's on the same test rows
    for kind in KINDS:
        expected = numpy_auc(scores[kind][test], labels[test])
        assert abs(cell_value(page, kind, "auc") - expected) < 1e-6, kind

    # sorting by AUC, by keyboard: highest first
    page.locator('#results-table button[data-sort="auc"]').focus()
    page.keyboard.press("Enter")
    order = page.locator("#results-table tbody tr").evaluate_all(
        "(rows) => rows.map((r) => r.dataset.kind)"
    )
    aucs = [numpy_auc(scores[k][test], labels[test]) for k in order]
    assert aucs == sorted(aucs, reverse=True)

    # the explorer follows the selected detector; the threshold moves by keyboard and by drag
    page.click('#results-table tr[data-kind="iforest"] th button')
    page.wait_for_selector(
        '#results-explorer[data-kind="iforest"][data-pending=false]', state="attached"
    )
    chosen = page.locator("#results-explorer").get_attribute("data-threshold") or ""
    check_confusion(page, scores["iforest"][test], labels[test], float(chosen))
    page.focus("#results-histogram")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    moved = settled_threshold(page, chosen)
    assert moved > float(chosen)
    check_confusion(page, scores["iforest"][test], labels[test], moved)
    box = page.locator("#results-histogram").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    dragged = settled_threshold(page, str(moved))
    assert dragged < moved
    check_confusion(page, scores["iforest"][test], labels[test], dragged)

    # top anomalies: ranked by the selected detector, with contributions and the method
    first = page.locator("#top-table tbody tr").first
    top_row = int(first.get_attribute("data-row") or 0)
    assert top_row == int(np.argmax(scores["iforest"])) + 2  # line 1 is the header
    expect(first.locator(".contributions li")).to_have_count(3)
    expect(page.locator("#top-method")).not_to_be_empty()

    # the scored CSV: every row, the original columns plus a score and a verdict per detector
    with page.expect_download() as info:
        page.click("#export-csv")
    scored = tmp_path / "scored.csv"
    info.value.save_as(scored)
    header, rows = read_csv(scored)
    original_header, original_rows = read_csv(BREAST_CANCER)
    added = header[len(original_header):]
    assert header[: len(original_header)] == original_header
    assert sorted(added) == sorted(f"{k}_{w}" for k in KINDS for w in ("score", "anomaly"))
    assert len(rows) == len(original_rows) == labels.size
    assert [r[: len(original_header)] for r in rows] == original_rows
    for kind in KINDS:
        column = np.array([float(r[header.index(f"{kind}_score")]) for r in rows])
        np.testing.assert_allclose(column, scores[kind], rtol=1e-6, atol=1e-12, err_msg=kind)
        threshold = cell_value(page, kind, "threshold")
        verdicts = [r[header.index(f"{kind}_anomaly")] for r in rows]
        assert verdicts == [str(int(s > threshold)) for s in column], kind

    # the selected detector's model: two files, scored again natively by the CLI, uploaded back
    page.fill("#export-name", "bc_iforest")
    files = []
    for which in ("json", "npz"):
        with page.expect_download() as info:
            page.click(f"#export-{which}")
        target = tmp_path / f"bc_iforest.{which}"
        info.value.save_as(target)
        assert info.value.suggested_filename == target.name
        files.append(target)
    cli = subprocess.run(
        [sys.executable, "-m", "anomascope", "score", "--model", str(tmp_path / "bc_iforest"),
         str(BREAST_CANCER)], capture_output=True, text=True, cwd=ROOT, check=True,
    )
    cli_scores = np.array([float(line) for line in cli.stdout.split()])
    csv_scores = np.array([float(r[header.index("iforest_score")]) for r in rows])
    np.testing.assert_allclose(cli_scores, csv_scores, rtol=1e-6)
    page.set_input_files("#model-upload", [str(f) for f in files])
    status = page.locator("#model-upload-status")
    expect(status).to_contain_text("identical to the fitted detector")
    assert status.get_attribute("data-rows") == str(labels.size)
    assert float(status.get_attribute("data-max-difference") or "nan") <= 1e-6 * csv_scores.max()
