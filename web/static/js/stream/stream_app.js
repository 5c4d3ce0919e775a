// Page controller of the network stream: one state object, one clock (the shared Player)
// advancing one tick counter that the sections draw from, and a scoring pump that keeps every
// running strategy's scores a chunk ahead of the playhead. Labels, metric titles and formulas
// come from Python's schema (the worker's hello reply).
import { setBusy } from "../common/busy.js";
import { PythonClient } from "../common/client.js";
import { LoadingProgress, NoticeBar } from "../common/notices.js";
import { Player } from "../common/player.js";
import { keepFocusClearOf, keepUnder } from "../common/sticky.js";
import { MAX_TICKS_PER_FRAME, SPEEDS, keyAction } from "./controls.js";
import { FramePlan } from "./frame.js";
import { ScoringPump } from "./scoring.js";
import { INFO_KEY, createViews, fillRankBy, showInfo as showInfoOf } from "./stream_views.js";
import { showSummary } from "./summary.js";
import { tracksFor } from "./tracks.js";
import { hashOf, readHash, writeHash } from "./url_state.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_SPEED = 4;
const showInfo = (show) => showInfoOf($, show);
const root = document.documentElement.dataset;

const state = {
  data: null,          // load_dataset reply: features, anomaly, label, names, vocabularies
  metrics: null,       // the schema's metrics: order and definitions
  n: 0,
  order: null,         // Int32Array: play position -> stream row
  truth: null,         // Uint8Array by play position
  attacksBefore: null, // Int32Array: true attacks among the first p positions, p = 0..n
  seed: null,          // null = the stream's own order
  mix: "drawn",        // which connections play (Python's mixes)
  composition: [],     // [[label, rows]] of the mix in play
  typeOf: null,        // Uint8Array by play position: label code
  generation: 0,       // bumped on every new order; replies of older orders are dropped
  ordering: false,     // a new play order is being set
  tracks: [],
  active: [],
  tick: 0,             // connections shown
  finishing: false,    // skipping to the end as soon as every score is in
  speed: DEFAULT_SPEED, // index into SPEEDS
  rankBy: "f1",
  scoring: { started: 0, ms: null, strategies: 0 },
};

const progress = new LoadingProgress();
const notices = new NoticeBar($("notice"));
const notify = (message) => notices.notify(message);

const python = new PythonClient({
  boot: { datasets: ["kdd_stream"], modelDataset: "kddcup99" },
  onProgress: (p) => progress.show(p),
  onFailure: (err) => notify(`${err.message} Reload the page to start it again.`),
  // A crashed worker was replaced: tell the new one the play order and score again from the
  // start (thresholds, chosen strategies and the seed are kept).
  onRestart: (message) => {
    setOrder(state.seed, state.mix)
      .then(() => notify(`${message} It was restarted; the stream starts again with your settings.`))
      .catch((err) => notify(`${message} Restarting it failed: ${err.message}`));
  },
});

const player = new Player({
  onTicks, onRender: render, speed: SPEEDS[state.speed], maxTicksPerFrame: MAX_TICKS_PER_FRAME,
  onIdle: (idle) => {  // the frame loop runs while playing (and for a single redraw)
    root.clock = idle ? "idle" : "running";
    setBusy("playing", !idle);
  },
});
const scoring = new ScoringPump(python, state, {
  onScores: () => { noteScoringDone(); catchUp(); frame.touch("setup"); player.invalidate(); },
  onFailure: (track, err) => {
    notify(`Scoring ${track.title} failed: ${err.message}`);
    track.active = false;
    refreshActive();
  },
});
let views = null;
let frame = null;  // what each frame draws (frame.js)

function noteScoringDone() {
  if (state.scoring.ms !== null || state.active.some((t) => t.scored < state.n)) return;
  state.scoring.ms = performance.now() - state.scoring.started;
  state.scoring.strategies = state.active.length;
}

// ---- the tick counter ---------------------------------------------------------------------
/** The Player's frame: advance up to k ticks, as far as every running strategy is scored
 * (skipping to the finish takes the rest at once when it is all scored); returns the ticks taken. */
