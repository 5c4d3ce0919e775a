// The stream's data model: one Track per strategy (scores by play position, threshold, live
// confusion counts). Its rates come from common/metrics.js (Python's rules); its labels from
// Python's schema (the worker's hello reply). No DOM here.
import { ratesFromCounts } from "../common/metrics.js";

/** The KDD models of the build in the schema's kind order, as Tracks of an n-long stream.
 * @param {object[]} models - the worker's model summaries
 * @param {{order: string[], labels: Object<string, {title: string, short: string}>}} kinds */
export function tracksFor(models, kinds, n) {
  const rank = (m) => {
    const i = kinds.order.indexOf(m.kind);
    return i < 0 ? kinds.order.length : i;
  };
  return [...models].sort((a, b) => rank(a) - rank(b)).map((m) => new Track(m, n, kinds.labels[m.kind]));
}

export class Track {
  /** @param {object} summary - the worker's model summary; @param {number} n - stream length;
   * @param {{title: string, short: string}} [label] - the schema's label of the model's kind */
  constructor(summary, n, label) {
    this.name = summary.name;
    this.kind = summary.kind;
    this.title = summary.title && summary.title !== summary.name ? summary.title : (label?.title ?? summary.name);
    this.short = label?.short ?? summary.name;
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
    this.counted = 0;     // positions [0, counted) are in the counts
  }

  /** Verdict at play position p: true = called an attack. */
  flagged(p) {
    return this.scores[p] > this.threshold;
  }

  /** Add positions [from, to) to the counts (from = counted); truth = Uint8Array by play
   * position. */
  count(from, to, truth) {
    const s = this.scores, t = this.threshold;
    for (let p = from; p < to; p++) {
      if (s[p] > t) { if (truth[p]) this.tp++; else this.fp++; }
      else if (truth[p]) this.fn++; else this.tn++;
    }
    this.counted = Math.max(this.counted, to);
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

  get counts() { return { tp: this.tp, fp: this.fp, tn: this.tn, fn: this.fn }; }

  /** "TP 1 · FP 2 · TN 3 · FN 4": the counts line of the ranking cards and the piles. */
  get countsText() { return `TP ${this.tp} · FP ${this.fp} · TN ${this.tn} · FN ${this.fn}`; }

  /** Accuracy, precision, recall and F1 at the current counts; null where undefined. */
  rates() { return ratesFromCounts(this); }

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
