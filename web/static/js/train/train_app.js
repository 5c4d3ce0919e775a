// Page controller of "Train a model": one state object; controls -> state -> worker requests ->
// state -> views. Training runs in the worker in chunks of at most CHUNK_MS; Pause simply stops
// sending the next chunk. The configuration lives in the URL hash.
import { PythonClient } from "../common/client.js";
import { ScoreHistogram } from "../views/histogram.js";
import { COLORS, fitCanvas } from "../views/canvas.js";
import { RocChart } from "../views/roc.js";
import { DEFAULTS, readHash, sameConfig, writeHash } from "./config_hash.js";
import { MetricGauges } from "./gauges.js";
import { LatentScatter } from "./latent.js";
import { LossChart } from "./loss_chart.js";
import { listModels, removeModel, saveModel } from "../common/model_store.js";
import { NetworkDiagram } from "./network.js";

const CHUNK_MS = 120;
const INPUT_DIM = 140;
const $ = (id) => document.getElementById(id);

const state = {
  config: structuredClone(DEFAULTS),
  configError: "",       // why the current configuration cannot be used ("" = fine)
  applied: null,         // the configuration of the current training session (null: none)
  summary: null,         // train_start reply
  records: [],           // one per completed epoch
  views: null,           // histogram / roc / latent of the latest epoch
  status: "empty",       // empty | ready | training | paused | done | diverged
  message: "",
  running: false,
  wallSeconds: 0,        // time spent in training requests, as the page saw it
  exported: null,        // {key, name, manifest, weights}
  builtIn: new Set(),    // names of the site's own models (never replaced from this page)
  run: 0,                // counts training sessions (keys the export cache)
};

const python = new PythonClient({
  boot: { datasets: ["ecg5000"], modelDataset: "ecg5000" },
  onProgress: showProgress,
  onFailure: (err) => notify(`The Python engine stopped: ${err.message}. Reload the page to restart it.`),
  onRestart: (message) => {
    // the replacement worker holds no training run: the next Train starts a fresh one
    Object.assign(state, { running: false, applied: null, status: "empty", exported: null,
                           message: `${message} It was restarted; the training run in it is lost. ` +
                             "Press Train to start again (a smaller network or batch needs less memory)." });
    render();
  },
});

const views = {
  network: new NetworkDiagram($("network")),
  loss: new LossChart($("loss-chart")),
  histogram: new ScoreHistogram($("histogram")),
  roc: new RocChart($("roc")),
  latent: new LatentScatter($("latent")),
  gauges: new MetricGauges($("gauges")),
};

const loadingStages = new Map();
function showProgress({ stage, label, step, steps, fraction }) {
  loadingStages.set(stage, label);
  $("loading-label").textContent = `${label}…`;
  $("loading-bar").value = (step - 1 + fraction) / steps;
  $("loading-stages").replaceChildren(...[...loadingStages.values()].map((text, i, all) => {
    const li = document.createElement("li");
    li.textContent = text + (i < all.length - 1 ? " ✓" : "");
    return li;
  }));
}

function notify(message) {
  $("notice").textContent = message;
  $("notice").hidden = !message;
}

// ---- configuration form ------------------------------------------------------------------
const SCALARS = [
  ["latent-size", "latent_dim", "int"], ["epochs", "epochs", "int"], ["batch", "batch_size", "int"],
  ["lr", "learning_rate", "num"], ["seed", "seed", "int"], ["reg-rate", "regularization_rate", "num"],
  ["train-size", "train_size", "int"], ["abnormal", "abnormal_percent", "num"],
  ["val-size", "validation_size", "int"], ["test-size", "test_size", "int"],
];
const CHOICES = [["activation", "activation"], ["optimizer", "optimizer"], ["regularizer", "regularizer"]];

