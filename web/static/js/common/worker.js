// The Python worker: loads Pyodide, numpy and the anomascope package from this site, then
// answers {id, type, payload} with {id, ok, result | error}. Progress goes out as separate
// {event: "progress", stage, label, fraction} messages. All URLs are relative to this file.
import { loadPyodide } from "../../../pyodide/pyodide.mjs";

// The page's first message is {type: "hello", payload: {datasets: [...], modelDataset, schema}}:
// which dataset assets (dist/data/NAME.npz) and which dataset's models to load before it is
// ready, and optionally which sections of the schema it uses (all when left out).
// The hello reply is {datasets, models, modelProblems, storedProblems, schema}: `schema` is
// Python's answer to the `schema` request (defaults, bounds, names, labels, metric definitions),
// which the pages build their forms and texts from.
const STAGES = [
  ["runtime", "Starting the Python runtime"],
  ["packages", "Loading numpy and the anomascope package"],
  ["data", "Loading the data"],
  ["models", "Loading the models"],
];

let pyodide = null;
let dispatch = null;
let ready = null;

function progress(stage, fraction) {
  const index = STAGES.findIndex(([name]) => name === stage);
  postMessage({ event: "progress", stage, label: STAGES[index][1], step: index + 1,
                steps: STAGES.length, fraction });
}

const RUNTIME = "../../../pyodide/";

// The boot's own downloads (wheels, data, models) are asked for at low priority: they are needed
// only once the runtime is up, and over HTTP/1.1 (six connections per site, shared with the page)
// the runtime's files, asked for just after them, would otherwise wait for a connection.
async function fetchBytes(url, init = {}) {
  const response = await fetch(new URL(url, import.meta.url), { priority: "low", ...init });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchText(url) {
  return new TextDecoder().decode(await fetchBytes(url));
}

// A download started now and awaited later: its failure is held, not reported as unhandled,
// until the boot step that needs it takes it with `unwrap`.
const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
const unwrap = async (held) => {
  const { value, error } = await held;
  if (error) throw error;
  return value;
};

// A sha256 in hex as a Subresource Integrity value, which fetch checks against the bytes.
const integrity = (hex) =>
  `sha256-${btoa(String.fromCharCode(...hex.match(/../g).map((b) => parseInt(b, 16))))}`;

// The wheels of the anomascope package and of what it depends on (numpy), named by the site's
// lock file and checked against its sha256 by the browser, as pyodide.loadPackage checks them.
async function fetchWheels() {
  const { packages } = JSON.parse(await fetchText(`${RUNTIME}pyodide-lock.json`));
  const names = [];
  for (const todo = ["anomascope"]; todo.length;) {
    const name = todo.pop();
    if (names.includes(name)) continue;
    names.push(name);
    todo.push(...packages[name].depends);
  }
  return Promise.all(names.map(async (name) => {
    const { file_name: file, sha256 } = packages[name];
    try {
      return await fetchBytes(`${RUNTIME}${file}`, { integrity: integrity(sha256) });
    } catch (err) {
      throw new Error(`${file} could not be loaded or does not match its sha256 (${err.message})`);
    }
  }));
}

// Every download the boot needs starts at once, beside the runtime's own: the package wheels,
// the data sets, the model index, this page's models and the models stored in this browser.
// Nothing the page did not ask for is fetched.
function startDownloads(datasets, modelDataset) {
  const wheels = settle(fetchWheels());
  const data = datasets.map((name) => settle(fetchBytes(`../../../data/${name}.npz`)));
  const everyModel = fetchText("../../../models/index.json").then(JSON.parse);
  const models = settle(everyModel.then((every) => every.filter((m) => m.dataset === modelDataset)
    .map((entry) => ({ entry, files: settle(Promise.all([
      fetchText(`../../../models/${entry.name}.json`), fetchBytes(`../../../models/${entry.name}.npz`),
    ])) }))));
  const stored = settle(import("./model_store.js").then(({ listModels }) => listModels()));
  return { wheels, data, models, everyModel: settle(everyModel), stored };
}

async function boot({ datasets = [], modelDataset = null, schema: sections = null } = {}) {
  const downloads = startDownloads(datasets, modelDataset);
  progress("runtime", 0);
  pyodide = await loadPyodide({ indexURL: new URL(RUNTIME, import.meta.url).href });
  // Each step ends with a performance mark (boot:*), read in the worker by a debugging run.
  performance.mark("boot:runtime");
  progress("packages", 0);
  // Unpacked into site-packages rather than through pyodide.loadPackage, which compiles every
  // shared library of a package up front: numpy's random, fft and test modules are 3 MB of
  // WebAssembly that a page may never run. Python loads each library when it is imported.
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  for (const wheel of await unwrap(downloads.wheels)) {
    pyodide.unpackArchive(wheel, "wheel", { extractDir: site });
  }
  performance.mark("boot:packages");
  dispatch = pyodide.pyimport("anomascope.api").dispatch;
  performance.mark("boot:api");
  const schema = call("schema", sections ? { sections } : {});
  performance.mark("boot:schema");
  const loaded = {};
  for (const [i, name] of datasets.entries()) {
    progress("data", i / datasets.length);
    loaded[name] = call("load_dataset", { name, data: await unwrap(downloads.data[i]) });
  }
  performance.mark("boot:data");
  progress("models", 0);
  const index = await unwrap(downloads.models);
  const models = [];
  const modelProblems = [];  // a missing or damaged model file is skipped and named here
  for (const [i, { entry, files }] of index.entries()) {
    try {
      const [manifest, weights] = await unwrap(files);
      models.push(call("load_model", { name: entry.name, manifest, weights }));
    } catch (err) {
      modelProblems.push(`${entry.name}: ${err.message}`);
    }
    progress("models", (i + 1) / index.length);
  }
  performance.mark("boot:models");
  const builtIn = new Set((await unwrap(downloads.everyModel)).map((m) => m.name));
  const stored = await loadStoredModels(downloads.stored, modelDataset, builtIn);
  models.push(...stored.models);
  performance.mark("boot:stored");
  return { datasets: loaded, models, modelProblems, storedProblems: stored.problems, schema };
}

// Models trained or uploaded in this browser (IndexedDB, see common/model_store.js), after the
// built-in ones. A record that cannot be used is skipped and named in `problems`.
async function loadStoredModels(held, modelDataset, builtIn) {
  const models = [];
  const problems = [];
  let records = [];
  try {
    records = await unwrap(held);
  } catch (err) {
    return { models, problems: [`stored models could not be read: ${err.message}`] };
  }
  for (const { name, manifest, weights } of records) {
    try {
      if (builtIn.has(name)) throw new Error("a built-in model has this name");
      if (JSON.parse(manifest).dataset !== modelDataset) continue;
      models.push({ ...call("load_model", { name, manifest, weights }), stored: true });
    } catch (err) {
      problems.push(`${name}: ${err.message}`);
    }
  }
  return { models, problems };
}

// Convert JS payload -> Python, call the bridge, convert the envelope back; arrays arrive as
// {__ndarray__, shape, data: Uint8Array} and become {shape, data: TypedArray}.
function call(type, payload) {
  const pyPayload = pyodide.toPy(payload);
  let envelope;
  try {
    const reply = dispatch(type, pyPayload);
    envelope = reply.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    reply.destroy();
  } finally {
    pyPayload.destroy();
  }
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { reply: envelope.error });
  return decode(envelope.result);
}

