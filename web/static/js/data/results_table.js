// The detectors' comparison table (DOM text only): one row per fitted detector, sortable by
// any column with the header buttons (mouse or keyboard: Tab to a header, Enter or Space),
// and a "Explore" button per row that selects the detector for the explorer below.
// Undefined metrics show as "–"; without labels the metric columns say "no labels".
import { formatMetric, UNDEFINED_TEXT } from "../common/metrics.js";
import { el, shortNumber } from "./results_dom.js";

const NO_LABELS = "no labels";

const seconds = (v) => (typeof v !== "number" ? UNDEFINED_TEXT
  : v < 1 ? `${(v * 1000).toFixed(v < 0.01 ? 2 : 0)} ms` : `${v.toFixed(2)} s`);
const bytes = (v) => (typeof v !== "number" ? UNDEFINED_TEXT : v < 1024 ? `${v} B`
  : v < 1048576 ? `${(v / 1024).toFixed(1)} KB` : `${(v / 1048576).toFixed(2)} MB`);
const count = (v) => (typeof v === "number" ? v.toLocaleString("en") : UNDEFINED_TEXT);

/** The columns: key, header, how a cell reads, the value it sorts by, and whether it is a
 * metric (empty without labels). */
function columns(definitions) {
  const title = (k, fallback) => definitions[k]?.title ?? fallback;
  return [
    { key: "title", head: "Detector", text: (d) => d.title, sort: (d) => d.title },
    { key: "auc", head: title("auc", "ROC AUC"), metric: true, text: (d) => formatMetric(d.auc), sort: (d) => d.auc },
    { key: "ap", head: title("ap", "Average precision"), metric: true, text: (d) => formatMetric(d.ap), sort: (d) => d.ap },
    { key: "f1", head: `${title("f1", "F1")} (precision, recall)`, metric: true,
      text: (d) => `${formatMetric(d.f1)} (${formatMetric(d.precision)}, ${formatMetric(d.recall)})`, sort: (d) => d.f1 },
    { key: "threshold", head: "Threshold", text: (d) => shortNumber(d.threshold), sort: (d) => d.threshold },
    { key: "fit_seconds", head: "Fit time", text: (d) => seconds(d.fit_seconds), sort: (d) => d.fit_seconds },
    { key: "score_seconds", head: "Score time", text: (d) => seconds(d.score_seconds), sort: (d) => d.score_seconds },
    { key: "size", head: "Size", text: (d) => `${count(d.parameters)} parameters · ${bytes(d.bytes)}`, sort: (d) => d.bytes },
    { key: "flagged", head: "Flagged", text: (d) => count(d.flagged), sort: (d) => d.flagged },
  ];
}

export class ResultsTable {
  /** @param {HTMLElement} container  @param {object} definitions  the schema's metric
   *  definitions (titles, formulas)  @param {(kind: string) => void} onSelect */
  constructor(container, definitions, onSelect) {
    this.columns = columns(definitions);
    this.definitions = definitions;
    this.onSelect = onSelect;
    this.sortKey = null;
    this.descending = true;
    this.rows = [];
    this.labelled = false;
    this.selected = null;
    this.thead = el("thead");
    this.tbody = el("tbody");
    this.table = el("table", { className: "results-table", id: "results-table" },
      el("caption", { className: "visually-hidden" }, "Comparison of the fitted detectors"), this.thead, this.tbody);
    container.append(el("div", { className: "table-scroll", tabIndex: 0,
      attrs: { role: "region", "aria-label": "Detectors compared (scrolls sideways)" } }, this.table));
  }

  /** @param {{detectors: object[], labelled: boolean}} results  the table_results reply */
  update({ detectors, labelled }, selected) {
    this.rows = detectors;
    this.labelled = labelled;
    this.selected = selected;
    this.render();
  }

  select(kind) {
    this.selected = kind;
    for (const tr of this.tbody.rows) {
      const on = tr.dataset.kind === kind;
      tr.classList.toggle("active", on);
      tr.querySelector("button").setAttribute("aria-pressed", String(on));
    }
  }

  sortBy(key) {
    if (this.sortKey === key) this.descending = !this.descending;
    else { this.sortKey = key; this.descending = key !== "title"; }
    this.render();
    this.thead.querySelector(`button[data-sort="${key}"]`)?.focus();
  }

  sorted() {
    const col = this.columns.find((c) => c.key === this.sortKey);
    if (!col) return this.rows;
    const sign = this.descending ? -1 : 1;
    return [...this.rows].sort((a, b) => {
      const va = col.sort(a), vb = col.sort(b);
      if (va == null || vb == null) return (va == null) - (vb == null);  // undefined last
      return sign * (typeof va === "string" ? va.localeCompare(vb) : va - vb);
    });
  }

  render() {
    const head = el("tr");
    for (const col of this.columns) {
      const sort = this.sortKey === col.key ? (this.descending ? "descending" : "ascending") : "none";
      const button = el("button", { type: "button", className: "sort", dataset: { sort: col.key } }, col.head,
        el("span", { className: "sort-mark", attrs: { "aria-hidden": "true" } },
          sort === "none" ? " ↕" : sort === "descending" ? " ▼" : " ▲"));
      button.addEventListener("click", () => this.sortBy(col.key));
      const definition = this.definitions[col.key];
      if (definition) button.title = definition.formula;
      head.append(el("th", { scope: "col", attrs: { "aria-sort": sort } }, button));
    }
    this.thead.replaceChildren(head);
    this.tbody.replaceChildren(...this.sorted().map((d) => this.row(d)));
    this.select(this.selected);
  }

  row(d) {
    const tr = el("tr", { dataset: { kind: d.kind } });
    for (const col of this.columns) {
      if (col.key === "title") {
        const button = el("button", { type: "button", className: "linkish", attrs: { "aria-pressed": "false" } }, d.title);
        button.setAttribute("aria-label", `Explore ${d.title}`);
        button.addEventListener("click", () => this.onSelect(d.kind));
        tr.append(el("th", { scope: "row" }, button));
        continue;
      }
      const text = col.metric && !this.labelled ? NO_LABELS : col.text(d);
      const value = col.sort(d);
      tr.append(el("td", { dataset: { col: col.key, value: value == null ? "" : String(value) } }, text));
    }
    return tr;
  }
}
