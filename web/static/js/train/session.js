// The training loop. The worker holds one training session and trains it in chunks of at most
// CHUNK_MS per `train_step` request; Pause is the page not sending the next chunk. Train after
// the settings changed (or after the end) starts a new session with the current settings.

import { setBusy } from "../common/busy.js";

const CHUNK_MS = 120;
const FINISHED = ["done", "diverged"];

/** What a new or reset page shows: no session, no results. */
export const EMPTY_RUN = {
  applied: null,       // the configuration of the current training session (null: none)
  summary: null,       // train_start reply
  records: [],         // one per completed epoch
  views: null,         // histogram / roc / latent of the latest epoch
  status: "empty",     // empty | ready | training | paused | done | diverged
  message: "",
  seconds: 0,          // Python's training time of the run (training steps + epoch evaluation)
  exported: null,      // {key, name, manifest, weights}
};

export class TrainingDriver {
  /** @param {{python: object, state: object, render: Function, sameConfig: Function,
   *  check: import("./check.js").ConfigCheck}} page */
  constructor({ python, state, render, sameConfig, check }) {
    this.python = python;
    this.state = state;
    this.render = render;
    this.sameConfig = sameConfig;
    this.check = check;
  }

  /** Whether the settings differ from those of the session the charts show. */
  stale() {
    const { applied, config } = this.state;
    return applied !== null && !this.sameConfig(applied, config);
  }

  needsStart() {
    return this.state.applied === null || this.stale() || ["empty", ...FINISHED].includes(this.state.status);
  }

  async startSession() {
    const state = this.state;
    const summary = await this.python.request("train_start", { config: state.config });
    Object.assign(state, structuredClone(EMPTY_RUN), { summary, status: "ready" });
    state.applied = structuredClone(state.config);
    state.run += 1;
  }

  absorb(reply) {
    const state = this.state;
    state.seconds = reply.seconds;
    state.records.push(...reply.records);
    if (reply.views) state.views = reply.views;
    if (FINISHED.includes(reply.status)) state.status = reply.status;
    if (reply.status === "diverged") state.message = reply.message;
  }

  /** Train until the end, Pause, or (with `oneEpoch`) the end of the next epoch. */
  async train({ oneEpoch = false } = {}) {
    const state = this.state;
    if (state.running) return;
    state.running = true;  // from here on, a second click does nothing; Pause stops the loop
    setBusy("training", true);  // the offline copy's install waits (common/busy.js)
    state.message = "";
    try {
      await this.check.settled();  // a change made just before the click is checked first
      if (state.configError) return;
      if (this.needsStart()) await this.startSession();
      state.status = "training";
      this.render();
      await this.chunks(oneEpoch ? state.records.length + 1 : Infinity);
      if (state.status === "training") state.status = "paused";
    } catch (err) {
      state.message = err.message;
      if (state.status === "training") state.status = "paused";
    } finally {
      state.running = false;
      setBusy("training", false);
      this.render();
    }
  }

  /** One `train_step` request after another. The next one is sent as soon as a reply comes
   * back, before the reply is drawn, so the worker trains while the page draws; Pause (or the
   * end) stops the loop at the next reply, as before. */
  async chunks(untilEpoch) {
    const state = this.state;
    const request = () => this.python.request("train_step", {
      max_ms: CHUNK_MS, stop_at_epoch: Number.isFinite(untilEpoch),
    });
    let next = state.running ? request() : null;
    while (next) {
      const reply = await next;
      const more = state.running && !FINISHED.includes(reply.status) &&
        state.records.length + reply.records.length < untilEpoch;
      next = more ? request() : null;
      this.absorb(reply);
      this.render();
    }
  }

  /** Stop after the chunk in progress; the status becomes "paused" once it has come back. */
  pause() {
    this.state.running = false;
    this.render();
  }

  async reset() {
    this.state.running = false;
    await this.python.request("train_reset", {});
    Object.assign(this.state, structuredClone(EMPTY_RUN));
    this.render();
  }

  /** The worker was replaced: the session in it is gone; the next Train starts a fresh one. */
  lost(message) {
    Object.assign(this.state, structuredClone(EMPTY_RUN), {
      running: false,
      message: `${message} It was restarted; the training run in it is lost. ` +
        "Press Train to start again (a smaller network or batch needs less memory).",
    });
    this.render();
  }
}
