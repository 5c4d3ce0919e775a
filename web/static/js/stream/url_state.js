// The network stream's view in the URL hash: play-order seed, chosen strategies, moved
// thresholds, speed and position, so a reload or a shared link restores it. Parsing is
// defensive: every unusable value is dropped with a reason, and the page falls back to its
// default for it. No DOM here (writeHash aside).

export const MAX_SEED = 2147483647;

/** Number of a whole-number text in [lo, hi], or null. */
function wholeIn(text, lo, hi) {
  if (!/^\d{1,10}$/.test(text)) return null;
  const v = Number(text);
  return v >= lo && v <= hi ? v : null;
}

const clip = (text, k = 40) => (text.length > k ? `${text.slice(0, k)}…` : text);

/** Strategies named in `text` (comma-separated) that exist; unknown names become problems. */
function readRun(text, names, problems) {
  const run = [];
  for (const name of text.split(",").filter(Boolean)) {
    if (names.includes(name)) { if (!run.includes(name)) run.push(name); }
    else problems.push(`strategy “${clip(name)}” is not in this build`);
  }
  return run;
}

/** Thresholds in `text` ("name:value,name:value"); bad entries become problems. */
function readThresholds(text, names, problems) {
  const out = {};
  for (const item of text.split(",").filter(Boolean)) {
    const cut = item.lastIndexOf(":");
    const name = cut < 0 ? item : item.slice(0, cut);
    const raw = cut < 0 ? "" : item.slice(cut + 1);
    const v = Number(raw);
    if (!names.includes(name)) problems.push(`strategy “${clip(name)}” is not in this build`);
    else if (raw.trim() === "" || !Number.isFinite(v)) {
      problems.push(`threshold “${clip(raw, 20)}” of ${name} is not a number, using the validation-chosen one`);
    } else out[name] = v;
  }
  return out;
}

/**
 * @param {string} hash - location.hash
 * @param {{names: string[], n: number, speeds: number, mixes?: string[]}} limits - the
 *   strategies of the build, the stream's length, the number of speed levels and the mixes
 * @returns {{values: {seed?: number, mix?: string, speed?: number, at?: number, run?: string[],
 *   thresholds?: Object<string, number>}, problems: string[]}}
 */
export function readHash(hash, { names, n, speeds, mixes = ["drawn"] }) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  const values = {};
  const problems = [];
  const seed = params.get("seed");
  if (seed !== null) {
    const v = wholeIn(seed, 0, MAX_SEED);
    if (v === null) problems.push(`seed “${clip(seed, 20)}” is not a whole number from 0 to ${MAX_SEED}, playing the stream as built`);
    else values.seed = v;
  }
  const mix = params.get("mix");
  if (mix !== null) {
    if (mixes.includes(mix)) values.mix = mix;
    else problems.push(`mix “${clip(mix, 20)}” is not one of ${mixes.join(", ")}, playing the stream as drawn`);
  }
  const speed = params.get("speed");
  if (speed !== null) {
    const v = wholeIn(speed, 0, speeds - 1);
    if (v === null) problems.push(`speed “${clip(speed, 20)}” is not a level from 0 to ${speeds - 1}, using the default speed`);
    else values.speed = v;
  }
  const at = params.get("at");
  if (at !== null) {
    const v = wholeIn(at, 0, n);
    if (v === null) problems.push(`position “${clip(at, 20)}” is not a connection from 0 to ${n}, starting at 0`);
    else values.at = v;
  }
  const run = params.get("run");
  if (run !== null) values.run = readRun(run, names, problems);
  const thresholds = params.get("th");
  if (thresholds !== null) values.thresholds = readThresholds(thresholds, names, problems);
  return { values, problems };
}

/** The hash of a view: {seed: number|null, speed, at, run: names running, all: every name,
 * thresholds: {name: value} of the moved ones, mix}. Defaults are left out. */
export function hashOf({ seed, mix, speed, at, run, all, thresholds }, defaultSpeed) {
  const params = new URLSearchParams();
  if (seed !== null && seed !== undefined) params.set("seed", String(seed));
  if (mix && mix !== "drawn") params.set("mix", mix);
  if (speed !== defaultSpeed) params.set("speed", String(speed));
  if (at > 0) params.set("at", String(at));
  if (run.length !== all.length || run.some((name, i) => name !== all[i])) params.set("run", run.join(","));
  const moved = Object.entries(thresholds).map(([name, v]) => `${name}:${v}`);
  if (moved.length) params.set("th", moved.join(","));
  const text = params.toString();
  return text ? `#${text}` : "";
}

/** Put `hash` in the address bar without adding a history entry. */
export function writeHash(hash) {
  const current = location.hash === "#" ? "" : location.hash;
  if (current !== hash) history.replaceState(null, "", hash || `${location.pathname}${location.search}`);
}