const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int8: Int8Array,
                uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, uint32: Uint32Array };

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object" && !ArrayBuffer.isView(value)) {
    if ("__ndarray__" in value) {
      const bytes = value.data;
      const Typed = TYPED[value.__ndarray__];
      const data = new Typed(bytes.buffer, bytes.byteOffset, bytes.byteLength / Typed.BYTES_PER_ELEMENT);
      return { shape: value.shape, data };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

// Hold the page's lifeline lock until this worker ends, so the page learns when it is gone
// (see client.js). The lock is released only by the browser, when the worker stops.
function holdLifeline(name) {
  if (!name || !navigator.locks) return;
  navigator.locks.request(name, () => {
    postMessage({ event: "lifeline", name });
    return new Promise(() => {});
  });
}

function errorObject(err) {
  if (err && err.reply) return err.reply;
  return { message: String(err && err.message ? err.message : err), kind: "internal", field: null };
}

onmessage = async ({ data: { id, type, payload } }) => {
  try {
    if (type === "hello" && !ready) {
      holdLifeline(payload?.lifeline);
      ready = boot(payload ?? {});
      ready.catch((err) => postMessage({ event: "failed", error: errorObject(err) }));
    }
    if (!ready) throw new Error("the worker was not started with a hello message");
    const booted = await ready;
    const result = type === "hello" ? booted : call(type, payload ?? {});
    postMessage({ id, ok: true, result });
  } catch (err) {
    postMessage({ id, ok: false, error: errorObject(err) });
  }
};
