"""The network stream page: six strategies classify the KDD stream live, in three synced views.

Counts shown by the page are checked against the numpy package's own metrics computed here, in
the test process, from the same model files and the same stream asset.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from served_site import BOOT_TIMEOUT_MS, DIST, READY

from anomascope.data import kdd
from anomascope.metrics import (
    METRIC_DEFINITIONS,
    METRIC_ORDER,
    confusion_counts,
    rates_from_counts,
)
from anomascope.weights import LoadedModel, load_model_files

N = 10_000
COUNTS = re.compile(r"TP (\d+) · FP (\d+) · TN (\d+) · FN (\d+)")


@pytest.fixture
def stream(page: Page, guard, site_url: str) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """The stream page, loaded and ready; fails on console errors at teardown."""
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))
    page.goto(site_url + "stream.html")
    page.wait_for_selector("html[data-app-ready]", state="attached", timeout=BOOT_TIMEOUT_MS)
    assert page.locator(READY).count() == 1, page.locator("#notice").inner_text()
    yield page
    assert not guard.errors, f"console errors: {guard.errors}"


@pytest.fixture(scope="module")
def reference() -> dict:
    """The stream asset and every KDD model the site serves, scored by numpy here."""
    with np.load(DIST / "data" / "kdd_stream.npz", allow_pickle=False) as npz:
        X, anomaly = npz["features"], npz["anomaly"].astype(bool)
    models: dict[str, LoadedModel] = {}
    for manifest in sorted((DIST / "models").glob("kdd_*.json")):
        models[manifest.stem] = load_model_files(Path(manifest.parent), manifest.stem)
    assert models, "the build has no KDD models"
    scores = {name: np.asarray(m.score(X), dtype=np.float64) for name, m in models.items()}
    return {"X": X, "anomaly": anomaly, "models": models, "scores": scores}


def tick(page: Page) -> int:
    return int(page.evaluate("document.documentElement.dataset.tick"))


def card_counts(page: Page, selector: str) -> dict[str, dict[str, int]]:
    out = {}
    for el in page.locator(selector).all():
        name = el.get_attribute("data-name")
        text = el.locator(".counts, .pile-counts").first.inner_text()
        tp, fp, tn, fn = map(int, COUNTS.search(text).groups())  # type: ignore[union-attr]
        out[name] = {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    return out


def ranking_counts(page: Page) -> dict[str, dict[str, int]]:
    return card_counts(page, "#ranking .rank-card")


def arithmetic(text: str) -> float:
    """Value of a formula with the counts put in, such as ``6 / (6 + 4 + 2)``: whole numbers,
    ``+``, ``*``, ``/`` and brackets only; NaN for a division by zero."""

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return float(node.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mult | ast.Div):
            a, b = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Mult):
                return a * b
            return a / b if b else math.nan
        raise AssertionError(f"not plain arithmetic: {text!r}")

    return value(ast.parse(text, mode="eval").body)


def check_shown_value(text: str, rate: float) -> None:
    """A metric shows to three decimals (JavaScript rounds a tie up, Python to even, so the last
    digit may differ by one on an exact tie) and an undefined one as a dash."""
    if math.isnan(rate):
        assert text == "–"
    else:
        assert re.fullmatch(r"\d\.\d{3}", text), text
        assert abs(float(text) - rate) <= 0.0005 + 1e-9, (text, rate)


def check_views_agree(page: Page, expected_tick: int) -> dict[str, dict[str, int]]:
    """Ranking, piles and formulas show the same counts, which add up to the tick; every
    formula is Python's, filled in with those counts, and its value is the one shown."""
    counts = ranking_counts(page)
    assert counts == card_counts(page, "#piles .pile")
    for name, c in counts.items():
        assert sum(c.values()) == expected_tick, name
        card = page.locator(f'#ranking .rank-card[data-name="{name}"]')
        rates = rates_from_counts(**c)
        for metric in METRIC_ORDER:
            row = card.locator(f'[data-metric="{metric}"]')
            formula = str(METRIC_DEFINITIONS[metric]["formula"]).replace(" ", "")
            text = row.locator(".formula").inner_text()  # shown without spaces on the cards
            assert text.startswith(f"{formula} = "), (name, metric, text)
            filled = arithmetic(text.removeprefix(f"{formula} = "))
            want = float(rates[metric])
            assert (math.isnan(filled) and math.isnan(want)) or filled == pytest.approx(want)
            check_shown_value(row.locator(".value").inner_text(), want)
    return counts


