// First paint of the ECG lab: real beats on screen within moments of navigation, long before
// Python is ready. A classic script at the top of the page's <head> (not a module: it runs the
// moment it arrives, while the parser waits for it, ahead of the page's first layout and of the
// lab's forty ES modules, which a module script cannot), it
//  1. starts the Python worker, so Pyodide's downloads and WebAssembly compile overlap all of
//     that; it leaves {boot, worker, buffered} in globalThis.anomascopeEarlyWorker: `boot` is
//     what the worker loads before it is ready (lab/boot.js hands it to lab_app.js), `buffered`
//     every message the worker sends until common/client.js's PythonClient adopts it and
//     replays them (the hello request goes out with id 0, as client.js expects);
//  2. once the page is parsed, draws the first test beats in the loading panel, which the app
//     hides once it is ready. The beats sit in the page (<script type="application/json"
//     id="first-beats">, written by the build from the data file the worker loads:
//     sitebuild/pages.py first_beats), so nothing is fetched or unzipped first. The page then
//     marks <html data-first-paint="drawn">; the canvas carries the number of beats drawn and
//     the first beat's first values (data-beats, data-first-beat) for tests.
"use strict";

(() => {
  const COLUMNS = 6;

  // The boot options are left even if no worker could be started here (the page's client then
  // starts its own, and reports what goes wrong).
  function startWorker() {
    const boot = { datasets: ["ecg5000"], modelDataset: "ecg5000", schema: ["kinds", "metrics"] };
    globalThis.anomascopeEarlyWorker = { boot };
    const worker = new Worker(new URL("../common/worker.js", document.currentScript.src),
                              { type: "module" });
    // Web Locks and randomUUID need a secure context (see client.js); without them, no lifeline.
    const lifeline = navigator.locks ? `anomascope-worker-${crypto.randomUUID()}` : null;
    const buffered = [];
    worker.onmessage = ({ data }) => buffered.push(data);
    worker.onerror = (event) => {
      event.preventDefault();
      buffered.push({ event: "crashed", message: event.message || "unknown error" });
    };
    worker.postMessage({ id: 0, type: "hello", payload: { ...boot, lifeline } });
    globalThis.anomascopeEarlyWorker = { boot, worker, buffered };
  }

  // The page's beats: {shape: [n, steps], X: Float32Array (n * steps), y: number[]}.
  function readBeats() {
    const { shape, X, y } = JSON.parse(document.getElementById("first-beats").textContent);
    const bytes = Uint8Array.from(atob(X), (c) => c.charCodeAt(0));
    if (bytes.length !== shape[0] * shape[1] * 4) throw new Error("the first beats are damaged");
    return { shape, X: new Float32Array(bytes.buffer), y };
  }

  function drawBeats(canvas, { shape: [count, steps], X, y }) {
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const width = canvas.clientWidth;
    const rows = Math.ceil(count / COLUMNS);
    const cellW = width / COLUMNS;
    const cellH = Math.min(70, cellW * 0.8);
    const ratio = window.devicePixelRatio || 1;
    canvas.style.height = `${rows * cellH}px`;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(rows * cellH * ratio);
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    for (let i = 0; i < count; i += 1) {
      const beat = X.subarray(i * steps, (i + 1) * steps);
      const lo = Math.min(...beat);
      const span = Math.max(...beat) - lo || 1;
      const x0 = (i % COLUMNS) * cellW + 4;
      const y0 = Math.floor(i / COLUMNS) * cellH + 4;
      ctx.strokeStyle = color("--line");
      ctx.strokeRect(x0 - 2, y0 - 2, cellW - 4, cellH - 4);
      ctx.strokeStyle = y[i] === 1 ? color("--normal") : color("--abnormal");
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      beat.forEach((v, t) => {
        const px = x0 + (t / (steps - 1)) * (cellW - 8);
        const py = y0 + (1 - (v - lo) / span) * (cellH - 8);
        if (t === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      });
      ctx.stroke();
    }
  }

  function panel(count) {
    const figure = document.createElement("figure");
    figure.className = "first-paint";
    figure.style.margin = "14px 0 0";
    const canvas = document.createElement("canvas");
    canvas.id = "first-paint";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `The first ${count} beats of the ECG5000 test file`);
    canvas.style.width = "100%";
    canvas.style.display = "block";
    const caption = document.createElement("figcaption");
    caption.className = "hint";
    caption.textContent = `The first ${count} test beats (blue: labelled normal, orange: abnormal). `
      + "Scores and the controls come once Python is ready.";
    figure.append(canvas, caption);
    document.getElementById("loading").append(figure);
    return canvas;
  }

  function firstPaint() {
    const root = document.documentElement;
    if (root.dataset.appReady) return;  // the app was first: nothing to bridge
    const beats = readBeats();
    const canvas = panel(beats.shape[0]);
    drawBeats(canvas, beats);
    canvas.dataset.beats = String(beats.shape[0]);
    canvas.dataset.firstBeat = JSON.stringify(Array.from(beats.X.subarray(0, 8)));
    root.dataset.firstPaintMs = performance.now().toFixed(0);
    root.dataset.firstPaint = "drawn";
  }

  // A preview that cannot be drawn is left out; the loading panel and the app are unaffected.
  function firstPaintSafely() {
    try {
      firstPaint();
    } catch (err) {
      console.warn(`The first beats could not be drawn early: ${err.message}`);
    }
  }

  // The page's stylesheets (the beats' colours and the panel's width come from them): a
  // promise of all of them loaded (or failed). A sheet is set once its file has loaded.
  function stylesLoaded() {
    const links = [...document.querySelectorAll('link[rel="stylesheet"]')];
    return Promise.all(links.filter((link) => !link.sheet).map((link) => new Promise((done) => {
      link.addEventListener("load", done, { once: true });
      link.addEventListener("error", done, { once: true });
    })));
  }

  try {
    startWorker();
  } catch (err) {
    console.warn(`The Python worker could not be started early: ${err.message}`);
  }
  // The parser is still in the <head>: draw once it has finished (before deferred scripts run)
  // and the stylesheets are in.
  const parsed = new Promise((done) => {
    if (document.readyState !== "loading") done();
    else document.addEventListener("readystatechange", done, { once: true });
  });
  parsed.then(stylesLoaded).then(firstPaintSafely);
})();
