// The data page's URL hash (data/url_state.js): a link repeats the settings, never the data;
// every unusable value is dropped with a reason while the others still apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitToTable, hashOf, readHash } from "../../web/static/js/data/url_state.js";

const TABLES = {
  examples: [{ id: "breast_cancer" }, { id: "ecg_series" }],
  kinds: {
    order: ["pca", "iforest", "knn"],
    params: {
      pca: { n_components: { label: "Components", kind: "number", min: 0.01, max: 50, default: 0.9 } },
      iforest: { n_trees: { label: "Trees", kind: "int", min: 1, max: 500, default: 100 } },
      knn: { k: { label: "Neighbours", kind: "int", min: 1, max: 100, default: 10 } },
    },
  },
  threshold_rules: {
    best_f1: { label: "Best F1", params: {} },
    recall: { label: "Recall", params: { value: { label: "Target recall", kind: "number", min: 0.01, max: 1, default: 0.9 } } },
    mean_std: { label: "Mean + k sd", params: { k: { label: "k", kind: "number", min: 0, max: 20, default: 3 } } },
  },
  supervision: { unsupervised: { label: "Unsupervised" }, semi_supervised: { label: "Semi-supervised" } },
};
const read = (hash) => readHash(hash, TABLES);

const FULL = {
  example: "ecg_series",
  features: ["ecg", "a,b & c=d"],
  label_column: "beat class",
  anomaly_values: ["PVC", "R-on-T PVC"],
  order_column: "time",
  mode: "series",
  series_columns: ["ecg"],
  window: { length: 140, stride: 70 },
  detectors: [{ kind: "pca", params: { n_components: 0.9 } }, { kind: "iforest", params: { n_trees: 50 } }],
  supervision: "semi_supervised",
  threshold_rule: { rule: "recall", value: 0.8 },
  seed: 7,
};

test("every setting survives a round trip through the hash, names with , & = and spaces too", () => {
  const { values, problems } = read(hashOf(FULL));
  assert.deepEqual(problems, []);
  assert.deepEqual(values, FULL);
});

test("an empty hash sets nothing and has no problems", () => {
  for (const hash of ["", "#", "#&&"]) assert.deepEqual(read(hash), { values: {}, problems: [] });
});

test("supervision ids come from the schema, as a mapping or a list", () => {
  assert.equal(read("#sup=semi_supervised").values.supervision, "semi_supervised");
  const listed = readHash("#sup=semi_supervised", { ...TABLES, supervision: ["unsupervised", "semi_supervised"] });
  assert.equal(listed.values.supervision, "semi_supervised");
  assert.equal(readHash("#sup=x", { ...TABLES, supervision: [{ id: "x" }] }).values.supervision, "x");
});

test("table mode keeps no series columns or window; no label keeps no anomaly values", () => {
  const hash = hashOf({ ...FULL, mode: "table", label_column: null });
  const { values } = read(hash);
  assert.equal(values.mode, "table");
  assert.equal(values.series_columns, undefined);
  assert.equal(values.window, undefined);
  assert.equal(values.label_column, undefined);
  assert.equal(values.anomaly_values, undefined);
  assert.equal(hash.includes("PVC"), false);
});

test("unknown example, mode, detector, supervision and rule are dropped with a reason", () => {
  const { values, problems } = read("#ex=nope&mode=cube&det=svm&det=knn&sup=magic&rule=vote&seed=3");
  assert.deepEqual(values, { detectors: [{ kind: "knn", params: {} }], seed: 3 });
  assert.equal(problems.length, 5);
  assert.match(problems.join("|"), /no example “nope”/);
  assert.match(problems.join("|"), /no mode “cube”/);
  assert.match(problems.join("|"), /no detector “svm”/);
  assert.match(problems.join("|"), /no supervision “magic”/);
  assert.match(problems.join("|"), /no threshold rule “vote”/);
});

test("parameters are checked against the schema's kind and bounds", () => {
  const { values, problems } = read("#det=iforest&iforest.n_trees=2.5&det=knn&knn.k=1000&det=pca&pca.n_components=0.5&pca.color=red");
  assert.deepEqual(values.detectors, [
    { kind: "iforest", params: {} }, { kind: "knn", params: {} }, { kind: "pca", params: { n_components: 0.5 } },
  ]);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /Trees of iforest “2.5” is not a whole number, using 100/);
  assert.match(problems[1], /Neighbours of knn “1000” is not between 1 and 100, using 10/);
  assert.match(problems[2], /pca has no setting “color”/);
});

test("rule parameters are checked; a bad one falls back to the default", () => {
  assert.deepEqual(read("#rule=mean_std&rule.k=2.5").values.threshold_rule, { rule: "mean_std", k: 2.5 });
  const { values, problems } = read("#rule=recall&rule.value=abc");
  assert.deepEqual(values.threshold_rule, { rule: "recall" });
  assert.match(problems[0], /Target recall of the threshold rule “abc” is not a number, using 0.9/);
});

test("window and seed must be whole numbers", () => {
  assert.deepEqual(read("#win=140:1").values.window, { length: 140, stride: 1 });
  for (const win of ["140", "0:5", "a:b", "1.5:2", "-3:1"]) {
    const { values, problems } = read(`#win=${win}`);
    assert.equal(values.window, undefined, win);
    assert.match(problems[0], /is not LENGTH:STRIDE/, win);
  }
  for (const seed of ["-1", "1.5", "x", ""]) {
    const { values, problems } = read(`#seed=${seed}`);
    assert.equal(values.seed, undefined, seed);
    assert.match(problems[0], /is not a whole number of 0 or more/, seed);
  }
});

test("fitToTable keeps the columns and label values the loaded table has", () => {
  const table = {
    columns: [{ name: "ecg" }, { name: "time" }, { name: "beat class" }],
    label_values: { "beat class": [["Normal", 10], ["PVC", 2]] },
  };
  const { values, problems } = fitToTable(read(hashOf(FULL)).values, table);
  assert.deepEqual(values.features, ["ecg"]);
  assert.deepEqual(values.anomaly_values, ["PVC"]);
  assert.equal(values.order_column, "time");
  assert.equal(problems.length, 2);
  assert.match(problems[0], /no column “a,b & c=d”/);
  assert.match(problems[1], /label column has no value “R-on-T PVC”/);
});

test("fitToTable drops a label or order column the table does not have", () => {
  const table = { columns: [{ name: "x" }], label_values: {} };
  const { values, problems } = fitToTable({ label_column: "y", anomaly_values: ["1"], order_column: "t" }, table);
  assert.deepEqual(values, {});
  assert.equal(problems.length, 2);
});

test("a label column with too many distinct values is dropped", () => {
  const table = { columns: [{ name: "id" }], label_values: {} };
  const { values, problems } = fitToTable({ label_column: "id", anomaly_values: [] }, table);
  assert.equal(values.label_column, undefined);
  assert.match(problems[0], /too many distinct values/);
});
