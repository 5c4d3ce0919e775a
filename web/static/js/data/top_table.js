// The top anomalies of the selected detector (DOM text only): for each row, its row number in
// the file and split, every detector's score (▲ where that detector flags it), the features
// that contributed most to the selected detector's score with their share, and the row's
// original values.
// The explanation method's sentence comes from Python (`table_top`'s `method`).
import { el, shortNumber } from "./results_dom.js";

const LIMIT = 20;

export class TopTable {
  /** @param {HTMLElement} container  @param {object} python  @param {(message: string) => void} onError */
  constructor(container, python, onError) {
    this.python = python;
    this.onError = onError;
    this.generation = 0;
    this.method = el("p", { className: "hint", id: "top-method" });
    this.note = el("p", { className: "hint", id: "top-note" });
    this.thead = el("thead");
    this.tbody = el("tbody");
    this.table = el("table", { className: "top-table", id: "top-table" },
      el("caption", { className: "visually-hidden" }, "Top anomalies"), this.thead, this.tbody);
    container.append(this.note, this.method, el("div", { className: "table-scroll", tabIndex: 0,
      attrs: { role: "region", "aria-label": "Top anomalies (scrolls sideways)" } }, this.table));
  }

  /** Show the top rows by `kind`'s score; `titles` maps every fitted kind to its title. */
  async show(kind, titles, unit = "rows", labelled = true) {
    const generation = ++this.generation;
    this.note.textContent = "Ranking the rows…";
    let reply;
    try {
      reply = await this.python.request("table_top", { kind, limit: LIMIT });
    } catch (err) {
      if (generation === this.generation) { this.note.textContent = ""; this.onError(`The top anomalies could not be listed: ${err.message}`); }
      return;
    }
    if (generation !== this.generation) return;
    const kinds = Object.keys(titles);
    const windows = unit === "windows";
    this.note.textContent = `The ${reply.rows.length} highest-scoring ${unit} by ${titles[kind] ?? kind}, highest first. ` +
      (windows ? "Row = the line number in your file where the window starts; the values are that row's. "
        : "Row = the line number in your file. ") +
      (labelled ? "Split = where the row was used (fit, validation or test). " : "") +
      "▲ = flagged by that detector at its threshold.";
    this.labelled = labelled;
    this.method.textContent = reply.method ? `Top contributing features: ${reply.method} ` +
      "The % is the feature's share of the row's total (absolute) contribution." : "";
    this.thead.replaceChildren(el("tr", {},
      el("th", { scope: "col" }, windows ? "Window from row" : "Row"),
      labelled ? el("th", { scope: "col" }, "Split") : null,
      ...kinds.map((k) => el("th", { scope: "col", className: k === kind ? "ranked" : "" }, `${titles[k]} score`)),
      el("th", { scope: "col", className: "contrib" }, "Top contributing features"),
      ...reply.columns.map((name) => el("th", { scope: "col", className: "value" }, name))));
    this.tbody.replaceChildren(...reply.rows.map((row) => this.row(row, kinds)));
    this.table.dataset.kind = kind;
  }

  row(row, kinds) {
    const tr = el("tr", { dataset: { row: String(row.row) } },
      el("th", { scope: "row" }, String(row.row)),
      this.labelled ? el("td", { className: "split" }, row.split ?? "") : null);
    for (const k of kinds) {
      const score = row.scores[k];
      const flagged = Boolean(row.flags?.[k]);
      tr.append(el("td", { className: flagged ? "score flagged" : "score", dataset: { kind: k, score: String(score) } },
        flagged ? "▲ " : "", shortNumber(score), flagged ? el("span", { className: "visually-hidden" }, " (flagged)") : null));
    }
    const list = el("ul", { className: "contributions" });
    for (const [feature, value, share] of row.contributions ?? []) {
      const amount = typeof share === "number" ? `${(share * 100).toFixed(0)}%` : shortNumber(value);
      list.append(el("li", { dataset: { feature, value: String(value) } }, `${feature} `, el("span", { className: "share" }, amount)));
    }
    tr.append(el("td", { className: "contrib" }, list), ...row.values.map((v) => el("td", { className: "value" }, v)));
    return tr;
  }

  clear() {
    this.generation += 1;
    this.note.textContent = "";
    this.method.textContent = "";
    this.thead.replaceChildren();
    this.tbody.replaceChildren();
  }
}
