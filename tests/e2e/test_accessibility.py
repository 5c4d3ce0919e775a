"""Accessibility of the three pages: axe-core finds no serious or critical problem in any state
we can reach, every control is reachable and usable with the keyboard alone and shows where the
focus is, truth and verdicts are never told by colour alone, and reduced motion is respected.

The keyboard tests press keys only (Tab, Shift+Tab, Enter, Space, arrows, Home / End): no mouse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from served_site import BOOT_TIMEOUT_MS, READY

AXE = Axe()
TRAIN_TIMEOUT_MS = 60_000
SECTIONS = ["viewer", "explorer", "draw", "models", "replay", "about"]


# ---- helpers ------------------------------------------------------------------------------
def assert_axe_clean(page: Page, where: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    lines = [
        f"  {v['id']} ({v['impact']}): {v['help']}; "
        f"{[' '.join(n['target']) for n in v['nodes'][:3]]}"
        for v in bad
    ]
    assert not bad, f"axe found problems ({where}):\n" + "\n".join(lines)


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


def tab_to(page: Page, selector: str, back: bool = False, limit: int = 90) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


# Every element that should be a Tab stop (one per radio group), kept in the page for the walk.
TAB_STOPS_JS = """() => {
  const groups = new Set();
  window.__tabStops = [...document.querySelectorAll(
      'a[href], button, input, select, textarea, [tabindex]')]
    .filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
      && getComputedStyle(el).visibility === 'visible')
    .filter((el) => el.type !== 'radio' || (!groups.has(el.name) && groups.add(el.name)));
  return window.__tabStops.map(
    (el) => el.id || el.getAttribute('aria-label') || el.outerHTML.slice(0, 60));
}"""

# The focused element: which stop it is, its focus indicator, and whether it can be seen (the
# point near its top-left is the element itself, not a sticky bar drawn over it).
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const stop = el.type === 'radio'
    ? window.__tabStops.find((r) => r.type === 'radio' && r.name === el.name) : el;
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(
    r.left + Math.min(r.width / 2, 20), r.top + Math.min(r.height / 2, 8));
  const labels = [...(el.labels ?? [])];
  return {
    stop: window.__tabStops.indexOf(stop),
    name: `${el.tagName.toLowerCase()}#${el.id} `
      + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30),
    outline: `${cs.outlineStyle} ${cs.outlineWidth}`,
    indicated: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2)
      || cs.boxShadow !== 'none',
    clear: !!hit && (el.contains(hit) || hit.contains(el) || labels.some((l) => l.contains(hit))),
  };
}"""


def walk_focus(page: Page, where: str) -> int:
    """Tab once round the page (then once round backwards): every Tab stop is reached, and each
    shows a focus indicator of at least 2 px and is not hidden under anything."""
    stops = page.evaluate(TAB_STOPS_JS)
    assert stops, where
    problems: list[str] = []
    for key in ("Tab", "Shift+Tab"):
        reached: set[int] = set()
        first = None
        for _ in range(len(stops) + 6):
            page.keyboard.press(key)
            f = page.evaluate(FOCUS_JS)
            if f is None:
                continue  # the document itself, between the last stop and the first
            if f["stop"] == first:
                break
            first = f["stop"] if first is None else first
            reached.add(f["stop"])
            if not f["indicated"]:
                problems.append(f"{key}: no visible focus on {f['name']} (outline {f['outline']})")
            if not f["clear"]:
                problems.append(f"{key}: {f['name']} is covered by another element")
        missed = [stops[i] for i in range(len(stops)) if i not in reached]
        if missed:
            problems.append(f"{key} never reaches {missed}")
    assert not problems, f"focus ({where}):\n" + "\n".join(problems)
    return len(stops)


NO_MOTION_JS = """() => {
  const moving = [...document.querySelectorAll('*')].filter((el) => {
    const cs = getComputedStyle(el);
    return cs.animationName !== 'none'
      || cs.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
  });
  return { running: document.getAnimations().length,
           styled: moving.slice(0, 5).map((el) => el.tagName + '#' + el.id) };
}"""


