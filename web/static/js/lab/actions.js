// Actions of the ECG lab features on the app's one state object: the threshold explorer
// (metrics, presets), your own beats (upload), the drawing pad (live scoring) and the cost
// table. Every number comes from Python through `python.request`; at most one request per
// feature is in flight, and the latest input is sent when it returns.
import { formatMetric } from "../common/metrics.js";

const UPLOAD_HARD_LIMIT = 64 * 1024 * 1024;  // larger files are refused before reading them

/** A runner that keeps at most one `task()` in flight and reruns it once if asked meanwhile. */
function latestOnly(task) {
  let busy = false, again = false;
  return async function run() {
    if (busy) { again = true; return busy; }
    busy = (async () => {
      do { again = false; await task(); } while (again);
    })();
    try { await busy; } finally { busy = false; }
  };
}

const fmt = (v) => (typeof v === "number" ? v.toPrecision(4) : "–");

export class LabActions {
  /** @param {{state, python, render, notify, clearNotice, $, selectBeat, setFilter}} app
   *  the page's state and its functions (see lab_app.js) */
  constructor(app) {
    Object.assign(this, app);
    this.requestMetrics = latestOnly(() => this.fetchMetrics());
    this.scoreDrawing = latestOnly(() => this.fetchDrawingScore());
    this.measuring = null;
  }

  // ---- threshold explorer ------------------------------------------------------------------
  async fetchMetrics() {
    const { state } = this;
    const model = state.model, threshold = state.threshold;
    try {
      const m = await this.python.request("threshold_metrics", { model, threshold });
      if (model === state.model) { state.explorer.metrics = m; if (state.section === "explorer") this.render(); }
    } catch (err) { this.notify(err.message, "explorer"); }
  }

  async refreshExplorer() {
    const { state } = this;
    const model = state.model;
    try {
      const summary = await this.python.request("explorer", { model });
      if (model !== state.model) return;
      state.explorer.summary = summary;
      await this.requestMetrics();
    } catch (err) { this.notify(err.message, "explorer"); }
  }

  async loadPreset(rule, param) {
    const { state } = this;
    const model = state.model;
    const payload = { model, rule };
    if (param !== undefined) payload.param = param;
    try {
      const p = await this.python.request("threshold_preset", payload);
      if (model === state.model) { state.explorer.presets[rule] = p; this.clearNotice("preset"); }
      return p;
    } catch (err) {
      this.notify(err.message, "preset");
      return null;
    }
  }

  async loadPresets() {
    const { $ } = this;
    const k = Number.parseFloat($("param-mean_k_std").value);
    await Promise.all([this.loadPreset("model"), this.loadPreset("contamination"),
                       this.loadPreset("mean_k_std", Number.isFinite(k) ? k : 3)]);
    const c = this.state.explorer.presets.contamination;
    if (c) $("param-contamination").value = (c.param * 100).toFixed(1);
    if (this.state.section === "explorer") this.render();
  }

  renderPresets() {
    const { state, $ } = this;
    const { model, contamination: c, mean_k_std: k } = state.explorer.presets;
    const info = state.models.find((m) => m.name === state.model);
    if (model) {
      const rule = model.details.manifest_rule;
      const f1 = model.details.f1;
      $("explain-model").textContent = rule === "best_f1_validation"
        ? `${fmt(model.value)}: the threshold with the best F1 on the validation part of the training data, chosen when ` +
          `“${info.title}” was trained${typeof f1 === "number" ? ` (validation F1 ${formatMetric(f1)})` : ""}. Best F1 on validation.`
        : `${fmt(model.value)}: the threshold stored with “${info.title}”, chosen offline by the rule “${rule ?? "unknown"}”.`;
    }
    const basis = model ? `the ${model.n_validation} beats of the UCR TRAIN file (the test split is never used here)` : "";
    if (c) {
      $("explain-contamination").textContent =
        `${fmt(c.value)}: flags the top ${(c.param * 100).toFixed(1)}% of scores of ${basis}; ${c.details.flagged} of them ` +
        `score above it. The default share is the share of abnormal beats in that file ` +
        `(${(c.details.abnormal_share * 100).toFixed(1)}%) — the rule assumes you know how common anomalies are.`;
    }
    if (k) {
      $("explain-mean_k_std").textContent =
        `${fmt(k.value)}: the mean (${fmt(k.details.mean)}) plus ${k.param} × the standard deviation (${fmt(k.details.std)}) ` +
        `of the ${k.details.n_normal} normal beats' scores in the UCR TRAIN file. It needs no abnormal examples. ` +
        "Honest note: the model was fitted on part of that file, so these normal scores are a little lower than " +
        "truly unseen ones, which makes this threshold slightly strict.";
    }
    $("preset-basis").textContent = "Presets are computed on validation beats (the UCR TRAIN file), never on the test split. " +
      "Press a button to move the threshold there.";
  }

