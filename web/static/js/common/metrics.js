// Threshold metrics from confusion counts, for pages that must count per frame (the stream).
// The rules are those of anomascope.metrics.rates_from_counts (tests/unit/test_metrics_js.py
// checks them against it): a ratio whose denominator is 0 is undefined (null here, NaN in
// Python), and F1 = 2TP / (2TP + FP + FN). Titles and formula texts come from Python (the
// `metrics` part of the worker's schema); this module only computes and formats. No DOM here.

/** Shown for an undefined metric (a ratio with a zero denominator), never 0.000. */
export const UNDEFINED_TEXT = "–";

const ratio = (num, den) => (den > 0 ? num / den : null);

/** Accuracy, precision, recall and F1 of counts {tp, fp, tn, fn}; null where undefined. */
export function ratesFromCounts({ tp, fp, tn, fn }) {
  return {
    accuracy: ratio(tp + tn, tp + fp + tn + fn),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

const defined = (value) => typeof value === "number" && Number.isFinite(value);

/** `value` to `digits` decimals the way Python's format(value, ".3f") does it. toFixed rounds
 * the exact binary value to the nearest, as Python does, but takes an exact half up where
 * Python takes it to the even neighbour (0.5625 -> "0.563" against "0.562"); counts make such
 * halves often (9/16), so they are detected on the exact decimal expansion and sent to even. */
function toFixedHalfEven(value, digits) {
  const rounded = value.toFixed(digits);
  const exact = value.toFixed(100);  // the double's exact expansion, for any metric value
  const cut = exact.indexOf(".") + 1 + digits;
  if (!/^50*$/.test(exact.slice(cut))) return rounded;
  const down = exact.slice(0, digits ? cut : cut - 1);
  return Number(down.at(-1)) % 2 === 0 ? down : rounded;
}

/** A metric to `digits` decimals (3 by default), rounded as Python rounds; "–" when undefined
 * (null or NaN). */
export function formatMetric(value, digits = 3) {
  return defined(value) ? toFixedHalfEven(value, digits) : UNDEFINED_TEXT;
}

/** A formula text such as "2TP / (2TP + FP + FN)" with the counts put in: every term
 * "[k]TP|FP|TN|FN" becomes its value times k, and "total" the sum of the four counts. */
export function formulaWithCounts(formula, { tp, fp, tn, fn }) {
  const counts = { TP: tp, FP: fp, TN: tn, FN: fn };
  return formula
    .replace(/\b(\d*)(TP|FP|TN|FN)\b/g, (_, k, name) => String((k ? Number(k) : 1) * counts[name]))
    .replace(/\btotal\b/g, String(tp + fp + tn + fn));
}
