// The train page's configuration codec (train/config_hash.js) and configuration check
// (train/check.js), built from Python's real schema (fixtures/schema.json, kept equal to the
// `schema` reply by tests/unit/test_schema_fixture.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inBounds, makeConfigCodec } from "../../web/static/js/train/config_hash.js";
import { ConfigCheck } from "../../web/static/js/train/check.js";

const schema = JSON.parse(readFileSync(new URL("./fixtures/schema.json", import.meta.url), "utf8"));
const training = schema.training;
const codec = makeConfigCodec(training);

test("an empty hash gives Python's defaults and no problem", () => {
  for (const hash of ["", "#"]) {
    const { config, problems } = codec.readHash(hash);
    assert.deepEqual(config, training.defaults);
    assert.deepEqual(problems, []);
  }
  assert.deepEqual(codec.defaults, training.defaults);
});

test("reading a hash never changes the defaults", () => {
  const { config } = codec.readHash("#enc=8");
  config.encoder_units.push(4);
  assert.deepEqual(codec.readHash("").config, training.defaults);
});

test("a value outside Python's bounds keeps the default and names the setting", () => {
  const latent = training.fields.latent_dim;
  const rate = training.fields.learning_rate;
  const units = training.fields.encoder_units;
  const cases = [
    [`lat=${latent.max + 1}`, "latent_dim"], [`lat=${latent.min - 1}`, "latent_dim"], ["lat=2.5", "latent_dim"],
    [`lr=${rate.min}`, "learning_rate"], [`lr=${rate.max * 2}`, "learning_rate"], ["lr=", "learning_rate"],
    ["act=linear", "activation"], ["opt=nesterov", "optimizer"], ["mir=yes", "mirrored"],
    [`enc=${units.max_units + 1}`, "encoder_units"], ["enc=0", "encoder_units"], ["enc=8,x", "encoder_units"],
    [`enc=${Array(units.max_layers + 1).fill(8).join(",")}`, "encoder_units"], ["bs=oops", "batch_size"],
  ];
  for (const [hash, key] of cases) {
    const { config, problems } = codec.readHash(`#${hash}&seed=5`);
    assert.deepEqual(config[key], training.defaults[key], hash);
    assert.equal(config.seed, 5, hash);
    assert.equal(problems.length, 1, hash);
    assert.match(problems[0], new RegExp(`“${hash.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}” is not usable`));
    assert.ok(problems[0].endsWith(`so ${training.fields[key].label} keeps its default`), problems[0]);
  }
});

test("the bounds themselves are usable, as Python's rules say", () => {
  const { config, problems } = codec.readHash(
    `#lat=${training.fields.latent_dim.max}&lr=${training.fields.learning_rate.max}` +
    `&rr=${training.fields.regularization_rate.min}&enc=${training.fields.encoder_units.max_units}`,
  );
  assert.deepEqual(problems, []);
  assert.equal(config.latent_dim, training.fields.latent_dim.max);
  assert.equal(config.learning_rate, training.fields.learning_rate.max);
  assert.equal(config.regularization_rate, training.fields.regularization_rate.min);
  assert.deepEqual(config.encoder_units, [training.fields.encoder_units.max_units]);
  assert.equal(inBounds(training.fields.learning_rate.min, training.fields.learning_rate), false);
  assert.equal(inBounds(training.fields.seed.min, training.fields.seed), true);
});

test("hashOf -> readHash gives the same configuration back", () => {
  const config = {
    ...structuredClone(training.defaults), encoder_units: [64, 8, 3], latent_dim: 2, activation: "tanh",
    mirrored: false, decoder_units: [5, 70], epochs: 7, batch_size: 33, learning_rate: 0.003,
    optimizer: "sgd", regularizer: "l1l2", regularization_rate: 0.5, seed: 12345, train_size: 800,
    abnormal_percent: 12.5, validation_size: 300, test_size: 900,
  };
  const hash = codec.hashOf(config);
  const back = codec.readHash(hash);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.config, config);
  assert.ok(codec.sameConfig(back.config, config));
  assert.equal(codec.hashOf(back.config), hash);
});