def assert_still(page: Page) -> None:
    state = page.evaluate(NO_MOTION_JS)
    assert state == {"running": 0, "styled": []}, state


@pytest.fixture
def open_page(page: Page, guard, site_url: str) -> Iterator:  # type: ignore[no-untyped-def]
    """Open one of the pages and wait until it is ready; fails on console errors."""
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(f"pageerror: {exc}"))

    def go(path: str) -> Page:
        page.goto(site_url + path)
        page.wait_for_selector(READY, state="attached", timeout=BOOT_TIMEOUT_MS)
        return page

    yield go
    assert not guard.errors, f"console errors: {guard.errors}"


def show_section(page: Page, name: str) -> None:
    """Switch the ECG lab's tab with the arrow keys, from wherever the focus is."""
    tab_to(page, '[role=tab][aria-selected="true"]')
    current = page.evaluate("document.activeElement.dataset.section")
    step = SECTIONS.index(name) - SECTIONS.index(current)
    press(page, "ArrowRight" if step > 0 else "ArrowLeft", abs(step))
    expect(page.locator(f"#tab-{name}")).to_have_attribute("aria-selected", "true")
    assert focused(page, f"#tab-{name}")
    expect(page.locator(f"#{name}")).to_be_visible()


# ---- ECG lab ------------------------------------------------------------------------------
SECTION_READY = {
    "viewer": ("#readout-score", re.compile(r"\d")),
    "explorer": ("#cm-tp", re.compile(r"\d")),
    "draw": ("#draw-message", re.compile("Draw a beat")),
    "models": ("#cost-rows tr:first-child td:first-child", re.compile(r"\w")),
    "replay": ("#replay-readout", re.compile(r"^epoch \d+ of")),
    "about": ("#about-steps", re.compile(r"\w")),
}


def test_ecg_lab_every_tab_passes_axe_and_shows_focus(app: Page) -> None:
    counts = {}
    for name in SECTIONS:
        show_section(app, name)
        selector, text = SECTION_READY[name]
        expect(app.locator(selector)).to_have_text(text)
        assert_axe_clean(app, f"ECG lab, {name} tab")
        counts[name] = walk_focus(app, f"ECG lab, {name} tab")
    # the interactive canvases are Tab stops with a role, a name and a description of their keys
    for canvas in ("#beat-grid", "#draw-pad"):
        el = app.locator(canvas)
        expect(el).to_have_attribute("tabindex", "0")
        expect(el).to_have_attribute("role", "application")
        expect(el).to_have_attribute("aria-label", re.compile(r"\w"))
        keys = "arrow keys" if canvas == "#beat-grid" else "← / →"
        expect(app.locator(f"#{el.get_attribute('aria-describedby')}")).to_contain_text(keys)
    # the other canvases are pictures with a name
    for canvas in app.locator("canvas:not([tabindex])").all():
        expect(canvas).to_have_attribute("role", "img")
        expect(canvas).to_have_attribute("aria-label", re.compile(r"\w"))
    assert counts["draw"] > counts["viewer"] - 3, counts  # the pad and its buttons are stops