def wait_tick(page: Page, value: int, timeout: float = 30_000) -> None:
    expect(page.locator("html")).to_have_attribute("data-tick", str(value), timeout=timeout)


def wait_finished(page: Page) -> None:
    wait_tick(page, N, timeout=120_000)


def wait_for_counts(page: Page, name: str, c: dict[str, int]) -> None:
    counts = page.locator(f'#ranking .rank-card[data-name="{name}"] .counts')
    expect(counts).to_have_text(f"TP {c['tp']} · FP {c['fp']} · TN {c['tn']} · FN {c['fn']}")


def test_play_pause_and_step_keep_every_panel_in_step(stream: Page) -> None:
    expect(stream.locator("#info-panel")).to_be_visible()  # first visit
    stream.click("#info-close")
    expect(stream.locator("#info-panel")).to_be_hidden()
    assert stream.evaluate("localStorage.getItem('anomascope.stream.info-dismissed')") == "1"
    names = [el.get_attribute("data-name") for el in stream.locator("#ranking .rank-card").all()]
    assert len(names) >= 1
    assert tick(stream) == 0

    stream.evaluate("document.activeElement.blur()")
    stream.keyboard.press("Space")  # play
    expect(stream.locator("#play")).to_have_text("Pause")
    expect(stream.locator("html")).to_have_attribute(
        "data-tick", re.compile(r"^([3-9]|\d\d+)$"), timeout=60_000
    )
    stream.click("#play")  # pause
    expect(stream.locator("#play")).to_have_text("Play")
    # Paused, the clock stops scheduling frames: once it says so, the tick can no longer move
    # (the steps below then find every view at exactly paused + 1, + 2, + 3).
    expect(stream.locator("html")).to_have_attribute("data-clock", "idle")
    paused = tick(stream)
    before = check_views_agree(stream, paused)

    for _ in range(3):
        stream.keyboard.press("ArrowRight")  # step one tick
        wait_tick(stream, paused + 1)
        paused += 1
        after = check_views_agree(stream, paused)
        newest = stream.locator("#feed-body tr").first
        expect(newest).to_have_attribute("data-position", str(paused))
        attack = newest.get_attribute("class") == "attack"
        assert newest.locator("td.truth").inner_text().startswith("▲" if attack else "●")
        for name in names:
            cell = newest.locator(f'td.call[data-strategy="{name}"]')
            flagged = "attack" in (cell.get_attribute("class") or "")
            key = {
                (True, True): "tp",
                (True, False): "fp",
                (False, False): "tn",
                (False, True): "fn",
            }[(flagged, attack)]
            diff = {k: after[name][k] - before[name][k] for k in after[name]}
            assert diff == {k: int(k == key) for k in diff}, (name, diff, key)
            assert ("✗" in cell.inner_text()) == (flagged != attack)
        before = after
    expect(stream.locator("#tick-counter")).to_have_text(f"{paused:,} / {N:,}")
    speed = stream.locator("#speed-label").inner_text()
    stream.keyboard.press("ArrowUp")  # faster
    expect(stream.locator("#speed-label")).not_to_have_text(speed)
    stream.keyboard.press("End")  # skip to finish
    wait_finished(stream)


