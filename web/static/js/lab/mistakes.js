// Where the model fails, one click away: the confusion-matrix counts list their beats (a click
// on one opens it in the viewer), recall per abnormal class, the peak step error beside the
// mean score, and the nearest-training-beat check of a drawing. Every number comes from
// Python (explorer_cell, threshold_metrics, inspect_beat, draw_beat, explainer).
import { formatMetric } from "../common/metrics.js";

const fmt = (v) => (typeof v === "number" ? v.toPrecision(4) : "–");

/** "0.786 (at or below 6.545): normal" for a peak score and its validation threshold. */
export function peakText(score, threshold) {
  const flagged = score > threshold;
  return `${fmt(score)} — ${flagged ? "above" : "at or below"} its threshold ${fmt(threshold)}: ` +
    (flagged ? "anomaly" : "normal");
}

/** The pad's sentence about the nearest normal training beat (empty when it is close). */
export function nearestText(nearest, flaggedByMean) {
  if (!nearest || !nearest.unlike) return "";
  const story = flaggedByMean ? "" : "Easy to reconstruct but unlike any training beat: ";
  return `${story}the nearest normal training beat is ${nearest.distance.toFixed(2)} away (RMS difference), farther ` +
    `than 99% of training beats are from their own nearest neighbour (${nearest.bound.toFixed(2)}). ` +
    (flaggedByMean ? "" : "A low reconstruction error does not make this beat normal.");
}

export function createMistakeActions({ state, python, notify, clearNotice, $, openBeat }) {
  state.mistakes = { cell: null, model: null, threshold: null, reply: null };
  let busy = null;

  async function showCell(cell) {
    const model = state.model, threshold = state.threshold;
    state.mistakes = { ...state.mistakes, cell, model, threshold };
    try {
      busy = python.request("explorer_cell", { model, threshold, cell });
      const reply = await busy;
      if (state.mistakes.cell !== cell || state.model !== model || state.threshold !== threshold) return;
      state.mistakes.reply = reply;
      clearNotice("cell");
      renderCellList();
    } catch (err) {
      notify(err.message, "cell");
    } finally {
      busy = null;
    }
  }

  function renderCellList() {
    const m = state.mistakes;
    const list = $("cell-list");
    list.hidden = !m.reply;
    if (!m.reply) return;
    const r = m.reply;
    $("cell-list-title").textContent = `${r.count.toLocaleString("en")} ${r.title}`;
    const listed = r.index.data.length;
    $("cell-list-note").textContent = (r.count ? `Test split, at threshold ${fmt(m.threshold)}; ` +
      (listed < r.count ? `the first ${listed} listed, ` : "") +
      (r.cell === "tp" || r.cell === "fp" ? "highest score first." : "lowest score first.") +
      " Press a beat to open it in the viewer." : "No beats in this cell at this threshold.");
    const items = [];
    for (let i = 0; i < listed; i++) {
      const split = r.split[i], index = r.index.data[i], cls = r.true_class.data[i];
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `${split === "user" ? "your beat u" : "#"}${index} · ${state.ecg.class_names[cls]} · ` +
        `score ${fmt(r.score.data[i])}`;
      button.addEventListener("click", () => openBeat(index, split));
      const li = document.createElement("li");
      li.append(button);
      items.push(li);
    }
    $("cell-beats").replaceChildren(...items);
  }

  /** Keep an open list in step with the model and threshold (one request at a time). */
  function refresh() {
    const m = state.mistakes;
    if (m.cell && !busy && (m.model !== state.model || m.threshold !== state.threshold)) showCell(m.cell);
  }

  function renderPerClass() {
    const metrics = state.explorer.metrics;
    const rows = (metrics && metrics.per_class) || [];
    $("per-class-rows").replaceChildren(...rows.map((c) => {
      const tr = document.createElement("tr");
      for (const text of [`${c.class} · ${c.name}`, c.n.toLocaleString("en"), c.caught.toLocaleString("en"),
        formatMetric(c.recall)]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
    for (const button of document.querySelectorAll(".cm-cell")) {
      const label = button.closest("td").dataset.label;
      button.setAttribute("aria-label", `${button.textContent} ${label}: list them`);
      button.setAttribute("aria-pressed", String(state.mistakes.cell === button.dataset.cell));
    }
    refresh();
  }

  function renderEdgeCases(about) {
    const rows = (about && about.edge_cases) || [];
    $("edge-case-rows").replaceChildren(...rows.map((c) => {
      const tr = document.createElement("tr");
      const cells = [c.title, `${fmt(c.score)} (${fmt(c.threshold)}): ${c.score > c.threshold ? "anomaly" : "normal"}`,
        `${fmt(c.peak_score)} (${fmt(c.peak_threshold)}): ${c.peak_score > c.peak_threshold ? "anomaly" : "normal"}`,
        `${c.nearest.distance.toFixed(2)} away (99% of training beats: ≤ ${c.nearest.bound.toFixed(2)})` +
        (c.nearest.unlike ? ": unlike any training beat" : "")];
      for (const [i, text] of cells.entries()) {
        const td = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }

  function wire() {
    for (const button of document.querySelectorAll(".cm-cell")) {
      button.addEventListener("click", async () => {
        await showCell(button.dataset.cell);
        renderPerClass();
        $("cell-list-title").focus();
      });
    }
  }

  return { wire, renderCellList, renderPerClass, renderEdgeCases };
}
