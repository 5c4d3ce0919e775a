// Drives both engines for bench/peer.py: our site worker (the same requests the train page and
// the ECG lab send) and the TF.js worker (peer_worker.js). `window.peer` is what Python calls.

/** A request/reply channel over a worker's {id, type, payload} -> {id, ok, result|error}. */
function channel(worker) {
  const pending = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    if (data.event) return;  // our worker's progress events
    const entry = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) entry.resolve(data.result); else entry.reject(new Error(data.error.message));
  };
  return (type, payload, transfer = []) => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type, payload }, transfer);
  });
}

const ours = channel(new Worker(new URL("../static/js/common/worker.js", location.href), { type: "module" }));
const peer = channel(new Worker("peer_worker.js"));

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
/** float32 little-endian bytes, base64-encoded by Python, as a Float32Array. */
const floats = (text) => new Float32Array(fromBase64(text).buffer);

window.peer = {
  async boot() {
    await ours("hello", { datasets: ["ecg5000"], modelDataset: "none" });
    return peer("init", {});
  },

  /** Ours as the train page sees it: train_start (not timed), then train_step requests of at
   * most `maxMs` each until the run is done; wall clock from the first request to the last
   * reply, every round trip and each epoch's evaluation included. */
  async oursTrain({ config, maxMs }) {
    const summary = await ours("train_start", { config });
    const t0 = performance.now();
    let reply;
    let requests = 0;
    do {
      reply = await ours("train_step", { max_ms: maxMs });
      requests++;
    } while (reply.status === "training" || reply.status === "ready");
    return { wall_s: (performance.now() - t0) / 1000, train_s: reply.seconds, steps: reply.step,
             epochs: reply.epoch, status: reply.status, parameters: summary.parameters, requests };
  },

  peerTrain(job) {
    return peer("train", { ...job, X: floats(job.X) });
  },

  /** Ours scoring the 4,500 UCR TEST beats through the ECG lab's `time_inference` request,
   * with the scores sent back: `ms` is the time inside the worker (preprocessing and scoring);
   * `wall_ms`, as the page sees it, adds the request's round trip (payload conversion,
   * postMessage both ways, the reply's conversion to JS and the 4,500 float32 scores). */
  async oursScore({ name, manifest, weights, repeats }) {
    await ours("load_model", { name, manifest, weights: fromBase64(weights) });
    await ours("time_inference", { model: name, repeats: 1, scores: true });  // warm-up
    const ms = [], wall = [];
    let reply;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      reply = await ours("time_inference", { model: name, repeats: 1, scores: true });
      wall.push(performance.now() - t0);
      ms.push(reply.seconds_median * 1000);
    }
    const scores = reply.scores.data;
    return { ms, wall_ms: wall, rows: scores.length, scores: Array.from(scores.subarray(0, 50)) };
  },

  peerScore(job) {
    const weights = job.weights.map(([W, b]) => [floats(W), floats(b)]);
    return peer("score", { ...job, X: floats(job.X), weights });
  },
};
document.documentElement.dataset.peerReady = "true";