test("a mirrored decoder is the reversed encoder and is left out of the link", () => {
  const hash = codec.hashOf({ ...structuredClone(training.defaults), encoder_units: [40, 10], mirrored: true });
  assert.ok(!new URLSearchParams(hash.slice(1)).has("dec"), hash);
  const { config } = codec.readHash(`${hash}&dec=1,2,3`);
  assert.deepEqual(config.decoder_units, [10, 40]);
  const stored = { ...structuredClone(training.defaults), decoder_units: [1, 2, 3] };
  assert.ok(codec.sameConfig(stored, training.defaults), "mirrored: the stored decoder does not count");
  assert.ok(!codec.sameConfig({ ...stored, mirrored: false }, { ...training.defaults, mirrored: false }));
});

test("every setting of the schema has a URL key, and a setting Python drops is noticed", () => {
  const extra = structuredClone(training);
  extra.fields.momentum = { label: "momentum", kind: "number", min: 0, max: 1, min_exclusive: false };
  assert.throws(() => makeConfigCodec(extra), /no URL key for the training settings momentum/);
  const fewer = structuredClone(training);
  delete fewer.fields.seed;
  assert.throws(() => makeConfigCodec(fewer), /has no setting seed/);
});

// ---- the configuration check ---------------------------------------------------------------
function fakePython() {
  const calls = [];
  const request = (config) => new Promise((resolve, reject) => calls.push({ config, resolve, reject }));
  return { calls, request };
}

// every macrotask queued so far has run, so every settled promise has been followed up
const flush = () => new Promise((resolve) => setImmediate(resolve));

test("a burst of changes is checked once, after the delay, with the last configuration", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = fakePython();
  const results = [];
  const check = new ConfigCheck(python.request, { delayMs: 150, onResult: (r) => results.push(r) });
  for (const latent of [1, 2, 3]) {
    check.schedule({ latent });
    t.mock.timers.tick(100);
  }
  assert.equal(python.calls.length, 0, "each change restarts the delay");
  assert.ok(check.pending);
  const settled = check.settled();
  t.mock.timers.tick(50);
  assert.deepEqual(python.calls.map((c) => c.config), [{ latent: 3 }]);
  const warnings = [{ field: "latent_dim", message: "The latent layer is wider" }];
  python.calls[0].resolve({ parameters: 42, warnings });
  await settled;
  assert.deepEqual(results, [{ parameters: 42, warnings, error: null }]);
  assert.equal(check.pending, false);
});

test("the latest answer wins: an answer about an older configuration is dropped", async () => {
  const python = fakePython();
  const results = [];
  const check = new ConfigCheck(python.request, { onResult: (r) => results.push(r) });
  const config = { latent: 1 };
  check.schedule(config, { immediate: true });
  config.latent = 9;  // the check took its own copy
  check.schedule({ latent: 2 }, { immediate: true });
  assert.deepEqual(python.calls.map((c) => c.config), [{ latent: 1 }, { latent: 2 }]);
  const settled = check.settled();
  python.calls[1].reject(Object.assign(new Error("latent size is too large"), { field: "latent_dim" }));
  await settled;
  python.calls[0].resolve({ parameters: 1 });
  await flush();
  assert.equal(results.length, 1);
  assert.equal(results[0].parameters, null);
  assert.equal(results[0].error.field, "latent_dim");
});

test("cancel drops the waiting check and settles at once", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const python = fakePython();
  const results = [];
  const check = new ConfigCheck(python.request, { delayMs: 150, onResult: (r) => results.push(r) });
  check.schedule({ latent: 1 });
  const settled = check.settled();
  check.cancel();
  await settled;
  t.mock.timers.tick(1000);
  await flush();
  assert.equal(python.calls.length, 0);
  assert.deepEqual(results, []);
  assert.equal(check.pending, false);
});
