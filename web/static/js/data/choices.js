// The choices form of the data page: label column and its anomaly values, order column, mode
// and window, detectors and their parameters, supervision, threshold rule and seed. Built from
// Python's schema (`schema.tables`: kinds, parameter bounds and defaults, rules, supervision) and
// from the loaded table (table_load's reply: columns, label_values, suggested_window). It reads
// and writes plain settings; Python validates them, and `showError(field, message)` puts its
// message next to the control that `field` names.
import { supervisionIds } from "./url_state.js";

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

function option(value, text) {
  return el("option", { value, textContent: text });
}

function numberInput(spec, dataset) {
  const input = el("input", { type: "number", min: spec.min, max: spec.max, step: spec.kind === "int" ? "1" : "any" });
  input.value = spec.default;
  Object.assign(input.dataset, dataset);
  return el("label", { className: "param" }, `${spec.label} `, input);
}

const numberOrNull = (input) => (input.value.trim() === "" ? null : Number(input.value));

export class ChoicesForm {
  /** @param {HTMLFormElement} form  @param {object} tables schema.tables  @param {object}
   *  kindLabels schema.kinds.labels  @param {() => void} onChange any control changed */
  constructor(form, tables, kindLabels, onChange) {
    this.form = form;
    this.tables = tables;
    this.kindLabels = kindLabels;
    this.table = null;
    this.$ = (id) => document.getElementById(id);
    this.rules = Object.entries(tables.threshold_rules);
    this.buildDetectors();
    this.buildSupervision();
    this.$("rule").replaceChildren(...this.rules.map(([id, r]) => option(id, r.label)));
    this.$("rule").addEventListener("change", () => this.ruleParams());
    this.$("label-column").addEventListener("change", () => this.labelChanged());
    this.$("anomaly-all-but-first").addEventListener("click", () => this.pickAnomalies((i) => i > 0));
    this.$("anomaly-none").addEventListener("click", () => this.pickAnomalies(() => false));
    this.$("anomaly-checks").addEventListener("change", () => this.countAnomalies());
    form.addEventListener("change", (e) => {
      if (e.target.name === "mode") this.modeChanged();
      onChange(e);
    });
    this.ruleParams();
    this.$("seed").value = tables.split?.seed ?? 0;
  }

  buildDetectors() {
    const { order, params } = this.tables.kinds;
    const items = order.map((kind) => {
      const box = el("input", { type: "checkbox", value: kind, checked: true });
      box.dataset.kind = kind;
      const title = this.kindLabels?.[kind]?.title ?? kind;
      const head = el("label", { className: "check" }, box, ` ${title}`);
      const fields = Object.entries(params[kind] ?? {}).map(([name, spec]) => numberInput(spec, { kind, param: name }));
      return el("div", { className: "detector" }, head, el("div", { className: "params" }, ...fields));
    });
    this.$("detectors").replaceChildren(...items);
  }

  buildSupervision() {
    const sup = this.tables.supervision;
    const ids = supervisionIds(this.tables);
    const radios = ids.map((id, i) => {
      const info = Array.isArray(sup) ? (typeof sup[i] === "string" ? {} : sup[i]) : sup[id];
      const input = el("input", { type: "radio", name: "supervision", value: id, checked: i === 0 });
      input.dataset.field = "supervision";
      const text = el("span", {}, info?.label ?? id);
      if (info?.description) text.append(el("small", { className: "why", textContent: info.description }));
      return el("label", { className: "check" }, input, text);
    });
    this.$("supervision").replaceChildren(...radios);
  }

  ruleParams(values = {}) {
    const [, rule] = this.rules.find(([id]) => id === this.$("rule").value) ?? this.rules[0];
    const fields = Object.entries(rule.params ?? {}).map(([name, spec]) => {
      const label = numberInput(spec, { ruleParam: name, field: "threshold_rule" });
      if (values[name] !== undefined) label.querySelector("input").value = values[name];
      return label;
    });
    this.$("rule-params").replaceChildren(...fields);
  }

  /** A new table: the label and order column choices and the suggested window. */
  setTable(table) {
    this.table = table;
    const labelColumns = Object.keys(table.label_values ?? {});
    this.$("label-column").replaceChildren(option("", "(none)"), ...labelColumns.map((c) => option(c, c)));
    const most = this.tables.limits.max_label_values;
    this.$("label-hint").textContent = labelColumns.length
      ? `Columns with at most ${most} distinct values can be labels.`
      : `No column can be a label: a label column has at most ${most} distinct values.`;
    const names = table.columns.map((c) => c.name);
    this.$("order-column").replaceChildren(option("", "(file order)"), ...names.map((c) => option(c, c)));
    const w = table.suggested_window;
    const bounds = this.tables.window ?? {};
    for (const [id, key] of [["window-length", "length"], ["window-stride", "stride"]]) {
      this.$(id).max = table.n_rows;
      if (bounds[key]?.min !== undefined) this.$(id).min = bounds[key].min;
    }
    this.$("window-hint").textContent = w
      ? `Suggested: length ${w.length}, stride ${w.stride} (${w.reason}). At most ${table.n_rows.toLocaleString("en")} (the rows).`
      : "No numeric column to suggest a window from.";
  }

