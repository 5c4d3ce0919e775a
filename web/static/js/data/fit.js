// The fit loop of the data page: table_fit_start, then table_fit_step one request at a time
// until Python says done (so the page and the worker stay responsive), or until the user
// cancels: then no further step is sent and table_fit_cancel keeps the detectors already fitted.

export class FitRunner {
  /** @param {{python: object, onProgress: (step: {progress: number, kind: string,
   *  message: string}) => void}} options */
  constructor({ python, onProgress }) {
    this.python = python;
    this.onProgress = onProgress;
    this.cancelled = false;
    this.running = false;
  }

  /** Fit with the `request` of table_fit_start. Resolves with {plan, steps, cancelled, kept}
   * (kept: the kinds fitted when cancelled, else every kind asked for); rejects with Python's
   * error of the start or of a step. */
  async run(request) {
    this.cancelled = false;
    this.running = true;
    try {
      const { plan, steps } = await this.python.request("table_fit_start", request);
      const kinds = request.detectors.map((d) => d.kind);
      this.onProgress({ progress: 0, kind: kinds[0], message: "Starting…" });
      let reply = { done: false };
      while (!this.cancelled && !reply.done) {
        reply = await this.python.request("table_fit_step", {});
        this.onProgress(reply);
      }
      if (this.cancelled && !reply.done) {
        const { kept } = await this.python.request("table_fit_cancel", {});
        return { plan, steps, cancelled: true, kept };
      }
      return { plan, steps, cancelled: false, kept: kinds };
    } finally {
      this.running = false;
    }
  }

  /** Send no further step; the running run() then cancels in Python and resolves. */
  cancel() {
    if (this.running) this.cancelled = true;
  }
}
