// The explorer's numbers: confusion matrix and rates (DOM text only, never HTML).

const RATES = ["accuracy", "precision", "recall", "f1", "fpr", "fnr", "tpr", "tnr"];

export class MetricsPanel {
  constructor(root) {
    this.root = root;
    this.$ = (id) => root.querySelector(`#${id}`);
  }

  /** @param {{metrics: object|null, summary: object|null}} s */
  update({ metrics, summary }) {
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
    for (const k of RATES) this.$(`m-${k}`).textContent = metrics[k].toFixed(3);
    this.$("metrics").dataset.threshold = String(metrics.threshold);
    if (summary) {
      this.$("accuracy-note").textContent =
        `Why accuracy is not enough: calling every beat normal would score accuracy ${summary.all_normal_accuracy.toFixed(3)} ` +
        `here and catch no abnormal beat at all. Read recall (abnormal beats caught) and precision (flags that are right) together.`;
    }
  }
}
