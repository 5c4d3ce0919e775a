// The configuration form. Every control that holds a setting carries `data-field="<config
// key>"` in train.html; its kind, bounds and choices come from Python's `schema.training`
// (built once at boot), so the form holds no rule of its own. It reads whether a value is a
// usable number; Python checks the rest and names the field it is about (`markField`).
import { inBounds } from "./config_hash.js";

const LAYER_NAMES = { encoder_units: "Encoder", decoder_units: "Decoder" };

/** The visible text of the label a control sits in ("Latent size"). */
function labelOf(control) {
  return control.closest("label").firstChild.textContent.trim();
}

/** A select's option: Python's value, shown in Python's words for it. */
function option(value, text) {
  return Object.assign(document.createElement("option"), { value, textContent: text });
}

/** A number control's value, or its text with a problem pushed when it is not a number. */
function readNumber(control, field, problems) {
  const v = Number(control.value);
  const whole = field.kind === "int";
  const ok = control.value.trim() !== "" && Number.isFinite(v) && (!whole || Number.isInteger(v));
  control.setAttribute("aria-invalid", String(!ok));
  if (!ok) problems.push(`${labelOf(control)} must be ${whole ? "a whole number" : "a number"}`);
  return ok ? v : control.value;
}

export class ConfigForm {
  /** @param {HTMLFormElement} root  the form
   *  @param {object} training  Python's `schema.training`
   *  @param {{onRemoveLayer: (key: string, index: number) => void}} actions */
  constructor(root, training, { onRemoveLayer }) {
    this.root = root;
    this.fields = training.fields;
    this.onRemoveLayer = onRemoveLayer;
    this.controls = [...root.querySelectorAll("[data-field]")];
    for (const control of this.controls) this.build(control, this.fields[control.dataset.field]);
    this.presets = root.querySelector("#lr-preset");
    const rate = this.fields.learning_rate;
    root.querySelector("#lr-range").textContent =
      `${rate.min_exclusive ? "above" : "from"} ${rate.min} up to ${rate.max}`;
  }

  /** Options of a select, bounds of a number input, from the field's schema. */
  build(control, field) {
    if (!field) throw new Error(`Python's training schema has no setting ${control.dataset.field}`);
    if (field.kind === "choice") control.replaceChildren(...field.choices.map((c) => option(c, field.choice_labels[c])));
    if (field.kind !== "int" && field.kind !== "number") return;
    control.min = String(field.min);
    control.max = String(field.max);
    control.step = field.kind === "int" ? "1" : "any";
  }

  /** The field's schema entry (kind, bounds, label). */
  field(key) {
    return this.fields[key];
  }

  /** Put a configuration into the form (after loading, Default settings, adding/removing layers). */
  write(config) {
    for (const control of this.controls) {
      const key = control.dataset.field;
      const kind = this.fields[key].kind;
      if (kind === "units") this.layerRows(control, key, config[key]);
      else if (kind === "bool") control.checked = config[key];
      else control.value = String(config[key]);
    }
    const decoder = this.root.querySelector('[data-field="decoder_units"]');
    decoder.hidden = config.mirrored;
    this.root.querySelector("#add-decoder-layer").hidden = config.mirrored;
    this.syncPreset(config.learning_rate);
  }

  /** Read the form. `problems` lists the values that are not usable numbers.
   * @returns {{config: object, problems: string[]}} */
  read() {
    const config = {};
    const problems = [];
    for (const control of this.controls) {
      const key = control.dataset.field;
      const field = this.fields[key];
      if (field.kind === "units") config[key] = this.readUnits(control, field, problems);
      else if (field.kind === "bool") config[key] = control.checked;
      else if (field.kind === "choice") config[key] = control.value;
      else config[key] = readNumber(control, field, problems);
    }
    if (config.mirrored) config.decoder_units = [...config.encoder_units].reverse();
    this.syncPreset(config.learning_rate);
    return { config, problems };
  }

  readUnits(root, field, problems) {
    const bounds = { kind: "int", min: 1, max: field.max_units };
    return [...root.querySelectorAll("input")].map((input) => {
      const v = Number(input.value);
      const ok = input.value.trim() !== "" && inBounds(v, bounds);
      input.setAttribute("aria-invalid", String(!ok));
      if (!ok) problems.push(`${labelOf(input)} must be a whole number from 1 to ${field.max_units}`);
      return ok ? v : input.value;
    });
  }

  layerRows(root, key, units) {
    const which = LAYER_NAMES[key];
    const max = this.fields[key].max_units;
    root.replaceChildren(...units.map((u, i) => {
      const row = document.createElement("div");
      row.className = "layer";
      const label = document.createElement("label");
      label.textContent = `${which} layer ${i + 1} units `;
      const input = Object.assign(document.createElement("input"), {
        type: "number", min: "1", max: String(max), step: "1", required: true, value: String(u),
      });
      label.append(input);
      const remove = Object.assign(document.createElement("button"), { type: "button", textContent: "Remove" });
      remove.setAttribute("aria-label", `Remove ${which.toLowerCase()} layer ${i + 1}`);
      remove.addEventListener("click", () => this.onRemoveLayer(key, i));
      row.append(label, remove);
      return row;
    }));
  }

  /** Show the learning-rate preset that equals the value, or "other…". */
  syncPreset(rate) {
    const preset = [...this.presets.options].find((o) => Number(o.value) === rate);
    this.presets.value = preset ? preset.value : "custom";
  }

  /** Mark the inputs of the setting Python named (`error.field`, a config key; null: none). A
   * value the form already found unusable stays marked as it is. */
  markField(key) {
    for (const input of this.root.querySelectorAll("[data-python-invalid]")) {
      input.removeAttribute("aria-invalid");
      delete input.dataset.pythonInvalid;
    }
    const control = key ? this.root.querySelector(`[data-field="${CSS.escape(key)}"]`) : null;
    if (!control) return;
    const inputs = control.matches("input, select") ? [control] : [...control.querySelectorAll("input")];
    for (const input of inputs) {
      if (input.getAttribute("aria-invalid") === "true") continue;
      input.setAttribute("aria-invalid", "true");
      input.dataset.pythonInvalid = "1";
    }
  }
}
