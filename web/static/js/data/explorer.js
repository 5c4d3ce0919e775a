// The threshold explorer of the data page, for one fitted detector, on the test split: the
// lab's score histogram (views/histogram.js) with a threshold that can be dragged on it or
// moved by keyboard, the ROC curve (views/roc.js), a precision-recall curve (views/pr_curve.js),
// the confusion matrix (views/confusion.js) and the rates. Every number comes from Python's
// `table_explorer`; at most one request is in flight and the latest threshold is sent next.
import { formatMetric } from "../common/metrics.js";
import { ConfusionMatrix } from "../views/confusion.js";
import { ScoreHistogram } from "../views/histogram.js";
import { PrChart } from "../views/pr_curve.js";
import { RocChart } from "../views/roc.js";
import { el, latestOnly, shortNumber, values } from "./results_dom.js";

const RATES = ["precision", "recall", "f1", "fpr", "accuracy"];
const STEPS = 200;  // keyboard and slider resolution over the histogram's range

/** The lab's histogram, which also maps a pointer position back to a score: it notes the
 * axis it drew (the same linear axis ScoreHistogram uses when `log` is false). */
class DraggableHistogram extends ScoreHistogram {
  drawThreshold(ctx, width, height, pad, px, threshold, edges) {
    this.axis = { left: pad.l, right: width - pad.r, lo: edges[0], hi: edges[edges.length - 1] };
    super.drawThreshold(ctx, width, height, pad, px, threshold, edges);
  }

  valueAt(clientX) {
    if (!this.axis) return null;
    const { left, right, lo, hi } = this.axis;
    const x = clientX - this.canvas.getBoundingClientRect().left;
    const f = Math.min(Math.max((x - left) / Math.max(1, right - left), 0), 1);
    return lo + f * (hi - lo);
  }
}

const sum = (a) => { let t = 0; for (const v of a) t += v; return t; };

export class ThresholdExplorer {
  /** @param {HTMLElement} container  @param {object} python  @param {object} definitions
   *  metric titles/formulas from the schema  @param {(message: string) => void} onError */
  constructor(container, python, definitions, onError) {
    this.python = python;
    this.definitions = definitions;
    this.onError = onError;
    this.kind = null;
    this.threshold = null;
    this.range = null;
    this.reply = null;
    this.generation = 0;
    this.fetch = latestOnly(() => this.request());
    this.build(container);
    this.wire();
  }

