// Page controller of the network stream: one state object, one animation clock
// (requestAnimationFrame) advancing one tick counter that the three sections draw from, and a
// scoring pump that keeps every running strategy's scores a chunk ahead of the playhead.
import { PythonClient } from "../common/client.js";
import { ConnectionFeed } from "./feed.js";
import { Piles } from "./piles.js";
import { Ranking, ranked } from "./ranking.js";
import { SetupList } from "./setup.js";
import { keepFocusClearOf } from "../common/sticky.js";
import { KIND_ORDER, METRICS, METRIC_TITLES, Track, formatMetric } from "./tracks.js";

const $ = (id) => document.getElementById(id);
const CHUNK = 500;
const IN_FLIGHT = 2;
const MAX_TICKS_PER_FRAME = 20;
// Speed levels: milliseconds per tick, then one tick per frame, then "max".
const SPEEDS = [1280, 640, 320, 160, 80, 40, 20, "frame", "max"];
const INFO_KEY = "anomascope.stream.info-dismissed";
const fmt = (v) => v.toLocaleString("en");
/** Write text only when it changed: an unchanged frame should cost no layout. */
function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

const state = {
  data: null,          // load_dataset reply: features, anomaly, label, names, vocabularies
  n: 0,
  order: null,         // Int32Array: play position -> stream row
  truth: null,         // Uint8Array by play position
  seed: null,          // null = the stream's own order
  generation: 0,       // bumped on every new order; replies of older orders are dropped
  ordering: false,     // a new play order is being set
  tracks: [],
  active: [],
  tick: 0,             // connections shown
  stepTo: 0,           // a step waiting for its scores goes up to here
  playing: false,
  finishing: false,
  speed: 4,
  rankBy: "f1",
  scoring: { started: 0, ms: null, strategies: 0 },
  stats: { frames: [], work: [] },
};

const python = new PythonClient({
  boot: { datasets: ["kdd_stream"], modelDataset: "kddcup99" },
  onProgress: showProgress,
  onFailure: (err) => notify(`${err.message} Reload the page to start it again.`),
  // A crashed worker was replaced: tell the new one the play order and score again from the
  // start (thresholds, chosen strategies and the seed are kept).
  onRestart: (message) => {
    setOrder(state.seed)
      .then(() => notify(`${message} It was restarted; the stream starts again with your settings.`))
      .catch((err) => notify(`${message} Restarting it failed: ${err.message}`));
  },
});

let views = null;
let inFlight = 0;
let accumulated = 0;
let lastFrame = null;
let dirty = true;
let renderCount = 0;

function showProgress({ label, step, steps, fraction }) {
  $("loading-label").textContent = `${label}…`;
  $("loading-bar").value = (step - 1 + fraction) / steps;
}

function notify(message) {
  $("notice").textContent = message;
  $("notice").hidden = !message;
}

// ---- scoring pump -------------------------------------------------------------------------
function available() {
  return state.active.length ? Math.min(...state.active.map((t) => t.scored)) : 0;
}

function pump() {
  if (state.ordering) return;
  while (inFlight < IN_FLIGHT) {
    // Running strategies first; the others are scored too, so switching one on is instant.
    let todo = state.active.filter((t) => t.requested < state.n);
    if (!todo.length) todo = state.tracks.filter((t) => t.requested < state.n);
    if (!todo.length) return;
    const track = todo.reduce((a, b) => (b.requested < a.requested ? b : a));
    const start = track.requested;
    const stop = Math.min(start + CHUNK, state.n);
    track.requested = stop;
    inFlight++;
    const generation = state.generation;
    python.request("score_stream", { model: track.name, start, stop, seed: state.seed })
      .then((reply) => {
        if (generation !== state.generation) return;
        track.storeChunk(reply.start, reply.scores.data);
        noteScoringDone();
        dirty = true;
      })
      .catch((err) => {
        if (generation !== state.generation) return;
        track.requested = track.scored;
        if (err.kind === "crash") return;  // the replacement worker scores every strategy again
        notify(`Scoring ${track.title} failed: ${err.message}`);
        track.active = false;
        refreshActive();
      })
      .finally(() => { inFlight--; pump(); });
  }
}