function onTicks(k) {
  if (state.finishing) return scoring.available() === state.n ? advance(state.n - state.tick) : 0;
  return advance(k);
}

function advance(k) {
  catchUp();
  const from = state.tick;
  const to = Math.min(state.n, from + k, scoring.available());
  if (to <= from) return 0;
  for (const t of state.active) t.count(from, to, state.truth);
  state.tick = to;
  if (to === state.n) finish();
  return to - from;
}

/** A strategy switched on while its scores were still being computed counts the connections
 * already shown as their scores arrive; the playhead waits for it and is never moved back.
 * At the end of the stream, the standings are shown once every strategy has caught up. */
function catchUp() {
  let behind = false;
  for (const t of state.active) {
    if (t.counted < state.tick) t.count(t.counted, Math.min(state.tick, t.scored), state.truth);
    if (t.counted < state.tick) behind = true;
  }
  if (state.tick === state.n && state.active.length && !behind && $("summary").hidden) finish();
}

function finish() {
  player.pause();
  state.finishing = false;
  views.types.update(typeView(), true);
  views.summaryTypes.update(typeView(), true);
  showSummary($, { tracks: state.active, metrics: state.metrics, n: state.n, uncaught: views.summaryTypes.uncaught(state.active) });
}

/** What the per-type tables draw from. */
const typeAt = (p) => state.typeOf[p];
const typeView = () => ({ composition: state.composition, tracks: state.active, tick: state.tick, typeAt });

// ---- actions ------------------------------------------------------------------------------
function play() {
  if (player.playing) { player.pause(); return; }
  if (!state.active.length) return;  // Play is disabled, with the reason shown
  if (state.tick >= state.n) restart();
  state.finishing = false;
  player.play();
  bringSectionsIntoView();
}

const SIDE_BY_SIDE = window.matchMedia("(min-width: 1200px) and (min-height: 700px)");
/** On a desktop screen the three sections sit side by side in one screenful: playing brings
 * them under the sticky bar, and they stay wholly under it as it grows, so the sync across
 * them can be seen (set in start). */
let bringSectionsIntoView = () => {};

function step() {
  if (!state.active.length) return;
  state.finishing = false;
  player.step();  // kept until its scores arrive
}

function skipToFinish() {
  if (!state.active.length) return;
  player.pause();
  state.finishing = true;
}

function restart() {
  player.pause();
  state.finishing = false;
  state.tick = 0;
  for (const t of state.tracks) t.resetCounts();
  $("summary").hidden = true;
}

function setSpeed(index) {
  state.speed = Math.max(0, Math.min(SPEEDS.length - 1, index));
  player.setSpeed(SPEEDS[state.speed]);
}

async function setOrder(seed, mix = state.mix) {
  // No scoring while the order changes: a chunk asked for now would be refused (its seed is
  // stale). Scores and counts restart from zero under the new order. Of several quick
  // changes, only the last one's reply is used.
  const generation = ++state.generation;
  state.ordering = true;
  for (const t of state.tracks) t.resetScores();
  frame.touch("setup");
  restart();
  try {
    const reply = await python.request("stream_order", { seed, mix });
    if (generation !== state.generation) return;
    Object.assign(state, { seed: reply.seed ?? null, mix: reply.mix, composition: reply.composition });
    state.order = reply.order.data;
    state.truth = new Uint8Array(state.n);
    state.typeOf = new Uint8Array(state.n);
    state.attacksBefore = new Int32Array(state.n + 1);
    const { anomaly, label } = state.data;
    for (let p = 0; p < state.n; p++) {
      state.truth[p] = anomaly.data[state.order[p]];
      state.typeOf[p] = label.data[state.order[p]];
      state.attacksBefore[p + 1] = state.attacksBefore[p] + state.truth[p];
    }
    views.mix.show(state.mix, state.composition, state.data.labels.novel, state.data.label_names);
    frame.touch("tools");
  } finally {
    if (generation === state.generation) {
      state.ordering = false;
      state.scoring = { started: performance.now(), ms: null, strategies: 0 };
      player.invalidate();
      scoring.pump();  // under the new order, or the old one if the change was refused
    }
  }
}

