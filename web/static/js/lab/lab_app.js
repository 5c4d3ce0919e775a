// Page controller of the ECG lab: one state object; user actions -> state -> worker requests ->
// state -> views. The lab's feature actions (explorer, upload, drawing, costs; the "how it
// works" section; the training replay) live in actions.js, about.js and replay.js and work on
// this same state; views only draw what they are given.
import { PythonClient } from "../common/client.js";
import { LAB_BOOT } from "./boot.js";
import { writeHash, SECTIONS } from "./url_state.js";
import { createLinkActions } from "./link.js";
import { createAboutActions } from "./about.js";
import { LabActions } from "./actions.js";
import { createMistakeActions, nearestText, peakText } from "./mistakes.js";
import { createReplayActions } from "./replay.js";
import { AucChart } from "./auc_chart.js";
import { ClassMeans } from "./class_means.js";
import { LayerDiagram } from "./layer_diagram.js";
import { TendencyChart } from "./tendency_chart.js";
import { BeatChart } from "./beat_chart.js";
import { BeatGrid } from "./beat_grid.js";
import { CostTable } from "./cost_table.js";
import { DrawPad } from "./draw_pad.js";
import { ScoreHistogram } from "../views/histogram.js";
import { MetricsPanel } from "./metrics_panel.js";
import { RocChart } from "../views/roc.js";
import { LoadingProgress, NoticeBar } from "../common/notices.js";
import { keepFocusClearOf } from "../common/sticky.js";

const $ = (id) => document.getElementById(id);

const state = {
  schema: null,         // Python's labels, bounds and metric definitions (from the hello reply)
  section: "viewer",
  addressSection: null, // the section in the address bar: a new one adds a history entry
  ecg: null,            // {test_X: {shape, data}, test_y: {data}, class_names}
  models: [],           // model summaries from the worker
  model: null,          // active model name
  scores: null,         // Float32Array of test scores of the active model
  threshold: 0,
  classFilter: "all",   // "all", a class "1".."5", or "user" (your uploaded beats)
  page: 0,
  pageToSelected: false, // turn the grid to the selected beat's page at the next render (a link)
  source: "test",       // which rows the viewer shows: "test" or "user"
  selected: 0,
  inspected: null,      // reply of inspect_beat
  user: null,           // {X, y, n, labelled, name, scores}
  explorer: { summary: null, metrics: null, presets: {} },
  drawing: { strokes: [], result: null, message: "Draw a beat on the pad to score it.", error: false,
             version: 0, scoredVersion: 0 },
  timings: {},          // model name -> {seconds_median, rows} | message
  replay: { model: null, data: null, epoch: 0, playing: false, message: "" },
  about: { model: null, data: null, scale: "raw" },
};

const progress = new LoadingProgress();
const notices = new NoticeBar($("notice"));
const notify = (message, source) => notices.notify(message, source);
const clearNotice = (source) => notices.clear(source);

const python = new PythonClient({
  boot: LAB_BOOT,
  onProgress: (p) => progress.show(p),
  onFailure: (err) => notify(`${err.message} Reload the page to start it again.`, "engine"),
  onRestart: (message) => recoverFromRestart(message),
});

// A crashed worker was replaced: built-in models are back; beats uploaded to the old worker
// are gone, so they are cleared here; the active model, threshold and view are kept.
async function recoverFromRestart(message) {
  if (state.user) {
    state.user = null;
    lab.scaleWarning(null);
    $("class-filter").querySelector('option[value="user"]')?.remove();
    if (state.classFilter === "user") setFilter("all");
  }
  state.timings = {};
  try {
    await selectModel(state.model, { threshold: state.threshold });
    notify(`${message} It was restarted and your model and settings are kept; `
      + "upload your own beats again if you had any.", "engine");
  } catch (err) {
    notify(`${message} Restarting it failed: ${err.message}`, "engine");
  }
}

const views = {
  grid: new BeatGrid($("beat-grid"), { onSelect: (index, how) => selectBeat(index).then(() => {
    if (how?.pointer) bringDetailIntoView();
  }) }),
  chart: new BeatChart($("beat-chart")),
  histogram: new ScoreHistogram($("score-histogram")),
  roc: new RocChart($("roc-chart")),
  metrics: new MetricsPanel($("explorer")),
  pad: new DrawPad($("draw-pad"), {
    onChange: (strokes, final) => lab.drawingChanged(strokes, final), cursorLabel: $("draw-cursor"),
  }),
  costs: new CostTable($("cost-rows")),
  replayHistogram: new ScoreHistogram($("replay-histogram")),
  replayAuc: new AucChart($("replay-auc")),
  layers: new LayerDiagram($("about-layers")),
  tendency: new TendencyChart($("about-tendency")),
  classes: new ClassMeans($("about-classes")),
};