def test_skip_to_finish_matches_numpy_metrics(stream: Page, reference: dict) -> None:
    stream.click("#finish")
    wait_finished(stream)
    counts = check_views_agree(stream, N)
    assert set(counts) == set(reference["models"])
    for name, shown in counts.items():
        model = reference["models"][name]
        want = confusion_counts(
            reference["scores"][name], reference["anomaly"], float(model.detector.threshold_)
        )
        assert shown == {k: int(v) for k, v in want.items()}, name
        rates = rates_from_counts(**shown)
        card = stream.locator(f'#ranking .rank-card[data-name="{name}"]')
        for metric in METRIC_ORDER:
            text = card.locator(f'[data-metric="{metric}"] .value').inner_text()
            check_shown_value(text, float(rates[metric]))
    for name, c in counts.items():  # every connection has its square, on the right side
        label = stream.locator(f'#piles .pile[data-name="{name}"] canvas').get_attribute(
            "aria-label"
        )
        left, right = map(
            int, re.search(r"(\d+) called attack.*?(\d+) called normal", label or "").groups()
        )  # type: ignore[union-attr]
        assert (left, right) == (c["tp"] + c["fp"], c["tn"] + c["fn"]) and left + right == N
    expect(stream.locator("#summary")).to_be_visible()
    assert stream.locator("#standings li").count() == len(counts)
    status = stream.locator("#scoring-status")
    expect(status).to_have_attribute("data-strategies", str(len(counts)))
    assert float(status.get_attribute("data-ms") or "nan") > 0


def between_scores(scores: np.ndarray, q: float) -> float:
    """A threshold near quantile ``q`` halfway between two distinct scores, so the last-bit
    differences between numpy here and numpy in the browser (KDD has many duplicate rows
    with equal scores) cannot flip a verdict."""
    u = np.unique(scores)
    i = min(int(q * len(u)), len(u) - 2)
    gaps = np.diff(u[i:]) > 1e-5 * np.maximum(np.abs(u[i:-1]), 1e-3)
    j = i + int(np.argmax(gaps))
    return float((u[j] + u[j + 1]) / 2)


def test_moving_a_threshold_reclassifies_the_past(stream: Page, reference: dict) -> None:
    stream.click("#finish")
    wait_finished(stream)
    name = sorted(reference["models"])[0]
    scores = reference["scores"][name]
    original = ranking_counts(stream)[name]
    for threshold in (between_scores(scores, 0.5), between_scores(scores, 0.95)):
        box = stream.locator(f'#setup-list .setup-row[data-name="{name}"] .threshold-number')
        box.fill(repr(threshold))
        box.press("Enter")
        want = {
            k: int(v) for k, v in confusion_counts(scores, reference["anomaly"], threshold).items()
        }
        wait_for_counts(stream, name, want)
        assert check_views_agree(stream, N)[name] == want
    stream.locator(f'#setup-list .setup-row[data-name="{name}"] button').click()  # reset
    wait_for_counts(stream, name, original)
    assert ranking_counts(stream)[name] == original


def test_restart_and_a_new_shuffle_keep_the_final_counts(stream: Page, reference: dict) -> None:
    stream.click("#finish")
    wait_finished(stream)
    final = ranking_counts(stream)
    stream.keyboard.press("Home")  # restart
    wait_tick(stream, 0)
    expect(stream.locator("#summary")).to_be_hidden()
    expect(stream.locator("#feed-body tr")).to_have_count(0)
    assert all(sum(c.values()) == 0 for c in ranking_counts(stream).values())

    stream.click("#shuffle")  # shuffles in quick succession, while scoring is under way
    stream.click("#shuffle")
    stream.fill("#seed", "42")
    stream.click("#use-seed")
    expect(stream.locator("#order-label")).to_have_text("Play order: shuffled with seed 42")
    stream.click("#step")
    wait_tick(stream, 1)
    first_row = int(kdd.reshuffle(N, 42)[0])
    with np.load(DIST / "data" / "kdd_stream.npz", allow_pickle=False) as npz:
        label = str(npz["label_names"][npz["label"][first_row]])
    expect(stream.locator("#feed-body tr").first.locator("td.truth")).to_have_text(
        re.compile(rf"^[▲●] {re.escape(label)}$")
    )
    stream.click("#finish")
    wait_finished(stream)
    assert ranking_counts(stream) == final  # the order changes, the totals do not
    expect(stream.locator("#notice")).to_be_hidden()


