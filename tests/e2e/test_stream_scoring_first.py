"""The stream's first scoring and its playing have the machine to themselves: the offline copy
is installed (every file of the build downloaded again, the runtime compiled once more) only
once every strategy has scored the stream and the page has stopped playing, and it is then
installed as on any other page."""

from __future__ import annotations

# Counts the score_stream requests sent to the Python worker and their replies, and takes a
# copy of both counts when the page registers its service worker.
RECORDER = """(() => {
  const counts = { sent: 0, replied: 0 };
  const ids = new Set();
  window.__scoring = counts;
  window.__atRegister = [];
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", ({ data }) => {
        if (data && ids.delete(data.id)) counts.replied++;
      });
    }
    postMessage(message, transfer) {
      if (message && message.type === "score_stream") { ids.add(message.id); counts.sent++; }
      return super.postMessage(message, transfer);
    }
  };
  const register = ServiceWorkerContainer.prototype.register;
  ServiceWorkerContainer.prototype.register = function (...args) {
    window.__atRegister.push({ ...counts });
    return register.apply(this, args);
  };
})();"""


def test_offline_copy_is_installed_after_the_first_scoring(open_page, context) -> None:  # type: ignore[no-untyped-def]
    context.add_init_script(RECORDER)
    page = open_page("stream.html")
    page.wait_for_selector('html[data-offline-ready="true"]', state="attached", timeout=60_000)
    page.wait_for_selector("#scoring-status[data-ms]", state="attached", timeout=60_000)
    at_register = page.evaluate("window.__atRegister")
    total = page.evaluate("window.__scoring")
    assert len(at_register) == 1 and total["sent"] > 0
    # every chunk of the first scoring was asked for and answered before the install began
    assert at_register[0] == total and total["sent"] == total["replied"]
    assert page.evaluate("document.documentElement.dataset.busy") is None
    assert page.evaluate("!!navigator.serviceWorker.controller")


# Records, in page time, each call of the page to register its service worker.
REGISTERED_AT = """(() => {
  window.__registeredAt = [];
  const register = ServiceWorkerContainer.prototype.register;
  ServiceWorkerContainer.prototype.register = function (...args) {
    window.__registeredAt.push(performance.now());
    return register.apply(this, args);
  };
})();"""

# Resolves once the stream's tick reaches `k` (checked every frame).
TICK_AT_LEAST = """(k) => new Promise((done) => {
  const at = () => Number(document.documentElement.dataset.tick);
  const wait = () => (at() >= k ? done() : requestAnimationFrame(wait));
  wait();
})"""


def test_offline_copy_waits_until_the_stream_stops_playing(open_page, context) -> None:  # type: ignore[no-untyped-def]
    context.add_init_script(REGISTERED_AT)
    page = open_page("stream.html")
    page.click("#info-close")
    page.fill("#speed", "6")  # 20 ms a tick: 300 ticks are 6 s of play, busy all along
    page.dispatch_event("#speed", "input")
    page.click("#play")
    page.evaluate(TICK_AT_LEAST, 300)
    assert "playing" in page.evaluate("document.documentElement.dataset.busy")
    assert page.evaluate("window.__registeredAt") == []
    page.click("#play")  # pause
    paused_at = page.evaluate("performance.now()")
    page.wait_for_selector('html[data-offline-ready="true"]', state="attached", timeout=60_000)
    registered = page.evaluate("window.__registeredAt")
    assert len(registered) == 1 and registered[0] > paused_at
    assert page.evaluate("document.documentElement.dataset.busy") is None
