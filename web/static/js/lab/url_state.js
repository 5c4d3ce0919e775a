// The URL hash holds the view: section, model, beat, threshold and class filter, so a link reproduces it.
// Parsing is defensive: every unusable value is dropped with a reason, and the page falls back.

export const SECTIONS = ["viewer", "explorer", "draw", "models", "replay", "about"];

/** `classes`: the class filter values a link may carry besides "all" (the dataset's classes).
 * @returns {{values: {section?, model?, beat?, threshold?, filter?}, problems: string[]}} */
export function readHash(hash, modelNames, nBeats, classes = []) {
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
    else problems.push(`model “${model.slice(0, 40)}” is not in this build, showing ${modelNames[0]}; ` +
      "for a model trained in another browser, upload its .json and .npz files on the Train page");
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
  const filter = params.get("class");
  if (filter !== null) {
    if (filter === "all" || classes.includes(filter)) values.filter = filter;
    else if (filter === "user") problems.push("uploaded beats are not kept when the page reloads, showing all classes");
    else problems.push(`there is no class “${filter.slice(0, 20)}”, showing all classes`);
  }
  return { values, problems };
}

/** The hash that reproduces `state` (its section, model, selected beat and threshold). */
export function hashOf(state) {
  const params = new URLSearchParams({
    section: state.section, model: state.model,
    beat: `${state.source === "user" ? "u" : ""}${state.selected}`, threshold: state.threshold.toPrecision(5),
  });
  if (state.classFilter && state.classFilter !== "all") params.set("class", state.classFilter);
  return `#${params}`;
}

/** Put the state's hash in the address bar; a new history entry only with `push` (a new
 * section), so that back and forward step through the sections the user opened. */
export function writeHash(state, { push = false } = {}) {
  const next = hashOf(state);
  if (location.hash !== next) history[push ? "pushState" : "replaceState"](null, "", next);
}