function noteScoringDone() {
  if (state.scoring.ms !== null || state.active.some((t) => t.scored < state.n)) return;
  state.scoring.ms = performance.now() - state.scoring.started;
  state.scoring.strategies = state.active.length;
  const status = $("scoring-status");
  status.dataset.ms = state.scoring.ms.toFixed(1);
  status.dataset.strategies = String(state.scoring.strategies);
  status.textContent = `Scored all ${fmt(state.n)} connections with ${state.scoring.strategies} ` +
    `strateg${state.scoring.strategies === 1 ? "y" : "ies"} in ${(state.scoring.ms / 1000).toFixed(2)} s, by Python in this tab.`;
}

// ---- the tick counter ---------------------------------------------------------------------
function advance(k) {
  const from = state.tick;
  const to = Math.min(state.n, from + k, available());
  if (to <= from) return 0;
  for (const t of state.active) t.count(from, to, state.truth);
  state.tick = to;
  dirty = true;
  if (to === state.n) finish();
  return to - from;
}

function finish() {
  state.playing = false;
  state.finishing = false;
  showSummary();
}

function frame(now) {
  const dt = lastFrame === null ? 0 : now - lastFrame;
  lastFrame = now;
  const began = performance.now();
  if (state.finishing) {
    if (available() === state.n) advance(state.n - state.tick);
  } else if (!state.playing && state.stepTo > state.tick) {
    advance(state.stepTo - state.tick);
  } else if (state.playing) {
    const speed = SPEEDS[state.speed];
    if (speed === "max") advance(MAX_TICKS_PER_FRAME);
    else if (speed === "frame") advance(1);
    else {
      accumulated += dt;
      const k = Math.floor(accumulated / speed);
      if (k > 0) accumulated -= k * speed;
      advance(Math.min(k, MAX_TICKS_PER_FRAME));
    }
  }
  if (dirty) render();
  if (state.playing || state.finishing) {
    const s = state.stats;
    s.frames.push(dt);
    s.work.push(performance.now() - began);
    if (s.frames.length > 4000) { s.frames.splice(0, 2000); s.work.splice(0, 2000); }
  }
  requestAnimationFrame(frame);
}

// ---- actions ------------------------------------------------------------------------------
function play(on = !state.playing) {
  if (state.tick >= state.n) restart();
  state.playing = on;
  state.stepTo = 0;
  state.finishing = false;
  const speed = SPEEDS[state.speed];
  accumulated = typeof speed === "number" ? speed : 0;  // the first tick comes at once
  dirty = true;
}

function step() {
  state.playing = false;
  state.finishing = false;
  // A step asked for before its scores arrive is kept and taken when they do.
  state.stepTo = Math.min(state.n, Math.max(state.stepTo, state.tick) + 1);
  advance(state.stepTo - state.tick);
  dirty = true;
}

function skipToFinish() {
  state.playing = false;
  state.finishing = true;
  dirty = true;
}

function restart() {
  state.playing = false;
  state.finishing = false;
  state.tick = 0;
  state.stepTo = 0;
  for (const t of state.tracks) t.resetCounts();
  $("summary").hidden = true;
  dirty = true;
}

function setSpeed(index) {
  state.speed = Math.max(0, Math.min(SPEEDS.length - 1, index));
  dirty = true;
}

async function setOrder(seed) {
  // No scoring while the order changes: a chunk asked for now would be refused (its seed is
  // stale). Scores and counts restart from zero under the new order. Of several quick
  // changes, only the last one's reply is used.
  const generation = ++state.generation;
  state.ordering = true;
  for (const t of state.tracks) t.resetScores();
  restart();
  try {
    const reply = await python.request("stream_order", { seed });
    if (generation !== state.generation) return;
    state.seed = reply.seed ?? null;
    state.order = reply.order.data;
    state.truth = new Uint8Array(state.n);
    const anomaly = state.data.anomaly.data;
    for (let p = 0; p < state.n; p++) state.truth[p] = anomaly[state.order[p]];
  } finally {
    if (generation === state.generation) {
      state.ordering = false;
      state.scoring = { started: performance.now(), ms: null, strategies: 0 };
      delete $("scoring-status").dataset.ms;
      dirty = true;
      pump();  // under the new order, or the old one if the change was refused
    }
  }
}