  build(container) {
    const histogram = el("canvas", { className: "chart", id: "results-histogram", tabIndex: 0,
      attrs: { role: "slider", "aria-label": "Threshold on the score histogram: drag, or use the arrow keys",
               "aria-valuemin": "0", "aria-valuemax": "1", "aria-valuenow": "0" } });
    const roc = el("canvas", { className: "chart square", id: "results-roc", attrs: { role: "img", "aria-label": "ROC curve with the current operating point" } });
    const pr = el("canvas", { className: "chart square", id: "results-pr", attrs: { role: "img", "aria-label": "Precision-recall curve with the current operating point" } });
    this.$ = {
      basis: el("p", { className: "hint", id: "explorer-basis" }),
      range: el("input", { type: "range", id: "explorer-range", min: "0", max: String(STEPS), step: "1" }),
      number: el("input", { type: "number", id: "explorer-threshold", step: "any" }),
      confusionBox: el("div", { className: "confusion-box" }),
      metrics: el("dl", { className: "results-metrics", id: "explorer-metrics" }),
      flagged: el("p", { className: "hint", id: "explorer-flagged", attrs: { "aria-live": "polite" } }),
      labelledOnly: el("div", { className: "labelled-only" }),
      noLabels: el("p", { className: "hint", id: "explorer-no-labels", hidden: true },
        "Without labels there is no ROC curve, precision-recall curve or confusion matrix: the histogram shows every " +
        "scored row, and the threshold says how many are flagged."),
      histogramTitle: el("h4", { id: "explorer-histogram-title" }),
      rocAuc: el("span", { className: "auc" }), prAp: el("span", { className: "auc" }),
    };
    const $ = this.$;
    this.rateCells = {};
    for (const k of RATES) {
      this.rateCells[k] = el("dd", { id: `explorer-m-${k}` }, "–");
      $.metrics.append(el("div", {}, el("dt", { title: this.definitions[k]?.formula ?? "" }, this.definitions[k]?.title ?? k), this.rateCells[k]));
    }
    this.confusion = new ConfusionMatrix($.confusionBox, { caption: "Confusion matrix on the test rows" });
    $.labelledOnly.append($.confusionBox, el("p", { className: "hint" },
      "Rows: the truth. Columns: the detector's verdict at this threshold."), $.metrics);
    const threshold = el("div", { className: "threshold" },
      el("label", { htmlFor: "explorer-range" }, "Threshold"), $.range, $.number,
      el("p", { className: "hint" }, "Drag the line on the histogram, or focus the histogram and use ←/→ (Shift: bigger steps, Home/End)."));
    threshold.querySelector("input[type=number]").setAttribute("aria-label", "Threshold value");
    $.curves = el("div", { className: "curves" },
      el("figure", {}, el("figcaption", {}, "ROC curve ", $.rocAuc), roc),
      el("figure", {}, el("figcaption", {}, "Precision-recall curve ", $.prAp), pr,
        el("p", { className: "hint" }, "Dashed: the share of anomalies, a random ranking's precision.")));
    $.legend = el("ul", { className: "legend" },
      el("li", {}, el("span", { className: "swatch normal" }), " normal rows (solid bars)"),
      el("li", {}, el("span", { className: "swatch abnormal hatched" }), " anomalies (hatched bars)"),
      el("li", {}, el("span", { className: "swatch ink" }), " threshold"));
    this.root = el("div", { className: "results-explorer", id: "results-explorer" },
      $.basis, threshold,
      el("div", { className: "explorer-grid" },
        el("div", {}, $.flagged, $.labelledOnly, $.noLabels),
        el("div", {}, $.histogramTitle, histogram, $.legend)),
      $.curves);
    container.append(this.root);
    this.views = { histogram: new DraggableHistogram(histogram), roc: new RocChart(roc), pr: new PrChart(pr) };
    this.histogramCanvas = histogram;
  }

