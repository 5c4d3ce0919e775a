// The page's foreground work, shown as <html data-busy="..."> (its reasons, space-separated;
// absent when there are none): the stream scoring its connections or playing, a model training.
// Background work waits until the page has not been busy for a while: the offline copy's
// installation and its compile of the runtime (common/offline.js), which would otherwise take
// the cores from it.
const reasons = new Set();

/** Mark the page busy with `reason` (on) or no longer (off). Without a document, nothing. */
export function setBusy(reason, on) {
  if (reasons.has(reason) === on) return;  // unchanged: nothing to write
  if (on) reasons.add(reason);
  else reasons.delete(reason);
  if (typeof document === "undefined") return;
  const { dataset } = document.documentElement;
  if (reasons.size) dataset.busy = [...reasons].join(" ");
  else delete dataset.busy;
}
