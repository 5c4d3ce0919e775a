"""Soak figures for ``build.py bench`` (issue 7): memory before and after long use of one page.

:func:`measure_soak` keeps one page open per activity and repeats it:

- ``stream``: ``stream.html`` plays the 10,000-connection stream to the end ``RUNS`` times at
  the fastest speed, every strategy on; each run first draws a new shuffle, so the worker
  scores the whole stream again;
- ``training``: ``train.html`` trains ``RUNS`` models with the page's default configuration.

Before and after, both the page and its worker are garbage-collected (DevTools protocol) and
measured:

- ``page_js_heap_bytes`` and ``worker_js_heap_bytes``: used V8 heap (``Runtime.getHeapUsage``);
- ``wasm_memory_bytes``: the WebAssembly memory Python lives in. It never shrinks, so it is the
  high-water mark of Python's memory;
- ``python_objects``: live Python objects after ``gc.collect()``.

The worker has no benchmark hook: the last two are read like a debugger would, through the
DevTools protocol, from the worker module's ``pyodide`` variable (found in the scopes of the
worker's message handler); see :func:`_python_memory`.

Each figure gets a growth in percent; ``meets_target`` says whether every growth is within
``TARGET_GROWTH_PERCENT``. The ready page is warmed up by one run first, so one-time caches
(compiled code, first-use buffers) are not counted as growth.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bench import wait_until
from bench.stream import root_data, set_max_speed, wait_for_seed

RUNS = 10
TARGET_GROWTH_PERCENT = 20.0
READY = 'html[data-app-ready="true"]'


class WorkerProtocol:
    """DevTools-protocol access to a page's dedicated worker, which Playwright's CDP sessions
    cannot address directly: attach to its target and exchange messages through the browser."""

    def __init__(self, browser: Any, page: Any, url_suffix: str) -> None:
        self.page = page
        self.session = browser.new_browser_cdp_session()
        targets = self.session.send("Target.getTargets")["targetInfos"]
        worker = next(t for t in targets if t["type"] == "worker" and t["url"].endswith(url_suffix))
        attached = self.session.send(
            "Target.attachToTarget", {"targetId": worker["targetId"], "flatten": False}
        )
        self.session_id = attached["sessionId"]
        self.replies: dict[int, dict] = {}
        self.next_id = 0
        self.session.on("Target.receivedMessageFromTarget", self._receive)

    def _receive(self, event: dict) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self.replies[message["id"]] = message

    def send(self, method: str, params: dict | None = None, timeout_s: float = 120) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        self.session.send(
            "Target.sendMessageToTarget",
            {"sessionId": self.session_id, "message": json.dumps(message)},
        )
        deadline = time.monotonic() + timeout_s
        while self.next_id not in self.replies:
            if time.monotonic() > deadline:
                raise RuntimeError(f"soak bench: no reply from the worker to {method}")
            self.page.wait_for_timeout(20)  # lets Playwright deliver the protocol events
        reply = self.replies.pop(self.next_id)
        if "error" in reply:
            raise RuntimeError(f"soak bench: {method}: {reply['error']}")
        return reply["result"]


# Called on the worker's Pyodide object: its WebAssembly memory and the live Python objects.
_PYTHON_MEMORY = """function () {
  return {
    wasmBytes: this._module.HEAPU8.buffer.byteLength,
    pythonObjects: this.runPython("import gc; gc.collect(); len(gc.get_objects())"),
  };
}"""


def _properties(worker: WorkerProtocol, object_id: str) -> dict[str, Any]:
    return worker.send("Runtime.getProperties", {"objectId": object_id, "ownProperties": True})


def _pyodide_object(worker: WorkerProtocol) -> str:
    """Remote object id of the worker module's ``pyodide`` variable: the module scope is one
    of the ``[[Scopes]]`` of the ``onmessage`` handler the module installs."""
    handler = worker.send("Runtime.evaluate", {"expression": "onmessage"})["result"]
    if "objectId" not in handler:
        raise RuntimeError("soak bench: the worker has no message handler")
    internal = _properties(worker, handler["objectId"]).get("internalProperties", [])
    scopes = next((p["value"] for p in internal if p["name"] == "[[Scopes]]"), None)
    if scopes is None:
        raise RuntimeError("soak bench: the worker's message handler shows no [[Scopes]]")
    for scope in _properties(worker, scopes["objectId"])["result"]:
        if "objectId" not in scope.get("value", {}):
            continue
        for variable in _properties(worker, scope["value"]["objectId"])["result"]:
            if variable["name"] == "pyodide" and "objectId" in variable.get("value", {}):
                return str(variable["value"]["objectId"])
    raise RuntimeError("soak bench: no loaded `pyodide` in the scopes of the worker module")


def _python_memory(worker: WorkerProtocol) -> dict[str, int]:
    """WebAssembly memory bytes and live Python objects of the worker's Pyodide."""
    reply = worker.send(
        "Runtime.callFunctionOn",
        {
            "objectId": _pyodide_object(worker),
            "functionDeclaration": _PYTHON_MEMORY,
            "returnByValue": True,
        },
    )
    if "value" not in reply["result"]:
        raise RuntimeError(f"soak bench: reading the worker's Python memory failed: {reply}")
    value = reply["result"]["value"]
    return {
        "wasm_memory_bytes": int(value["wasmBytes"]),
        "python_objects": int(value["pythonObjects"]),
    }


