// Metric gauges: one labelled bar per test metric, with the value as text (DOM only). The
// metrics and their titles come from Python's `schema.metrics`; an undefined metric (null or
// NaN, e.g. precision when nothing is flagged) shows "–".
import { formatMetric } from "../common/metrics.js";

export class MetricGauges {
  /** @param {HTMLElement} root
   *  @param {{order: string[], definitions: object}} metrics  Python's `schema.metrics` */
  constructor(root, metrics) {
    this.items = new Map();
    for (const key of ["auc", ...metrics.order]) {
      const item = document.createElement("div");
      item.className = "gauge";
      item.dataset.metric = key;
      const name = document.createElement("span");
      name.className = "gauge-label";
      name.textContent = metrics.definitions[key].title;
      const track = document.createElement("span");
      track.className = "gauge-track";
      const fill = document.createElement("span");
      fill.className = "gauge-fill";
      track.append(fill);
      const value = document.createElement("span");
      value.className = "gauge-value";
      item.append(name, track, value);
      root.append(item);
      this.items.set(key, { fill, value, item });
    }
    this.update(null);
  }

  /** @param {object|null} test  metrics_summary of the test set (null: nothing yet) */
  update(test) {
    for (const [key, { fill, value, item }] of this.items) {
      const v = test ? test[key] : null;
      const ok = typeof v === "number" && Number.isFinite(v);
      fill.style.width = ok ? `${Math.max(0, Math.min(1, v)) * 100}%` : "0%";
      value.textContent = formatMetric(v);
      item.dataset.value = ok ? String(v) : "";
    }
  }
}
