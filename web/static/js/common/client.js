// The one module that owns the Python worker. Views never talk to Python directly: app code
// calls `python.request(type, payload)` and gets a Promise of the result.

// `field` names the request or configuration field the message is about (for the training
// configuration, its config key such as "latent_dim"), or is null.
export class PythonError extends Error {
  constructor({ message, kind = "internal", detail = "", field = null }) {
    super(message);
    this.name = "PythonError";
    this.kind = kind;
    this.detail = detail;
    this.field = field ?? null;
  }
}

// A worker that crashes after it was ready is replaced by a fresh one, booted the same way;
// after this many crashes the page is told to give up instead.
const MAX_RESTARTS = 3;

// A worker that stops without an error event (closed, or killed by the browser) is noticed
// through a Web Lock it holds for its whole life: the page queues for the same lock, and the
// browser grants it the moment the worker is gone. Without Web Locks (they need a secure
// context, as crypto.randomUUID does) only crashes are noticed.

// A worker started early, before the page's controller and its many modules have loaded, by a
// classic script in the page's <head> (see lab/first_paint.js): it leaves
// {boot, worker, buffered} in globalThis.anomascopeEarlyWorker, `buffered` holding every message
// the worker has sent since its hello (id 0). The first PythonClient adopts it if its own boot
// options are equal; otherwise it is stopped, as nothing will use it.
function adoptEarly(boot) {
  const taken = globalThis.anomascopeEarlyWorker?.worker ? globalThis.anomascopeEarlyWorker : null;
  delete globalThis.anomascopeEarlyWorker;
  if (taken && JSON.stringify(taken.boot) !== JSON.stringify(boot)) {
    taken.worker.terminate();
    return null;
  }
  return taken;
}

export class PythonClient {
  /** @param {{boot: {datasets: string[], modelDataset: string}, onProgress?: Function,
   *  onFailure?: Function, onRestart?: Function}} options — `boot` says what the worker loads
   *  before it is ready; `onRestart(message)` runs once a crashed worker's replacement is ready
   *  (state held only in the old worker, such as uploads, is gone). */
  constructor({ boot, onProgress = () => {}, onFailure = () => {}, onRestart = null }) {
    this.boot = boot;
    this.onProgress = onProgress;
    this.onFailure = onFailure;
    this.onRestart = onRestart;
    this.restarts = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.start();
  }

  start() {
    const adopted = adoptEarly(this.boot);
    const worker = adopted?.worker ?? new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker = worker;
    worker.onmessage = ({ data }) => this.receive(data);
    worker.onerror = (event) => {
      event.preventDefault();
      if (worker === this.worker) this.crashed(event.message || "unknown error");
    };
    if (!adopted) {
      const lifeline = navigator.locks ? `anomascope-worker-${crypto.randomUUID()}` : null;
      this.ready = this.request("hello", { ...this.boot, lifeline });
      return;
    }
    // The early worker's hello went out with id 0; replay what it has said since.
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve, reject }));
    for (const data of adopted.buffered) {
      if (worker !== this.worker) break;
      if (data.event === "crashed") this.crashed(data.message);
      else this.receive(data);
    }
  }

  // The worker holds its lifeline lock; once it says so, wait for the lock to come free.
  watch(name) {
    const worker = this.worker;
    navigator.locks.request(name, () => {
      if (worker === this.worker) this.crashed("it was terminated");
    });
  }

  crashed(reason) {
    this.worker.terminate();
    this.worker = null;
    const error = { message: `The Python engine stopped (${reason}).`, kind: "crash" };
    for (const { reject } of this.pending.values()) reject(new PythonError(error));
    this.pending.clear();
    if (!this.onRestart || this.restarts >= MAX_RESTARTS) {
      this.onFailure(new PythonError(error));
      return;
    }
    this.restarts += 1;
    this.start();
    this.ready.then(() => this.onRestart(error.message), (err) => this.onFailure(err));
  }

  receive(data) {
    if (data.event === "progress") return this.onProgress(data);
    if (data.event === "lifeline") return this.watch(data.name);
    if (data.event === "failed") return this.failAll(data.error);
    const entry = this.pending.get(data.id);
    if (!entry) return;
    this.pending.delete(data.id);
    if (data.ok) entry.resolve(data.result);
    else entry.reject(new PythonError(data.error));
  }

  failAll(error) {
    for (const { reject } of this.pending.values()) reject(new PythonError(error));
    this.pending.clear();
    this.onFailure(new PythonError(error));
  }

  /** Send one request; resolves with the result, rejects with a PythonError. */
  request(type, payload = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.worker) {
        reject(new PythonError({ message: "The Python engine has stopped.", kind: "crash" }));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, payload }, transfer);
    });
  }
}
