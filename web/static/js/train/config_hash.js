// The training configuration in the URL hash, so a link reproduces an experiment (seed
// included). Parsing is defensive: a value that is missing keeps the default, a value that
// cannot be used falls back to the default with a reason. Python re-validates everything.

export const DEFAULTS = {
  encoder_units: [32, 16], latent_dim: 4, activation: "relu", mirrored: true, decoder_units: [16, 32],
  epochs: 30, batch_size: 64, learning_rate: 0.01, optimizer: "adam", regularizer: "none",
  regularization_rate: 0.0001, seed: 0, train_size: 1000, abnormal_percent: 0, validation_size: 500, test_size: 1500,
};

export const ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid"];
export const OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam", "adamax", "adadelta"];
export const REGULARIZERS = ["none", "l1", "l2", "l1l2"];

// hash key -> [config key, kind, ...bounds]
const FIELDS = {
  enc: ["encoder_units", "units"], lat: ["latent_dim", "int", 1, 256], act: ["activation", "choice", ACTIVATIONS],
  mir: ["mirrored", "bool"], dec: ["decoder_units", "units"], ep: ["epochs", "int", 1, 2000],
  bs: ["batch_size", "int", 1, 5000], lr: ["learning_rate", "num", 1e-12, 100],
  opt: ["optimizer", "choice", OPTIMIZERS], reg: ["regularizer", "choice", REGULARIZERS],
  rr: ["regularization_rate", "num", 0, 10], seed: ["seed", "int", 0, 2147483647],
  n: ["train_size", "int", 10, 5000], ab: ["abnormal_percent", "num", 0, 70],
  nv: ["validation_size", "int", 20, 5000], nt: ["test_size", "int", 20, 5000],
};

function parseValue(raw, [, kind, a, b]) {
  if (kind === "choice") return a.includes(raw) ? raw : undefined;
  if (kind === "bool") return raw === "1" ? true : raw === "0" ? false : undefined;
  if (kind === "units") {
    if (raw === "") return [];
    const parts = raw.split(",");
    if (parts.length > 6 || !parts.every((p) => /^\d{1,4}$/.test(p))) return undefined;
    const units = parts.map(Number);
    return units.every((u) => u >= 1 && u <= 2048) ? units : undefined;
  }
  if (raw.trim() === "") return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < a || v > b) return undefined;
  if (kind === "int" && !Number.isInteger(v)) return undefined;
  return v;
}

/** @returns {{config: object, problems: string[]}} */
export function readHash(hash) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ""));
  const config = structuredClone(DEFAULTS);
  const problems = [];
  for (const [key, spec] of Object.entries(FIELDS)) {
    const raw = params.get(key);
    if (raw === null) continue;
    const value = parseValue(raw, spec);
    if (value === undefined) problems.push(`“${key}=${raw.slice(0, 24)}” is not usable, so ${spec[0].replaceAll("_", " ")} keeps its default`);
    else config[spec[0]] = value;
  }
  if (config.mirrored) config.decoder_units = [...config.encoder_units].reverse();
  return { config, problems };
}

export function hashOf(config) {
  const params = new URLSearchParams();
  for (const [key, [name, kind]] of Object.entries(FIELDS)) {
    if (name === "decoder_units" && config.mirrored) continue;
    const v = config[name];
    params.set(key, kind === "units" ? v.join(",") : kind === "bool" ? (v ? "1" : "0") : String(v));
  }
  return `#${params}`;
}

export function writeHash(config) {
  const next = hashOf(config);
  if (location.hash !== next) history.replaceState(null, "", next);
}

export function sameConfig(a, b) {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(c) {
  const out = {};
  for (const key of Object.keys(DEFAULTS).sort()) out[key] = c[key];
  if (out.mirrored) out.decoder_units = [...c.encoder_units].reverse();
  return out;
}
