"""The stream page's drill-down, feed history, detection by attack type and mixes (issue 13 §2).

Everything the page shows is checked against numpy here, in the test process, from the same
stream asset and model files the site serves.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from a11y_checks import assert_axe_clean
from playwright.sync_api import Page, expect
from served_site import DIST

from anomascope.data import kdd
from anomascope.data import kdd_mixes as mixes
from anomascope.weights import LoadedModel, load_model_files

N = 10_000


def stream_table() -> dict:
    """The page's table (stream rows then pool rows) as built: ``X``, ``label`` and the label
    ``names``."""
    with np.load(DIST / "data" / "kdd_stream.npz", allow_pickle=False) as npz:
        X = np.concatenate([npz["features"], npz["pool_features"]])
        label = np.concatenate([npz["label"], npz["pool_label"]])
        names = [str(v) for v in npz["label_names"]]
    return {"X": X, "label": label, "names": names}


@pytest.fixture(scope="module")
def ref() -> dict:
    """The page's table (stream then pool), its labels and every KDD model's scores by row."""
    table = stream_table()
    X = table["X"]
    models: dict[str, LoadedModel] = {}
    for manifest in sorted((DIST / "models").glob("kdd_*.json")):
        models[manifest.stem] = load_model_files(Path(manifest.parent), manifest.stem)
    scores = {name: np.asarray(m.score(X), dtype=np.float64) for name, m in models.items()}
    return {**table, "models": models, "scores": scores}


@pytest.fixture
def stream(open_page: Callable[[str], Page]) -> Callable[[str], Page]:
    def go(hash_: str = "") -> Page:
        page = open_page("stream.html" + hash_)
        page.evaluate("localStorage.setItem('anomascope.stream.info-dismissed', '1')")
        return page

    return go


def finish(page: Page) -> None:
    page.click("#finish")
    expect(page.locator("html")).to_have_attribute("data-tick", str(N), timeout=180_000)
    expect(page.locator("#summary")).to_be_visible(timeout=60_000)


def check_detail(page: Page, ref: dict, row: int, position: int) -> None:
    """The open drill-down shows row ``row`` of the table at play ``position``."""
    dialog = page.locator("#detail")
    expect(dialog).to_have_attribute("data-state", "ready")
    expect(dialog.locator(".detail-title")).to_have_text(f"Connection #{position + 1:,}")
    name = ref["names"][ref["label"][row]]
    truth = dialog.locator(".detail-truth")
    expect(truth).to_have_attribute("data-label", name)
    expect(truth).to_have_attribute("data-category", mixes.category_of(name))
    expect(truth).to_have_attribute(
        "data-novel", str(name != "normal" and mixes.is_novel(name)).lower()
    )
    fields = dialog.locator(".detail-fields dl > div")
    expect(fields).to_have_count(kdd.N_FEATURES)
    x = ref["X"][row]
    for j, field in enumerate(kdd.FEATURE_NAMES):
        text = dialog.locator(f'.detail-fields [data-field="{field}"] dd').inner_text()
        if field in kdd.CATEGORICAL:
            assert text == kdd.CATEGORICAL[field][int(x[j])], field
        else:
            assert float(text) == pytest.approx(float(x[j]), rel=1e-5), field
    for model, scores in ref["scores"].items():
        shown = dialog.locator(f'.detail-scores tr[data-name="{model}"]')
        got = float(shown.get_attribute("data-score") or "nan")
        assert got == pytest.approx(scores[row], rel=1e-5, abs=1e-9), model


def test_a_false_negative_opens_with_its_fields_and_scores(stream, ref: dict) -> None:  # type: ignore[no-untyped-def]
    model = sorted(ref["models"])[0]
    threshold = ref["models"][model].threshold
    missed = np.flatnonzero((ref["label"][:N] != 0) & (ref["scores"][model][:N] <= threshold))
    p = int(missed[0])  # the built order plays row p at position p
    page = stream(f"#at={p + 1}")
    expect(page.locator("html")).to_have_attribute("data-tick", str(p + 1), timeout=120_000)
    newest = page.locator("#feed-body tr").first
    expect(newest).to_have_attribute("data-position", str(p + 1))
    newest.click()
    check_detail(page, ref, p, p)
    verdict = page.locator(f'#detail .detail-scores tr[data-name="{model}"] td').nth(2)
    expect(verdict).to_have_text("● normal ✗ wrong")
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).not_to_be_visible()


def test_keyboard_opens_a_row_and_a_pile_and_focus_returns(stream, ref: dict) -> None:  # type: ignore[no-untyped-def]
    page = stream("#at=5")
    expect(page.locator("html")).to_have_attribute("data-tick", "5", timeout=120_000)
    page.focus(".feed-wrap")
    page.keyboard.press("Tab")  # the feed's one tab stop: its first row
    first = page.locator("#feed-body tr").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    second = page.locator("#feed-body tr").nth(1)
    expect(second).to_be_focused()
    expect(page.locator("#speed-label")).to_have_text("80 ms per connection")  # not "slower"
    page.keyboard.press("Enter")
    check_detail(page, ref, 3, 3)
    assert_axe_clean(page, "stream, drill-down open")
    page.keyboard.press("Space")  # a key inside the dialog does not play the stream
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).not_to_be_visible()
    expect(second).to_be_focused()
    expect(page.locator("#play")).to_have_text("Play")
    pile = page.locator("#piles .pile canvas").first
    pile.focus()
    page.keyboard.press("Enter")  # a pile opens its newest connection
    check_detail(page, ref, 4, 4)
    page.keyboard.press("Escape")
    expect(pile).to_be_focused()


def test_filter_by_type_and_export_matches_the_stream(stream, ref: dict) -> None:  # type: ignore[no-untyped-def]
    page = stream()
    finish(page)
    code = ref["names"].index("neptune")
    page.select_option("#feed-type", str(code))
    rows = np.flatnonzero(ref["label"][:N] == code)
    expect(page.locator("#feed-count")).to_have_text(f"{len(rows):,} of {N:,} connections match")
    expect(page.locator("#feed-body tr").first).to_have_attribute(
        "data-position", str(rows[-1] + 1)
    )
    with page.expect_download() as info:
        page.click("#feed-export")
    text = Path(info.value.path()).read_text()
    table = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["position"]) - 1 for r in table] == rows.tolist()
    assert {r["label"] for r in table} == {"neptune"} and {r["category"] for r in table} == {"dos"}
    for r in table[:50]:
        row = int(r["row"])
        assert float(r["src_bytes"]) == pytest.approx(float(ref["X"][row, 4]), rel=1e-6)
        for model, scores in ref["scores"].items():
            assert float(r[f"{model}_score"]) == pytest.approx(scores[row], rel=1e-5, abs=1e-9)
            flagged = scores[row] > float(r[f"{model}_threshold"])
            assert r[f"{model}_verdict"] == ("attack" if flagged else "normal")
    # One strategy's misses: exactly the attacks it scored at or under its threshold.
    model = sorted(ref["models"])[0]
    page.select_option("#feed-type", "-1")
    page.select_option("#feed-show", "fn")
    page.select_option("#feed-strategy", model)
    missed = (ref["label"][:N] != 0) & (ref["scores"][model][:N] <= ref["models"][model].threshold)
    expect(page.locator("#feed-count")).to_have_text(
        f"{int(missed.sum()):,} of {N:,} connections match"
    )


def test_the_per_type_table_adds_up_to_the_stream_counts(stream, ref: dict) -> None:  # type: ignore[no-untyped-def]
    page = stream()
    finish(page)
    label = ref["label"][:N]
    caught_by_any = np.zeros(len(ref["names"]), dtype=bool)
    for model, scores in ref["scores"].items():
        flagged = scores[:N] > ref["models"][model].threshold
        counts = page.locator(f'#ranking .rank-card[data-name="{model}"] .counts').inner_text()
        tp = int(counts.split("TP ")[1].split(" ")[0])
        total = page.locator(f'#types-table tr.total td[data-strategy="{model}"]')
        expect(total).to_have_attribute("data-caught", str(tp))
        expect(total).to_have_attribute("data-seen", str(int((label != 0).sum())))
        for tr in page.locator("#types-table tbody tr:not(.total)").all():
            code = ref["names"].index(tr.get_attribute("data-type") or "")
            cell = tr.locator(f'td[data-strategy="{model}"]')
            assert int(cell.get_attribute("data-caught") or -1) == int(
                (flagged & (label == code)).sum()
            )
            assert int(cell.get_attribute("data-seen") or -1) == int((label == code).sum())
        caught_by_any[np.unique(label[flagged & (label != 0)])] = True
    present = set(np.unique(label[label != 0]).tolist())
    uncaught = sorted(ref["names"][c] for c in present if not caught_by_any[c])
    shown = (page.locator("#summary-uncaught").get_attribute("data-types") or "").split(",")
    assert sorted(t for t in shown if t) == uncaught
    novel_rows = page.locator("#summary-types tbody tr:has(.badge.novel)")
    novel_names = {ref["names"][c] for c in present if mixes.is_novel(ref["names"][c])}
    expect(novel_rows).to_have_count(len(novel_names))


def test_the_novel_attacks_mix_holds_only_novel_types(stream, ref: dict) -> None:  # type: ignore[no-untyped-def]
    page = stream()
    page.select_option("#mix", "novel")
    expect(page.locator("#mix-composition")).to_contain_text("8,000 normal, 2,000 attacks")
    expect(page).to_have_url(re.compile(r"#(.*&)?mix=novel"))
    expected = mixes.mix_rows(ref["label"], ref["names"], N, "novel", kdd.STREAM_SEED)
    attack_types = {ref["names"][c] for c in ref["label"][expected] if c != 0}
    assert attack_types and all(mixes.is_novel(t) for t in attack_types)
    finish(page)
    types = {
        tr.get_attribute("data-type")
        for tr in page.locator("#types-table tbody tr:not(.total)").all()
    }
    assert types == attack_types
    with page.expect_download() as info:
        page.click("#feed-export")
    table = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert [int(r["row"]) for r in table] == expected.tolist()
    assert {r["novel"] for r in table if r["label"] != "normal"} == {"yes"}