function newShuffle(seed = Math.floor(Math.random() * 1_000_000)) {
  setOrder(seed).catch((err) => notify(`Could not shuffle: ${err.message}`));
}

function refreshActive() {
  state.active = state.tracks.filter((t) => t.active);
  for (const t of state.active) t.recount(Math.min(state.tick, t.scored), state.truth);
  if (state.active.some((t) => t.scored < state.tick)) {
    // A strategy switched on mid-stream: its past is scored first, then everyone moves on.
    state.tick = Math.min(state.tick, available());
    for (const t of state.active) t.recount(state.tick, state.truth);
  }
  if (state.tick === state.n) showSummary();
  dirty = true;
  pump();
}

function setThreshold(track, value) {
  track.threshold = value;
  track.recount(state.tick, state.truth);
  dirty = true;
  if (state.tick === state.n) showSummary();
}

// ---- rendering ----------------------------------------------------------------------------
function render() {
  dirty = false;
  const { n, tick } = state;
  // Playing faster than one tick per frame, the feed and the ranking take turns (one each
  // frame) so a frame's layout and paint stay small; paused, everything is drawn at once.
  const fast = state.playing && typeof SPEEDS[state.speed] !== "number";
  const turn = (renderCount = (renderCount + 1) % 2);
  if (fast) dirty = true;
  // The ranking first: its FLIP step measures layout, which is still clean at this point.
  if (!fast || turn === 0) views.ranking.update(state);
  setText("tick-counter", `${fmt(tick)} / ${fmt(n)}`);
  let attacks = 0;
  if (state.active[0]) { const t = state.active[0]; attacks = t.tp + t.fn; }
  setText("truth-counter", `connections so far: ${fmt(attacks)} attacks, ${fmt(tick - attacks)} normal (truth)`);
  setText("play", state.playing ? "Pause" : tick >= n ? "Play again" : "Play");
  if ($("play").getAttribute("aria-pressed") !== String(state.playing)) $("play").setAttribute("aria-pressed", String(state.playing));
  $("step").disabled = state.playing || tick >= n;
  if ($("speed").value !== String(state.speed)) $("speed").value = String(state.speed);
  const speed = SPEEDS[state.speed];
  setText("speed-label", speed === "max" ? `max (${MAX_TICKS_PER_FRAME} per frame)`
    : speed === "frame" ? "1 per frame" : `${speed} ms per connection`);
  setText("order-label", state.seed === null
    ? "Play order: as built (stream seed 1999)" : `Play order: shuffled with seed ${state.seed}`);
  const seedText = state.seed === null ? "" : String(state.seed);
  if (document.activeElement !== $("seed") && $("seed").value !== seedText) $("seed").value = seedText;
  const waiting = (state.playing || state.finishing || state.stepTo > tick) && available() <= tick && tick < n;
  if (state.scoring.ms === null) {
    const done = state.active.reduce((a, t) => a + t.scored, 0);
    setText("scoring-status", `${waiting ? "Waiting for scores — " : ""}scoring ahead of the playhead: ` +
      `${fmt(done)} of ${fmt(n * state.active.length)} scores computed`);
  }
  document.documentElement.dataset.tick = String(tick);
  views.setup.update(state.tracks);
  if (!fast || turn === 1) views.feed.update(state);
  views.piles.update(state);
}

