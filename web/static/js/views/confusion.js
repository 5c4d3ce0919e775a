// Confusion matrix as a DOM table (text only, never HTML): rows are the truth, columns the
// verdict at the current threshold. Builds its own <table> inside the given container.

const CELLS = [
  ["tp", "true positives"], ["fn", "false negatives"],
  ["fp", "false positives"], ["tn", "true negatives"],
];

export class ConfusionMatrix {
  /** @param {HTMLElement} container  @param {{caption?: string, positive?: string,
   *  negative?: string}} words — how the page names the two classes ("abnormal", "normal"). */
  constructor(container, { caption = "Confusion matrix", positive = "abnormal", negative = "normal" } = {}) {
    this.cells = {};
    const table = document.createElement("table");
    table.className = "confusion";
    table.setAttribute("aria-label", caption);
    const head = table.createTHead().insertRow();
    head.append(document.createElement("td"), th("col", "flagged anomaly"), th("col", "called normal"));
    const body = table.createTBody();
    for (const [row, label] of [[0, `truly ${positive}`], [2, `truly ${negative}`]]) {
      const tr = body.insertRow();
      tr.append(th("row", label));
      for (const [key, name] of CELLS.slice(row, row + 2)) {
        const td = tr.insertCell();
        td.dataset.label = name;
        td.dataset.cell = key;
        td.textContent = "–";
        this.cells[key] = td;
      }
    }
    container.append(table);
    this.table = table;
  }

  /** @param {{tp: number, fp: number, tn: number, fn: number}|null} counts — null clears. */
  update(counts) {
    for (const key of Object.keys(this.cells)) {
      this.cells[key].textContent = counts ? Number(counts[key]).toLocaleString("en") : "–";
    }
  }
}

function th(scope, text) {
  const cell = document.createElement("th");
  cell.scope = scope;
  cell.textContent = text;
  return cell;
}
