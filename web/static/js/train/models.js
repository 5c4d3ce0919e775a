// Using the result: name the trained model, keep it in this browser and open it in the ECG lab,
// download its two files, upload a model's files, and list (and forget) the models kept here.
// The name rule is Python's (`schema.model_name`); the site's own model names are reserved.
import { formatMetric } from "../common/metrics.js";
import { listModels, removeModel, saveModel } from "../common/model_store.js";

const $ = (id) => document.getElementById(id);
const MAX_MANIFEST_BYTES = 2_000_000;
const MAX_WEIGHTS_BYTES = 20_000_000;

function setStatus(id, text, problem = false) {
  $(id).textContent = text;
  $(id).classList.toggle("problem", problem);
}

function download(filename, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const labUrl = (name) => `index.html#model=${encodeURIComponent(name)}`;

export class ModelActions {
  /** @param {{python: object, state: object, nameRule: {pattern: string, max_length: number,
   *  message: string}}} page  `state` has records, run, exported, builtIn and storedProblems */
  constructor({ python, state, nameRule }) {
    this.python = python;
    this.state = state;
    this.nameRule = nameRule;
    this.namePattern = new RegExp(`^(?:${nameRule.pattern})$`);
    $("model-name").maxLength = nameRule.max_length;
  }

  /** The name typed for the model, or an Error saying why it cannot be used. */
  modelName() {
    const name = $("model-name").value.trim();
    if (name.length > this.nameRule.max_length || !this.namePattern.test(name)) {
      const rule = this.nameRule.message;
      throw new Error(`${rule[0].toUpperCase()}${rule.slice(1)}.`);
    }
    if (this.state.builtIn.has(name)) {
      throw new Error(`“${name}” is the name of one of the site's own models; choose another name.`);
    }
    return name;
  }

  /** The model's files, exported once per name and training state. */
  async exported() {
    const state = this.state;
    const name = this.modelName();
    const key = `${name}:${state.run}:${state.records.length}`;
    if (!state.exported || state.exported.key !== key) {
      state.exported = { key, ...(await this.python.request("train_export", { name })) };
    }
    return state.exported;
  }

  async useModel() {
    try {
      const name = this.modelName();
      const reply = await this.python.request("train_activate", { name });
      await saveModel(name, reply.manifest, reply.weights);
      setStatus("use-status", `Saved “${name}” in this browser; opening the ECG lab with it…`);
      location.href = labUrl(name);
    } catch (err) {
      setStatus("use-status", err.message, true);
    }
  }

  async downloadFile(which) {
    try {
      const files = await this.exported();
      const ext = which === "weights" ? "npz" : "json";
      if (which === "weights") download(`${files.name}.npz`, files.weights, "application/zip");
      else download(`${files.name}.json`, files.manifest, "application/json");
      setStatus("use-status", `Downloaded ${files.name}.${ext}. A model is the pair NAME.json + NAME.npz.`);
    } catch (err) {
      setStatus("use-status", err.message, true);
    }
  }

  /** Check, load and keep a model from its two files (NAME.json and NAME.npz). */
  async upload(files) {
    const list = [...files];
    const json = list.find((f) => f.name.toLowerCase().endsWith(".json"));
    const npz = list.find((f) => f.name.toLowerCase().endsWith(".npz"));
    if (!json || !npz || list.length !== 2) {
      setStatus("upload-status", "Choose exactly two files: the model's NAME.json manifest and its NAME.npz weights.", true);
      return;
    }
    if (json.size > MAX_MANIFEST_BYTES || npz.size > MAX_WEIGHTS_BYTES) {
      setStatus("upload-status", "These files are too large for a model of this page (manifest over 2 MB or weights over 20 MB).", true);
      return;
    }
    try {
      const manifest = await json.text();
      const weights = new Uint8Array(await npz.arrayBuffer());
      const claimed = this.refuseBuiltInName(manifest);
      if (!(await this.mayReplace(claimed))) {
        setStatus("upload-status", `Kept the “${claimed}” already in this browser; the chosen files were not loaded.`);
        return;
      }
      const reply = await this.python.request("train_upload", { manifest, weights });
      await saveModel(reply.name, manifest, weights);
      setStatus("upload-status", uploadedText(reply));
      await this.renderStored();
    } catch (err) {
      setStatus("upload-status", `This model cannot be used: ${err.message}`, true);
    }
  }

  refuseBuiltInName(manifest) {
    let claimed = "";
    try { claimed = String(JSON.parse(manifest).name ?? ""); } catch { /* Python reports bad JSON */ }
    if (this.state.builtIn.has(claimed)) {
      throw new Error(`“${claimed}” is the name of one of the site's own models; rename the model first.`);
    }
    return claimed.trim();
  }

  /** Whether an upload may go on: when a model of that name is already kept in this browser,
   * the page asks (Replace it / Keep the old one) and waits for the answer. */
  async mayReplace(name) {
    let kept = [];
    try { kept = await listModels(); } catch { return true; }  // nothing readable to replace
    if (!kept.some((m) => m.name === name)) return true;
    const box = $("upload-status");
    box.classList.remove("problem");
    return new Promise((resolve) => {
      const question = Object.assign(document.createElement("span"), {
        textContent: `A model named “${name}” is already kept in this browser. Replace it with the chosen files? `,
      });
      const replace = Object.assign(document.createElement("button"), { type: "button", id: "replace-yes", textContent: "Replace it" });
      const keep = Object.assign(document.createElement("button"), { type: "button", id: "replace-no", textContent: "Keep the old one" });
      const answer = (yes) => { box.replaceChildren(); resolve(yes); };
      replace.addEventListener("click", () => answer(true));
      keep.addEventListener("click", () => answer(false));
      box.replaceChildren(question, replace, " ", keep);
      keep.focus();
    });
  }

  /** The list of models kept in this browser, each with a link to the lab and Forget. */
  async renderStored() {
    let records = [];
    try {
      records = await listModels();
    } catch (err) {
      setStatus("use-status", `Models kept in this browser cannot be listed: ${err.message}`, true);
    }
    const items = records.map(({ name }) => this.storedItem(name));
    if (!items.length) items.push(Object.assign(document.createElement("li"), { textContent: "None yet." }));
    const problems = (this.state.storedProblems ?? []).map((text) => Object.assign(
      document.createElement("li"), { className: "problem", textContent: `Not loaded: ${text}` }));
    $("stored").replaceChildren(...items, ...problems);
  }

  storedItem(name) {
    const li = document.createElement("li");
    const label = Object.assign(document.createElement("span"), { textContent: name });
    const open = Object.assign(document.createElement("a"), { href: labUrl(name), textContent: "open in the ECG lab" });
    const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "Forget" });
    remove.setAttribute("aria-label", `Forget ${name}`);
    remove.addEventListener("click", async () => { await removeModel(name); await this.renderStored(); });
    li.append(label, " · ", open, " ", remove);
    return li;
  }
}

function uploadedText({ name, summary, test }) {
  const scores = test
    ? ` On this page's ${test.n.toLocaleString("en")} test beats: AUC ${formatMetric(test.auc)}, F1 ${formatMetric(test.f1)}.`
    : "";
  return `Loaded “${name}” (${summary.kind}, ${summary.parameters.toLocaleString("en")} parameters).${scores} It is kept in this browser.`;
}
