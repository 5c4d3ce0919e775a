// The network stream's URL state (stream/url_state.js): read back what was written, and bad
// values fall back with a reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hashOf, readHash } from "../../web/static/js/stream/url_state.js";

const names = ["kdd_pca", "kdd_ocsvm", "kdd_iforest"];
const limits = { names, n: 10_000, speeds: 9 };

test("a written view reads back the same", () => {
  const view = {
    seed: 42, speed: 6, at: 123, run: ["kdd_pca", "kdd_iforest"], all: names,
    thresholds: { kdd_pca: 0.0341007123, kdd_iforest: -1.5e-7 },
  };
  const { values, problems } = readHash(hashOf(view, 4), limits);
  assert.deepEqual(problems, []);
  assert.deepEqual(values, { seed: 42, speed: 6, at: 123, run: view.run, thresholds: view.thresholds });
});

test("the default view has an empty hash, and an empty hash changes nothing", () => {
  const view = { seed: null, speed: 4, at: 0, run: names, all: names, thresholds: {} };
  assert.equal(hashOf(view, 4), "");
  assert.deepEqual(readHash("", limits), { values: {}, problems: [] });
});

test("no strategy running is kept", () => {
  const view = { seed: 0, speed: 4, at: 0, run: [], all: names, thresholds: {} };
  assert.deepEqual(readHash(hashOf(view, 4), limits).values, { seed: 0, run: [] });
});

test("bad values are dropped, each with its reason", () => {
  const { values, problems } = readHash(
    "#seed=abc&speed=99&at=10001&run=kdd_pca,nope&th=kdd_ocsvm:x,ghost:1,kdd_pca:0.5", limits);
  assert.deepEqual(values, { run: ["kdd_pca"], thresholds: { kdd_pca: 0.5 } });
  assert.equal(problems.length, 6, problems.join("\n"));
  for (const [i, word] of ["seed", "speed", "position", "nope", "kdd_ocsvm", "ghost"].entries()) {
    assert.ok(problems[i].includes(word), problems[i]);
  }
  assert.match(readHash("#seed=-1", limits).problems[0], /0 to 2147483647/);
  assert.match(readHash("#at=1.5", limits).problems[0], /0 to 10000/);
});