function newShuffle(seed = Math.floor(Math.random() * 1_000_000)) {
  setOrder(seed).catch((err) => notify(`Could not shuffle: ${err.message}`));
}

function setMix(mix) {
  setOrder(state.seed, mix).catch((err) => notify(`Could not draw the ${mix} mix: ${err.message}`));
}

function refreshActive() {
  state.active = state.tracks.filter((t) => t.active);
  // A strategy switched on mid-stream counts what it has scores for, and catches up (catchUp)
  // as the rest arrives; the playhead stays where it is.
  for (const t of state.active) t.recount(Math.min(state.tick, t.scored), state.truth);
  if (!state.active.length) player.pause();
  frame.touch("setup", "tools");
  $("summary").hidden = true;
  catchUp();
  player.invalidate();
  scoring.pump();
}

function setThreshold(track, value) {
  track.threshold = value;
  track.recount(Math.min(state.tick, track.scored), state.truth);
  if (state.tick === state.n && state.active.every((t) => t.counted === state.n)) finish();
  frame.touch("setup");
  player.invalidate();
}

// ---- rendering ----------------------------------------------------------------------------
function render() {
  const { n, tick, active, truth } = state;
  const waiting = (player.playing || state.finishing || player.queued > 0) && scoring.available() <= tick && tick < n;
  const later = frame.draw({  // fast: playing a tick or more per frame (the named speeds)
    playing: player.playing, fast: player.playing && typeof SPEEDS[state.speed] !== "number", tick, n,
    tracks: state.tracks, active, rankBy: state.rankBy, composition: state.composition,
    controls: {
      tick, n, attacks: state.attacksBefore ? state.attacksBefore[tick] : 0, playing: player.playing,
      speed: state.speed, seed: state.seed, waiting, scoring: state.scoring, running: active.length,
      scored: active.reduce((a, t) => a + t.scored, 0), wanted: n * active.length,
    },
    feed: { tracks: active, tick, order: state.order, truth, typeAt, novel: state.data.labels.novel },
    piles: { tracks: active, tick, truth },
    types: typeView(),
  });
  if (later) player.invalidate();
  publish();
  // The view in the URL when it settles (not on every frame of play).
  if (!player.playing && !state.finishing && !state.ordering) writeHash(hashOf(viewOf(), DEFAULT_SPEED));
}

/** The page's state on the root element, for assistive tech and tests: the tick, the stream's
 * length, the play order's seed ("" = as built) and the number of running strategies. */
function publish() {
  const values = { tick: state.tick, length: state.n, seed: state.seed ?? "", strategies: state.active.length };
  for (const [key, value] of Object.entries(values)) if (root[key] !== String(value)) root[key] = String(value);
}

// ---- wiring -------------------------------------------------------------------------------
function wire() {
  $("play").addEventListener("click", play);
  $("step").addEventListener("click", step);
  $("finish").addEventListener("click", skipToFinish);
  $("restart").addEventListener("click", restart);
  $("speed").addEventListener("input", () => setSpeed(Number($("speed").value)));
  $("shuffle").addEventListener("click", () => newShuffle());
  $("use-seed").addEventListener("click", useSeed);
  $("seed").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); useSeed(); }
  });
  $("rank-by").addEventListener("change", () => { state.rankBy = $("rank-by").value; player.invalidate(); });
  $("info-open").addEventListener("click", () => showInfo(true));
  $("info-close").addEventListener("click", () => showInfo(false));
  const actions = {
    play, step, finish: skipToFinish, restart, faster: () => setSpeed(state.speed + 1),
    slower: () => setSpeed(state.speed - 1), shuffle: () => newShuffle(), info: () => showInfo(true),
  };
  document.addEventListener("keydown", (event) => {
    const action = keyAction(event, actions);
    if (!action) return;
    event.preventDefault();
    action();
  });
  for (const tab of document.querySelectorAll(".stream-tabs button")) {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
  }
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => { views.piles.resize(); views.feed.measure(); player.invalidate(); });
  });
}

