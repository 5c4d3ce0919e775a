// The explorer's numbers: confusion matrix and rates (DOM text only, never HTML). Metric titles
// and formulas come from Python's metric definitions (the worker's schema); an undefined rate
// (a zero denominator, sent as null) shows as "–".
import { formatMetric } from "../common/metrics.js";

const RATES = ["accuracy", "precision", "recall", "f1", "fpr", "fnr", "tpr", "tnr"];

export class MetricsPanel {
  constructor(root) {
    this.root = root;
    this.$ = (id) => root.querySelector(`#${id}`);
  }

  /** @param {{metrics: object|null, summary: object|null,
   *  definitions: Object<string, {title: string, formula: string}>}} s */
  update({ metrics, summary, definitions }) {
    for (const dt of this.root.querySelectorAll("dt[data-metric]")) {
      const d = definitions[dt.dataset.metric];
      if (!d) continue;
      if (dt.textContent !== d.title) dt.textContent = d.title;
      dt.title = d.formula;
    }
    if (summary) {
      const mine = summary.n_user ? ` + ${summary.n_user} labelled beats of yours` : "";
      const seen = summary.n_left_out
        ? `, leaving out the ${summary.n_left_out.toLocaleString("en")} this model was trained or thresholded on` : "";
      this.$("explorer-basis").textContent =
        `test split (${summary.n_test.toLocaleString("en")} beats${seen}${mine}; ${summary.n_anomalies.toLocaleString("en")} abnormal)`;
      this.$("roc-auc").textContent = summary.auc == null ? "· AUC undefined (one class only)" : `· AUC ${summary.auc.toFixed(3)}`;
    }
    if (!metrics) return;
    for (const k of ["tp", "fn", "fp", "tn"]) this.$(`cm-${k}`).textContent = String(metrics[k]);
    for (const k of RATES) this.$(`m-${k}`).textContent = formatMetric(metrics[k]);
    this.$("metrics").dataset.threshold = String(metrics.threshold);
    if (summary) {
      this.$("accuracy-note").textContent =
        `Why accuracy is not enough: calling every beat normal would score accuracy ${formatMetric(summary.all_normal_accuracy)} ` +
        `here and catch no abnormal beat at all. Read recall (abnormal beats caught) and precision (flags that are right) together.`;
    }
  }
}