function showSummary() {
  const order = ranked(state.active, "f1");
  $("summary-lede").textContent = `All ${fmt(state.n)} connections classified. Ranked by F1; the thresholds are the ones set now.`;
  $("standings").replaceChildren(...order.map((t) => {
    const li = document.createElement("li");
    li.dataset.name = t.name;
    const parts = METRICS.map((m) => `${METRIC_TITLES[m]} ${formatMetric(t.metric(m).value)}`).join(" · ");
    li.textContent = `${t.title}: ${parts} (TP ${t.tp}, FP ${t.fp}, TN ${t.tn}, FN ${t.fn})`;
    return li;
  }));
  $("summary").hidden = false;
}

// ---- wiring -------------------------------------------------------------------------------
function wire() {
  $("play").addEventListener("click", () => play());
  $("step").addEventListener("click", step);
  $("finish").addEventListener("click", skipToFinish);
  $("restart").addEventListener("click", restart);
  $("speed").addEventListener("input", () => setSpeed(Number($("speed").value)));
  $("shuffle").addEventListener("click", () => newShuffle());
  $("use-seed").addEventListener("click", () => {
    const v = Number($("seed").value);
    if ($("seed").value.trim() === "" || !Number.isInteger(v) || v < 0 || v > 2147483647) {
      notify("A seed is a whole number from 0 to 2147483647.");
      return;
    }
    notify("");
    newShuffle(v);
  });
  $("rank-by").addEventListener("change", () => { state.rankBy = $("rank-by").value; views.ranking.cards.forEach((c) => { c.lastCounts = ""; }); dirty = true; });
  $("info-open").addEventListener("click", () => showInfo(true));
  $("info-close").addEventListener("click", () => showInfo(false));
  document.addEventListener("keydown", onKey);
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => { views.piles.resize(); dirty = true; });
  });
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, select, textarea")) return;
  // A focused button or link keeps its own Space / Enter; the focused feed keeps its scrolling keys.
  if (target instanceof HTMLElement && target.closest("button, a") && (event.key === " " || event.key === "Enter")) return;
  if (target instanceof HTMLElement && target.closest(".feed-wrap") && /^(Arrow|Home|End| )/.test(event.key)) return;
  const actions = {
    " ": () => play(), ArrowRight: step, ArrowUp: () => setSpeed(state.speed + 1),
    ArrowDown: () => setSpeed(state.speed - 1), End: skipToFinish, Home: restart,
    s: () => newShuffle(), S: () => newShuffle(), i: () => showInfo(true), I: () => showInfo(true),
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
}

function showInfo(show) {
  $("info-panel").hidden = !show;
  if (!show) {
    try { localStorage.setItem(INFO_KEY, "1"); } catch { /* storage may be off: fine */ }
    $("info-open").focus();
  }
}

async function start() {
  try {
    const { datasets, models, modelProblems = [] } = await python.ready;
    const data = datasets.kdd_stream;
    state.data = data;
    state.n = data.n;
    const kdd = models.filter((m) => m.dataset === "kddcup99");
    if (!kdd.length) throw new Error("no KDD Cup 1999 model was found in this build");
    kdd.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    state.tracks = kdd.map((m) => new Track(m, state.n));
    state.active = [...state.tracks];
    views = {
      feed: new ConnectionFeed($("feed-head"), $("feed-body"), { data }),
      ranking: new Ranking($("ranking")),
      piles: new Piles($("piles")),
      setup: new SetupList($("setup-list"), {
        onToggle: (t, on) => { t.active = on; refreshActive(); },
        onThreshold: setThreshold,
      }),
    };
    views.setup.build(state.tracks);
    let dismissed = false;
    try { dismissed = localStorage.getItem(INFO_KEY) === "1"; } catch { /* private mode */ }
    $("info-panel").hidden = dismissed;
    $("loading").hidden = true;
    $("app").hidden = false;
    keepFocusClearOf($("controls"));
    wire();
    await setOrder(null);
    if (modelProblems.length) notify(`Left out models that could not be loaded: ${modelProblems.join("; ")}.`);
    render();
    requestAnimationFrame(frame);
    window.anomascopeStream = { state, speeds: SPEEDS };
    document.documentElement.dataset.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "The network stream could not start.";
    notify(`The network stream could not start: ${err.message}`);
    document.documentElement.dataset.appReady = "failed";
  }
}

start();