def _memory(page: Any, page_cdp: Any, worker: WorkerProtocol) -> dict[str, int]:
    page_cdp.send("HeapProfiler.collectGarbage")
    worker.send("HeapProfiler.collectGarbage")
    python = _python_memory(worker)
    return {
        "page_js_heap_bytes": int(page_cdp.send("Runtime.getHeapUsage")["usedSize"]),
        "worker_js_heap_bytes": int(worker.send("Runtime.getHeapUsage")["usedSize"]),
        **python,
    }


def _stream_run(page: Any, seed: int) -> None:
    page.fill("#seed", str(seed))
    page.click("#use-seed")
    wait_for_seed(page, seed, 120)
    wait_until(page, "document.getElementById('scoring-status').dataset.ms !== undefined", 300)
    page.click("#play")
    n = root_data(page, "length")
    wait_until(page, f"document.documentElement.dataset.tick === '{n}'", 600)


# Counts the train page's arrivals at "done", so a run is never mistaken for the one before.
_COUNT_FINISHED = """() => {
  window.__soakFinished = 0;
  new MutationObserver(() => {
    if (document.body.dataset.trainStatus === "done") window.__soakFinished += 1;
  }).observe(document.body, { attributes: true, attributeFilter: ["data-train-status"] });
}"""


def _training_run(page: Any, run: int) -> None:
    page.click("#train")
    wait_until(page, f"window.__soakFinished === {run + 1}", 600)


def _soak(browser: Any, url: str, run: Any, prepare: Any = None) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_selector(READY, state="attached", timeout=180_000)
        if prepare:
            prepare(page)
        page_cdp = context.new_cdp_session(page)
        worker = WorkerProtocol(browser, page, "/static/js/common/worker.js")
        run(page, 0)  # warm-up
        before = _memory(page, page_cdp, worker)
        start = time.perf_counter()
        for i in range(1, RUNS + 1):
            run(page, i)
        seconds = time.perf_counter() - start
        after = _memory(page, page_cdp, worker)
        worker.session.detach()
    finally:
        context.close()
    growth = {k: round(100 * (after[k] - before[k]) / before[k], 1) + 0.0 for k in before}
    return {
        "runs": RUNS,
        "seconds": round(seconds, 1),
        "before": before,
        "after": after,
        "growth_percent": growth,
        "meets_target": all(g <= TARGET_GROWTH_PERCENT for g in growth.values()),
    }


def _prepare_stream(page: Any) -> None:
    page.evaluate("localStorage.setItem('anomascope.stream.info-dismissed', '1')")
    set_max_speed(page)


def measure_soak(browser: Any, base_url: str) -> dict[str, Any]:
    """Memory before and after ``RUNS`` stream runs and ``RUNS`` trainings (see module doc).

    Parameters
    ----------
    browser : a Playwright ``Browser`` (sync API), Chromium.
    base_url : the served site's root URL, ending in ``/``.
    """
    return {
        "target_growth_percent": TARGET_GROWTH_PERCENT,
        "stream": _soak(
            browser, base_url + "stream.html", lambda p, i: _stream_run(p, 100 + i), _prepare_stream
        ),
        "training": _soak(
            browser, base_url + "train.html", _training_run, lambda p: p.evaluate(_COUNT_FINISHED)
        ),
    }


if __name__ == "__main__":  # python -m bench.soak: measure the built dist/ once
    from bench.site import print_figures

    print_figures(measure_soak)
