// The data page's URL hash: its settings (example, columns, mode, window, detectors and their
// parameters, supervision, threshold rule, seed), never any data, so a link repeats a run on the
// same file. Pure functions: the page calls readHash at start, fitToTable once a table is loaded
// and hashOf whenever a setting changes. Every value that cannot be used is dropped with a
// reason and the others still apply. What is valid comes from Python's schema (`schema.tables`).
//
// Keys: ex (example id), f (a feature column, repeated), label, a (an anomaly value, repeated),
// order, mode, s (a series column, repeated), win (LENGTH:STRIDE), det (a detector kind,
// repeated), KIND.PARAM (a detector's parameter), sup (supervision), rule, rule.PARAM, seed.

const clip = (text, n = 40) => String(text).slice(0, n);
const isWhole = (text) => /^\d{1,10}$/.test(text);

/** The settings of `state` as a hash. @param {{example?, features?, label_column?,
 * anomaly_values?, order_column?, mode?, series_columns?, window?, detectors?, supervision?,
 * threshold_rule?, seed?}} s */
export function hashOf(s) {
  const p = new URLSearchParams();
  if (s.example) p.set("ex", s.example);
  for (const f of s.features ?? []) p.append("f", f);
  if (s.label_column) {
    p.set("label", s.label_column);
    for (const a of s.anomaly_values ?? []) p.append("a", a);
  }
  if (s.order_column) p.set("order", s.order_column);
  if (s.mode) p.set("mode", s.mode);
  if (s.mode === "series") {
    for (const c of s.series_columns ?? []) p.append("s", c);
    if (s.window) p.set("win", `${s.window.length}:${s.window.stride}`);
  }
  for (const { kind, params } of s.detectors ?? []) {
    p.append("det", kind);
    for (const [name, value] of Object.entries(params ?? {})) p.set(`${kind}.${name}`, String(value));
  }
  if (s.supervision) p.set("sup", s.supervision);
  if (s.threshold_rule) {
    const { rule, ...params } = s.threshold_rule;
    p.set("rule", rule);
    for (const [name, value] of Object.entries(params)) p.set(`rule.${name}`, String(value));
  }
  if (s.seed !== undefined && s.seed !== null) p.set("seed", String(s.seed));
  return `#${p}`;
}

/** A parameter's text checked against its spec {label, kind: "int"|"number", min, max}. */
function readParam(text, spec) {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v)) return { problem: "is not a number" };
  if (spec.kind === "int" && !Number.isInteger(v)) return { problem: "is not a whole number" };
  if (v < spec.min || v > spec.max) return { problem: `is not between ${spec.min} and ${spec.max}` };
  return { value: v };
}

/** Parameters `PREFIX.NAME` of `params` for the specs; unknown names are problems. */
function readParams(params, prefix, specs, problems, what) {
  const out = {};
  for (const [key, text] of params) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const name = key.slice(prefix.length + 1);
    const spec = specs[name];
    if (!spec) { problems.push(`${what} has no setting “${clip(name)}”, ignored`); continue; }
    const { value, problem } = readParam(text, spec);
    if (problem) problems.push(`${spec.label ?? name} of ${what} “${clip(text, 20)}” ${problem}, using ${spec.default}`);
    else out[name] = value;
  }
  return out;
}

function readDetectors(params, kinds, problems) {
  const out = [];
  for (const kind of params.getAll("det")) {
    if (!kinds.order.includes(kind)) { problems.push(`there is no detector “${clip(kind)}”, ignored`); continue; }
    if (out.some((d) => d.kind === kind)) continue;
    out.push({ kind, params: readParams(params, kind, kinds.params[kind] ?? {}, problems, kind) });
  }
  return out;
}

function readRule(params, rules, problems) {
  const rule = params.get("rule");
  if (rule === null) return undefined;
  if (!(rule in rules)) { problems.push(`there is no threshold rule “${clip(rule)}”, using the default`); return undefined; }
  return { rule, ...readParams(params, "rule", rules[rule].params ?? {}, problems, "the threshold rule") };
}

