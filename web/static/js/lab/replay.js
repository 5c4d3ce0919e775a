// Training replay: loads the active model's exported per-epoch history (validated by Python):
// the file a built-in model names (`history.file`), or the history a model trained on the train
// page carries in its manifest (an "anomascope-replay" document), and steps through it with a
// scrubber and a play button, on the shared Player clock (stopped when the section is left).
// Visitors who prefer reduced motion get a calm step a second instead of an animation.
import { formatMetric } from "../common/metrics.js";
import { Player } from "../common/player.js";

const FRAME_MS = 70;
const CALM_FRAME_MS = 1000;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const SAFE_FILE = /^[\w.-]+\.json$/;

/** Whether a model's history can be replayed: a file beside it, or carried inline. */
const inline = (history) => Boolean(history && history.format === "anomascope-replay");
const replayable = (history) => Boolean(history && (inline(history) || SAFE_FILE.test(history.file ?? "")));

/** The history document's text: fetched from the build, or the model's own. */
async function historyText(model) {
  if (inline(model.history)) return JSON.stringify(model.history);
  const file = model.history.file;
  const response = await fetch(`models/${file}`);
  if (!response.ok) throw new Error(`models/${file}: HTTP ${response.status}`);
  return response.text();
}

/** The replay of `model` from Python ({data}), or why there is none ({message}). */
async function fetchReplay(python, model, models) {
  if (!replayable(model.history)) {
    const others = models.filter((m) => replayable(m.history)).map((m) => m.title);
    return { message: `No training history was exported for ${model.title}.` +
      (others.length ? ` Pick ${others.join(" or ")} in the model menu to replay its training.` : "") };
  }
  try {
    return { data: await python.request("training_replay", { model: model.name, text: await historyText(model) }) };
  } catch (err) {
    return { message: `The training history of ${model.title} could not be read: ${err.message}` };
  }
}

export function createReplayActions({ state, python, render, $, views }) {
  const cache = new Map();   // model name -> reply of training_replay
  // One tick = one epoch. The lab's render() draws the whole section, so the Player calls it
  // only on frames where the epoch moved or the play state changed.
  const player = new Player({ onTicks: advance, onRender: render, maxTicksPerFrame: 1 });

  function advance(ticks) {
    const r = state.replay;
    if (!r.playing) return 0;
    if (state.section !== "replay" || !r.data) { stop(); return 0; }
    const last = r.data.epoch.data.length - 1;
    const to = Math.min(last, r.epoch + ticks);
    const taken = to - r.epoch;
    r.epoch = to;
    if (to >= last) stop();
    return taken;
  }

  async function loadReplay() {
    const model = state.models.find((m) => m.name === state.model);
    const r = state.replay;
    r.model = model.name;
    r.data = cache.get(model.name) ?? null;
    if (!r.data) {
      const { data, message } = await fetchReplay(python, model, state.models);
      if (message) { r.message = message; return; }
      cache.set(model.name, data);
      if (state.model !== model.name) return;
      r.data = data;
    }
    r.message = "";
    r.epoch = Math.min(r.epoch ?? 0, r.data.epoch.data.length - 1);
    $("replay-epoch").max = String(r.data.epoch.data.length - 1);
  }

  function stop() {
    if (player.playing) player.pause();
    state.replay.playing = false;
  }

  function play() {
    const r = state.replay;
    if (!r.data) return;
    if (r.playing) { stop(); render(); return; }
    if (r.epoch >= r.data.epoch.data.length - 1) r.epoch = 0;
    r.playing = true;
    const frameMs = reducedMotion.matches ? CALM_FRAME_MS : FRAME_MS;
    $("replay-play").dataset.frameMs = String(frameMs);
    player.setSpeed(frameMs);
    player.play();
    render();
  }

  function wire() {
    $("replay-play").addEventListener("click", play);
    $("replay-epoch").addEventListener("input", (e) => {
      stop();
      state.replay.epoch = Number(e.target.value);
      render();
    });
  }

  /** Draw the replay section at the current epoch (the lab's render() calls it). */
  function renderReplay() {
    const r = state.replay;
    $("replay-note").textContent = r.data ? "" : r.message || "Loading the training history…";
    $("replay-body").hidden = !r.data;
    if (!r.data) return;
    const d = r.data;
    const bins = d.edges.data.length - 1;
    const e = r.epoch;
    $("replay-epoch").value = String(e);
    const auc = d.auc.data[e];
    $("replay-readout").textContent = `epoch ${d.epoch.data[e]} of ${d.epoch.data[d.epoch.data.length - 1]}` +
      ` · test AUC ${formatMetric(auc)}` +
      (Number.isFinite(d.loss.data[e]) ? ` · training loss ${d.loss.data[e].toPrecision(3)}` : "");
    $("replay-play").textContent = r.playing ? "❚❚ Pause" : "▶ Play";
    $("replay-play").setAttribute("aria-pressed", String(r.playing));
    views.replayHistogram.update({
      edges: d.edges.data, log: d.log, threshold: d.threshold ?? state.threshold,
      normal: d.normal.data.subarray(e * bins, (e + 1) * bins), abnormal: d.abnormal.data.subarray(e * bins, (e + 1) * bins),
    });
    views.replayAuc.update({ epoch: d.epoch.data, auc: d.auc.data, current: e });
  }

  return { loadReplay, play, stop, wire, renderReplay };
}