def test_switching_a_strategy_off_and_on_keeps_the_views_in_step(stream: Page) -> None:
    names = [el.get_attribute("data-name") for el in stream.locator("#ranking .rank-card").all()]
    for _ in range(5):
        stream.click("#step")
    wait_tick(stream, 5)
    name = names[-1]
    box = stream.locator(f'#setup-list .setup-row[data-name="{name}"] input[type=checkbox]')
    box.uncheck()
    expect(stream.locator("#ranking .rank-card")).to_have_count(len(names) - 1)
    expect(stream.locator("#piles .pile")).to_have_count(len(names) - 1)
    expect(stream.locator(f'#feed-body td[data-strategy="{name}"]')).to_have_count(0)
    stream.click("#step")
    wait_tick(stream, 6)
    box.check()
    expect(stream.locator("#ranking .rank-card")).to_have_count(len(names))
    expect(stream.locator(f'#feed-body td[data-strategy="{name}"]')).to_have_count(6)
    check_views_agree(stream, 6)  # the returning strategy counts the connections it missed


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_ranking_reorders_with_flip_unless_motion_is_reduced(stream: Page, motion: str) -> None:
    stream.emulate_media(reduced_motion=motion)
    stream.click("#finish")
    wait_finished(stream)
    first = {}
    titles = stream.locator("#rank-by option").all_inner_texts()  # the default (F1) first
    menu = ("f1", "accuracy", "precision", "recall")
    assert titles == [METRIC_DEFINITIONS[m]["title"] for m in menu]
    for metric in ("precision", "recall", "accuracy", "f1"):
        stream.select_option("#rank-by", metric)
        expect(stream.locator("#ranking")).to_have_attribute("data-ranked-by", metric)
        cards = stream.locator("#ranking .rank-card")
        first[metric] = cards.first.get_attribute("data-name")
        values = [  # an undefined metric ("–") ranks last
            -1.0 if v == "–" else float(v)
            for v in cards.locator(f'[data-metric="{metric}"] .value').all_inner_texts()
        ]
        assert values == sorted(values, reverse=True), metric
    assert len(set(first.values())) > 1, "the metrics should not all crown the same strategy"
    expected = "instant" if motion == "reduce" else "animated"
    expect(stream.locator("#ranking")).to_have_attribute("data-reorder", expected)


def test_a_terminated_worker_is_restarted_with_the_settings_kept(stream: Page) -> None:
    stream.fill("#seed", "7")
    stream.click("#use-seed")
    expect(stream.locator("#order-label")).to_have_text("Play order: shuffled with seed 7")
    names = [el.get_attribute("data-name") for el in stream.locator("#ranking .rank-card").all()]
    stream.locator(
        f'#setup-list .setup-row[data-name="{names[-1]}"] input[type=checkbox]'
    ).uncheck()
    expect(stream.locator("#ranking .rank-card")).to_have_count(len(names) - 1)
    stream.workers[0].evaluate("close()")  # ends without an error event
    notice = stream.locator("#notice")
    expect(notice).to_contain_text("starts again with your settings", timeout=120_000)
    expect(notice).to_contain_text("The Python engine stopped (it was terminated)")
    expect(stream.locator("#order-label")).to_have_text("Play order: shuffled with seed 7")
    expect(stream.locator("#ranking .rank-card")).to_have_count(len(names) - 1)
    stream.click("#finish")
    wait_finished(stream)
    check_views_agree(stream, N)
