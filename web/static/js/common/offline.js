// Registers the service worker that makes the app work offline after one visit, and offers a
// reload when a newer build has been installed beside the running one.
const banner = document.getElementById("update-banner");

function offerReload(registration) {
  banner.hidden = false;
  banner.querySelector("button").onclick = () => {
    registration.waiting?.postMessage("skip-waiting");
  };
}

// Installing the worker downloads every file of the build again; it waits until the page is
// ready (or has failed) and, when ready, no longer busy with its first work (a page sets
// data-busy on the root meanwhile: the stream scoring its connections), so that it does not
// compete with a first visit's start-up.
function afterStartUp() {
  const root = document.documentElement;
  const settled = () => root.dataset.appReady && (root.dataset.appReady !== "true" || !root.dataset.busy);
  return new Promise((resolve) => {
    if (settled()) return resolve();
    const watch = new MutationObserver(() => {
      if (settled()) { watch.disconnect(); resolve(); }
    });
    watch.observe(root, { attributes: true, attributeFilter: ["data-app-ready", "data-busy"] });
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
  afterStartUp().then(() => navigator.serviceWorker.register("sw.js")).then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) offerReload(registration);
    registration.addEventListener("updatefound", () => {
      const incoming = registration.installing;
      incoming?.addEventListener("statechange", () => {
        if (incoming.state === "installed" && navigator.serviceWorker.controller) offerReload(registration);
      });
    });
    document.documentElement.dataset.offlineReady = "pending";
    return navigator.serviceWorker.ready;
  }).then(() => installing && warmRuntime().catch((err) => {
    console.warn(`The runtime could not be compiled ahead: ${err.message}`);
  })).then(() => {
    document.documentElement.dataset.offlineReady = "true";
  }).catch((err) => {
    document.documentElement.dataset.offlineReady = "unavailable";
    console.warn(`Offline mode is unavailable: ${err.message}`);
  });
}