  labelChanged() {
    const column = this.$("label-column").value;
    const values = column ? this.table.label_values[column] : [];
    const checks = values.map(([value, count], i) => {
      const box = el("input", { type: "checkbox", value: String(value), id: `anomaly-${i}` });
      box.dataset.field = "anomaly_values";
      return el("label", { className: "check" }, box, ` ${value} `, el("small", { textContent: `(${count.toLocaleString("en")} rows)` }));
    });
    this.$("anomaly-checks").replaceChildren(...checks);
    this.countAnomalies();
    this.$("anomaly-values").hidden = !column;
    this.$("supervision").hidden = !column;
    this.$("supervision-hint").textContent = column
      ? "Every metric is measured on held-out test rows; the threshold is chosen on validation rows."
      : "Without a label column every detector fits on all rows and the threshold follows the rule below.";
    // A rule that needs labels is offered only with a label column; switch to the first rule
    // that fits (Python's own default order).
    const labelled = Boolean(column);
    for (const opt of this.$("rule").options) opt.disabled = !labelled && this.tables.threshold_rules[opt.value].needs_labels;
    const current = this.tables.threshold_rules[this.$("rule").value];
    if (Boolean(current.needs_labels) !== labelled) {
      const first = this.rules.find(([, r]) => Boolean(r.needs_labels) === labelled);
      if (first) { this.$("rule").value = first[0]; this.ruleParams(); }
    }
  }

  /** Tick the anomaly values whose position (most frequent first) passes `keep`, as a click would. */
  pickAnomalies(keep) {
    const boxes = [...this.$("anomaly-checks").querySelectorAll("input[type=checkbox]")];
    boxes.forEach((box, i) => { box.checked = keep(i); });
    this.countAnomalies();
    this.form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  countAnomalies() {
    const boxes = this.$("anomaly-checks").querySelectorAll("input[type=checkbox]");
    const ticked = [...boxes].filter((b) => b.checked).length;
    this.$("anomaly-count").textContent = boxes.length ? `${ticked} of ${boxes.length} ticked` : "";
  }

  modeChanged() {
    const series = this.form.elements.mode.value === "series";
    this.$("window-fields").hidden = !series;
    if (series && !this.$("window-length").value && this.table?.suggested_window) {
      this.$("window-length").value = this.table.suggested_window.length;
      this.$("window-stride").value = this.table.suggested_window.stride;
    }
  }

  /** The settings the form holds (features come from the profile table). */
  read() {
    const $ = this.$;
    const label = $("label-column").value || null;
    const mode = this.form.elements.mode.value || "table";
    const detectors = [...$("detectors").querySelectorAll("input[type=checkbox]:checked")].map((box) => {
      const params = {};
      for (const input of $("detectors").querySelectorAll(`input[data-kind="${box.value}"][data-param]`)) {
        params[input.dataset.param] = numberOrNull(input);
      }
      return { kind: box.value, params };
    });
    const rule = { rule: $("rule").value };
    for (const input of $("rule-params").querySelectorAll("input")) rule[input.dataset.ruleParam] = numberOrNull(input);
    const ids = supervisionIds(this.tables);
    return {
      label_column: label,
      anomaly_values: label ? [...$("anomaly-checks").querySelectorAll("input:checked")].map((b) => b.value) : [],
      order_column: $("order-column").value || null,
      mode,
      window: mode === "series" ? { length: numberOrNull($("window-length")), stride: numberOrNull($("window-stride")) } : null,
      detectors,
      supervision: label ? this.form.elements.supervision.value || ids[0] : ids[0],
      threshold_rule: rule,
      seed: numberOrNull($("seed")),
    };
  }

  /** Set the controls from settings (any subset of read()'s keys). */
  write(s) {
    const $ = this.$;
    if ("label_column" in s) {
      $("label-column").value = s.label_column ?? "";
      this.labelChanged();
    }
    if (s.anomaly_values) {
      const set = new Set(s.anomaly_values);
      for (const box of $("anomaly-checks").querySelectorAll("input")) box.checked = set.has(box.value);
      this.countAnomalies();
    }
    if ("order_column" in s) $("order-column").value = s.order_column ?? "";
    if (s.mode) this.form.elements.mode.value = s.mode;
    if (s.window) {
      $("window-length").value = s.window.length;
      $("window-stride").value = s.window.stride;
    }
    this.modeChanged();
    if (s.detectors) this.writeDetectors(s.detectors);
    if (s.supervision) this.form.elements.supervision.value = s.supervision;
    if (s.threshold_rule && !$("rule").querySelector(`option[value="${CSS.escape(s.threshold_rule.rule)}"]`)?.disabled) {
      const { rule, ...params } = s.threshold_rule;
      $("rule").value = rule;
      this.ruleParams(params);
    }
    if (s.seed !== undefined && s.seed !== null) $("seed").value = s.seed;
  }

  writeDetectors(detectors) {
    const chosen = new Map(detectors.map((d) => [d.kind, d.params ?? {}]));
    for (const box of this.$("detectors").querySelectorAll("input[type=checkbox]")) box.checked = chosen.has(box.value);
    for (const input of this.$("detectors").querySelectorAll("input[data-param]")) {
      const value = chosen.get(input.dataset.kind)?.[input.dataset.param];
      if (value !== undefined) input.value = value;
    }
  }

  /** Mark the control Python's `field` names and put the message next to it. Returns false when
   * no control of this form matches. */
  showError(field, message) {
    const box = document.querySelector(`[data-error-for~="${CSS.escape(field)}"]`)
      ?? this.paramErrorBox(field);
    if (!box) return false;
    box.textContent = message;
    box.hidden = false;
    for (const input of document.querySelectorAll(`[data-field="${CSS.escape(field)}"], [data-param="${CSS.escape(field)}"]`)) {
      input.setAttribute("aria-invalid", "true");
    }
    return true;
  }

  paramErrorBox(field) {
    if (!this.$("detectors").querySelector(`[data-param="${CSS.escape(field)}"]`)) return null;
    return document.querySelector("[data-error-for~=detectors]");
  }

  clearErrors() {
    for (const box of document.querySelectorAll("[data-error-for]")) { box.hidden = true; box.textContent = ""; }
    for (const input of document.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }
}