/** Phone layout: one of Connections, Strategies and Visualized at a time. */
function showTab(name) {
  $("stream-grid").dataset.tab = name;
  for (const tab of document.querySelectorAll(".stream-tabs button")) {
    tab.setAttribute("aria-pressed", String(tab.dataset.tab === name));
  }
  views.piles.resize();  // a pile laid out while hidden had no width
  views.feed.measure();  // nor a feed its height
  player.invalidate();
}

function useSeed() {
  const v = Number($("seed").value);
  if ($("seed").value.trim() === "" || !Number.isInteger(v) || v < 0 || v > 2147483647) {
    notify("A seed is a whole number from 0 to 2147483647.");
    return;
  }
  notify("");
  newShuffle(v);
}

/** What the URL keeps: seed, running strategies, moved thresholds, speed and position. */
function viewOf() {
  const moved = state.tracks.filter((t) => t.threshold !== t.defaultThreshold);
  return {
    seed: state.seed, mix: state.mix, speed: state.speed, at: state.tick + player.queued,
    run: state.active.map((t) => t.name), all: state.tracks.map((t) => t.name),
    thresholds: Object.fromEntries(moved.map((t) => [t.name, t.threshold])),
  };
}

/** Apply a link's view (before the play order is set); returns its problems. */
function applyHash() {
  const names = state.tracks.map((t) => t.name);
  const { values, problems } = readHash(location.hash, { names, n: state.n, speeds: SPEEDS.length, mixes: state.data.mixes.order });
  for (const t of state.tracks) {
    if (values.run) t.active = values.run.includes(t.name);
    if (values.thresholds && t.name in values.thresholds) t.threshold = values.thresholds[t.name];
  }
  state.active = state.tracks.filter((t) => t.active);
  if (values.speed !== undefined) setSpeed(values.speed);
  return { seed: values.seed ?? null, mix: values.mix ?? "drawn", at: values.at ?? 0, problems };
}

function build({ datasets, models, schema }) {
  const data = datasets.kdd_stream;
  Object.assign(state, { data, n: data.n, metrics: schema.metrics });
  const kdd = models.filter((m) => m.dataset === "kddcup99");
  if (!kdd.length) throw new Error("no KDD Cup 1999 model was found in this build");
  state.tracks = tracksFor(kdd, schema.kinds, state.n);
  state.active = [...state.tracks];
  views = createViews($, {
    data, schema, python, notify, onOpen: openConnection, onMix: setMix,
    onToggle: (t, on) => { t.active = on; refreshActive(); }, onThreshold: setThreshold,
    current: () => ({ tracks: state.active, order: state.order, mix: state.mix, seed: state.seed }),
  });
  views.setup.build(state.tracks);
  frame = new FramePlan(views);
  fillRankBy($, schema.metrics, state.rankBy);
}

/** The drill-down of play position p (a feed row or a pile square), opened from `opener`. */
function openConnection(p, opener) {
  if (!state.order || p < 0 || p >= state.n) return;
  views.detail.open({ row: state.order[p], position: p, tracks: state.active }, opener);
}

async function start() {
  try {
    const reply = await python.ready;
    build(reply);
    let dismissed = false;
    try { dismissed = localStorage.getItem(INFO_KEY) === "1"; } catch { /* private mode */ }
    $("info-panel").hidden = dismissed;
    $("loading").hidden = true;
    $("app").hidden = false;
    keepFocusClearOf($("controls"));
    bringSectionsIntoView = keepUnder($("controls"), $("stream-grid"), () => SIDE_BY_SIDE.matches);
    wire();
    const link = applyHash();
    await setOrder(link.seed, link.mix);
    if (link.at && state.active.length) player.step(link.at);  // taken as the scores arrive
    const { modelProblems = [] } = reply;
    const notes = [];
    if (link.problems.length) notes.push(`Some settings of the link were not used: ${link.problems.join("; ")}.`);
    if (modelProblems.length) notes.push(`Left out models that could not be loaded: ${modelProblems.join("; ")}.`);
    if (notes.length) notify(notes.join(" "));
    render();
    root.appReady = "true";
  } catch (err) {
    $("loading-label").textContent = "The network stream could not start.";
    notify(`The network stream could not start: ${err.message}`);
    root.appReady = "failed";
  }
}

start();