def test_ecg_lab_viewer_and_explorer_by_keyboard(app: Page) -> None:
    readout, status = app.locator("#readout-index"), app.locator("#beat-grid-status")
    # pick a model: the closed select takes the arrow keys
    tab_to(app, "#model-picker")
    first = app.locator("#model-picker").input_value()
    score = app.locator("#readout-score").inner_text()
    app.keyboard.press("ArrowDown")
    expect(app.locator("#model-picker")).not_to_have_value(first)
    expect(app.locator("#readout-score")).not_to_have_text(score)
    app.keyboard.press("ArrowUp")
    expect(app.locator("#model-picker")).to_have_value(first)
    expect(app.locator("#readout-score")).to_have_text(score)
    # the threshold slider: Home = lowest threshold (beat flagged), End = highest (not flagged)
    app.keyboard.press("Tab")
    assert focused(app, "#threshold-range")
    number = app.locator("#threshold-number")
    app.keyboard.press("Home")
    low = float(number.input_value())
    expect(app.locator("#readout-verdict")).to_have_text(re.compile("^Anomaly"))
    app.keyboard.press("End")
    expect(app.locator("#readout-verdict")).to_have_text(re.compile("^Normal"))
    assert float(number.input_value()) > low
    app.keyboard.press("ArrowLeft")
    assert float(number.input_value()) > low
    # verdicts carry a symbol and words, not colour only
    symbol = app.evaluate(
        "getComputedStyle(document.getElementById('readout-verdict'), '::before').content"
    )
    assert symbol == '"● "', symbol
    # the beat grid: arrow keys select, and the selection is announced in words
    tab_to(app, "#beat-grid")
    app.keyboard.press("ArrowRight")
    expect(readout).to_have_text("#1")
    expect(status).to_have_text(re.compile(r"^Beat #1: .+ \(class \d\); anomaly score [\d.e-]+; "))
    cols = app.evaluate("Math.floor(document.getElementById('beat-grid').clientWidth / 116)")
    app.keyboard.press("ArrowDown")
    expect(readout).to_have_text(f"#{1 + cols}")
    expect(status).to_contain_text(f"Beat #{1 + cols}:")
    app.keyboard.press("Home")
    expect(readout).to_have_text("#0")
    app.keyboard.press("End")
    expect(readout).not_to_have_text("#0")
    last = int(readout.inner_text()[1:])
    assert last >= 2 * cols - 1
    # next page with the pager button, then the grid selects on the new page
    tab_to(app, "#page-next", back=True)
    app.keyboard.press("Enter")
    expect(app.locator("#page-label")).to_contain_text("page 2 of")
    tab_to(app, "#beat-grid")
    app.keyboard.press("ArrowRight")
    expect(readout).to_have_text(f"#{last + 1}")
    assert "beat=" + str(last + 1) in app.url
    # tabs: arrows wrap, Home / End jump
    tab_to(app, "#tab-viewer", back=True)
    app.keyboard.press("ArrowLeft")
    expect(app.locator("#about")).to_be_visible()
    app.keyboard.press("Home")
    expect(app.locator("#viewer")).to_be_visible()
    app.keyboard.press("End")
    expect(app.locator("#tab-about")).to_have_attribute("aria-selected", "true")
    # explorer: presets by keyboard
    show_section(app, "explorer")
    tab_to(app, "#preset-model")
    app.keyboard.press("Enter")
    model_value = app.locator("#explain-model").inner_text().split(":")[0]
    expect(number).to_have_value(model_value)
    expect(app.locator("#metrics")).to_have_attribute("data-threshold", re.compile(r"\d"))
    tab_to(app, "#param-mean_k_std")
    app.keyboard.press("Control+A")
    app.keyboard.type("1")
    tab_to(app, "#preset-mean_k_std", back=True)
    expect(app.locator("#explain-mean_k_std")).to_contain_text("plus 1 ×")
    app.keyboard.press("Space")
    expect(number).to_have_value(app.locator("#explain-mean_k_std").inner_text().split(":")[0])
    assert number.input_value() != model_value
    # the confusion matrix cells say what they are in words
    for cell, words in (("tp", "true positives"), ("fn", "false negatives")):
        label = app.evaluate(
            f"getComputedStyle(document.getElementById('cm-{cell}'), '::after').content"
        )
        assert label == f'"{words}"', label


