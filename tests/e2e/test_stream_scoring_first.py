"""The stream's first scoring has the machine to itself: the offline copy is installed (every
file of the build downloaded again, the runtime compiled once more) only once every strategy
has scored the stream, and it is then installed as on any other page."""

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