  async applyPreset(rule, setThreshold) {
    const { $ } = this;
    let param;
    if (rule === "contamination") {
      // Python checks the bounds; here only that the box holds a number at all.
      const pct = Number.parseFloat($("param-contamination").value);
      if (Number.isNaN(pct)) { this.notify("The expected share of anomalies must be a number.", "preset"); return; }
      param = pct / 100;
    } else if (rule === "mean_k_std") {
      param = Number.parseFloat($("param-mean_k_std").value);
      if (Number.isNaN(param)) { this.notify("The multiplier k must be a number.", "preset"); return; }
    }
    const p = await this.loadPreset(rule, param);
    if (p) setThreshold(p.value);
  }

  // ---- your own beats ----------------------------------------------------------------------
  async refreshUserScores() {
    const { state } = this;
    if (!state.user) return;
    const model = state.model;
    try {
      const { scores } = await this.python.request("user_scores", { model });
      if (model === state.model) state.user.scores = scores.data;
    } catch (err) {
      this.notify(`Your beats could not be scored: ${err.message}`, "upload");
    }
  }

  uploadProblem(message) {
    this.$("upload-error").textContent = message;
    this.$("upload-error").hidden = !message;
  }

  async upload(file) {
    const { state, $ } = this;
    this.uploadProblem("");
    if (!file) return;
    this.scaleWarning(null);
    if (file.size > UPLOAD_HARD_LIMIT) {
      this.uploadProblem(`${file.name}: this file is far larger than the 5 MB limit, so it was not read.`);
      return;
    }
    $("upload-status").textContent = `Reading ${file.name}…`;
    let reply;
    try {
      const data = new Uint8Array(await file.arrayBuffer());
      reply = await this.python.request("upload_beats", { name: file.name, data });
    } catch (err) {
      $("upload-status").textContent = state.user ? `Still showing ${state.user.name}.` : "";
      this.uploadProblem(`Could not use this file. ${err.message}`);
      return;
    }
    state.user = { X: reply.X, y: reply.y, n: reply.n, labelled: reply.labelled, name: file.name, scores: null };
    await this.refreshUserScores();
    let option = $("class-filter").querySelector('option[value="user"]');
    if (!option) { option = new Option("", "user"); $("class-filter").append(option); }
    option.textContent = `Your beats (${reply.n})`;
    $("upload-status").textContent = `Read ${reply.n} beat${reply.n === 1 ? "" : "s"} from ${file.name}` +
      (reply.labelled ? ", with labels: they also count in the threshold explorer's metrics."
        : ", without labels: they are scored, but cannot count in the explorer's metrics.") +
      " They are in the viewer under “Your beats”.";
    this.scaleWarning(reply.scale_warning);
    this.setFilter("user");
    await this.refreshExplorer();
  }

  /** Python's warning that the uploaded rows are not on the models' scale (null: they are). */
  scaleWarning(message) {
    this.$("upload-warning-text").textContent = message ?? "";
    this.$("upload-warning").hidden = !message;
  }

  /** Z-normalise each uploaded row (Python does it), then score the beats again. */
  async normaliseUpload() {
    const { state, $ } = this;
    if (!state.user) return;
    try {
      const reply = await this.python.request("normalise_upload", {});
      state.user.X = reply.X;
      this.scaleWarning(reply.scale_warning);
      await this.refreshUserScores();
      $("upload-status").textContent = `Z-normalised each of the ${reply.n} beat${reply.n === 1 ? "" : "s"} ` +
        `from ${state.user.name}; they were scored again.`;
      if (state.source === "user") await this.selectBeat(state.selected, "user");
      await this.refreshExplorer();
    } catch (err) {
      this.uploadProblem(`Could not z-normalise the beats. ${err.message}`);
    }
  }