  wire() {
    const { range, number } = this.$;
    range.addEventListener("input", () => this.setThreshold(this.fromSlider(Number(range.value))));
    number.addEventListener("change", () => {
      const v = Number.parseFloat(number.value);
      if (Number.isFinite(v)) this.setThreshold(v);
      else this.onError("The threshold must be a number.");
    });
    const canvas = this.histogramCanvas;
    let dragging = false;
    canvas.addEventListener("pointerdown", (e) => {
      dragging = true;
      canvas.setPointerCapture(e.pointerId);
      this.setThreshold(this.views.histogram.valueAt(e.clientX));
    });
    canvas.addEventListener("pointermove", (e) => { if (dragging) this.setThreshold(this.views.histogram.valueAt(e.clientX)); });
    const stop = () => { dragging = false; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("keydown", (e) => this.key(e));
    new ResizeObserver(() => this.redraw()).observe(this.root);
  }

  key(e) {
    if (!this.range) return;
    const { lo, hi } = this.range;
    const step = ((hi - lo) / STEPS) * (e.shiftKey ? 10 : 1);
    const to = { ArrowRight: this.threshold + step, ArrowUp: this.threshold + step, ArrowLeft: this.threshold - step,
                 ArrowDown: this.threshold - step, Home: lo, End: hi }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    this.setThreshold(Math.min(Math.max(to, lo), hi));
  }

  fromSlider(v) { return this.range.lo + (v / STEPS) * (this.range.hi - this.range.lo); }
  toSlider(t) {
    const { lo, hi } = this.range;
    return Math.round(Math.min(Math.max((t - lo) / ((hi - lo) || 1), 0), 1) * STEPS);
  }

  /** Explore `kind`: its own threshold first (null asks Python for the chosen one). */
  async show(kind, labelled, unit = "rows") {
    this.generation += 1;
    this.unit = unit;
    this.kind = kind;
    this.labelled = labelled;
    this.threshold = null;
    this.range = null;
    this.reply = null;
    this.$.labelledOnly.hidden = !labelled;
    this.$.curves.hidden = !labelled;
    this.$.noLabels.hidden = labelled;
    this.$.legend.hidden = !labelled;
    this.$.histogramTitle.textContent = labelled ? `Scores of the test ${unit}` : `Scores of all ${unit}`;
    await this.fetch();
  }

  setThreshold(value) {
    if (value == null || !Number.isFinite(value) || this.kind == null) return;
    this.threshold = value;
    this.render(true);
    this.fetch();
  }

  async request() {
    const kind = this.kind, generation = this.generation, threshold = this.threshold;
    try {
      const reply = await this.python.request("table_explorer", { kind, threshold });
      if (generation !== this.generation) return;
      this.reply = reply;
      if (this.threshold === null) this.threshold = reply.threshold;
      const edges = values(reply.histogram.edges);
      if (!this.range) this.range = { lo: edges[0], hi: edges[edges.length - 1] };
      this.render(false);
    } catch (err) {
      if (generation === this.generation) this.onError(`The explorer could not update: ${err.message}`);
    }
  }

  /** Draw the current state; `pending` = the threshold moved and Python's numbers will follow. */
  render(pending) {
    const r = this.reply;
    if (!r) return;
    const $ = this.$;
    const t = this.threshold;
    $.range.value = String(this.toSlider(t));
    if (document.activeElement !== $.number) $.number.value = shortNumber(t);
    const c = r.confusion;
    const h = r.histogram;
    const n = sum(values(h.normal)) + sum(values(h.abnormal));
    this.histogramCanvas.setAttribute("aria-valuemin", String(this.range.lo));
    this.histogramCanvas.setAttribute("aria-valuemax", String(this.range.hi));
    this.histogramCanvas.setAttribute("aria-valuenow", String(t));
    this.histogramCanvas.setAttribute("aria-valuetext", `threshold ${shortNumber(t)}`);
    this.views.histogram.update({ edges: values(h.edges), normal: values(h.normal), abnormal: values(h.abnormal), log: false, threshold: t });
    this.root.dataset.pending = String(pending || t !== r.threshold);
    if (pending) return;
    this.root.dataset.kind = this.kind;
    this.root.dataset.threshold = String(r.threshold);
    const anomalies = c ? c.tp + c.fn : 0;
    $.basis.textContent = this.labelled
      ? `Test split: ${n.toLocaleString("en")} ${this.unit} (${anomalies.toLocaleString("en")} anomalies), which neither fitting nor the threshold choice saw.`
      : `All ${n.toLocaleString("en")} scored ${this.unit} (no labels, so no test split is held out).`;
    $.flagged.textContent = `At this threshold ${r.flagged.toLocaleString("en")} of ${n.toLocaleString("en")} ${this.unit} are flagged.`;
    $.flagged.dataset.flagged = String(r.flagged);
    this.confusion.update(this.labelled ? c : null);
    for (const k of RATES) this.rateCells[k].textContent = formatMetric(r.metrics?.[k]);
    if (!this.labelled) return;
    this.drawCurves(r, c, n, anomalies);
  }

  drawCurves(r, c, n, anomalies) {
    const point = c ? { fpr: c.fp / ((c.fp + c.tn) || 1), tpr: c.tp / ((c.tp + c.fn) || 1) } : null;
    this.views.roc.update({ fpr: values(r.roc.fpr), tpr: values(r.roc.tpr), point });
    this.$.rocAuc.textContent = `· AUC ${formatMetric(r.roc.auc)}`;
    const precision = r.metrics?.precision, recall = r.metrics?.recall;
    this.views.pr.update({ precision: values(r.pr.precision), recall: values(r.pr.recall), base: n ? anomalies / n : null,
                           point: { precision, recall } });
    this.$.prAp.textContent = `· average precision ${formatMetric(r.pr.ap)}`;
  }

  redraw() {
    if (!this.reply) return;
    this.views.histogram.redraw();
    if (this.labelled) { this.views.roc.redraw(); this.views.pr.redraw(); }
  }

  clear() {
    this.generation += 1;
    this.kind = null;
    this.reply = null;
    this.range = null;
  }
}