const lab = new LabActions({ state, python, render, notify, clearNotice, $, selectBeat, setFilter });
const replay = createReplayActions({ state, python, render, $, views });
const mistakes = createMistakeActions({ state, python, notify, clearNotice, $, openBeat });
const about = createAboutActions({ state, python, render, notify, clearNotice, $, views,
                                   renderEdgeCases: mistakes.renderEdgeCases });
const { renderAbout, loadAbout } = about;
const link = createLinkActions({ state, $, notify, clearNotice, filteredIndices, selectModel, selectBeat,
                                 setThreshold, setSection });

// ---- derived ----------------------------------------------------------------------------
function filteredIndices() {
  if (state.classFilter === "user") return state.user ? [...Array(state.user.n).keys()] : [];
  const labels = state.ecg.test_y.data;
  const out = [];
  for (let i = 0; i < labels.length; i++) {
    if (state.classFilter === "all" || String(labels[i]) === state.classFilter) out.push(i);
  }
  return out;
}

function thresholdScale() {
  let lo = Infinity, hi = -Infinity;
  for (const s of state.scores) { if (s > 0) lo = Math.min(lo, s); hi = Math.max(hi, s); }
  if (!(lo < hi)) { lo = 1e-6; hi = 1; }
  const a = Math.log(lo), b = Math.log(hi);
  return { toSlider: (t) => Math.round(((Math.log(Math.min(Math.max(t, lo), hi)) - a) / (b - a)) * 1000),
           fromSlider: (v) => Math.exp(a + (v / 1000) * (b - a)) };
}

/** A threshold with four significant digits and no trailing zeros ("0.0341", not "0.0341007…"). */
const shortNumber = (v) => String(Number(v.toPrecision(4)));

// ---- rendering ---------------------------------------------------------------------------
function render() {
  const model = state.models.find((m) => m.name === state.model);
  $("threshold-range").value = String(thresholdScale().toSlider(state.threshold));
  if (document.activeElement !== $("threshold-number")) $("threshold-number").value = shortNumber(state.threshold);
  $("threshold-hint").textContent = model
    ? `The model's own threshold is ${model.threshold.toPrecision(4)} (rule “${model.threshold_rule ?? "unknown"}”). ` +
      "Every view below follows this control."
    : "";
  for (const name of SECTIONS) {
    const on = name === state.section;
    $(name).hidden = !on;
    $(`tab-${name}`).setAttribute("aria-selected", String(on));
    $(`tab-${name}`).tabIndex = on ? 0 : -1;
  }
  ({ viewer: renderViewer, explorer: renderExplorer, draw: renderDraw, models: renderCosts,
     replay: replay.renderReplay, about: renderAbout })[state.section]();
  writeHash(state, { push: state.addressSection !== null && state.addressSection !== state.section });
  state.addressSection = state.section;
}

function renderViewer() {
  const indices = filteredIndices();
  const perPage = views.grid.capacity();
  const pages = Math.max(1, Math.ceil(indices.length / perPage));
  if (state.pageToSelected && state.source === "test" && indices.includes(state.selected)) {
    state.page = Math.floor(indices.indexOf(state.selected) / perPage);
  }
  state.pageToSelected = false;
  state.page = Math.min(state.page, pages - 1);
  $("page-label").textContent = `page ${state.page + 1} of ${pages} · ${indices.length} beats`;
  const user = state.classFilter === "user";
  views.grid.update({
    beats: user ? state.user.X.data : state.ecg.test_X.data, width: state.ecg.test_X.shape[1],
    indices: indices.slice(state.page * perPage, (state.page + 1) * perPage),
    labels: user ? state.user.y.data : state.ecg.test_y.data,
    scores: user ? state.user.scores : state.scores, threshold: state.threshold,
    selected: state.source === (user ? "user" : "test") ? state.selected : -1, prefix: user ? "u" : "#",
  });
  const b = state.inspected;
  views.chart.update(b && { beat: b.beat.data, reconstruction: b.reconstruction.data,
                            contributions: b.contributions.data });
  if (!b) return;
  const mine = b.source === "user";
  $("readout-index").textContent = mine ? `your beat u${b.index}` : `#${b.index}`;
  $("readout-class").textContent = b.true_class === 0 ? "no label (your beat)"
    : `${state.ecg.class_names[b.true_class]} (class ${b.true_class}${mine ? ", your label" : ""})`;
  $("readout-score").textContent = b.score.toPrecision(4);
  const flagged = b.score > state.threshold;
  $("readout-verdict").textContent = flagged ? "Anomaly (score above threshold)" : "Normal (score at or below threshold)";
  $("readout-verdict").className = flagged ? "verdict abnormal" : "verdict normal";
  $("readout-peak").textContent = peakText(b.peak_score.data[0], b.peak_threshold.value);
  // The selection, said once in words for screen readers (the canvas itself is a picture).
  const said = `Beat ${$("readout-index").textContent}: ${$("readout-class").textContent}; ` +
    `anomaly score ${$("readout-score").textContent}; ${$("readout-verdict").textContent}.`;
  if ($("beat-grid-status").textContent !== said) $("beat-grid-status").textContent = said;
}

