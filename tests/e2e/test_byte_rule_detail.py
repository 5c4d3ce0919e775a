"""The stream drill-down of a connection the KDD byte rule flags (issue 13 §4): the page says in
words which field passed which bound of which service, shows each model's own score beside the
final verdict, and names the byte field first among the contributions. Checked against numpy
here, from the model files and the stream asset the site serves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from served_site import DIST

from anomascope.weights import load_model_files

N = 10_000


@pytest.fixture(scope="module")
def ref() -> dict:
    with np.load(DIST / "data" / "kdd_stream.npz", allow_pickle=False) as npz:
        X, label = npz["features"][:N], npz["label"][:N]
        names = [str(v) for v in npz["label_names"]]
    models = {
        p.stem: load_model_files(Path(p.parent), p.stem)
        for p in sorted((DIST / "models").glob("kdd_*.json"))
    }
    assert models and all(m.rule is not None for m in models.values())
    return {"X": X, "label": label, "names": names, "models": models}


def test_a_back_attack_is_flagged_by_the_byte_rule_in_words(
    open_page: Callable[[str], Page], ref: dict
) -> None:
    X, models = ref["X"], ref["models"]
    back = np.flatnonzero(ref["label"] == ref["names"].index("back"))
    own = {n: m.detector.score_samples(m.preprocess(X[back])) for n, m in models.items()}
    # a back row that no model flags on its own score: only the rule catches it
    alone = [i for i in range(len(back)) if all(own[n][i] <= models[n].threshold for n in models)]
    assert alone, "every back row is flagged by some model alone"
    p = int(back[alone[0]])  # the built order plays row p at position p
    page = open_page(f"stream.html#at={p + 1}")
    page.evaluate("localStorage.setItem('anomascope.stream.info-dismissed', '1')")
    expect(page.locator("html")).to_have_attribute("data-tick", str(p + 1), timeout=120_000)
    newest = page.locator("#feed-body tr").first
    expect(newest).to_have_attribute("data-position", str(p + 1))
    newest.click()
    dialog = page.locator("#detail")
    expect(dialog).to_have_attribute("data-state", "ready")
    rule = next(iter(models.values())).rule
    (reason,) = rule.describe(X[p])
    assert reason["field"] == "src_bytes" and reason["category"] == "http"
    text = f"{reason['text']}: flagged by the byte rule"
    assert text.startswith("src_bytes ") and "above every normal http connection" in text
    expect(dialog.locator(".detail-rule li")).to_have_count(1)
    expect(dialog.locator(".detail-rule li").first).to_contain_text(text)
    for name, model in models.items():
        row = dialog.locator(f'.detail-scores tr[data-name="{name}"]')
        expect(row).to_have_attribute("data-rule", "flagged")
        final = float(model.score(X[p : p + 1])[0])
        assert float(row.get_attribute("data-score") or "nan") == pytest.approx(final, rel=1e-5)
        shown_own = float(row.locator("[data-own]").get_attribute("data-own") or "nan")
        assert shown_own == pytest.approx(float(own[name][alone[0]]), rel=1e-5, abs=1e-9)
        verdict = row.locator("td").nth(2)
        expect(verdict).to_contain_text("▲ attack ✓ right by the byte rule; the model alone:")
        expect(verdict).to_contain_text("below the threshold")
        contrib = row.locator("td.contrib")
        expect(contrib).to_contain_text("src_bytes (the byte rule)")
        assert contrib.inner_text().startswith("src_bytes (the byte rule)")
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()
