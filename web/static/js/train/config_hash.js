// The training configuration in the URL hash, so a link reproduces an experiment (seed
// included). Defaults, kinds, bounds and choices come from Python (`schema.training`, see
// training/config.py); this module only owns the short hash key of each config key. Parsing is
// defensive: a value that is missing keeps the default, a value that cannot be used falls back
// to the default with a reason. Python re-validates everything. No DOM: Node imports it.

// hash key -> config key (the order of the keys in a link)
const HASH_KEYS = {
  enc: "encoder_units", lat: "latent_dim", act: "activation", mir: "mirrored", dec: "decoder_units",
  ep: "epochs", bs: "batch_size", lr: "learning_rate", opt: "optimizer", reg: "regularizer",
  rr: "regularization_rate", seed: "seed", n: "train_size", ab: "abnormal_percent",
  nv: "validation_size", nt: "test_size",
};

/** Whether `v` (a number) is inside the bounds of an "int" or "number" field. */
export function inBounds(v, field) {
  if (!Number.isFinite(v)) return false;
  if (field.kind === "int" && !Number.isInteger(v)) return false;
  const aboveMin = field.min_exclusive ? v > field.min : v >= field.min;
  return aboveMin && v <= field.max;
}

/** One hash value -> config value, or undefined when it cannot be used. */
function parseValue(raw, field) {
  switch (field.kind) {
    case "choice":
      return field.choices.includes(raw) ? raw : undefined;
    case "bool":
      return raw === "1" ? true : raw === "0" ? false : undefined;
    case "units": {
      if (raw === "") return [];
      const parts = raw.split(",");
      if (parts.length > field.max_layers || !parts.every((p) => /^\d{1,9}$/.test(p))) return undefined;
      const units = parts.map(Number);
      return units.every((u) => u >= 1 && u <= field.max_units) ? units : undefined;
    }
    default: {
      if (raw.trim() === "") return undefined;
      const v = Number(raw);
      return inBounds(v, field) ? v : undefined;
    }
  }
}

function encodeValue(value, field) {
  if (field.kind === "units") return value.join(",");
  if (field.kind === "bool") return value ? "1" : "0";
  return String(value);
}

/** The URL codec of a training configuration, built from Python's `schema.training`.
 * @returns {{defaults: object, readHash: Function, hashOf: Function, sameConfig: Function}} */
export function makeConfigCodec(training) {
  const defaults = structuredClone(training.defaults);
  const mapped = new Set(Object.values(HASH_KEYS));
  const unmapped = Object.keys(training.fields).filter((key) => !mapped.has(key));
  if (unmapped.length) throw new Error(`no URL key for the training settings ${unmapped.join(", ")}`);
  const entries = Object.entries(HASH_KEYS).map(([short, key]) => {
    const field = training.fields[key];
    if (!field) throw new Error(`Python's training schema has no setting ${key}`);
    return { short, key, field };
  });

  /** @returns {{config: object, problems: string[]}} */
  function readHash(hash) {
    const params = new URLSearchParams(String(hash).replace(/^#/, ""));
    const config = structuredClone(defaults);
    const problems = [];
    for (const { short, key, field } of entries) {
      const raw = params.get(short);
      if (raw === null) continue;
      const value = parseValue(raw, field);
      if (value === undefined) {
        problems.push(`“${short}=${raw.slice(0, 24)}” is not usable, so ${field.label} keeps its default`);
      } else {
        config[key] = value;
      }
    }
    if (config.mirrored) config.decoder_units = [...config.encoder_units].reverse();
    return { config, problems };
  }

  function hashOf(config) {
    const params = new URLSearchParams();
    for (const { short, key, field } of entries) {
      if (key === "decoder_units" && config.mirrored) continue;
      params.set(short, encodeValue(config[key], field));
    }
    return `#${params}`;
  }

  const keys = Object.keys(defaults).sort();
  const normalize = (c) => {
    const out = Object.fromEntries(keys.map((key) => [key, c[key]]));
    if (out.mirrored) out.decoder_units = [...c.encoder_units].reverse();
    return out;
  };
  const sameConfig = (a, b) => JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

  return { defaults, readHash, hashOf, sameConfig };
}
