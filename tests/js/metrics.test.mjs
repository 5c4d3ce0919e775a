// The metrics formatter and formula filling of common/metrics.js (its rates are checked
// against Python in tests/unit/test_metrics_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  UNDEFINED_TEXT, formatMetric, formulaWithCounts, ratesFromCounts,
} from "../../web/static/js/common/metrics.js";

test("an undefined metric shows as a dash, never as zero", () => {
  for (const value of [null, undefined, NaN, Infinity]) {
    assert.equal(formatMetric(value), UNDEFINED_TEXT);
  }
  assert.equal(UNDEFINED_TEXT, "–");
});

test("numbers show to three decimals unless told otherwise", () => {
  assert.equal(formatMetric(0), "0.000");
  assert.equal(formatMetric(1), "1.000");
  assert.equal(formatMetric(2 / 3), "0.667");
  assert.equal(formatMetric(0.12345, 2), "0.12");
});

test("an exact half goes to the even neighbour, as in Python; anything else to the nearest", () => {
  assert.equal(formatMetric(9 / 16), "0.562");   // 0.5625 exactly
  assert.equal(formatMetric(0.5635), "0.564");   // stored just above the half
  assert.equal(formatMetric(0.1235), "0.123");   // stored just below the half
  assert.equal(formatMetric(2.5, 0), "2");
  assert.equal(formatMetric(1.5, 0), "2");
});

test("precision is undefined when nothing is flagged, F1 only when all three counts are 0", () => {
  const rates = ratesFromCounts({ tp: 0, fp: 0, tn: 5, fn: 3 });
  assert.equal(rates.precision, null);
  assert.equal(rates.recall, 0);
  assert.equal(rates.f1, 0);
  assert.equal(rates.accuracy, 5 / 8);
  assert.deepEqual(ratesFromCounts({ tp: 0, fp: 0, tn: 0, fn: 0 }),
    { accuracy: null, precision: null, recall: null, f1: null });
  assert.equal(ratesFromCounts({ tp: 0, fp: 0, tn: 4, fn: 0 }).f1, null);
});

test("formula texts get the counts put in, with coefficients and the total", () => {
  const counts = { tp: 3, fp: 4, tn: 10, fn: 2 };
  assert.equal(formulaWithCounts("2TP / (2TP + FP + FN)", counts), "6 / (6 + 4 + 2)");
  assert.equal(formulaWithCounts("(TP + TN) / total", counts), "(3 + 10) / 19");
  assert.equal(formulaWithCounts("TP/(TP+FN)", counts), "3/(3+2)");
});
