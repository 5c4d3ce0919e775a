// Page controller of "Train a model": one state object; controls -> state -> worker requests ->
// state -> views. Every default, bound, choice, name rule and metric title comes from Python's
// schema (in the worker's hello reply); the page keeps the configuration in the URL hash.
// Parts: form.js (the settings form), check.js (Python's check of a configuration and its
// parameter count), session.js (the training loop), models.js (using the result), render.js.
import { PythonClient } from "../common/client.js";
import { LoadingProgress, NoticeBar } from "../common/notices.js";
import { ConfigCheck } from "./check.js";
import { makeConfigCodec } from "./config_hash.js";
import { ConfigForm } from "./form.js";
import { ModelActions } from "./models.js";
import { TrainView } from "./render.js";
import { EMPTY_RUN, TrainingDriver } from "./session.js";

const $ = (id) => document.getElementById(id);
const LAYER_BUTTONS = { encoder_units: "add-layer", decoder_units: "add-decoder-layer" };

const state = {
  config: null,
  configError: "",       // why the current configuration cannot be used ("" = fine)
  errorField: null,      // the config key Python's message is about (null: none)
  parameters: null,      // the configuration's parameter count, from Python (null: unknown)
  warnings: [],          // Python's doubts about a valid configuration ({field, message})
  checking: false,       // a check of the configuration has not been answered yet
  ...structuredClone(EMPTY_RUN),
  running: false,
  builtIn: new Set(),    // names of the site's own models (never replaced from this page)
  storedProblems: [],    // models kept in this browser that could not be loaded
  run: 0,                // counts training sessions (keys the export cache)
};

let page = null;  // the page's parts, once Python has booted (see setUp)

const progress = new LoadingProgress();
const notices = new NoticeBar($("notice"));
const notify = (message) => notices.notify(message);

const python = new PythonClient({
  boot: { datasets: ["ecg5000"], modelDataset: "ecg5000" },
  onProgress: (p) => progress.show(p),
  onFailure: (err) => notify(`The Python engine stopped: ${err.message}. Reload the page to restart it.`),
  onRestart: (message) => page.driver.lost(message),
});

let frame = 0;
function render() {
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(() => page.view.draw(state));
}

// ---- configuration -----------------------------------------------------------------------
/** After state.config changed: rewrite the form if asked, update the link, have Python check it
 * (unless the form already found a value that is not a number). */
function configChanged({ rewrite = false, problems = [], immediate = false } = {}) {
  if (rewrite) page.form.write(state.config);
  if (problems.length) {
    page.check.cancel();
    Object.assign(state, { configError: problems[0], errorField: null, parameters: null, warnings: [] });
    setChecking(false);
  } else {
    const hash = page.codec.hashOf(state.config);
    if (location.hash !== hash) history.replaceState(null, "", hash);
    setChecking(true);
    page.check.schedule(state.config, { immediate });
  }
  render();
}

function checked({ parameters, warnings, error }) {
  Object.assign(state, { parameters, warnings, configError: error ? error.message : "", errorField: error?.field ?? null });
  setChecking(false);
  render();
}

/** Whether a check is waiting for Python; also said at once (not at the next frame) by the
 * form's data-check attribute, "pending" or "settled", for tests and tools. */
function setChecking(pending) {
  state.checking = pending;
  $("config").dataset.check = pending ? "pending" : "settled";
}

function readForm() {
  const { config, problems } = page.form.read();
  state.config = config;
  configChanged({ problems });
}

function addLayer(key) {
  const units = state.config[key];
  if (units.length >= page.form.field(key).max_layers) return;  // the button is disabled there
  const last = units.at(-1);
  if (key === "encoder_units") units.push(Number.isInteger(last) ? Math.max(2, Math.round(last / 2)) : 8);
  else units.push(16);
  configChanged({ rewrite: true });
}

function removeLayer(key, index) {
  state.config[key].splice(index, 1);
  configChanged({ rewrite: true });
  $(LAYER_BUTTONS[key]).focus();
}

function formChanged({ target }) {
  if (target.id === "mirrored") {
    state.config.mirrored = target.checked;
    if (!target.checked) state.config.decoder_units = [...state.config.encoder_units].reverse();
    configChanged({ rewrite: true });
  } else if (target.id === "lr-preset") {
    if (target.value === "custom") { $("lr").focus(); return; }
    $("lr").value = target.value;
    readForm();
  } else {
    readForm();
  }
}

// ---- wiring ------------------------------------------------------------------------------
function wire() {
  const { driver, actions } = page;
  $("config").addEventListener("change", formChanged);
  $("config").addEventListener("submit", (e) => e.preventDefault());
  for (const [key, id] of Object.entries(LAYER_BUTTONS)) $(id).addEventListener("click", () => addLayer(key));
  $("defaults").addEventListener("click", () => {
    state.config = structuredClone(page.codec.defaults);
    configChanged({ rewrite: true });
  });
  $("train").addEventListener("click", () => driver.train());
  $("step").addEventListener("click", () => driver.train({ oneEpoch: true }));
  $("pause").addEventListener("click", () => driver.pause());
  $("reset").addEventListener("click", () => driver.reset().catch((err) => notify(err.message)));
  $("use").addEventListener("click", () => actions.useModel());
  $("download-weights").addEventListener("click", () => actions.downloadFile("weights"));
  $("download-manifest").addEventListener("click", () => actions.downloadFile("manifest"));
  $("upload").addEventListener("change", (e) => { actions.upload(e.target.files); e.target.value = ""; });
  window.addEventListener("resize", render);
}

/** The page's parts, built from the worker's hello reply. */
function setUp({ schema, datasets }) {
  const codec = makeConfigCodec(schema.training);
  const form = new ConfigForm($("config"), schema.training, { onRemoveLayer: removeLayer });
  const check = new ConfigCheck((config) => python.request("train_check", { config }), { onResult: checked });
  const driver = new TrainingDriver({ python, state, render, sameConfig: codec.sameConfig, check });
  const actions = new ModelActions({ python, state, nameRule: schema.model_name });
  const inputDim = datasets.ecg5000.test_X.shape[1];
  const view = new TrainView({ metrics: schema.metrics, inputDim, form, stale: () => driver.stale() });
  return { codec, form, check, driver, actions, view };
}

async function start() {
  try {
    const booted = await python.ready;
    if (!booted.datasets.ecg5000) throw new Error("the ECG5000 data did not load");
    const index = await fetch("models/index.json").then((r) => (r.ok ? r.json() : []));
    state.builtIn = new Set(index.map((m) => m.name));
    state.storedProblems = booted.storedProblems ?? [];
    page = setUp(booted);
    const { config, problems } = page.codec.readHash(location.hash);
    state.config = config;
    $("model-name").value = "my_ecg_autoencoder";
    $("loading").hidden = true;
    $("app").hidden = false;
    wire();
    configChanged({ rewrite: true, immediate: true });
    await page.check.settled();
    await page.actions.renderStored();
    if (problems.length) notify(`Some settings in the link could not be used: ${problems.join("; ")}.`);
    page.view.draw(state);
    document.documentElement.dataset.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "Anomascope could not start.";
    notify(`Anomascope could not start: ${err.message}`);
    document.documentElement.dataset.appReady = "failed";
  }
}

start();
