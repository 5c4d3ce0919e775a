// Drawing the train page from its state: the configuration's shape and check, the run controls
// and progress, the charts and gauges. Each chart view receives only the data it draws.
import { ScoreHistogram } from "../views/histogram.js";
import { RocChart } from "../views/roc.js";
import { MetricGauges } from "./gauges.js";
import { LatentScatter } from "./latent.js";
import { LossChart } from "./loss_chart.js";
import { NetworkDiagram } from "./network.js";
import { placeholderOn } from "./placeholder.js";

const $ = (id) => document.getElementById(id);
const count = (n) => n.toLocaleString("en");

/** The autoencoder's layers as the diagram draws them; a size the form cannot use yet is drawn as 1. */
export function layersOf(config, inputDim) {
  const size = (u) => (Number.isInteger(u) && u > 0 ? u : 1);
  const hidden = (list) => (Array.isArray(list) ? list.map((u) => ({ units: size(u), role: "hidden" })) : []);
  const decoder = config.mirrored ? [...config.encoder_units].reverse() : config.decoder_units;
  return [
    { units: inputDim, role: "input" }, ...hidden(config.encoder_units),
    { units: size(config.latent_dim), role: "latent" }, ...hidden(decoder),
    { units: inputDim, role: "output" },
  ];
}

function parameterText(state) {
  if (state.checking) return "…";
  return state.parameters === null ? "–" : `${count(state.parameters)} parameters`;
}

/** Python's training time (`seconds`: training steps + each epoch's evaluation), written as the
 * ECG lab's Compare models table writes the manifest's `training.seconds`. */
