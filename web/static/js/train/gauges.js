// Metric gauges: one labelled bar per test metric, with the value as text (DOM only).
const METRICS = [["auc", "ROC AUC"], ["accuracy", "Accuracy"], ["precision", "Precision"], ["recall", "Recall"], ["f1", "F1"]];

export class MetricGauges {
  constructor(root) {
    this.root = root;
    this.items = new Map();
    for (const [key, label] of METRICS) {
      const item = document.createElement("div");
      item.className = "gauge";
      item.dataset.metric = key;
      const name = document.createElement("span");
      name.className = "gauge-label";
      name.textContent = label;
      const track = document.createElement("span");
      track.className = "gauge-track";
      const fill = document.createElement("span");
      fill.className = "gauge-fill";
      track.append(fill);
      const value = document.createElement("span");
      value.className = "gauge-value";
      value.textContent = "–";
      item.append(name, track, value);
      root.append(item);
      this.items.set(key, { fill, value, item });
    }
  }

  /** @param {object|null} test  metrics_summary of the test set (null: nothing yet) */
  update(test) {
    for (const [key, { fill, value, item }] of this.items) {
      const v = test ? test[key] : null;
      const ok = typeof v === "number" && Number.isFinite(v);
      fill.style.width = ok ? `${Math.max(0, Math.min(1, v)) * 100}%` : "0%";
      value.textContent = ok ? v.toFixed(3) : "–";
      item.dataset.value = ok ? String(v) : "";
    }
  }
}
