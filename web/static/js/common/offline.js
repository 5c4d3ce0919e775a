// Registers the service worker that makes the app work offline after one visit, and offers a
// reload when a newer build has been installed beside the running one.
const banner = document.getElementById("update-banner");

function offerReload(registration) {
  banner.hidden = false;
  banner.querySelector("button").onclick = () => {
    registration.waiting?.postMessage("skip-waiting");
  };
}

// Installing the worker downloads every file of the build again, and compiling the runtime ahead
// (below) takes a core for a second or two: both are background work, so each waits until the
// page has been settled for QUIET_MS: ready (or failed), and, when ready, not busy (see
// common/busy.js: the stream scoring its connections or playing, a model training). So neither
// competes with a first visit's start-up, the stream's frames or training, nor starts in a short
// pause between two plays.
const QUIET_MS = 3000;

function settledFor(ms) {
  const root = document.documentElement;
  const settled = () => root.dataset.appReady && (root.dataset.appReady !== "true" || !root.dataset.busy);
  return new Promise((resolve) => {
    let timer = null;
    const watch = new MutationObserver(() => check());
    const check = () => {
      clearTimeout(timer);
      if (!settled()) return;
      timer = setTimeout(() => { watch.disconnect(); resolve(); }, ms);
    };
    watch.observe(root, { attributes: true, attributeFilter: ["data-app-ready", "data-busy"] });
    check();
  });
}

// Chromium keeps the compiled code of a WebAssembly module only when it compiles a response that
// came from a cache, so a second visit would compile the runtime's 10 MB of WebAssembly again.
// Once the offline copy is installed, the page that installed it compiles that file once more,
// in the background and after start-up, so that the next visit starts from compiled code.
async function warmRuntime() {
  const url = new URL("pyodide/pyodide.asm.wasm", document.baseURI).href;
  const cached = await caches.match(url, { ignoreSearch: true });
  if (cached && WebAssembly.compileStreaming) await WebAssembly.compileStreaming(cached);
}

if ("serviceWorker" in navigator && location.protocol !== "file:") {
  const installing = !navigator.serviceWorker.controller;  // this visit installs the copy
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only a build the user chose to load replaces the page; the first install just claims it.
    if (!reloading && !banner.hidden) {
      reloading = true;
      location.reload();
    }
  });
  settledFor(QUIET_MS).then(() => navigator.serviceWorker.register("sw.js")).then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) offerReload(registration);
    registration.addEventListener("updatefound", () => {
      const incoming = registration.installing;
      incoming?.addEventListener("statechange", () => {
        if (incoming.state === "installed" && navigator.serviceWorker.controller) offerReload(registration);
      });
    });
    document.documentElement.dataset.offlineReady = "pending";
    return navigator.serviceWorker.ready;
  }).then(() => installing && settledFor(QUIET_MS).then(warmRuntime).catch((err) => {
    console.warn(`The runtime could not be compiled ahead: ${err.message}`);
  })).then(() => {
    document.documentElement.dataset.offlineReady = "true";
  }).catch((err) => {
    document.documentElement.dataset.offlineReady = "unavailable";
    console.warn(`Offline mode is unavailable: ${err.message}`);
  });
}