def test_ecg_lab_draw_replay_and_about_by_keyboard(app: Page) -> None:
    app.emulate_media(reduced_motion="reduce")
    show_section(app, "draw")
    # the pad is the panel's first Tab stop; the keyboard cursor starts mid-beat
    app.keyboard.press("Tab")
    assert focused(app, "#draw-pad")
    cursor, message = app.locator("#draw-cursor"), app.locator("#draw-message")
    score = app.locator("#draw-score")
    expect(cursor).to_have_text("Keyboard cursor: time step 70, value not drawn yet")
    app.keyboard.press("Home")
    app.keyboard.press("ArrowUp")  # the first edit: a flat line with 0.1 at time step 0
    expect(cursor).to_have_text("Keyboard cursor: time step 0, value 0.10")
    expect(message).to_contain_text("you drew 140 of the 140 time steps")
    app.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    flat = float(score.inner_text())
    press(app, "Shift+ArrowRight", 6)
    press(app, "ArrowRight", 2)
    press(app, "Shift+ArrowUp", 4)  # a spike of 4 at time step 62
    app.keyboard.press("PageDown")
    expect(cursor).to_have_text("Keyboard cursor: time step 62, value 3.00")
    app.wait_for_selector('#draw-message[data-settled="true"]', state="attached")
    expect(score).not_to_have_text(str(flat))
    assert float(score.inner_text()) > flat
    # the run of key edits is one stroke: Undo removes it
    tab_to(app, "#draw-undo")
    app.keyboard.press("Enter")
    expect(message).to_have_text("Draw a beat on the pad to score it.")
    expect(score).to_have_text("–")
    # start from a real beat, then edit it from the keyboard: the edit starts from that beat
    tab_to(app, "#draw-real")
    app.keyboard.press("Enter")
    expect(message).to_contain_text("you drew 140 of the 140")
    tab_to(app, "#draw-pad", back=True)
    app.keyboard.press("End")
    expect(cursor).to_have_text(re.compile(r"time step 139, value -?\d+\.\d\d$"))
    before = float(cursor.inner_text().rsplit(" ", 1)[1])
    app.keyboard.press("ArrowDown")
    expect(cursor).to_have_text(re.compile(rf"value {before - 0.1:.2f}$".replace("-0.00", "0.00")))

    # training replay: play / pause with Enter, scrub with the keys; reduced motion steps calmly
    show_section(app, "replay")
    readout = app.locator("#replay-readout")
    tab_to(app, "#replay-play")
    app.keyboard.press("Enter")
    play = app.locator("#replay-play")
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(play).to_have_attribute("data-frame-ms", "1000")
    expect(readout).not_to_contain_text("epoch 1 of", timeout=5_000)
    app.keyboard.press("Space")
    expect(play).to_have_attribute("aria-pressed", "false")
    assert_still(app)
    app.keyboard.press("Tab")
    assert focused(app, "#replay-epoch")
    app.keyboard.press("End")
    last = re.search(r"of (\d+)", readout.inner_text()).group(1)  # type: ignore[union-attr]
    expect(readout).to_contain_text(f"epoch {last} of {last}")
    app.emulate_media(reduced_motion="no-preference")
    tab_to(app, "#replay-play", back=True)
    app.keyboard.press("Enter")  # from the end, Play starts again at epoch 1
    expect(play).to_have_attribute("data-frame-ms", "70")
    expect(readout).to_contain_text(re.compile(r"^epoch ([2-9]|\d\d+) of"))
    app.keyboard.press("Enter")
    expect(play).to_have_attribute("aria-pressed", "false")

    # about: the radio group takes the arrow keys; the inline button goes to the explorer
    show_section(app, "about")
    tab_to(app, 'input[name="about-scale"]')
    app.keyboard.press("ArrowRight")
    expect(app.locator('input[value="model"]')).to_be_checked()
    expect(app.locator("#about-steps")).to_contain_text("preprocessing")
    tab_to(app, "#about [data-goto=explorer]")
    app.keyboard.press("Enter")
    expect(app.locator("#explorer")).to_be_visible()
    expect(app.locator("#tab-explorer")).to_have_attribute("aria-selected", "true")


