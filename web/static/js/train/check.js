// The configuration check: Python validates a configuration and counts its parameters (the
// `train_check` request). Changes come in bursts (typing, clicking Add layer), so a check waits
// `delayMs` for the burst to end, and only the answer about the latest configuration is used:
// an answer that arrives after a newer check was scheduled is dropped. No DOM: Node imports it.

export class ConfigCheck {
  /** @param {(config: object) => Promise<{parameters: number, warnings?: object[]}>} request  asks Python
   *  @param {{delayMs?: number, onResult: (r: {parameters: number|null, warnings: {field: string,
   *    message: string}[], error: Error|null}) => void}} options */
  constructor(request, { delayMs = 150, onResult }) {
    this.request = request;
    this.delayMs = delayMs;
    this.onResult = onResult;
    this.serial = 0;
    this.timer = null;
    this.pending = false;
    this.waiters = [];
  }

  /** Check `config` (a copy is taken now) after the delay, or at once with `immediate`. */
  schedule(config, { immediate = false } = {}) {
    const serial = this.supersede();
    this.pending = true;
    const snapshot = structuredClone(config);
    if (immediate) this.run(serial, snapshot);
    else this.timer = setTimeout(() => this.run(serial, snapshot), this.delayMs);
  }

  /** Drop any check not answered yet (the form found a problem of its own). */
  cancel() {
    this.supersede();
    this.finish();
  }

  /** Resolves once the latest configuration has been answered (at once when none is waiting). */
  settled() {
    return this.pending ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }

  supersede() {
    clearTimeout(this.timer);
    this.timer = null;
    this.serial += 1;
    return this.serial;
  }

  async run(serial, config) {
    let result;
    try {
      const reply = await this.request(config);
      result = { parameters: reply.parameters, warnings: reply.warnings ?? [], error: null };
    } catch (error) {
      result = { parameters: null, warnings: [], error };
    }
    if (serial !== this.serial) return;
    this.onResult(result);
    this.finish();
  }

  finish() {
    this.pending = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
