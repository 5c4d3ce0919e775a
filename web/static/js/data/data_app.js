// Page controller of "Your data": one state object; load -> Python's profile -> choices ->
// fit (step by step) -> results (results.js, the results half) and the series view. Every
// limit, default, bound, rule and label comes from Python's schema (`schema.tables`, in the
// worker's hello reply); the page keeps its settings (never the data) in the URL hash.
// Parts: load.js (file, drop, examples), profile.js (columns and the feature choice),
// choices.js (everything else), fit.js (the step loop), series_view.js, url_state.js.
import { PythonClient } from "../common/client.js";
import { LoadingProgress, NoticeBar } from "../common/notices.js";
import { ChoicesForm } from "./choices.js";
import { FitRunner } from "./fit.js";
import { LoadPanel } from "./load.js";
import { ProfileTable } from "./profile.js";
import { ResultsPanel } from "./results.js";
import { SeriesView } from "./series_view.js";
import { fitToTable, hashOf, readHash } from "./url_state.js";

const $ = (id) => document.getElementById(id);
const root = document.documentElement;

const state = {
  table: null,      // table_load's reply for the current table (null: none yet)
  example: null,    // the example it came from, or null for a user's file
  pending: null,    // settings from the link not yet applied (they wait for a table)
};

let page = null;    // the page's parts, once Python has booted (see setUp)

const progress = new LoadingProgress();
const notices = new NoticeBar($("notice"));
const notify = (message, source) => notices.notify(message, source);

const python = new PythonClient({
  boot: { datasets: [], modelDataset: null },
  onProgress: (p) => progress.show(p),
  onFailure: (err) => notify(`The Python engine stopped: ${err.message}. Reload the page to restart it.`),
  onRestart: (message) => lost(message),
});

// ---- settings ------------------------------------------------------------------------------
function settings() {
  return { example: state.example?.id ?? null, features: page.profile.features(), ...page.choices.read() };
}

function writeHash() {
  const next = hashOf(settings());
  if (location.hash !== next) history.replaceState(null, "", next);
}

/** The starting settings for a freshly loaded table: usable columns ticked, an example's own
 * settings, then whatever the link asked for. */
function initialSettings(table, example) {
  const base = { label_column: null, anomaly_values: [], order_column: null, mode: "table", window: null };
  const s = { ...base, ...(example?.settings ?? {}) };
  if (!s.features) {
    const skip = new Set([s.label_column, s.order_column]);
    s.features = table.columns.filter((c) => ProfileTable.usable(c) && !skip.has(c.name)).map((c) => c.name);
  }
  if (!s.window && table.suggested_window) s.window = { ...table.suggested_window };
  const problems = [];
  if (state.pending) {
    const fitted = fitToTable(state.pending, table);
    Object.assign(s, fitted.values);
    problems.push(...fitted.problems);
    state.pending = null;
  }
  return { settings: s, problems };
}

// ---- load ----------------------------------------------------------------------------------
async function tableBytes(bytes, name, example) {
  const table = await python.request("table_load", { bytes, name }, [bytes.buffer]);
  state.table = table;
  state.example = example;
  page.results.clear();
  $("results").hidden = true;
  $("series").hidden = true;
  page.choices.clearErrors();
  showFitError("");
  const { settings: s, problems } = initialSettings(table, example);
  $("table-summary").textContent = summaryText(table, example);
  $("profile").hidden = false;
  $("choices").hidden = false;
  page.profile.show(table.columns, s.features);
  page.choices.setTable(table);
  page.choices.write(s);
  setFitStatus(0, "Not fitted");
  page.load.status(`Loaded ${example ? example.title : name}.`);
  writeHash();
  root.dataset.table = table.name;
  root.dataset.fit = "none";
  notices.clear("link");
  if (problems.length) notify(`Some settings in the link could not be used: ${problems.join("; ")}.`, "link");
}

function summaryText(table, example) {
  const delimiters = { ",": "comma", ";": "semicolon", "\t": "tab", " ": "space" };
  const parts = [
    `${example ? example.title : table.name}: ${table.n_rows.toLocaleString("en")} rows × ${table.n_columns} columns`,
    `${delimiters[table.delimiter] ?? table.delimiter}-separated`,
    `decimal ${table.decimal === "," ? "comma" : "point"}`,
    table.has_header ? "header line" : "no header line (columns named “column 1”…)",
  ];
  return parts.join(" · ");
}

// ---- fit -----------------------------------------------------------------------------------
function setFitStatus(fraction, text) {
  $("fit-progress").value = fraction;
  $("fit-status").textContent = text;
}

function showFitError(message) {
  $("fit-error").textContent = message;
  $("fit-error").hidden = !message;
}

function setFitting(running) {
  $("fit").disabled = running;
  $("cancel").disabled = !running;
  root.dataset.fit = running ? "running" : root.dataset.fit;
  for (const b of document.querySelectorAll("#examples button, #file-input")) b.disabled = running;
}

async function fit() {
  if (page.fitter.running || !state.table) return;
  const s = settings();
  const request = { ...s, series_columns: s.mode === "series" ? s.features : [] };
  delete request.example;
  page.choices.clearErrors();
  showFitError("");
  page.results.clear();
  $("results").hidden = true;
  $("series").hidden = true;
  setFitting(true);
  setFitStatus(0, "Preparing the rows…");
  try {
    const outcome = await page.fitter.run(request);
    await finished(outcome, request);
  } catch (err) {
    root.dataset.fit = "failed";
    setFitStatus(0, "Not fitted");
    if (!(err.field && page.choices.showError(err.field, err.message))) showFitError(err.message);
  } finally {
    setFitting(false);
  }
}