  // ---- drawing -----------------------------------------------------------------------------
  async fetchDrawingScore() {
    const { state } = this;
    const d = state.drawing, model = state.model, version = d.version;
    const strokes = d.strokes.filter((s) => s.length > 0);
    if (!strokes.length) {
      d.result = null; d.error = false; d.scoredVersion = version;
      d.message = "Draw a beat on the pad to score it.";
      this.render();
      return;
    }
    const t0 = performance.now();
    try {
      const r = await this.python.request("draw_beat", { model, strokes });
      if (model !== state.model) return;
      d.result = r; d.error = false; d.scoredVersion = version;
      const steps = r.beat.data.length;
      d.message = r.n_drawn >= steps ? `Scored: you drew all ${steps} time steps.`
        : `Scored: you drew ${r.n_drawn} of the ${steps} time steps; the other ${steps - r.n_drawn} were filled by the rule below.`;
    } catch (err) {
      d.result = null; d.error = true; d.scoredVersion = version;
      d.message = err.kind === "input" ? err.message : `Could not score the drawing: ${err.message}`;
    }
    if (state.section === "draw") {
      this.render();
      // Round trip from sending the strokes to the score and reconstruction drawn (for benchmarks).
      d.roundTrips = [...(d.roundTrips ?? []).slice(-199), performance.now() - t0];
      this.$("draw-pad").dataset.roundTrips = d.roundTrips.map((v) => v.toFixed(2)).join(" ");
    }
  }

  drawingChanged(strokes, final) {
    this.state.drawing.strokes = strokes;
    this.state.drawing.version += 1;
    if (final) this.render();
    this.scoreDrawing();
  }

  rescoreDrawing() {
    return this.state.drawing.strokes.length ? this.scoreDrawing() : Promise.resolve();
  }

  startFromRealBeat() {
    const b = this.state.inspected;
    if (!b) return;
    const pts = new Float32Array(2 * b.beat.data.length);
    b.beat.data.forEach((v, i) => { pts[2 * i] = i; pts[2 * i + 1] = v; });
    this.state.drawing.strokes = [pts];
    this.state.drawing.version += 1;
    this.render();
    this.scoreDrawing();
  }

  // ---- cost table --------------------------------------------------------------------------
  async measureCosts(force) {
    if (this.measuring) return this.measuring;
    const { state } = this;
    this.measuring = (async () => {
      for (const m of state.models) {
        if (!force && state.timings[m.name]) continue;
        delete state.timings[m.name];
        if (state.section === "models") this.render();
        try {
          state.timings[m.name] = await this.python.request("time_inference", { model: m.name, repeats: 3 });
        } catch (err) {
          state.timings[m.name] = `failed: ${err.message}`;
        }
      }
      if (state.section === "models") this.render();
    })();
    try { await this.measuring; } finally { this.measuring = null; }
  }

  undoStroke() {
    const { strokes } = this.state.drawing;
    if (strokes.length) this.drawingChanged(strokes.slice(0, -1), true);
  }

  wire({ setThreshold }) {
    const { $ } = this;
    for (const rule of ["model", "contamination", "mean_k_std"]) {
      $(`preset-${rule}`).addEventListener("click", () => this.applyPreset(rule, setThreshold));
    }
    for (const rule of ["contamination", "mean_k_std"]) {
      $(`param-${rule}`).addEventListener("change", async (e) => {
        const v = Number.parseFloat(e.target.value);
        const param = rule === "contamination" ? v / 100 : v;
        if (await this.loadPreset(rule, param)) this.render();
      });
    }
    $("upload-input").addEventListener("change", async (e) => {
      await this.upload(e.target.files[0]);
      e.target.value = "";
    });
    $("upload-normalise").addEventListener("click", () => this.normaliseUpload());
    $("draw-clear").addEventListener("click", () => this.drawingChanged([], true));
    $("draw-undo").addEventListener("click", () => this.undoStroke());
    // Ctrl+Z (Cmd+Z) on the drawing section undoes the last stroke, except in a text field.
    document.addEventListener("keydown", (e) => {
      if (this.state.section !== "draw" || e.key.toLowerCase() !== "z" || !(e.ctrlKey || e.metaKey)
          || e.shiftKey || e.altKey || e.target.closest?.("input, textarea, select")) return;
      e.preventDefault();
      this.undoStroke();
    });
    $("draw-real").addEventListener("click", () => this.startFromRealBeat());
    $("measure-costs").addEventListener("click", () => this.measureCosts(true));
  }
}
