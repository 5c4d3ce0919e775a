// The one module that owns the Python worker. Views never talk to Python directly: app code
// calls `python.request(type, payload)` and gets a Promise of the result.

export class PythonError extends Error {
  constructor({ message, kind = "internal", detail = "" }) {
    super(message);
    this.name = "PythonError";
    this.kind = kind;
    this.detail = detail;
  }
}

export class PythonClient {
  /** @param {{boot: {datasets: string[], modelDataset: string}, onProgress?: Function,
   *  onFailure?: Function}} options — `boot` says what the worker loads before it is ready. */
  constructor({ boot, onProgress = () => {}, onFailure = () => {} }) {
    this.onProgress = onProgress;
    this.onFailure = onFailure;
    this.nextId = 1;
    this.pending = new Map();
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failAll({ message: `The Python worker stopped: ${event.message || "unknown error"}` });
    };
    this.ready = this.request("hello", boot);
  }

  receive(data) {
    if (data.event === "progress") return this.onProgress(data);
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
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, payload }, transfer);
    });
  }
}
