// The stream's data model (stream/tracks.js): counting verdicts by play position, recounting
// after a threshold move, the quantile slider and the schema-ordered tracks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Track, tracksFor } from "../../web/static/js/stream/tracks.js";

const KINDS = {
  order: ["pca", "ocsvm", "autoencoder"],
  labels: { pca: { title: "PCA", short: "PCA" }, autoencoder: { title: "Autoencoder", short: "AE" } },
};

function scoredTrack(scores, threshold) {
  const t = new Track({ name: "kdd_x", kind: "autoencoder", threshold }, scores.length, KINDS.labels.autoencoder);
  t.storeChunk(0, Float64Array.from(scores));
  return t;
}

test("counts add up verdicts against the truth, and rates follow", () => {
  const t = scoredTrack([0.9, 0.1, 0.8, 0.2, 0.7], 0.5);
  const truth = Uint8Array.from([1, 1, 0, 0, 1]);
  t.count(0, 3, truth);
  assert.deepEqual(t.counts, { tp: 1, fp: 1, tn: 0, fn: 1 });
  t.count(3, 5, truth);
  assert.deepEqual(t.counts, { tp: 2, fp: 1, tn: 1, fn: 1 });
  assert.equal(t.countsText, "TP 2 · FP 1 · TN 1 · FN 1");
  assert.equal(t.rates().precision, 2 / 3);
  t.threshold = 0.95;  // nothing flagged any more: precision becomes undefined
  t.recount(5, truth);
  assert.deepEqual(t.counts, { tp: 0, fp: 0, tn: 2, fn: 3 });
  assert.equal(t.rates().precision, null);
  assert.equal(t.rates().recall, 0);
});

test("the slider moves through the quantiles of the scores, both ways", () => {
  const t = scoredTrack([5, 1, 4, 2, 3], 3);
  assert.equal(t.toSlider(3), 600);
  assert.equal(t.fromSlider(600), 3);
  assert.ok(t.fromSlider(0) < 1, "position 0 flags everything");
  assert.equal(t.fromSlider(1000), 5);
  const unscored = new Track({ name: "kdd_y", kind: "pca", threshold: 2 }, 5, KINDS.labels.pca);
  assert.equal(unscored.toSlider(2), 500);
  assert.equal(unscored.fromSlider(100), 2);
});

test("tracks come in the schema's kind order with the schema's labels", () => {
  const models = [
    { name: "kdd_ae", kind: "autoencoder", threshold: 1 },
    { name: "kdd_new", kind: "unknown", threshold: 1 },
    { name: "kdd_pca", kind: "pca", threshold: 1, title: "PCA, 5 components" },
  ];
  const tracks = tracksFor(models, KINDS, 10);
  assert.deepEqual(tracks.map((t) => t.name), ["kdd_pca", "kdd_ae", "kdd_new"]);
  assert.deepEqual(tracks.map((t) => t.title), ["PCA, 5 components", "Autoencoder", "kdd_new"]);
  assert.deepEqual(tracks.map((t) => t.short), ["PCA", "AE", "kdd_new"]);
});
