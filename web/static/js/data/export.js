// Export: the scored CSV (the original rows plus each detector's score and verdict, written by
// Python's `table_export_csv`) and the selected detector's model as its two files, NAME.json
// (the manifest, preprocessing included) and NAME.npz (the weights), from `table_export_model`.
// The name rule is Python's (`schema.model_name`).
import { download, el, setStatus } from "./results_dom.js";

export class ExportActions {
  /** @param {HTMLElement} container  @param {object} python  @param {object} nameRule
   *  {pattern, max_length, message} from the schema */
  constructor(container, python, nameRule) {
    this.python = python;
    this.nameRule = nameRule;
    this.pattern = new RegExp(`^(?:${nameRule.pattern})$`);
    this.kind = null;
    this.title = "";
    this.exported = null;
    const $ = this.$ = {
      csv: el("button", { type: "button", id: "export-csv" }, "Download scored CSV"),
      name: el("input", { type: "text", id: "export-name", maxLength: nameRule.max_length, autocomplete: "off", spellcheck: false }),
      json: el("button", { type: "button", id: "export-json" }, "Download manifest (.json)"),
      npz: el("button", { type: "button", id: "export-npz" }, "Download weights (.npz)"),
      which: el("p", { className: "hint", id: "export-which" }),
      status: el("p", { className: "use-status", id: "export-status", attrs: { role: "status", "aria-live": "polite" } }),
    };
    container.append(
      el("div", { className: "export-row" }, $.csv,
        el("span", { className: "hint" }, "Every row of your file, with a score and a verdict (0/1) for each detector.")),
      $.which,
      el("div", { className: "export-row" }, el("label", { htmlFor: "export-name" }, "Model name"), $.name, $.json, $.npz),
      el("p", { className: "hint" }, "A model is the pair NAME.json + NAME.npz; upload both below, or score a file with " +
        "“anomascope score --model NAME FILE.csv” (NAME: the path without .json/.npz)."),
      $.status);
    $.csv.addEventListener("click", () => this.downloadCsv());
    $.json.addEventListener("click", () => this.downloadModel("json"));
    $.npz.addEventListener("click", () => this.downloadModel("npz"));
  }

  /** The detector whose model the buttons download; `base` names the default model name. */
  setDetector(kind, title, base) {
    if (kind !== this.kind) {
      this.$.name.value = `${base}_${kind}`.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, this.nameRule.max_length);
    }
    this.kind = kind;
    this.title = title;
    this.exported = null;
    this.$.which.textContent = `Download the model of the detector selected above: ${title}.`;
  }

  async downloadCsv() {
    setStatus(this.$.status, "Writing the scored CSV…");
    try {
      const reply = await this.python.request("table_export_csv", {});
      download(reply.filename, reply.bytes, "text/csv");
      setStatus(this.$.status, `Downloaded ${reply.filename}.`);
    } catch (err) {
      setStatus(this.$.status, `The scored CSV could not be written: ${err.message}`, true);
    }
  }

  modelName() {
    const name = this.$.name.value.trim();
    if (name.length > this.nameRule.max_length || !this.pattern.test(name)) {
      const rule = this.nameRule.message;
      throw new Error(`${rule[0].toUpperCase()}${rule.slice(1)}.`);
    }
    return name;
  }

  async downloadModel(which) {
    try {
      const name = this.modelName();
      const kind = this.kind;
      if (!this.exported || this.exported.name !== name || this.exported.kind !== kind) {
        this.exported = { name, kind, ...(await this.python.request("table_export_model", { kind, name })) };
      }
      const base = fileBase(this.exported.filename, name);
      if (which === "json") download(`${base}.json`, this.exported.manifest, "application/json");
      else download(`${base}.npz`, this.exported.npz, "application/zip");
      setStatus(this.$.status, `Downloaded ${base}.${which} (${this.title}).`);
    } catch (err) {
      setStatus(this.$.status, `The model could not be exported: ${err.message}`, true);
    }
  }

  clear() {
    this.kind = null;
    this.exported = null;
    setStatus(this.$.status, "");
  }
}

/** The files' base name: Python's filename without its extension, or the model name. */
function fileBase(filename, name) {
  if (typeof filename !== "string" || !filename) return name;
  return filename.replace(/\.(json|npz|zip)$/i, "");
}
