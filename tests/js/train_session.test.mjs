// The training loop (train/session.js): the next `train_step` is sent before a reply is drawn,
// so the worker trains while the page draws; Pause, the end of the run and "one epoch" stop it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EMPTY_RUN, TrainingDriver } from "../../web/static/js/train/session.js";

/** A worker whose `train_step` replies come from `replies` in order; `log` records events. */
function fakeDriver(replies, { onRender } = {}) {
  const log = [];
  const state = { ...structuredClone(EMPTY_RUN), config: {}, applied: {}, run: 1, running: true,
                  status: "training" };
  const python = {
    async request(type) {
      log.push(`request ${type}`);
      const reply = replies.shift();
      if (!reply) throw new Error("no more replies");
      return reply;
    },
  };
  const render = () => {
    log.push(`render ${state.records.length}`);
    onRender?.(state);
  };
  const driver = new TrainingDriver({ python, state, render, sameConfig: () => true,
                                      check: { settled: async () => {} } });
  return { driver, state, log };
}

const reply = (epochs, status = "training") => ({
  status, seconds: epochs.length, records: epochs.map((epoch) => ({ epoch })), views: null,
});

test("the next chunk is requested before the last one is drawn, until the run is done", async () => {
  const { driver, state, log } = fakeDriver([reply([1]), reply([2, 3]), reply([4], "done")]);
  await driver.chunks(Infinity);
  assert.deepEqual(log, ["request train_step", "request train_step", "render 1",
                         "request train_step", "render 3", "render 4"]);
  assert.equal(state.status, "done");
  assert.deepEqual(state.records.map((r) => r.epoch), [1, 2, 3, 4]);
});

test("pause stops at the reply of the chunk in flight", async () => {
  const { driver, state, log } = fakeDriver([reply([1]), reply([2]), reply([3])], {
    onRender: (s) => { s.running = false; },  // Pause pressed while the second chunk trains
  });
  await driver.chunks(Infinity);
  assert.deepEqual(log, ["request train_step", "request train_step", "render 1", "render 2"]);
  assert.equal(state.records.length, 2);
});

test("one epoch stops at the reply that completes it", async () => {
  const { driver, state, log } = fakeDriver([reply([]), reply([1]), reply([2])]);
  await driver.chunks(1);
  assert.deepEqual(log, ["request train_step", "request train_step", "render 0", "render 1"]);
  assert.equal(state.records.length, 1);
});