function renderExplorer() {
  const { summary, metrics } = state.explorer;
  views.metrics.update({ summary, metrics, definitions: state.schema.metrics.definitions });
  views.histogram.update(summary && { edges: summary.edges.data, normal: summary.normal.data,
                                      abnormal: summary.abnormal.data, log: summary.log, threshold: state.threshold });
  views.roc.update(summary && summary.roc_fpr.data.length ? {
    fpr: summary.roc_fpr.data, tpr: summary.roc_tpr.data, point: metrics && { fpr: metrics.fpr, tpr: metrics.tpr },
  } : null);
  lab.renderPresets();
  mistakes.renderPerClass();
  mistakes.renderCellList();
}

function renderDraw() {
  const d = state.drawing;
  views.pad.update({ strokes: d.strokes, result: d.result });
  $("draw-undo").disabled = !d.strokes.length;
  $("draw-score").textContent = d.result ? d.result.score.toPrecision(4) : "–";
  const r = d.result;
  $("draw-peak").textContent = r ? peakText(r.peak_score.data[0], r.peak_threshold.value) : "–";
  $("draw-nearest").textContent = r ? nearestText(r.nearest, r.score > state.threshold) : "";
  const verdict = $("draw-verdict");
  if (d.result) {
    const flagged = d.result.score > state.threshold;
    verdict.textContent = flagged ? "Anomaly (score above threshold)" : "Normal (score at or below threshold)";
    verdict.className = flagged ? "verdict abnormal" : "verdict normal";
  } else {
    verdict.textContent = "–";
    verdict.className = "";
  }
  $("draw-message").textContent = d.message;
  $("draw-message").dataset.settled = String(d.scoredVersion === d.version);
  $("draw-message").classList.toggle("problem", d.error);
  $("draw-real-hint").textContent = state.inspected
    ? `uses the beat selected in the viewer (${state.inspected.source === "user" ? "u" : "#"}${state.inspected.index})`
    : "";
}

function renderCosts() {
  views.costs.update({ models: state.models, timings: state.timings, active: state.model });
}

// ---- actions -----------------------------------------------------------------------------
async function selectModel(name, { threshold } = {}) {
  const model = state.models.find((m) => m.name === name) ?? state.models[0];
  state.model = model.name;
  $("model-picker").value = model.name;
  const { scores } = await python.request("score_split", { model: model.name, dataset: "ecg5000", split: "test" });
  if (state.model !== model.name) return;
  state.scores = scores.data;
  state.threshold = threshold ?? model.threshold;
  replay.stop();
  await Promise.all([lab.refreshUserScores(), selectBeat(state.selected, state.source), lab.refreshExplorer(),
                     lab.loadPresets(), lab.rescoreDrawing(), replay.loadReplay(),
                     state.section === "about" ? loadAbout() : null]);
  render();
}

async function selectBeat(index, source = state.classFilter === "user" ? "user" : "test") {
  const n = source === "user" ? state.user.n : state.ecg.test_y.data.length;
  state.source = source;
  state.selected = Math.min(Math.max(0, index), n - 1);
  try {
    const reply = await python.request("inspect_beat", {
      model: state.model, dataset: "ecg5000", split: source, index: state.selected, threshold: state.threshold,
    });
    state.inspected = { ...reply, source };
    clearNotice("beat");
  } catch (err) {
    notify(err.message, "beat");
  }
  render();
}

// On a narrow screen the detail sits under the grid: a tapped beat's chart and verdict are
// scrolled into view (the page's scroll padding keeps them clear of the sticky bar).
function bringDetailIntoView() {
  if (!matchMedia("(max-width: 900px)").matches) return;
  const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
  $("detail-side").scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
}