const secs = (s) => (s < 60 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

function progressText(state, done, epochs) {
  const { status, seconds } = state;
  if (status === "empty") return "Not started";
  if (status === "diverged") return `Stopped at epoch ${done} of ${epochs}: diverged`;
  if (status === "done") return `Finished: ${done} epochs in ${secs(seconds)} of training`;
  const left = done ? secs((seconds / done) * (epochs - done)) : "…";
  const verb = status === "paused" ? "Paused at" : state.running ? "Training:" : "";
  return `${verb} epoch ${done} of ${epochs} · ${secs(seconds)} · about ${left} left`.trim();
}

/** What the stale-settings banner says: while a run goes on, its buttons are disabled. */
function staleText(state) {
  if (state.running) {
    return "Settings changed: this run goes on with its old settings. Press Pause (or wait for the end), " +
      "then Train starts over with the new settings.";
  }
  return "Settings changed: the charts show the previous run. Press Train or Step one epoch to start over " +
    "with the new settings, or Reset.";
}

/** "Add layer" buttons are disabled at Python's layer limit, with Python's reason. */
function drawLayerLimit(config, form) {
  const reasons = [];
  for (const [key, id] of [["encoder_units", "add-layer"], ["decoder_units", "add-decoder-layer"]]) {
    const { max_layers: max, limit_reason: reason } = form.field(key);
    const full = Array.isArray(config[key]) && config[key].length >= max;
    $(id).disabled = full;
    if (full && !$(id).hidden) reasons.push(reason);
  }
  $("layer-limit").textContent = reasons.join(" ");
  $("layer-limit").hidden = !reasons.length;
}

function drawWarnings(state) {
  const warnings = state.configError ? [] : state.warnings ?? [];
  $("config-warnings").replaceChildren(...warnings.map(({ field, message }) =>
    Object.assign(document.createElement("li"), { textContent: message, className: `warn-${field}` })));
  $("config-warnings").hidden = !warnings.length;
}

export class TrainView {
  /** @param {{metrics: object, inputDim: number, form: import("./form.js").ConfigForm,
   *  stale: () => boolean}} page */
  constructor({ metrics, inputDim, form, stale }) {
    this.inputDim = inputDim;
    this.form = form;
    this.stale = stale;
    this.views = {
      network: new NetworkDiagram($("network")),
      loss: new LossChart($("loss-chart")),
      histogram: new ScoreHistogram($("histogram")),
      roc: new RocChart($("roc")),
      latent: new LatentScatter($("latent")),
      gauges: new MetricGauges($("gauges"), metrics),
    };
  }

  draw(state) {
    this.drawConfig(state);
    this.drawControls(state);
    this.drawProgress(state);
    this.drawResults(state);
  }

  drawConfig(state) {
    const layers = layersOf(state.config, this.inputDim);
    const sizes = layers.map((l) => l.units);
    this.views.network.update({ layers });
    $("network").setAttribute("aria-label", `Network diagram: ${sizes.join(", ")} units`);
    $("shape-text").textContent = sizes.join(" → ");
    $("param-count").textContent = parameterText(state);
    const problem = state.configError;
    const status = $("config-status");
    status.textContent = problem || "The configuration is valid.";
    status.classList.toggle("problem", Boolean(problem));
    this.form.markField(problem ? state.errorField : null);
    $("blocked").hidden = !problem;
    $("blocked").textContent = problem ? `Fix the configuration to train: ${problem}` : "";
    drawLayerLimit(state.config, this.form);
    drawWarnings(state);
  }

  drawControls(state) {
    const stale = this.stale();
    $("stale").hidden = !stale;
    $("stale").textContent = stale ? staleText(state) : "";
    $("config").classList.toggle("is-stale", stale);
    document.body.dataset.trainStatus = state.status;
    const blocked = state.running || Boolean(state.configError);
    $("train").disabled = blocked;
    $("step").disabled = blocked;
    $("pause").disabled = !state.running;
    $("train").textContent = state.status === "paused" && !stale ? "Resume" : "Train";
    const usable = state.records.length > 0 && !state.running;
    for (const id of ["use", "download-weights", "download-manifest"]) $(id).disabled = !usable;
  }

  drawProgress(state) {
    const done = state.records.length;
    const epochs = state.summary ? state.summary.epochs : state.config.epochs;
    $("progress").max = Number.isInteger(epochs) && epochs > 0 ? epochs : 1;
    $("progress").value = done;
    $("progress").dataset.epoch = String(done);
    $("progress-text").textContent = progressText(state, done, epochs);
    $("run-message").hidden = !state.message;
    $("run-message").textContent = state.message;
    const train = state.records.map((r) => r.train_loss), val = state.records.map((r) => r.val_loss);
    this.views.loss.update({ train, val, epochs });
    $("loss-train-label").textContent = state.summary ? state.summary.train_loss_label : "training";
    $("loss-chart").dataset.losses = JSON.stringify({ train, val });
  }

  drawResults(state) {
    const last = state.records.at(-1);
    this.views.gauges.update(last ? last.test : null);
    $("gauges-basis").textContent = last
      ? `on ${count(last.test.n)} test beats (${count(last.test.n_anomalies)} abnormal), threshold ${last.threshold.toPrecision(3)} from validation`
      : "";
    const auc = last && Number.isFinite(last.auc) ? last.auc : null;
    $("roc-auc").textContent = auc === null ? "" : `· AUC ${auc.toFixed(3)}`;
    $("roc-auc").dataset.auc = auc === null ? "" : String(auc);
    const v = state.views;
    const { histogram, roc, latent } = this.views;
    histogram.update(v && { edges: v.histogram.edges.data, normal: v.histogram.normal.data,
                            abnormal: v.histogram.abnormal.data, log: true, threshold: v.histogram.threshold });
    roc.update(v && { fpr: v.roc.fpr.data, tpr: v.roc.tpr.data, point: { fpr: last.test.fpr, tpr: last.test.tpr } });
    latent.update(v && v.latent);
    if (!v) for (const id of ["histogram", "roc"]) placeholderOn($(id));
    $("latent-basis").textContent = v ? `axes: ${v.latent.basis}; ${v.latent.abnormal.data.length} test beats` : "";
  }
}
