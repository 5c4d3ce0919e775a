"""The network stream's controls as a new user meets them (issue 14): keyboard shortcuts after a
click anywhere, no strategy at all, the info panel, a strategy switched on late, tied ranks,
the feed in step with the counter, and pile squares large enough to show their shape."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_stream import N, check_views_agree, ranking_counts, stream, tick, wait_tick

from anomascope.metrics import rates_from_counts

__all__ = ["stream"]  # the fixture, used by name


def dismiss_info(page: Page) -> None:
    page.click("#info-close")
    expect(page.locator("#info-panel")).to_be_hidden()


def play_pause_step(page: Page, after: str) -> None:
    """Space plays and pauses, → steps one tick, whatever was clicked last (`after`)."""
    page.keyboard.press("Space")
    expect(page.locator("#play"), after).to_have_text("Pause")
    start = tick(page)
    expect(page.locator("html")).not_to_have_attribute("data-tick", str(start), timeout=60_000)
    page.keyboard.press("Space")
    expect(page.locator("#play"), after).to_have_text(re.compile("^Play"))
    expect(page.locator("html")).to_have_attribute("data-clock", "idle")
    paused = tick(page)
    page.keyboard.press("ArrowRight")
    wait_tick(page, paused + 1)


def test_keyboard_plays_pauses_and_steps_after_clicking_each_control(stream: Page) -> None:
    dismiss_info(stream)
    assert stream.evaluate(
        "document.activeElement === document.body || "
        "document.activeElement === document.querySelector('main')"
    )
    play_pause_step(stream, "after Got it")
    for selector in ("#restart", "#step", "#speed"):
        stream.click(selector)
        play_pause_step(stream, f"after a click on {selector}")
    box = stream.locator("#setup-list input[type=checkbox]").first
    box.click()
    box.click()
    expect(box).to_be_checked()
    play_pause_step(stream, "after a click on a checkbox")
    expect(box).to_be_checked()  # Space did not toggle it
    for region in (".feed-wrap", "#strategies", "#visualized"):  # scrolling boxes, focused
        stream.locator(region).first.focus()
        play_pause_step(stream, f"with focus in {region}")
    stream.fill("#seed", "42")
    stream.press("#seed", "Enter")
    expect(stream.locator("#order-label")).to_have_text("Play order: shuffled with seed 42")


def test_with_no_strategy_play_is_disabled_and_the_truth_still_counts(stream: Page) -> None:
    dismiss_info(stream)
    for _ in range(8):
        stream.click("#step")
    wait_tick(stream, 8)
    attacks = stream.locator("#feed-body tr.attack").count()
    for box in stream.locator("#setup-list input[type=checkbox]").all():
        box.uncheck()
    expect(stream.locator("#play")).to_be_disabled()
    expect(stream.locator("#step")).to_be_disabled()
    expect(stream.locator("#play-reason")).to_be_visible()
    expect(stream.locator("#play-reason")).to_contain_text("Tick at least one strategy")
    expect(stream.locator("#truth-counter")).to_contain_text(
        f"{attacks} attacks, {8 - attacks} normal"
    )
    stream.locator("#setup-list input[type=checkbox]").first.check()
    expect(stream.locator("#play")).to_be_enabled()
    expect(stream.locator("#play-reason")).to_be_hidden()


def test_the_i_key_brings_the_info_panel_into_view(stream: Page) -> None:
    dismiss_info(stream)
    stream.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    stream.keyboard.press("i")
    panel = stream.locator("#info-panel")
    expect(panel).to_be_visible()
    expect(panel).to_be_in_viewport()


def test_a_strategy_switched_on_late_catches_up_without_a_rewind(stream: Page) -> None:
    dismiss_info(stream)
    rows = stream.locator("#setup-list .setup-row")
    names = [r.get_attribute("data-name") for r in rows.all()]
    for name in names[1:]:  # only the first strategy runs; the others are scored after it
        stream.locator(f'.setup-row[data-name="{name}"] input[type=checkbox]').uncheck()
    late = names[-1]
    # A new mix (rows not scored yet) with one strategy running: it is scored first, then the
    # others in turn. The last one is switched on the moment the stream ends, when the running
    # one is scored and it is not yet. From then on the tick never goes back.
    stream.evaluate(
        """([late, n]) => {
        window.lowestTick = Infinity;
        const row = document.querySelector(`.setup-row[data-name="${late}"]`);
        const box = row.querySelector("input[type=checkbox]");
        new MutationObserver(() => {
            const now = Number(document.documentElement.dataset.tick);
            if (now === n && !box.checked) {
                box.click();
                const note = () => row.querySelector(".hint").textContent;
                const later = () => { document.documentElement.dataset.lateNote = note(); };
                requestAnimationFrame(() => requestAnimationFrame(later));
            } else if (box.checked) window.lowestTick = Math.min(window.lowestTick, now);
        }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-tick"]});
    }""",
        [late, N],
    )
    stream.select_option("#mix", "novel")
    stream.click("#finish")
    wait_tick(stream, N, timeout=120_000)
    expect(stream.locator("#ranking .rank-card")).to_have_count(2)
    note = stream.locator(f'.setup-row[data-name="{late}"] .hint')
    # its note on the frames after the click: its scores were still being computed
    expect(stream.locator("html")).to_have_attribute("data-late-note", re.compile("^scored"))
    expect(note).not_to_contain_text("scored", timeout=120_000)
    expect(stream.locator("#summary")).to_be_visible()
    assert tick(stream) == N
    assert stream.evaluate("window.lowestTick") in (N, float("inf"))
    check_views_agree(stream, N)  # the late one counted every connection


def places_agree_with_values(page: Page) -> None:
    """Tied strategies share a place; a place is one more than the number ranked above."""
    counts = ranking_counts(page)
    values = {n: rates_from_counts(**c)["f1"] for n, c in counts.items()}
    key = {n: -1.0 if v != v else float(v) for n, v in values.items()}  # NaN ranks last
    for name in counts:
        place = page.locator(f'#ranking .rank-card[data-name="{name}"] .place').inner_text()
        above = sum(1 for other in counts if key[other] > key[name])
        assert place == f"#{above + 1}", (name, place, key)


def test_tied_strategies_share_a_rank(stream: Page) -> None:
    dismiss_info(stream)
    expect(stream.locator("#rank-by")).to_have_value("f1")
    places_agree_with_values(stream)  # nothing counted yet: all tied
    for k in (1, 2):
        stream.click("#step")
        wait_tick(stream, k)
        places_agree_with_values(stream)


def test_the_feed_and_the_counter_show_the_same_tick_at_speed(stream: Page) -> None:
    dismiss_info(stream)
    stream.evaluate("document.activeElement.blur()")
    for _ in range(8):
        stream.keyboard.press("ArrowUp")
    expect(stream.locator("#speed-label")).to_contain_text("max")
    stream.keyboard.press("Space")
    mismatches = stream.evaluate("""() => new Promise((done) => {
        const seen = [];
        const timer = setInterval(() => {
            const counter = Number(document.getElementById("tick-counter").textContent
                .split("/")[0].replace(/,/g, ""));
            const row = document.querySelector("#feed-body tr");
            const feed = row ? Number(row.dataset.position) : 0;
            if (counter !== feed) seen.push([counter, feed]);
        }, 5);
        setTimeout(() => { clearInterval(timer); done(seen); }, 1500);
    })""")
    stream.keyboard.press("Space")
    assert tick(stream) > 0
    assert mismatches == []


def square_sizes(page: Page) -> dict[str, int]:
    """Step until the first pile has drawn a true attack and a truly normal connection; the
    side in device pixels of each one's square (the pixels that changed on its step)."""
    found: dict[str, int] = {}
    while len(found) < 2 and tick(page) < 200:
        page.evaluate("""() => {
            const c = document.querySelector("#piles canvas");
            window.pileBefore = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        }""")
        t = tick(page)
        page.click("#step")
        wait_tick(page, t + 1)
        side = page.evaluate("""() => {
            const before = window.pileBefore;
            const c = document.querySelector("#piles canvas");
            const now = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let x0 = Infinity, x1 = -1;
            for (let i = 0; i < now.length; i += 4) {
                if (now[i + 3] !== before[i + 3] || now[i] !== before[i]) {
                    const x = (i / 4) % c.width;
                    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
                }
            }
            return x1 - x0 + 1;
        }""")
        truth = page.locator("#feed-body tr").first.get_attribute("class") or ""
        found.setdefault(truth, side)
    return found


def test_pile_squares_are_big_enough_to_show_their_shape(stream: Page) -> None:
    stream.set_viewport_size({"width": 1400, "height": 900})
    dismiss_info(stream)
    assert stream.evaluate("window.devicePixelRatio") == 1
    sizes = square_sizes(stream)
    assert sizes["attack"] >= 3, sizes  # a cell of at least 4 px, less a 1 px gap
    assert sizes["attack"] > sizes["normal"] >= 1, sizes


def test_a_reload_restores_the_view_from_the_url(stream: Page) -> None:
    dismiss_info(stream)
    rows = stream.locator("#setup-list .setup-row")
    names = [r.get_attribute("data-name") for r in rows.all()]
    stream.fill("#seed", "42")
    stream.press("#seed", "Enter")
    expect(stream.locator("#order-label")).to_have_text("Play order: shuffled with seed 42")
    stream.locator(f'.setup-row[data-name="{names[-1]}"] input[type=checkbox]').uncheck()
    number = stream.locator(f'.setup-row[data-name="{names[0]}"] .threshold-number')
    number.fill("0.5")
    number.press("Enter")
    stream.evaluate("document.activeElement.blur()")
    before = stream.locator("#speed-label").inner_text()
    stream.keyboard.press("ArrowUp")
    expect(stream.locator("#speed-label")).not_to_have_text(before)
    speed = stream.locator("#speed-label").inner_text()
    for _ in range(3):
        stream.keyboard.press("ArrowRight")
    wait_tick(stream, 3)
    counts = ranking_counts(stream)
    expect(stream).to_have_url(re.compile(r"#.*at=3"))
    stream.reload()
    stream.wait_for_selector('html[data-app-ready="true"]', state="attached", timeout=180_000)
    expect(stream.locator("#order-label")).to_have_text("Play order: shuffled with seed 42")
    wait_tick(stream, 3)
    expect(stream.locator("#speed-label")).to_have_text(speed)
    box = stream.locator(f'.setup-row[data-name="{names[-1]}"] input[type=checkbox]')
    expect(box).not_to_be_checked()
    expect(number).to_have_value("0.5")
    assert ranking_counts(stream) == counts
    expect(stream.locator("#notice")).to_be_hidden()


def test_a_bad_link_falls_back_with_a_notice(stream: Page) -> None:
    url = stream.url.split("#")[0]
    stream.goto("about:blank")
    stream.goto(url + "#seed=abc&speed=99&at=5&run=nope")
    stream.wait_for_selector('html[data-app-ready="true"]', state="attached", timeout=180_000)
    notice = stream.locator("#notice")
    expect(notice).to_contain_text("seed “abc” is not a whole number")
    expect(notice).to_contain_text("speed “99”")
    expect(notice).to_contain_text("strategy “nope” is not in this build")
    expect(stream.locator("#order-label")).to_have_text("Play order: as built (stream seed 1999)")
    expect(stream.locator("#play")).to_be_disabled()  # run= named no strategy of this build
    assert tick(stream) == 0