function setThreshold(value) {
  if (!Number.isFinite(value) || value < 0) {
    notify("The threshold must be a number of zero or more.", "threshold");
    return;
  }
  clearNotice("threshold");
  clearNotice("preset");
  state.threshold = value;
  render();
  lab.requestMetrics();
}

/** Open a beat listed elsewhere (a confusion-matrix cell) in the viewer, on its page. */
function openBeat(index, split) {
  if (split === "user" ? state.classFilter !== "user" : state.classFilter === "user" ||
      !filteredIndices().includes(index)) {
    state.classFilter = split === "user" ? "user" : "all";
    $("class-filter").value = state.classFilter;
  }
  state.pageToSelected = true;
  setSection("viewer");
  return selectBeat(index, split).then(() => $("beat-grid").focus());
}

function setFilter(value) {
  state.classFilter = value;
  $("class-filter").value = value;
  state.page = 0;
  const indices = filteredIndices();
  if (indices.length) selectBeat(indices[0]);
  else render();
}

function setSection(name) {
  state.section = name;
  render();
  if (name === "models") lab.measureCosts(false);
  if (name === "about") loadAbout();
}

function wire() {
  link.wire();
  $("model-picker").addEventListener("change", (e) => {
    selectModel(e.target.value).catch((err) => notify(`Could not switch models: ${err.message}`, "model"));
  });
  $("class-filter").addEventListener("change", (e) => setFilter(e.target.value));
  $("page-prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); render(); });
  $("page-next").addEventListener("click", () => { state.page += 1; render(); });
  $("threshold-range").addEventListener("input", (e) => setThreshold(thresholdScale().fromSlider(Number(e.target.value))));
  $("threshold-number").addEventListener("change", (e) => setThreshold(Number.parseFloat(e.target.value)));
  for (const name of SECTIONS) {
    const tab = $(`tab-${name}`);
    tab.addEventListener("click", () => setSection(name));
    tab.addEventListener("keydown", (e) => {
      const i = SECTIONS.indexOf(name), n = SECTIONS.length;
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: n - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      const next = SECTIONS[(to + n) % n];
      setSection(next);
      $(`tab-${next}`).focus();
    });
  }
  lab.wire({ setThreshold });
  about.wire();
  for (const button of document.querySelectorAll("[data-goto]")) {
    button.addEventListener("click", () => setSection(button.dataset.goto));
  }
  replay.wire();
  mistakes.wire();
  let pending = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(render); });
}

async function start() {
  try {
    const { datasets, models, modelProblems = [], schema } = await python.ready;
    const ecg = datasets.ecg5000;
    state.ecg = ecg;
    state.schema = schema;
    // A model without a title of its own is named by its kind's title from Python.
    const kindTitle = (kind) => schema.kinds.labels[kind]?.title;
    state.models = models.filter((m) => m.dataset === "ecg5000" && m.reconstructs).map((m) => ({
      ...m, title: m.title === m.name && kindTitle(m.kind) ? `${kindTitle(m.kind)} (${m.name})` : m.title,
    }));
    if (!state.models.length) throw new Error("no ECG model was found in this build");
    $("model-picker").replaceChildren(...state.models.map((m) => new Option(m.title, m.name)));
    $("class-filter").append(...Object.entries(ecg.class_names).map(([k, v]) => new Option(`${k} · ${v}`, k)));
    const { values, problems } = link.read();
    state.classFilter = values.filter ?? "all";
    $("class-filter").value = state.classFilter;
    state.selected = values.beat ?? filteredIndices()[0] ?? 0;
    state.section = values.section ?? "viewer";
    // The page stays behind the loading panel until Python has scored the test beats, so
    // nothing can be typed that the app would not use.
    $("loading-label").textContent = "Scoring the test beats…";
    await selectModel(values.model ?? state.models[0].name, { threshold: values.threshold });
    $("loading").hidden = true;
    $("app").hidden = false;
    keepFocusClearOf($("labbar"));
    wire();
    state.pageToSelected = true;  // now that the grid has its size
    render();
    const notes = [];
    if (problems.length) notes.push(`Some settings in the link could not be used: ${problems.join("; ")}.`);
    if (modelProblems.length) notes.push(`Left out models that could not be loaded: ${modelProblems.join("; ")}.`);
    if (notes.length) notify(notes.join(" "), "hash");
    if (state.section === "models") await lab.measureCosts(false);
    if (state.section === "about") await loadAbout();
    document.documentElement.dataset.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "Anomascope could not start.";
    notify(`Anomascope could not start: ${err.message}`, "engine");
    document.documentElement.dataset.appReady = "failed";
  }
}

start();
