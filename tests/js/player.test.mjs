// The Player's clock arithmetic, with a fake frame scheduler: frames run only when the test
// says so, at the timestamps it gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX, PER_FRAME, Player } from "../../web/static/js/common/player.js";

/** A frame scheduler driven by hand: `run(now)` runs the one pending frame. */
function fakeScheduler() {
  let pending = null;
  let next = 1;
  return {
    request(callback) { pending = { id: next++, callback }; return pending.id; },
    cancel(id) { if (pending && pending.id === id) pending = null; },
    get pending() { return pending !== null; },
    run(now) {
      assert.ok(pending, "no frame is scheduled");
      const { callback } = pending;
      pending = null;
      callback(now);
    },
  };
}

/** A player over a page of `n` ticks (or unlimited), recording what it was asked. */
function setup({ speed, maxTicksPerFrame = 20, limit = Infinity } = {}) {
  const scheduler = fakeScheduler();
  const page = { tick: 0, asked: [], renders: 0, idle: [], limit };
  const player = new Player({
    speed, maxTicksPerFrame, scheduler,
    onTicks: (k) => {
      page.asked.push(k);
      const taken = Math.max(0, Math.min(k, page.limit - page.tick));
      page.tick += taken;
      return taken;
    },
    onRender: () => { page.renders++; },
    onIdle: (idle) => page.idle.push(idle),
  });
  return { scheduler, page, player };
}

test("milliseconds per tick: the first tick at once, then one per elapsed interval", () => {
  const { scheduler, page, player } = setup({ speed: 100 });
  player.play();
  scheduler.run(1000);
  assert.equal(page.tick, 1);
  scheduler.run(1050);  // half an interval: nothing yet
  assert.equal(page.tick, 1);
  scheduler.run(1110);  // 110 ms since the first frame: one tick, 10 ms carried
  assert.equal(page.tick, 2);
  scheduler.run(1300);  // 190 + 10 = 200 ms: two ticks
  assert.equal(page.tick, 4);
});

test("a long gap is capped at maxTicksPerFrame and not caught up later", () => {
  const { scheduler, page, player } = setup({ speed: 10, maxTicksPerFrame: 5 });
  player.play();
  scheduler.run(0);
  scheduler.run(1000);  // 100 ticks due
  assert.equal(page.tick, 1 + 5);
  scheduler.run(1010);
  assert.equal(page.tick, 1 + 5 + 1);
});

test("per-frame and max speeds advance a fixed number of ticks every frame", () => {
  const { scheduler, page, player } = setup({ speed: PER_FRAME, maxTicksPerFrame: 20 });
  player.play();
  for (let i = 0; i < 3; i++) scheduler.run(i * 500);
  assert.equal(page.tick, 3);
  player.setSpeed(MAX);
  scheduler.run(2000);
  scheduler.run(2001);
  assert.equal(page.tick, 3 + 40);
});

test("paused time does not count: play again starts with one tick", () => {
  const { scheduler, page, player } = setup({ speed: 100 });
  player.play();
  scheduler.run(0);
  player.pause();
  scheduler.run(10);
  assert.equal(scheduler.pending, false);
  player.play();
  scheduler.run(60_000);
  assert.equal(page.tick, 2);
});

test("steps wait until the page can take them, and pause drops them", () => {
  const { scheduler, page, player } = setup({ limit: 0 });
  player.step();
  player.step();
  scheduler.run(0);
  assert.deepEqual(page.asked, [2]);
  assert.equal(page.tick, 0);
  assert.equal(scheduler.pending, false);  // idle until the page has news
  page.limit = 1;
  player.invalidate();
  scheduler.run(16);
  assert.equal(page.tick, 1);
  page.limit = 10;
  player.invalidate();
  scheduler.run(32);
  assert.equal(page.tick, 2);
  player.invalidate();
  scheduler.run(48);
  assert.equal(page.asked.at(-1), 0);  // both steps were taken: nothing more is asked
  player.step(3);
  player.pause();
  scheduler.run(64);
  assert.equal(page.tick, 2);
});

test("a frame renders only when ticks were taken or a redraw was asked for", () => {
  const { scheduler, page, player } = setup({ speed: 100 });
  player.play();
  scheduler.run(0);
  assert.equal(page.renders, 1);
  scheduler.run(10);  // no tick due, nothing invalidated
  assert.equal(page.renders, 1);
  player.invalidate();
  scheduler.run(20);
  assert.equal(page.renders, 2);
});

test("the loop goes idle when paused with nothing to draw, and says so", () => {
  const { scheduler, page, player } = setup({ speed: PER_FRAME });
  player.play();
  assert.deepEqual(page.idle, [false]);
  scheduler.run(0);
  scheduler.run(16);
  player.pause();
  scheduler.run(32);
  assert.equal(scheduler.pending, false);
  assert.deepEqual(page.idle, [false, true]);
  player.invalidate();
  assert.deepEqual(page.idle, [false, true, false]);
  player.dispose();
  assert.equal(scheduler.pending, false);
});
