// The ECG lab's URL hash (lab/url_state.js): a link reproduces the view, and every value that
// cannot be used is dropped with a reason while the others still apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SECTIONS, hashOf, readHash } from "../../web/static/js/lab/url_state.js";

const MODELS = ["ecg_autoencoder", "ecg_vae"];
const N = 4500;
const read = (hash) => readHash(hash, MODELS, N);

test("an empty hash sets nothing and has no problems", () => {
  for (const hash of ["", "#", "#&&"]) assert.deepEqual(read(hash), { values: {}, problems: [] });
});

test("a full link gives every value", () => {
  const { values, problems } = read("#section=explorer&model=ecg_vae&beat=4499&threshold=0.25");
  assert.deepEqual(values, { section: "explorer", model: "ecg_vae", beat: 4499, threshold: 0.25 });
  assert.deepEqual(problems, []);
});

test("every section of the page is accepted, nothing else", () => {
  for (const section of SECTIONS) assert.equal(read(`#section=${section}`).values.section, section);
  const { values, problems } = read("#section=settings&beat=3");
  assert.equal(values.section, undefined);
  assert.equal(values.beat, 3, "the other values still apply");
  assert.equal(problems.length, 1);
  assert.match(problems[0], /no section “settings”, showing the beat viewer/);
});

test("an unknown model falls back to the first one, named in the problem", () => {
  const { values, problems } = read("#model=nope&threshold=1");
  assert.equal(values.model, undefined);
  assert.equal(values.threshold, 1);
  assert.match(problems[0], /model “nope” is not in this build, showing ecg_autoencoder/);
});

test("a beat must be a test beat: 0 to n - 1, digits only", () => {
  assert.equal(read("#beat=0").values.beat, 0);
  assert.equal(read(`#beat=${N - 1}`).values.beat, N - 1);
  for (const beat of [String(N), "-1", "1.5", "1e3", "", "abc", "1234567"]) {
    const { values, problems } = read(`#beat=${encodeURIComponent(beat)}`);
    assert.equal(values.beat, undefined, beat);
    assert.equal(problems.length, 1, beat);
    assert.match(problems[0], /is not a test beat \(0 to 4499\), showing #0/, beat);
  }
});

test("an uploaded beat in a link is explained: uploads do not survive a reload", () => {
  const { values, problems } = read("#beat=u3");
  assert.equal(values.beat, undefined);
  assert.match(problems[0], /uploaded beats are not kept/);
});

test("a threshold must be a finite number of zero or more", () => {
  assert.equal(read("#threshold=0").values.threshold, 0);
  assert.equal(read("#threshold=1e-3").values.threshold, 0.001);
  for (const t of ["-0.5", "abc", "", "%20", "Infinity", "NaN", "1,5"]) {
    const { values, problems } = read(`#threshold=${t}`);
    assert.equal(values.threshold, undefined, t);
    assert.match(problems[0], /is not a number of zero or more, using the model's own/, t);
  }
});

test("garbage is quoted shortened and never breaks the parse", () => {
  const long = "x".repeat(500);
  const { values, problems } = read(`#section=${long}&model=${long}&beat=${long}&threshold=${long}`);
  assert.deepEqual(values, {});
  assert.equal(problems.length, 4);
  assert.ok(problems.every((p) => p.length < 200), problems);
  for (const hash of ["#%E0%A4%A", "#=&=", "#section", "#<script>=1", "##beat=2"]) {
    assert.doesNotThrow(() => read(hash), hash);
  }
  assert.deepEqual(read("#%E0%A4%A").values, {});
});

test("the hash written for a state reads back as the same view", () => {
  const state = { section: "draw", model: "ecg_vae", source: "test", selected: 17, threshold: 0.123456789 };
  const hash = hashOf(state);
  assert.match(hash, /^#/);
  const { values, problems } = read(hash);
  assert.deepEqual(problems, []);
  assert.deepEqual(values, { section: "draw", model: "ecg_vae", beat: 17, threshold: 0.12346 });
});

test("a selected uploaded beat is written with its u prefix", () => {
  const hash = hashOf({ section: "viewer", model: "ecg_vae", source: "user", selected: 2, threshold: 1 });
  assert.equal(new URLSearchParams(hash.slice(1)).get("beat"), "u2");
});

test("the class filter is in the link: a dataset class or all, uploads explained", () => {
  const classes = ["1", "2", "3", "4", "5"];
  assert.equal(readHash("#class=3", MODELS, N, classes).values.filter, "3");
  assert.equal(readHash("#class=all", MODELS, N, classes).values.filter, "all");
  const user = readHash("#class=user", MODELS, N, classes);
  assert.equal(user.values.filter, undefined);
  assert.match(user.problems[0], /uploaded beats are not kept/);
  const bad = readHash("#class=9", MODELS, N, classes);
  assert.equal(bad.values.filter, undefined);
  assert.match(bad.problems[0], /no class “9”, showing all classes/);
  const hash = hashOf({ section: "viewer", model: "ecg_vae", source: "test", selected: 2, threshold: 1, classFilter: "4" });
  assert.equal(readHash(hash, MODELS, N, classes).values.filter, "4");
  const all = hashOf({ section: "viewer", model: "ecg_vae", source: "test", selected: 2, threshold: 1, classFilter: "all" });
  assert.equal(new URLSearchParams(all.slice(1)).get("class"), null);
});