# ---- train page ---------------------------------------------------------------------------
def test_train_page_by_keyboard_before_and_after_training(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("train.html#ep=3&n=200&nv=100&nt=200&bs=50")
    assert_axe_clean(page, "train page, before training")
    walk_focus(page, "train page, before training")
    tab_to(page, "#epochs")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Tab")  # the change is read when the field is left
    expect(page).to_have_url(re.compile(r"ep=4"))
    expect(page.locator("#config-status")).to_have_text("The configuration is valid.")
    tab_to(page, "#train")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-train-status=done]", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#progress-text")).to_contain_text("Finished: 4 epochs")
    expect(page.locator("#use")).to_be_enabled()
    assert_axe_clean(page, "train page, after training")
    walk_focus(page, "train page, after training")
    # the two series and the two classes are told apart by shape and words, not colour only
    expect(page.locator("#loss-chart + .legend")).to_contain_text("solid, ●")
    expect(page.locator("#loss-chart + .legend")).to_contain_text("dashed, ■")
    expect(page.locator("#latent + .legend")).to_contain_text("normal (●)")
    expect(page.locator("#latent + .legend")).to_contain_text("abnormal (▲)")
    # Step and Reset by keyboard
    tab_to(page, "#reset", back=True)
    page.keyboard.press("Space")
    expect(page.locator("#progress-text")).to_have_text("Not started")
    tab_to(page, "#step", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#progress")).to_have_attribute("data-epoch", "1")


# ---- stream page --------------------------------------------------------------------------
def test_stream_by_keyboard_with_axe_while_running_and_reduced_motion(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("stream.html")
    html, play = page.locator("html"), page.locator("#play")
    expect(page.locator("#info-panel")).to_be_visible()
    assert_axe_clean(page, "stream, first visit")
    walk_focus(page, "stream, first visit")
    tab_to(page, "#info-close")
    page.keyboard.press("Enter")
    expect(page.locator("#info-panel")).to_be_hidden()
    assert focused(page, "#info-open")  # the focus is not lost with the panel
    # play and pause with Enter on the Play button
    tab_to(page, "#play", back=True)
    page.keyboard.press("Enter")
    expect(play).to_have_text("Pause")
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(html).not_to_have_attribute("data-tick", "0")
    assert_axe_clean(page, "stream, running")
    page.keyboard.press("Enter")
    expect(play).to_have_text("Play")
    paused = int(html.get_attribute("data-tick") or 0)
    # the page's shortcuts work from the focused button: → steps one connection
    page.keyboard.press("ArrowRight")
    expect(html).to_have_attribute("data-tick", str(paused + 1))
    expect(page.locator("#tick-counter")).to_have_text(f"{paused + 1:,} / 10,000")
    # speed: the slider takes the arrow keys; ↑ / ↓ are shortcuts elsewhere
    label = page.locator("#speed-label")
    expect(label).to_have_text("80 ms per connection")
    tab_to(page, "#speed")
    page.keyboard.press("ArrowRight")
    expect(label).to_have_text("40 ms per connection")
    tab_to(page, "#play", back=True)
    page.keyboard.press("ArrowDown")
    expect(label).to_have_text("80 ms per connection")
    # the feed is a scrollable region the keyboard can reach; it tells the truth in symbols
    tab_to(page, ".feed-wrap")
    rows = page.locator("#feed-body tr")
    expect(rows.first).to_have_attribute("data-position", str(paused + 1))
    for row in rows.all()[:8]:
        attack = "attack" in (row.get_attribute("class") or "")
        expect(row.locator("td.truth")).to_have_text(re.compile("^▲ " if attack else "^● "))
        for call in row.locator("td.call").all():
            flagged = "attack" in (call.get_attribute("class") or "")
            wrong = flagged != attack
            expect(call).to_have_text(("▲" if flagged else "●") + ("✗" if wrong else ""))
            expect(call).to_have_attribute("title", re.compile("wrong" if wrong else "right"))
    page.keyboard.press("Space")  # scrolls the feed, does not start the stream
    expect(play).to_have_text("Play")
    # reduced motion: the ranking reorders at once, and nothing on the page moves by itself
    page.emulate_media(reduced_motion="reduce")
    tab_to(page, "#finish", back=True)
    page.keyboard.press("Enter")
    expect(html).to_have_attribute("data-tick", "10000", timeout=120_000)
    expect(page.locator("#summary")).to_be_visible()
    tab_to(page, "#rank-by")
    for metric in ("accuracy", "precision", "recall"):
        page.keyboard.press("ArrowDown")
        expect(page.locator("#ranking")).to_have_attribute("data-ranked-by", metric)
        expect(page.locator("#ranking")).to_have_attribute("data-reorder", "instant")
        assert_still(page)
    assert_axe_clean(page, "stream, finished")