async function finished({ plan, cancelled, kept }, request) {
  const kinds = request.detectors.map((d) => d.kind);
  const title = (k) => page.kindLabels[k]?.title ?? k;
  if (cancelled) {
    const what = kept.length ? `kept ${kept.map(title).join(", ")}, fitted before the cancel` : "no detector had finished, so nothing was kept";
    setFitStatus(0, `Cancelled: ${what}.`);
    root.dataset.fit = "cancelled";
    if (!kept.length) return;
  } else {
    setFitStatus(1, `Fitted ${kinds.map(title).join(", ")}.`);
  }
  $("results").hidden = false;
  const shown = page.results.show({ ...plan, detectors: kinds, mode: request.mode, cancelled, kept });
  if (request.mode === "series") await showSeries(kept);
  await shown;
  if (!cancelled) root.dataset.fit = "done";
}

async function showSeries(kinds) {
  const series = await python.request("table_series", {});
  const titles = Object.fromEntries(kinds.map((k) => [k, page.kindLabels[k]?.short ?? k]));
  $("series").hidden = false;
  page.series.show({ ...series, titles });
  const legend = Object.entries(series.spans).map(([kind, spans]) => {
    const li = document.createElement("li");
    li.dataset.kind = kind;
    li.dataset.spans = spans.map(([a, b]) => `${a}-${b}`).join(",");
    const shown = spans.slice(0, 4).map(([a, b]) => `${a.toLocaleString("en")}–${(b - 1).toLocaleString("en")}`);
    const more = spans.length > 4 ? `, and ${spans.length - 4} more` : "";
    li.textContent = `${page.kindLabels[kind]?.title ?? kind}: ${spans.length} flagged span${spans.length === 1 ? "" : "s"}`
      + (spans.length ? ` (positions ${shown.join(", ")}${more})` : "");
    return li;
  });
  if (series.labels) {
    const li = document.createElement("li");
    li.textContent = "label: the grey strip marks the rows whose label is an anomaly value";
    legend.push(li);
  }
  $("series-legend").replaceChildren(...legend);
}

// ---- wiring --------------------------------------------------------------------------------
function lost(message) {
  state.table = null;
  for (const id of ["profile", "choices", "series", "results"]) $(id).hidden = true;
  page?.results.clear();
  root.dataset.fit = "none";
  notify(`${message} The loaded table was lost with it: load it again.`);
}

function wire() {
  const { profile, series } = page;
  $("choices").addEventListener("submit", (e) => { e.preventDefault(); fit(); });
  $("cancel").addEventListener("click", () => {
    page.fitter.cancel();
    setFitStatus($("fit-progress").value, "Cancelling after the current step…");
  });
  $("label-column").addEventListener("change", () => {
    const label = $("label-column").value;
    if (label) profile.setFeatures(profile.features().filter((f) => f !== label));
  });
  $("order-column").addEventListener("change", () => {
    const order = $("order-column").value;
    if (order) profile.setFeatures(profile.features().filter((f) => f !== order));
  });
  $("choices").addEventListener("change", writeHash);
  $("choices").addEventListener("input", writeHash);
  $("profile-body").addEventListener("change", writeHash);
  $("zoom-in").addEventListener("click", () => series.zoom(1.5));
  $("zoom-out").addEventListener("click", () => series.zoom(1 / 1.5));
  $("zoom-reset").addEventListener("click", () => series.reset());
  let frame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => { profile.redraw(); if (!$("series").hidden) series.redraw(); });
  });
}

function setUp(schema) {
  const tables = schema.tables;
  const kindLabels = tables.kinds.labels ?? schema.kinds?.labels ?? {};
  const profile = new ProfileTable($("profile-body"), () => {});
  const choices = new ChoicesForm($("choices"), tables, kindLabels, () => {});
  const load = new LoadPanel({ limits: tables.limits, examples: tables.examples, onBytes: tableBytes });
  const fitter = new FitRunner({
    python,
    onProgress: ({ progress: p, message }) => setFitStatus(p, `${message ? `${message} · ` : ""}${Math.round(p * 100)}% done`),
  });
  const series = new SeriesView($("series-canvas"), (text) => { $("series-range").textContent = text; });
  const results = new ResultsPanel($("results"), python, schema);
  return { tables, kindLabels, profile, choices, load, fitter, series, results };
}

async function start() {
  try {
    const { schema } = await python.ready;
    if (!schema.tables) throw new Error("this build's Python package has no tables support");
    page = setUp(schema);
    wire();
    $("loading").hidden = true;
    $("app").hidden = false;
    const { values, problems } = readHash(location.hash, page.tables);
    if (problems.length) notify(`Some settings in the link could not be used: ${problems.join("; ")}.`, "link");
    const example = page.tables.examples.find((e) => e.id === values.example);
    delete values.example;
    if (Object.keys(values).length) state.pending = values;
    if (example) await page.load.loadExample(example);
    else if (state.pending) page.load.status("Load the file these settings are for: they apply once it is loaded.");
    root.dataset.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "Anomascope could not start.";
    notify(`Anomascope could not start: ${err.message}`);
    root.dataset.appReady = "failed";
  }
}

start();
