// The URL hash holds the view: section, model, beat and threshold, so a link reproduces it.
// Parsing is defensive: every unusable value is dropped with a reason, and the page falls back.

export const SECTIONS = ["viewer", "explorer", "draw", "models", "replay", "about"];

/** @returns {{values: {section?, model?, beat?, threshold?}, problems: string[]}} */
export function readHash(hash, modelNames, nBeats) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  const values = {};
  const problems = [];
  const section = params.get("section");
  if (section !== null) {
    if (SECTIONS.includes(section)) values.section = section;
    else problems.push(`there is no section “${section.slice(0, 40)}”, showing the beat viewer`);
  }
  const model = params.get("model");
  if (model !== null) {
    if (modelNames.includes(model)) values.model = model;
    else problems.push(`model “${model.slice(0, 40)}” is not in this build, showing ${modelNames[0]}`);
  }
  const beat = params.get("beat");
  if (beat !== null) {
    if (/^\d{1,6}$/.test(beat) && Number(beat) < nBeats) values.beat = Number(beat);
    else if (/^u\d+$/.test(beat)) problems.push("uploaded beats are not kept when the page reloads, showing test beat #0");
    else problems.push(`beat “${beat.slice(0, 20)}” is not a test beat (0 to ${nBeats - 1}), showing #0`);
  }
  const threshold = params.get("threshold");
  if (threshold !== null) {
    const t = Number(threshold);
    if (threshold.trim() !== "" && Number.isFinite(t) && t >= 0) values.threshold = t;
    else problems.push(`threshold “${threshold.slice(0, 20)}” is not a number of zero or more, using the model's own`);
  }
  return { values, problems };
}

/** The hash that reproduces `state` (its section, model, selected beat and threshold). */
export function hashOf(state) {
  const params = new URLSearchParams({
    section: state.section, model: state.model,
    beat: `${state.source === "user" ? "u" : ""}${state.selected}`, threshold: state.threshold.toPrecision(5),
  });
  return `#${params}`;
}

/** Put the state's hash in the address bar without adding a history entry. */
export function writeHash(state) {
  const next = hashOf(state);
  if (location.hash !== next) history.replaceState(null, "", next);
}
