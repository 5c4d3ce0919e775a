// What one frame of the stream page draws (stream/frame.js): sections are updated only when
// what they show can have changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FramePlan, TYPES_EVERY_MS } from "../../web/static/js/stream/frame.js";

const SECTIONS = ["controls", "ranking", "setup", "feedTools", "feed", "piles", "types"];

/** Views that count their updates, a settable clock, and a frame's view. */
function setup() {
  const calls = Object.fromEntries(SECTIONS.map((name) => [name, 0]));
  const views = Object.fromEntries(SECTIONS.map((name) => [name, { update: () => { calls[name]++; } }]));
  const clock = { t: 0 };
  const plan = new FramePlan(views, () => clock.t);
  const view = (over = {}) => ({
    playing: true, fast: false, tick: 10, n: 100, tracks: [], active: [], rankBy: "f1",
    composition: [], controls: {}, feed: {}, piles: {}, types: {}, ...over,
  });
  const reset = () => { for (const name of SECTIONS) calls[name] = 0; };
  return { plan, calls, clock, view, reset };
}

test("the setup rows and the feed's menus are drawn once, then only after a touch", () => {
  const { plan, calls, view, reset } = setup();
  plan.draw(view());
  assert.equal(calls.setup, 1);
  assert.equal(calls.feedTools, 1);
  reset();
  for (let tick = 11; tick < 40; tick++) plan.draw(view({ tick }));
  assert.equal(calls.setup, 0, "a frame that only moves the tick leaves the setup rows alone");
  assert.equal(calls.feedTools, 0);
  assert.equal(calls.feed, 29, "the feed shows every frame's tick");
  assert.equal(calls.piles, 29);
  assert.equal(calls.controls, 29);
  plan.touch("setup");
  plan.draw(view());
  plan.draw(view());
  assert.equal(calls.setup, 1);
  assert.equal(calls.feedTools, 0);
  plan.touch("setup", "tools");
  plan.draw(view());
  assert.deepEqual([calls.setup, calls.feedTools], [2, 1]);
  assert.throws(() => plan.touch("ranking"), /unknown section/);
});

test("the ranking is drawn every frame, spread over frames at a tick or more per frame", () => {
  const { plan, calls, view } = setup();
  const asked = [];
  plan.views.ranking.update = (args) => { calls.ranking++; asked.push(args.spread); return args.spread; };
  const later = [];
  for (let i = 0; i < 4; i++) later.push(plan.draw(view({ fast: true, tick: 20 * i, n: 10_000 })));
  for (let i = 0; i < 2; i++) later.push(plan.draw(view({ fast: false, tick: 80 + i, n: 10_000 })));
  later.push(plan.draw(view({ fast: true, playing: false, tick: 90, n: 10_000 })));
  assert.equal(calls.ranking, 7);
  assert.deepEqual(asked, [true, true, true, true, false, false, false], "spread only while playing fast");
  assert.ok(later.slice(0, 4).every(Boolean), "a card left for later asks for another frame");
  assert.equal(later[6], false, "paused: every card drawn, nothing left");
});

test("the per-type table is drawn at most every TYPES_EVERY_MS while playing", () => {
  const { plan, calls, clock, view, reset } = setup();
  const frameMs = 1000 / 60;
  let asked = 0;
  for (let i = 0; i < 180; i++) {  // three seconds at 60 frames a second
    clock.t = i * frameMs;
    if (plan.draw(view({ tick: i, n: 10_000 }))) asked++;
  }
  assert.equal(calls.types, Math.ceil((180 * frameMs) / TYPES_EVERY_MS));
  assert.equal(asked, 180 - calls.types, "a frame that skips it asks for another one");
  reset();
  plan.draw(view({ tick: 10_000, n: 10_000 }));
  assert.equal(calls.types, 1, "the last tick shows the final counts at once");
  reset();
  for (let i = 0; i < 3; i++) assert.equal(plan.draw(view({ playing: false })), false);
  assert.equal(calls.types, 3, "paused: drawn with the frame");
  assert.equal(calls.ranking, 3);
});
