// The stream's scoring pump (stream/scoring.js): every strategy is scored chunk by chunk, at
// most IN_FLIGHT requests at a time, and a strategy whose scoring fails is switched off and
// not asked for again (the pump then runs dry instead of repeating the failing request).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ScoringPump } from "../../web/static/js/stream/scoring.js";

function fakeTrack(name) {
  return {
    name, active: true, requested: 0, scored: 0,
    storeChunk(start, scores) { this.scored = Math.max(this.scored, start + scores.length); },
  };
}

/** A pump over tracks `names` of a stream of n positions; `failing` names always fail. */
function setUp(names, n, failing = new Set()) {
  const tracks = names.map((name) => fakeTrack(name));
  const state = { tracks, active: [...tracks], n, seed: null, mix: "drawn", generation: 0, ordering: false };
  const sent = [];
  let open = 0, most = 0;
  const python = {
    request(type, { model, start, stop }) {
      sent.push([model, start, stop]);
      most = Math.max(most, ++open);
      return new Promise((resolve, reject) => setTimeout(() => {  // a reply comes later
        open--;
        if (failing.has(model)) reject(Object.assign(new Error(`${model} failed`), { kind: "input" }));
        else resolve({ start, scores: { data: new Float64Array(stop - start) } });
      }, 0));
    },
  };
  const failures = [];
  const pump = new ScoringPump(python, state, {
    onScores: () => {},
    onFailure: (track, err) => {
      failures.push(err.message);
      track.active = false;
      state.active = state.tracks.filter((t) => t.active);
    },
  });
  return { pump, state, sent, failures, most: () => most };
}

const drain = () => new Promise((resolve) => setTimeout(resolve, 0));

test("every strategy is scored in chunks, two requests at a time at most", async () => {
  const { pump, state, sent, most } = setUp(["a", "b", "c"], 5000);
  pump.pump();
  for (let i = 0; i < 50 && state.tracks.some((t) => t.scored < 5000); i++) await drain();
  assert.ok(state.tracks.every((t) => t.scored === 5000));
  assert.deepEqual(sent.filter(([m]) => m === "a").map(([, a, b]) => [a, b]),
    [[0, 500], [500, 2500], [2500, 4500], [4500, 5000]]);
  assert.ok(most() <= 2);
  assert.equal(pump.inFlight, 0);
});

test("a strategy whose scoring fails is switched off and not asked for again", async () => {
  const { pump, state, sent, failures } = setUp(["a", "bad"], 3000, new Set(["bad"]));
  pump.pump();
  for (let i = 0; i < 50; i++) await drain();
  assert.equal(state.tracks[0].scored, 3000);
  assert.deepEqual(failures, ["bad failed"]);
  assert.equal(sent.filter(([m]) => m === "bad").length, 1);
  assert.equal(pump.inFlight, 0);
  state.tracks[1].active = true;  // switched on again by the user: asked for again (the two
  state.active = [...state.tracks];  // chunks in flight fail), then switched off and left
  pump.pump();
  for (let i = 0; i < 50; i++) await drain();
  const again = sent.filter(([m]) => m === "bad").length;
  assert.ok(again > 1 && again <= 3, `${again} requests`);
  assert.equal(state.tracks[1].active, false);
  for (let i = 0; i < 50; i++) await drain();
  assert.equal(sent.filter(([m]) => m === "bad").length, again);
  assert.equal(pump.inFlight, 0);
});
