// The results half of the data page: the detectors' comparison table with the split and rule
// notes in Python's words, the threshold explorer for the selected detector, the top
// anomalies, the exports and the model upload. data_app.js (the page controller) builds one
// ResultsPanel on the empty <section id="results"> and calls show(plan) after a fit ends (or is
// cancelled) and clear() when a new table is loaded or a new fit starts.
import { ExportActions } from "./export.js";
import { ThresholdExplorer } from "./explorer.js";
import { ModelUpload } from "./model_io.js";
import { el } from "./results_dom.js";
import { ResultsTable } from "./results_table.js";
import { TopTable } from "./top_table.js";

export class ResultsPanel {
  /** @param {HTMLElement} root  @param {object} python  PythonClient  @param {object} schema
   *  the worker's schema (metric definitions, model name rule, table limits) */
  constructor(root, python, schema) {
    this.root = root;
    this.python = python;
    this.schema = schema;
    this.generation = 0;
    this.results = null;
    this.selected = null;
    this.plan = null;
    this.build();
  }

  build() {
    const definitions = this.schema.metrics?.definitions ?? {};
    const section = (id, title, ...children) => el("section", { className: "results-part", id, attrs: { "aria-labelledby": `${id}-title` } },
      el("h3", { id: `${id}-title` }, title), ...children);
    this.$ = {
      status: el("p", { className: "results-status", id: "results-status", attrs: { role: "status", "aria-live": "polite" } }),
      problem: el("p", { className: "results-problem", id: "results-problem", hidden: true, attrs: { role: "alert" } }),
      splitNote: el("p", { className: "split-note", id: "results-split-note" }),
      ruleNote: el("p", { className: "split-note", id: "results-rule-note" }),
      kept: el("p", { className: "hint", id: "results-kept" }),
      table: el("div"), explorerTitle: el("span", { id: "explorer-detector" }),
      explorer: el("div"), top: el("div"), exports: el("div"), upload: el("div"),
    };
    const $ = this.$;
    this.table = new ResultsTable($.table, definitions, (kind) => this.select(kind));
    const onError = (message) => this.problem(message);
    this.explorer = new ThresholdExplorer($.explorer, this.python, definitions, onError);
    this.top = new TopTable($.top, this.python, onError);
    this.exports = new ExportActions($.exports, this.python, this.schema.model_name);
    this.upload = new ModelUpload($.upload, this.python, this.schema.tables?.limits?.max_bytes ?? 50 * 2 ** 20);
    this.body = el("div", { className: "results-body", hidden: true },
      el("div", { className: "results-notes" }, $.splitNote, $.ruleNote, $.kept),
      section("results-compare", "Detectors compared", $.table,
        el("p", { className: "hint" }, "Sort by a column with its header. “Explore” a detector to see it below.")),
      section("results-explore", "Threshold explorer: ", $.explorer),
      section("results-top", "Top anomalies", $.top),
      section("results-export", "Export", $.exports),
      section("results-upload", "Upload a model", $.upload));
    this.body.querySelector("#results-explore-title").append($.explorerTitle);
    this.root.append($.status, $.problem, this.body);
  }

  problem(message) {
    this.$.problem.textContent = message;
    this.$.problem.hidden = !message;
  }

  /** Show the results of the fit that just ended. @param {{labelled: boolean, cancelled?:
   *  boolean, kept?: string[], detectors?: string[], name?: string}} plan */
  async show(plan) {
    const generation = ++this.generation;
    this.plan = plan ?? {};
    this.problem("");
    this.$.status.textContent = "Collecting the results…";
    let results;
    try {
      results = await this.python.request("table_results", {});
    } catch (err) {
      if (generation === this.generation) { this.$.status.textContent = ""; this.problem(`The results could not be read: ${err.message}`); }
      return;
    }
    if (generation !== this.generation) return;
    this.results = results;
    this.root.dataset.state = "shown";
    if (!results.detectors.length) {
      this.body.hidden = true;
      this.$.status.textContent = this.plan.cancelled
        ? "Fitting was cancelled before any detector finished, so there are no results. Press Fit to start again."
        : "No detector was fitted, so there are no results.";
      return;
    }
    this.$.status.textContent = "";
    this.$.splitNote.textContent = results.split_note;
    this.$.ruleNote.textContent = results.rule_note;
    const titles = results.detectors.map((d) => d.title);
    this.$.kept.textContent = this.plan.cancelled
      ? `Fitting was cancelled: these are the ${titles.length} detector${titles.length === 1 ? "" : "s"} that finished ` +
        `(${titles.join(", ")}). Press Fit to fit again.`
      : "";
    this.body.hidden = false;
    const kind = results.detectors.some((d) => d.kind === this.selected) ? this.selected : results.detectors[0].kind;
    this.table.update(results, kind);
    await this.select(kind, generation);
  }

  /** Explore one detector: the explorer, the top anomalies and the model export follow it. */
  async select(kind, generation = this.generation) {
    if (!this.results || generation !== this.generation) return;
    const d = this.results.detectors.find((x) => x.kind === kind);
    if (!d) return;
    this.selected = kind;
    this.root.dataset.selected = kind;
    this.table.select(kind);
    this.$.explorerTitle.textContent = d.title;
    this.exports.setDetector(kind, d.title, baseName(this.plan.name ?? document.documentElement.dataset.table));
    const titles = Object.fromEntries(this.results.detectors.map((x) => [x.kind, x.title]));
    await Promise.all([this.explorer.show(kind, this.results.labelled, this.results.unit ?? "rows"), this.top.show(kind, titles, this.results.unit ?? "rows", this.results.labelled)]);
  }

  clear() {
    this.generation += 1;
    this.results = null;
    delete this.root.dataset.state;
    delete this.root.dataset.selected;
    this.body.hidden = true;
    this.$.status.textContent = "";
    this.problem("");
    this.explorer.clear();
    this.top.clear();
    this.exports.clear();
    this.upload.clear();
  }
}

/** A model-name stem from the loaded file's name ("breast cancer.csv" -> "breast_cancer"). */
function baseName(name) {
  const stem = String(name ?? "").replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "");
  return stem || "my_data";
}
