// The model comparison table (DOM text only). One row per ECG model. A metric that is
// undefined, or a number that was not recorded, shows as "–".
import { formatMetric, UNDEFINED_TEXT } from "../common/metrics.js";

const fmt = {
  int: (v) => (typeof v === "number" ? v.toLocaleString("en") : UNDEFINED_TEXT),
  bytes: (v) => (typeof v !== "number" ? UNDEFINED_TEXT : v < 1024 ? `${v} B` : v < 1048576 ? `${(v / 1024).toFixed(1)} KB`
    : `${(v / 1048576).toFixed(2)} MB`),
  seconds: (v) => (typeof v !== "number" ? "not recorded" : v < 60 ? `${v.toFixed(1)} s` : `${(v / 60).toFixed(1)} min`),
};

export class CostTable {
  constructor(tbody) {
    this.tbody = tbody;
  }

  /** @param {{models: object[], timings: Object<string, object|string>, active: string}} s */
  update({ models, timings, active }) {
    this.tbody.replaceChildren(...models.map((m) => {
      const test = (m.metrics && m.metrics.test) || {};
      const auc = test.roc_auc ?? test.auc;
      const timing = timings[m.name];
      const cells = [
        m.title, m.kind, formatMetric(auc), formatMetric(test.f1), fmt.int(m.parameters), fmt.bytes(m.file_bytes),
        fmt.seconds(m.training_seconds),
        timing == null ? "measuring…" : typeof timing === "string" ? timing
          : `${(timing.seconds_median * 1000).toFixed(1)} ms`,
      ];
      const tr = document.createElement("tr");
      tr.dataset.model = m.name;
      if (m.name === active) tr.className = "active";
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }
}
