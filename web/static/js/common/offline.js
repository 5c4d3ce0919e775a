// Registers the service worker that makes the app work offline after one visit, and offers a
// reload when a newer build has been installed beside the running one.
const banner = document.getElementById("update-banner");

function offerReload(registration) {
  banner.hidden = false;
  banner.querySelector("button").onclick = () => {
    registration.waiting?.postMessage("skip-waiting");
  };
}

if ("serviceWorker" in navigator && location.protocol !== "file:") {
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only a build the user chose to load replaces the page; the first install just claims it.
    if (!reloading && !banner.hidden) {
      reloading = true;
      location.reload();
    }
  });
  navigator.serviceWorker.register("sw.js").then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) offerReload(registration);
    registration.addEventListener("updatefound", () => {
      const incoming = registration.installing;
      incoming?.addEventListener("statechange", () => {
        if (incoming.state === "installed" && navigator.serviceWorker.controller) offerReload(registration);
      });
    });
    document.documentElement.dataset.offlineReady = "pending";
    return navigator.serviceWorker.ready;
  }).then(() => {
    document.documentElement.dataset.offlineReady = "true";
  }).catch((err) => {
    document.documentElement.dataset.offlineReady = "unavailable";
    console.warn(`Offline mode is unavailable: ${err.message}`);
  });
}
