// The stream's data model: one Track per strategy (scores by play position, threshold, live
// confusion counts) and the metric formulas every view shows. No DOM here.

export const METRICS = ["accuracy", "precision", "recall", "f1"];
export const METRIC_TITLES = { accuracy: "Accuracy", precision: "Precision", recall: "Recall", f1: "F1" };

const SHORT = { pca: "PCA", ocsvm: "OC-SVM", autoencoder: "AE", vae: "VAE", bigan: "BiGAN", iforest: "IForest" };
const TITLES = {
  pca: "PCA", ocsvm: "One-Class SVM", autoencoder: "Autoencoder", vae: "VAE", bigan: "BiGAN",
  iforest: "Isolation Forest",
};
export const KIND_ORDER = ["pca", "ocsvm", "autoencoder", "bigan", "vae", "iforest"];

export class Track {
  /** @param {object} summary - the worker's model summary; @param {number} n - stream length */
  constructor(summary, n) {
    this.name = summary.name;
    this.kind = summary.kind;
    this.title = summary.title && summary.title !== summary.name ? summary.title : (TITLES[summary.kind] ?? summary.name);
    this.short = SHORT[summary.kind] ?? summary.name;
    this.defaultThreshold = summary.threshold;
    this.threshold = summary.threshold;
    this.rule = summary.threshold_rule;
    this.n = n;
    this.active = true;
    this.resetScores();
    this.resetCounts();
  }

  resetScores() {
    this.scores = new Float64Array(this.n);
    this.scored = 0;      // positions [0, scored) have scores
    this.requested = 0;   // positions [0, requested) were asked for
    this.sorted = null;   // sorted copy of all scores (for the threshold slider), once complete
  }

  resetCounts() {
    this.tp = 0; this.fp = 0; this.tn = 0; this.fn = 0;
  }

  /** Verdict at play position p: true = called an attack. */
  flagged(p) {
    return this.scores[p] > this.threshold;
  }

  /** Add positions [from, to) to the counts; truth = Uint8Array by play position. */
  count(from, to, truth) {
    const s = this.scores, t = this.threshold;
    for (let p = from; p < to; p++) {
      if (s[p] > t) { if (truth[p]) this.tp++; else this.fp++; }
      else if (truth[p]) this.fn++; else this.tn++;
    }
  }

  /** Counts of positions [0, tick) from scratch (after a threshold move). */
  recount(tick, truth) {
    this.resetCounts();
    this.count(0, tick, truth);
  }

  storeChunk(start, scores) {
    this.scores.set(scores, start);
    this.scored = Math.max(this.scored, start + scores.length);
    if (this.scored === this.n) this.sorted = Float64Array.from(this.scores).sort();
  }

  get total() { return this.tp + this.fp + this.tn + this.fn; }

  /** {value (NaN when undefined), formula, numbers} for one metric at the current counts. */
  metric(name) {
    const { tp, fp, tn, fn } = this;
    const total = this.total;
    const ratio = (a, b) => (b > 0 ? a / b : NaN);
    switch (name) {
      case "accuracy":
        return { value: ratio(tp + tn, total), formula: `(TP+TN)/total = (${tp}+${tn})/${total}` };
      case "precision":
        return { value: ratio(tp, tp + fp), formula: `TP/(TP+FP) = ${tp}/(${tp}+${fp})` };
      case "recall":
        return { value: ratio(tp, tp + fn), formula: `TP/(TP+FN) = ${tp}/(${tp}+${fn})` };
      case "f1":
        return { value: ratio(2 * tp, 2 * tp + fp + fn), formula: `2TP/(2TP+FP+FN) = ${2 * tp}/(${2 * tp}+${fp}+${fn})` };
      default:
        throw new Error(`unknown metric ${name}`);
    }
  }

  /** Slider position 0..1000 <-> threshold, through the quantiles of the stream's scores. */
  toSlider(t) {
    if (!this.sorted) return 500;
    const s = this.sorted;
    let lo = 0, hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] <= t) lo = mid + 1; else hi = mid; }
    return Math.round((lo / s.length) * 1000);
  }

  fromSlider(v) {
    if (!this.sorted) return this.threshold;
    const s = this.sorted;
    const i = Math.min(s.length - 1, Math.max(0, Math.round((v / 1000) * s.length) - 1));
    return v <= 0 ? s[0] - Math.abs(s[0]) * 0.01 - 1e-9 : s[i];
  }
}

export function formatMetric(value) {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "–";
}