function readWindow(text, problems) {
  const m = /^(\d{1,9}):(\d{1,9})$/.exec(text);
  if (m && Number(m[1]) >= 1 && Number(m[2]) >= 1) return { length: Number(m[1]), stride: Number(m[2]) };
  problems.push(`window “${clip(text, 20)}” is not LENGTH:STRIDE in whole numbers of 1 or more, using the suggested one`);
  return undefined;
}

/** Read a hash against `tables` (the schema's `tables`: examples, kinds {order, params},
 * threshold_rules, supervision). @returns {{values: object, problems: string[]}} where values
 * holds only the settings the link gave and that can be used. */
export function readHash(hash, tables) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  const values = {};
  const problems = [];
  const ex = params.get("ex");
  if (ex !== null) {
    if (tables.examples.some((e) => e.id === ex)) values.example = ex;
    else problems.push(`there is no example “${clip(ex)}”`);
  }
  if (params.has("f")) values.features = [...new Set(params.getAll("f"))];
  const label = params.get("label");
  if (label) {
    values.label_column = label;
    values.anomaly_values = [...new Set(params.getAll("a"))];
  }
  const order = params.get("order");
  if (order) values.order_column = order;
  const mode = params.get("mode");
  if (mode !== null) {
    if (mode === "table" || mode === "series") values.mode = mode;
    else problems.push(`there is no mode “${clip(mode)}”, using table`);
  }
  if (params.has("s")) values.series_columns = [...new Set(params.getAll("s"))];
  if (params.has("win")) {
    const window = readWindow(params.get("win"), problems);
    if (window) values.window = window;
  }
  if (params.has("det")) values.detectors = readDetectors(params, tables.kinds, problems);
  const sup = params.get("sup");
  if (sup !== null) {
    if (supervisionIds(tables).includes(sup)) values.supervision = sup;
    else problems.push(`there is no supervision “${clip(sup)}”, using unsupervised`);
  }
  const rule = readRule(params, tables.threshold_rules, problems);
  if (rule) values.threshold_rule = rule;
  const seed = params.get("seed");
  if (seed !== null) {
    if (isWhole(seed)) values.seed = Number(seed);
    else problems.push(`seed “${clip(seed, 20)}” is not a whole number of 0 or more, using the default`);
  }
  return { values, problems };
}

/** The supervision ids of the schema: its keys ({id: {label, description}}), or a list of ids
 * or of {id, label}. */
export function supervisionIds(tables) {
  const sup = tables.supervision ?? [];
  if (!Array.isArray(sup)) return Object.keys(sup);
  return sup.map((s) => (typeof s === "string" ? s : s.id));
}

/** Keep only the columns and label values that `table` has. `table` is the table_load reply
 * ({columns: [{name}], label_values: {column: [[value, count], ...]}}).
 * @returns {{values: object, problems: string[]}} */
export function fitToTable(values, table) {
  const names = new Set(table.columns.map((c) => c.name));
  const out = { ...values };
  const problems = [];
  const keep = (list, what) => {
    const missing = list.filter((c) => !names.has(c));
    if (missing.length) problems.push(`the table has no ${what} ${missing.map((c) => `“${clip(c)}”`).join(", ")}`);
    return list.filter((c) => names.has(c));
  };
  if (out.features) out.features = keep(out.features, "column");
  if (out.series_columns) out.series_columns = keep(out.series_columns, "column");
  for (const key of ["label_column", "order_column"]) {
    if (out[key] && !names.has(out[key])) {
      problems.push(`the table has no column “${clip(out[key])}” (the ${key === "label_column" ? "label" : "order"} column of the link)`);
      delete out[key];
    }
  }
  if (out.label_column) {
    const present = new Set((table.label_values?.[out.label_column] ?? []).map(([v]) => String(v)));
    if (!present.size) {
      problems.push(`column “${clip(out.label_column)}” has too many distinct values to be a label column`);
      delete out.label_column;
      delete out.anomaly_values;
    } else {
      const missing = (out.anomaly_values ?? []).filter((v) => !present.has(v));
      if (missing.length) problems.push(`the label column has no value ${missing.map((v) => `“${clip(v)}”`).join(", ")}`);
      out.anomaly_values = (out.anomaly_values ?? []).filter((v) => present.has(v));
    }
  } else {
    delete out.anomaly_values;
  }
  return { values: out, problems };
}
