// The feed's filters and CSV (stream/history.js) and detection by attack type
// (stream/type_counts.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { csvField, filterOf, historyCsv, keptPositions } from "../../web/static/js/stream/history.js";
import { TypeCounts } from "../../web/static/js/stream/type_counts.js";

// A strategy as the page's Track has it: scores by play position and a threshold.
const track = (name, scores, threshold, scored = scores.length) => ({
  name, scores, threshold, scored, counted: scored, flagged(p) { return this.scores[p] > this.threshold; },
});

// Play positions 0..5: truth and label code (0 normal, 1 smurf, 2 snmpgetattack: novel).
const truth = Uint8Array.from([1, 0, 1, 0, 1, 1]);
const types = [1, 0, 2, 0, 2, 1];
const novel = [false, false, true];
const a = track("a", [0.9, 0.1, 0.2, 0.8, 0.1, 0.7], 0.5);  // misses 2 and 4, false alarm at 3
const b = track("b", [0.9, 0.6, 0.9, 0.1, 0.1, 0.9], 0.5);  // misses 4, false alarm at 1
const view = { tracks: [a, b], truth, typeAt: (p) => types[p], novel };
const kept = (filter) => [...keptPositions(filterOf({ strategy: "", type: -1, ...filter }, view), 6)];

test("filters keep the mistakes, types and novel attacks, newest first", () => {
  assert.deepEqual(kept({ show: "all" }), [5, 4, 3, 2, 1, 0]);
  assert.deepEqual(kept({ show: "fn" }), [4, 2]);
  assert.deepEqual(kept({ show: "fn", strategy: "b" }), [4]);
  assert.deepEqual(kept({ show: "fp" }), [3, 1]);
  assert.deepEqual(kept({ show: "fp", strategy: "a" }), [3]);
  assert.deepEqual(kept({ show: "mistakes", strategy: "a" }), [4, 3, 2]);
  assert.deepEqual(kept({ show: "novel" }), [4, 2]);
  assert.deepEqual(kept({ show: "all", type: 1 }), [5, 0]);
  assert.deepEqual(kept({ show: "fn", type: 2 }), [4, 2]);
  // Unscored positions are never counted as mistakes.
  const late = track("c", [0, 0, 0, 0, 0, 0], 0.5, 2);
  const keep = filterOf({ show: "fn", strategy: "c", type: -1 }, { ...view, tracks: [late] });
  assert.deepEqual([...keptPositions(keep, 6)], [0]);
});

test("the CSV has a header, one line per kept position and quotes what needs it", () => {
  assert.equal(csvField('a,"b"'), '"a,""b"""');
  assert.equal(csvField("plain"), "plain");
  const data = {
    feature_names: ["duration", "protocol_type"],
    features: { data: Float32Array.from([1, 0, 2.5, 2, 3, 1]) },
    label: { data: Uint8Array.from([1, 0, 2]) },
    label_names: ["normal", "smurf", "snmpgetattack"],
    labels: { category: ["normal", "dos", "r2l"], novel: [false, false, true] },
    vocabularies: { protocol_type: ["tcp", "udp", "icmp"] },
  };
  const order = Int32Array.from([2, 0, 1]);
  const t = track("pca", [0.25, 0.75, 0.5], 0.5);
  const csv = historyCsv([0, 2], { data, order, tracks: [t] });
  const lines = csv.trimEnd().split("\r\n");
  assert.equal(lines[0], "position,row,label,category,novel,duration,protocol_type,pca_score,pca_threshold,pca_verdict");
  assert.equal(lines[1], "1,2,snmpgetattack,r2l,yes,3,udp,0.25,0.5,normal");
  assert.equal(lines[2], "3,1,normal,normal,no,2.5,icmp,0.5,0.5,normal");
  assert.equal(lines.length, 3);
});

test("per-type counts follow the playhead, thresholds and late strategies", () => {
  const counts = new TypeCounts(3);
  assert.ok(counts.update({ tracks: [a, b], tick: 6, typeAt: (p) => types[p] }));
  assert.deepEqual([...counts.seen], [2, 2, 2]);
  assert.equal(counts.caught("a", 1), 2);
  assert.equal(counts.caught("a", 2), 0);
  assert.equal(counts.caught("b", 2), 1);
  assert.deepEqual(counts.uncaught(["a"]), [2]);
  assert.deepEqual(counts.uncaught(["a", "b"]), []);
  assert.ok(!counts.update({ tracks: [a, b], tick: 6, typeAt: (p) => types[p] }));
  // The sum over attack types of what a strategy caught is its true positives.
  const tp = (t) => [0, 1, 2, 3, 4, 5].filter((p) => truth[p] && t.flagged(p)).length;
  assert.equal(counts.caught("a", 1) + counts.caught("a", 2), tp(a));
  const moved = { ...a, threshold: 0.05, flagged: a.flagged };
  counts.update({ tracks: [moved], tick: 6, typeAt: (p) => types[p] });
  assert.equal(counts.caught("a", 2), 2);
  counts.update({ tracks: [moved], tick: 2, typeAt: (p) => types[p] });  // restarted and stepped
  assert.deepEqual([...counts.seen], [1, 1, 0]);
  const late = { ...b, counted: 3, flagged: b.flagged };
  counts.update({ tracks: [late], tick: 6, typeAt: (p) => types[p] });
  assert.equal(counts.caught("b", 2), 1);  // counted up to 3 only
  assert.equal(counts.caught("b", 1), 1);
});

test("float32 fields are written as the file wrote them", async () => {
  const { float32Text } = await import("../../web/static/js/stream/history.js");
  for (const text of ["0.11", "0.01", "1032", "0.5", "254", "1e-7"]) {
    assert.equal(float32Text(Math.fround(Number(text))), String(Number(text)));
  }
});

test("the mix is kept in the URL, and an unknown one is refused with a reason", async () => {
  const { hashOf, readHash } = await import("../../web/static/js/stream/url_state.js");
  const limits = { names: ["a"], n: 10, speeds: 9, mixes: ["drawn", "novel", "balanced"] };
  const base = { seed: 3, speed: 4, at: 0, run: ["a"], all: ["a"], thresholds: {} };
  assert.equal(hashOf({ ...base, mix: "novel" }, 4), "#seed=3&mix=novel");
  assert.equal(hashOf({ ...base, mix: "drawn" }, 4), "#seed=3");
  assert.equal(readHash("#mix=balanced", limits).values.mix, "balanced");
  const bad = readHash("#mix=all", limits);
  assert.equal(bad.values.mix, undefined);
  assert.match(bad.problems[0], /mix “all” is not one of drawn, novel, balanced/);
});
