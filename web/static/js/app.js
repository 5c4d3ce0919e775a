// Page controller: one state object, user actions -> state -> worker requests -> state -> views.
import { PythonClient } from "./client.js";
import { BeatChart } from "./views/beat_chart.js";
import { BeatGrid } from "./views/beat_grid.js";

const $ = (id) => document.getElementById(id);

const state = {
  ecg: null,            // {test_X: {shape, data}, test_y: {data}, class_names}
  models: [],           // model summaries from the worker
  model: null,          // active model name
  scores: null,         // Float32Array of test scores of the active model
  threshold: 0,
  classFilter: "all",
  page: 0,
  selected: 0,
  inspected: null,      // reply of inspect_beat
};

const loading = new Map();

const python = new PythonClient({
  boot: { datasets: ["ecg5000"], modelDataset: "ecg5000" },
  onProgress: showProgress,
  onFailure: (err) => notify(`The Python engine stopped: ${err.message}. Reload the page to restart it.`),
});

const grid = new BeatGrid($("beat-grid"), { onSelect: (index) => selectBeat(index) });
const chart = new BeatChart($("beat-chart"));

function showProgress({ stage, label, step, steps, fraction }) {
  loading.set(stage, label);
  $("loading-label").textContent = `${label}…`;
  $("loading-bar").value = (step - 1 + fraction) / steps;
  $("loading-stages").replaceChildren(...[...loading.values()].map((text, i, all) => {
    const li = document.createElement("li");
    li.textContent = text + (i < all.length - 1 ? " ✓" : "");
    return li;
  }));
}

function notify(message) {
  const box = $("notice");
  box.textContent = message;   // always text, never HTML
  box.hidden = !message;
}

// ---- URL state -------------------------------------------------------------------------
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const out = {};
  if (params.has("model")) out.model = params.get("model");
  const beat = Number.parseInt(params.get("beat"), 10);
  if (Number.isInteger(beat)) out.beat = beat;
  const threshold = Number.parseFloat(params.get("threshold"));
  if (Number.isFinite(threshold)) out.threshold = threshold;
  return out;
}

function writeHash() {
  const params = new URLSearchParams({ model: state.model, beat: String(state.selected),
                                       threshold: state.threshold.toPrecision(5) });
  history.replaceState(null, "", `#${params}`);
}

// ---- derived ----------------------------------------------------------------------------
function filteredIndices() {
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
  const a = Math.log(lo), b = Math.log(hi);
  return { toSlider: (t) => Math.round(((Math.log(Math.max(t, lo)) - a) / (b - a)) * 1000),
           fromSlider: (v) => Math.exp(a + (v / 1000) * (b - a)) };
}

// ---- rendering ---------------------------------------------------------------------------
function render() {
  const indices = filteredIndices();
  const perPage = grid.capacity();
  const pages = Math.max(1, Math.ceil(indices.length / perPage));
  state.page = Math.min(state.page, pages - 1);
  $("page-label").textContent = `page ${state.page + 1} of ${pages} · ${indices.length} beats`;
  grid.update({
    beats: state.ecg.test_X.data, width: state.ecg.test_X.shape[1],
    indices: indices.slice(state.page * perPage, (state.page + 1) * perPage),
    labels: state.ecg.test_y.data, scores: state.scores, threshold: state.threshold,
    selected: state.selected,
  });
  const b = state.inspected;
  chart.update(b && { beat: b.beat.data, reconstruction: b.reconstruction.data });
  if (b) {
    $("readout-index").textContent = `#${b.index}`;
    $("readout-class").textContent = `${state.ecg.class_names[b.true_class]} (class ${b.true_class})`;
    $("readout-score").textContent = b.score.toPrecision(4);
    const flagged = b.score > state.threshold;
    $("readout-verdict").textContent = flagged ? "Anomaly (score above threshold)" : "Normal (score at or below threshold)";
    $("readout-verdict").className = flagged ? "verdict abnormal" : "verdict normal";
  }
  const scaleFns = thresholdScale();
  $("threshold-range").value = String(scaleFns.toSlider(state.threshold));
  if (document.activeElement !== $("threshold-number")) $("threshold-number").value = state.threshold.toPrecision(4);
  const model = state.models.find((m) => m.name === state.model);
  $("threshold-hint").textContent = model
    ? `Starts at ${model.threshold.toPrecision(4)}, chosen by the rule “${model.threshold_rule ?? "unknown"}”.`
    : "";
  writeHash();
}

// ---- actions -----------------------------------------------------------------------------
async function selectModel(name, { threshold } = {}) {
  const model = state.models.find((m) => m.name === name) ?? state.models[0];
  state.model = model.name;
  $("model-picker").value = model.name;
  const { scores } = await python.request("score_split", { model: model.name, dataset: "ecg5000", split: "test" });
  state.scores = scores.data;
  state.threshold = threshold ?? model.threshold;
  await selectBeat(state.selected);
}

async function selectBeat(index) {
  const n = state.ecg.test_y.data.length;
  state.selected = Math.min(Math.max(0, index), n - 1);
  try {
    state.inspected = await python.request("inspect_beat", {
      model: state.model, dataset: "ecg5000", split: "test", index: state.selected, threshold: state.threshold,
    });
    notify("");
  } catch (err) {
    notify(err.message);
  }
  render();
}

function setThreshold(value) {
  if (!Number.isFinite(value) || value < 0) {
    notify("The threshold must be a number of zero or more.");
    return;
  }
  notify("");
  state.threshold = value;
  render();
}

function wire() {
  $("model-picker").addEventListener("change", (e) => selectModel(e.target.value));
  $("class-filter").addEventListener("change", (e) => { state.classFilter = e.target.value; state.page = 0; render(); });
  $("page-prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); render(); });
  $("page-next").addEventListener("click", () => { state.page += 1; render(); });
  $("threshold-range").addEventListener("input", (e) => setThreshold(thresholdScale().fromSlider(Number(e.target.value))));
  $("threshold-number").addEventListener("change", (e) => setThreshold(Number.parseFloat(e.target.value)));
  let pending = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(render); });
}

async function start() {
  try {
    const { datasets, models } = await python.ready;
    const ecg = datasets.ecg5000;
    state.ecg = ecg;
    state.models = models.filter((m) => m.reconstructs);
    if (!state.models.length) throw new Error("no ECG model was found in this build");
    $("model-picker").replaceChildren(...state.models.map((m) => new Option(m.title, m.name)));
    $("class-filter").append(...Object.entries(ecg.class_names).map(([k, v]) => new Option(`${k} · ${v}`, k)));
    const fromUrl = readHash();
    state.selected = fromUrl.beat ?? 0;
    $("loading").hidden = true;
    $("app").hidden = false;
    wire();
    await selectModel(fromUrl.model ?? state.models[0].name, { threshold: fromUrl.threshold });
    document.documentElement.dataset.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "Anomascope could not start.";
    notify(`Anomascope could not start: ${err.message}`);
    document.documentElement.dataset.appReady = "failed";
  }
}

start();