function layerRows(root, units, which) {
  root.replaceChildren(...units.map((u, i) => {
    const row = document.createElement("div");
    row.className = "layer";
    const label = document.createElement("label");
    label.textContent = `${which} layer ${i + 1} units `;
    const input = document.createElement("input");
    input.type = "number"; input.min = "1"; input.max = "2048"; input.step = "1"; input.required = true;
    input.value = String(u);
    input.dataset.layer = String(i);
    input.addEventListener("change", () => readForm());
    label.append(input);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${which.toLowerCase()} layer ${i + 1}`);
    remove.addEventListener("click", () => {
      const key = which === "Encoder" ? "encoder_units" : "decoder_units";
      state.config[key].splice(i, 1);
      configChanged(true);
      $(which === "Encoder" ? "add-layer" : "add-decoder-layer").focus();
    });
    row.append(label, remove);
    return row;
  }));
}

/** Put state.config into the form (after loading, Default settings, adding/removing layers). */
function writeForm() {
  const c = state.config;
  layerRows($("encoder-layers"), c.encoder_units, "Encoder");
  layerRows($("decoder-layers"), c.decoder_units, "Decoder");
  $("mirrored").checked = c.mirrored;
  $("decoder-layers").hidden = c.mirrored;
  $("add-decoder-layer").hidden = c.mirrored;
  for (const [id, key] of SCALARS) $(id).value = String(c[key]);
  for (const [id, key] of CHOICES) $(id).value = c[key];
  const preset = [...$("lr-preset").options].find((o) => Number(o.value) === c.learning_rate);
  $("lr-preset").value = preset ? preset.value : "custom";
}

/** Read the form into state.config; field-level problems are reported, Python checks the rest. */
function readForm() {
  const c = state.config;
  const problems = [];
  const units = (root) => [...root.querySelectorAll("input")].map((input) => {
    const v = Number(input.value);
    const ok = input.value.trim() !== "" && Number.isInteger(v) && v >= 1 && v <= 2048;
    input.setAttribute("aria-invalid", String(!ok));
    if (!ok) problems.push(`${input.parentElement.firstChild.textContent.trim()} must be a whole number from 1 to 2048`);
    return ok ? v : input.value;
  });
  c.encoder_units = units($("encoder-layers"));
  c.mirrored = $("mirrored").checked;
  c.decoder_units = c.mirrored ? [...c.encoder_units].reverse() : units($("decoder-layers"));
  for (const [id, key, kind] of SCALARS) {
    const input = $(id);
    const v = Number(input.value);
    const ok = input.value.trim() !== "" && Number.isFinite(v) && (kind !== "int" || Number.isInteger(v));
    input.setAttribute("aria-invalid", String(!ok));
    if (!ok) problems.push(`${input.parentElement.firstChild.textContent.trim()} must be ${kind === "int" ? "a whole number" : "a number"}`);
    c[key] = ok ? v : input.value;
  }
  for (const [id, key] of CHOICES) c[key] = $(id).value;
  const preset = [...$("lr-preset").options].find((o) => Number(o.value) === c.learning_rate);
  $("lr-preset").value = preset ? preset.value : "custom";
  configChanged(false, problems);
}

let checkSerial = 0;
async function configChanged(rewrite, problems = []) {
  if (rewrite) writeForm();
  if (problems.length) {
    state.configError = problems[0];
  } else {
    const serial = ++checkSerial;
    writeHash(state.config);
    try {
      await python.request("train_check", { config: state.config });
      if (serial !== checkSerial) return;
      state.configError = "";
    } catch (err) {
      if (serial !== checkSerial) return;
      state.configError = err.message;
    }
  }
  render();
}

function layersOf(c) {
  const units = (list) => (Array.isArray(list) ? list.map((u) => (Number.isInteger(u) && u > 0 ? u : 1)) : []);
  const latent = Number.isInteger(c.latent_dim) && c.latent_dim > 0 ? c.latent_dim : 1;
  return [
    { units: INPUT_DIM, role: "input" }, ...units(c.encoder_units).map((u) => ({ units: u, role: "hidden" })),
    { units: latent, role: "latent" }, ...units(c.mirrored ? [...c.encoder_units].reverse() : c.decoder_units).map((u) => ({ units: u, role: "hidden" })),
    { units: INPUT_DIM, role: "output" },
  ];
}

function parameterCount(layers) {
  let n = 0;
  for (let i = 0; i + 1 < layers.length; i++) n += layers[i].units * layers[i + 1].units + layers[i + 1].units;
  return n;
}

// ---- rendering ---------------------------------------------------------------------------
let frame = 0;
function render() {
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(draw);
}

function draw() {
  const c = state.config;
  const layers = layersOf(c);
  views.network.update({ layers });
  $("param-count").textContent = `${parameterCount(layers).toLocaleString("en")} parameters`;
  $("shape-text").textContent = layers.map((l) => l.units).join(" → ");
  $("network").setAttribute("aria-label", `Network diagram: ${layers.map((l) => l.units).join(", ")} units`);
  const status = $("config-status");
  status.textContent = state.configError || "The configuration is valid.";
  status.classList.toggle("problem", Boolean(state.configError));
  markField(state.configError);
  $("blocked").hidden = !state.configError;
  $("blocked").textContent = state.configError ? `Fix the configuration to train: ${state.configError}` : "";

  const stale = state.applied !== null && !sameConfig(state.applied, c);
  $("stale").hidden = !stale;
  $("stale").textContent = stale
    ? "Settings changed: the charts show the previous run. Press Train or Step one epoch to start over with the new settings, or Reset."
    : "";
  $("config").classList.toggle("is-stale", stale);
  document.body.dataset.trainStatus = state.status;
  $("train").disabled = state.running || Boolean(state.configError);
  $("step").disabled = state.running || Boolean(state.configError);
  $("pause").disabled = !state.running;
  $("train").textContent = state.status === "paused" && !stale ? "Resume" : "Train";

  const done = state.records.length;
  const epochs = state.summary ? state.summary.epochs : c.epochs;
  $("progress").max = Number.isInteger(epochs) && epochs > 0 ? epochs : 1;
  $("progress").value = done;
  $("progress").dataset.epoch = String(done);
  $("progress-text").textContent = progressText(done, epochs);
  const msg = $("run-message");
  msg.hidden = !state.message;
  msg.textContent = state.message;

  const last = state.records[done - 1];
  views.gauges.update(last ? last.test : null);
  $("gauges-basis").textContent = last
    ? `on ${last.test.n.toLocaleString("en")} test beats (${last.test.n_anomalies.toLocaleString("en")} abnormal), threshold ${last.threshold.toPrecision(3)} from validation`
    : "";
  const train = state.records.map((r) => r.train_loss), val = state.records.map((r) => r.val_loss);
  views.loss.update({ train, val, epochs });
  $("loss-chart").dataset.losses = JSON.stringify({ train, val });
  const v = state.views;
  views.histogram.update(v && { edges: v.histogram.edges.data, normal: v.histogram.normal.data,
                                abnormal: v.histogram.abnormal.data, log: true, threshold: v.histogram.threshold });
  views.roc.update(v && { fpr: v.roc.fpr.data, tpr: v.roc.tpr.data, point: last && { fpr: last.test.fpr, tpr: last.test.tpr } });
  $("roc-auc").textContent = last && last.auc != null ? `· AUC ${last.auc.toFixed(3)}` : "";
  $("roc-auc").dataset.auc = last && last.auc != null ? String(last.auc) : "";
  views.latent.update(v && v.latent);
  if (!v) for (const id of ["histogram", "roc", "latent"]) placeholder($(id), "Appears after the first epoch.");
  $("latent-basis").textContent = v ? `axes: ${v.latent.basis}; ${v.latent.abnormal.data.length} test beats` : "";
  const usable = done > 0 && !state.running;
  for (const id of ["use", "download-weights", "download-manifest"]) $(id).disabled = !usable;
}

// Python's messages name the setting first ("batch size (…)", "encoder: layer 2 …"): mark that field.
const MESSAGE_FIELDS = [
  [/^latent size/, "latent-size"], [/^epochs/, "epochs"], [/^batch size/, "batch"], [/^learning rate/, "lr"],
  [/^regularization rate/, "reg-rate"], [/^seed/, "seed"], [/^abnormal percentage/, "abnormal"],
  [/^training size|^the training set/, "train-size"], [/^validation size|^the validation set/, "val-size"],
  [/^test size|^the test set|^training, validation and test/, "test-size"],
];

function markField(message) {
  for (const [, id] of MESSAGE_FIELDS) {
    if ($(id).dataset.pythonInvalid) { $(id).removeAttribute("aria-invalid"); delete $(id).dataset.pythonInvalid; }
  }
  const hit = MESSAGE_FIELDS.find(([re]) => re.test(message));
  if (hit && $(hit[1]).getAttribute("aria-invalid") !== "true") {
    $(hit[1]).setAttribute("aria-invalid", "true");
    $(hit[1]).dataset.pythonInvalid = "1";
  }
}

function placeholder(canvas, text) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = COLORS.muted;
  ctx.textAlign = "center";
  ctx.fillText(text, width / 2, height / 2);
  ctx.textAlign = "start";
}

function progressText(done, epochs) {
  const secs = (s) => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);
  if (state.status === "empty") return "Not started";
  if (state.status === "diverged") return `Stopped at epoch ${done} of ${epochs}: diverged`;
  if (state.status === "done") return `Finished: ${done} epochs in ${secs(state.wallSeconds)}`;
  const left = done ? secs((state.wallSeconds / done) * (epochs - done)) : "…";
  const verb = state.status === "paused" ? "Paused at" : state.running ? "Training:" : "";
  return `${verb} epoch ${done} of ${epochs} · ${secs(state.wallSeconds)} · about ${left} left`.trim();
}

// ---- training ----------------------------------------------------------------------------
async function startSession() {
  const summary = await python.request("train_start", { config: state.config });
  Object.assign(state, { summary, records: [], views: null, message: "", wallSeconds: 0, exported: null });
  state.run += 1;
  state.applied = structuredClone(state.config);
  state.status = "ready";
}

function needsStart() {
  return state.applied === null || !sameConfig(state.applied, state.config) || ["done", "diverged", "empty"].includes(state.status);
}

function absorb(reply, seconds) {
  state.wallSeconds += seconds;
  state.records.push(...reply.records);
  if (reply.views) state.views = reply.views;
  if (reply.status === "done") state.status = "done";
  if (reply.status === "diverged") {
    state.status = "diverged";
    state.message = reply.message;
  }
}

async function train({ oneEpoch = false } = {}) {
  if (state.running || state.configError) return;
  state.message = "";
  try {
    if (needsStart()) await startSession();
    state.running = true;
    state.status = "training";
    render();
    const target = state.records.length + 1;
    while (state.running) {
      const t0 = performance.now();
      const reply = await python.request("train_step", { max_ms: CHUNK_MS, stop_at_epoch: oneEpoch });
      absorb(reply, (performance.now() - t0) / 1000);
      render();
      if (["done", "diverged"].includes(state.status) || (oneEpoch && state.records.length >= target)) break;
    }
    if (state.status === "training") state.status = "paused";
  } catch (err) {
    state.message = err.message;
    if (state.status === "training") state.status = "paused";
  } finally {
    state.running = false;
    render();
  }
}

async function reset() {
  state.running = false;
  await python.request("train_reset", {});
  Object.assign(state, { applied: null, summary: null, records: [], views: null, status: "empty", message: "",
                         wallSeconds: 0, exported: null });
  render();
}

// ---- using the result --------------------------------------------------------------------
function modelName() {
  const name = $("model-name").value.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/.test(name)) {
    throw new Error("A model name uses letters, digits, “_”, “.” and “-” (at most 60), starting with a letter or digit.");
  }
  if (state.builtIn.has(name)) throw new Error(`“${name}” is the name of one of the site's own models; choose another name.`);
  return name;
}

function setStatus(id, text, problem = false) {
  $(id).textContent = text;
  $(id).classList.toggle("problem", problem);
}

async function exported() {
  const name = modelName();
  const key = `${name}:${state.run}:${state.records.length}`;
  if (!state.exported || state.exported.key !== key) {
    state.exported = { key, ...(await python.request("train_export", { name })) };
  }
  return state.exported;
}

function download(filename, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function useModel() {
  try {
    const name = modelName();
    const reply = await python.request("train_activate", { name });
    await saveModel(name, reply.manifest, reply.weights);
    setStatus("use-status", `Saved “${name}” in this browser; opening the ECG lab with it…`);
    location.href = `index.html#model=${encodeURIComponent(name)}`;
  } catch (err) {
    setStatus("use-status", err.message, true);
  }
}

async function downloadFile(which) {
  try {
    const files = await exported();
    if (which === "weights") download(`${files.name}.npz`, files.weights, "application/zip");
    else download(`${files.name}.json`, files.manifest, "application/json");
    setStatus("use-status", `Downloaded ${files.name}.${which === "weights" ? "npz" : "json"}. A model is the pair NAME.json + NAME.npz.`);
  } catch (err) {
    setStatus("use-status", err.message, true);
  }
}

async function upload(files) {
  const list = [...files];
  const json = list.find((f) => f.name.toLowerCase().endsWith(".json"));
  const npz = list.find((f) => f.name.toLowerCase().endsWith(".npz"));
  if (!json || !npz || list.length !== 2) {
    setStatus("upload-status", "Choose exactly two files: the model's NAME.json manifest and its NAME.npz weights.", true);
    return;
  }
  if (json.size > 2_000_000 || npz.size > 20_000_000) {
    setStatus("upload-status", "These files are too large for a model of this page (manifest over 2 MB or weights over 20 MB).", true);
    return;
  }
  try {
    const manifest = await json.text();
    const weights = new Uint8Array(await npz.arrayBuffer());
    let claimed = "";
    try { claimed = String(JSON.parse(manifest).name ?? ""); } catch { /* Python reports bad JSON */ }
    if (state.builtIn.has(claimed)) throw new Error(`“${claimed}” is the name of one of the site's own models; rename the model first.`);
    const reply = await python.request("train_upload", { manifest, weights });
    await saveModel(reply.name, manifest, weights);
    const s = reply.summary;
    const test = reply.test ? ` On this page's ${reply.test.n.toLocaleString("en")} test beats: AUC ${reply.test.auc.toFixed(3)}, F1 ${reply.test.f1.toFixed(3)}.` : "";
    setStatus("upload-status", `Loaded “${reply.name}” (${s.kind}, ${s.parameters.toLocaleString("en")} parameters).${test} It is kept in this browser.`);
    await renderStored();
  } catch (err) {
    setStatus("upload-status", `This model cannot be used: ${err.message}`, true);
  }
}

async function renderStored() {
  let records = [];
  try {
    records = await listModels();
  } catch (err) {
    setStatus("use-status", `Models kept in this browser cannot be listed: ${err.message}`, true);
  }
  $("stored").replaceChildren(...(records.length ? records.map(({ name }) => {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = name;
    const open = document.createElement("a");
    open.href = `index.html#model=${encodeURIComponent(name)}`;
    open.textContent = "open in the ECG lab";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Forget";
    remove.setAttribute("aria-label", `Forget ${name}`);
    remove.addEventListener("click", async () => { await removeModel(name); await renderStored(); });
    li.append(label, " · ", open, " ", remove);
    return li;
  }) : [Object.assign(document.createElement("li"), { textContent: "None yet." })]),
  ...(state.storedProblems ?? []).map((text) => Object.assign(document.createElement("li"), {
    className: "problem", textContent: `Not loaded: ${text}` })));
}

// ---- wiring ------------------------------------------------------------------------------
function wire() {
  for (const [id] of [...SCALARS, ...CHOICES]) $(id).addEventListener("change", () => readForm());
  $("mirrored").addEventListener("change", () => {
    state.config.mirrored = $("mirrored").checked;
    if (!state.config.mirrored) state.config.decoder_units = [...state.config.encoder_units].reverse();
    configChanged(true);
  });
  $("lr-preset").addEventListener("change", (e) => {
    if (e.target.value === "custom") { $("lr").focus(); return; }
    $("lr").value = e.target.value;
    readForm();
  });
  $("add-layer").addEventListener("click", () => {
    if (state.config.encoder_units.length >= 6) { state.configError = "At most 6 encoder layers."; render(); return; }
    const last = state.config.encoder_units.at(-1);
    state.config.encoder_units.push(Number.isInteger(last) ? Math.max(2, Math.round(last / 2)) : 8);
    configChanged(true);
  });
  $("add-decoder-layer").addEventListener("click", () => {
    if (state.config.decoder_units.length >= 6) { state.configError = "At most 6 decoder layers."; render(); return; }
    state.config.decoder_units.push(16);
    configChanged(true);
  });
  $("defaults").addEventListener("click", () => { state.config = structuredClone(DEFAULTS); configChanged(true); });
  $("config").addEventListener("submit", (e) => e.preventDefault());
  $("train").addEventListener("click", () => train());
  $("step").addEventListener("click", () => train({ oneEpoch: true }));
  $("pause").addEventListener("click", () => { state.running = false; render(); });
  $("reset").addEventListener("click", () => reset().catch((err) => notify(err.message)));
  $("use").addEventListener("click", useModel);
  $("download-weights").addEventListener("click", () => downloadFile("weights"));
  $("download-manifest").addEventListener("click", () => downloadFile("manifest"));
  $("upload").addEventListener("change", (e) => { upload(e.target.files); e.target.value = ""; });
  window.addEventListener("resize", render);
}

async function start() {
  try {
    const { problems } = readHash(location.hash);
    state.config = readHash(location.hash).config;
    const booted = await python.ready;
    if (!booted.datasets.ecg5000) throw new Error("the ECG5000 data did not load");
    const index = await fetch("models/index.json").then((r) => (r.ok ? r.json() : []));
    state.builtIn = new Set(index.map((m) => m.name));
    state.storedProblems = booted.storedProblems ?? [];
    $("model-name").value = "my_ecg_autoencoder";
    $("loading").hidden = true;
    $("app").hidden = false;
    wire();
    await configChanged(true);
    await renderStored();
    if (problems.length) notify(`Some settings in the link could not be used: ${problems.join("; ")}.`);
    draw();
    document.documentElement.dataset.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "Anomascope could not start.";
    notify(`Anomascope could not start: ${err.message}`);
    document.documentElement.dataset.appReady = "failed";
  }
}

start();
