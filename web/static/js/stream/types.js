// By attack type: a table of detection rates, one row per attack type of the mix (most rows
// first) and one column per running strategy, with a row for all attacks. Rows are built when
// the mix or the strategies change; while the stream plays only changed cell text is written.
import { formatCount as fmt, putText } from "./text.js";
import { TypeCounts } from "./type_counts.js";

const pct = (caught, seen) => (seen > 0 ? `${Math.round((100 * caught) / seen)}%` : "–");

function cell(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

export class TypeTable {
  /** @param {HTMLTableElement} table; @param {object} data - the load reply (label names,
   * Python's `labels`: category and novel flag per label code) */
  constructor(table, data) {
    Object.assign(this, { table, data });
    this.counts = new TypeCounts(data.label_names.length);
    this.key = "";
    this.rows = [];  // {code, seen, cells: Map(name -> td)}
  }

  /** Rebuild for a mix's `composition` ([[label, rows]]) and the running `tracks`. */
  build(composition, tracks) {
    const { data } = this;
    const head = document.createElement("tr");
    head.append(cell("th", "attack type"), cell("th", "seen", "num"),
      ...tracks.map((t) => { const th = cell("th", t.short, "num"); th.title = t.title; return th; }));
    for (const th of head.children) th.scope = "col";
    const body = [];
    this.rows = [];
    const attacks = composition.filter(([name]) => name !== "normal");
    for (const [name, total] of [...attacks, ["all attacks", attacks.reduce((a, [, k]) => a + k, 0)]]) {
      const code = data.label_names.indexOf(name);
      const tr = document.createElement("tr");
      const th = cell("th", name);
      th.scope = "row";
      if (code > 0 && data.labels.novel[code]) th.append(cell("span", "novel", "badge novel"));
      if (code > 0) th.title = `${data.labels.category[code]}; ${fmt(total)} in this mix`;
      if (code < 0) tr.className = "total";
      const seen = cell("td", "0", "num");
      tr.append(th, seen);
      const cells = new Map(tracks.map((t) => {
        const td = cell("td", "–", "num");
        td.dataset.strategy = t.name;
        tr.append(td);
        return [t.name, td];
      }));
      tr.dataset.type = name;
      body.push(tr);
      this.rows.push({ code, seen, cells, total });
    }
    this.table.tHead.replaceChildren(head);
    this.table.tBodies[0].replaceChildren(...body);
  }

  /** Count up to `tick` and write the cells that changed; `force` writes even when the
   * counts did not move (after a rebuild). */
  update({ composition, tracks, tick, typeAt }, force = false) {
    const key = `${tracks.map((t) => t.name).join(",")}|${composition.map((c) => c.join(":")).join(",")}`;
    if (key !== this.key) {
      this.key = key;
      this.counts.reset();
      this.build(composition, tracks);
      force = true;
    }
    if (!this.counts.update({ tracks, tick, typeAt }) && !force) return;
    const { counts } = this;
    for (const row of this.rows) {
      const codes = row.code >= 0 ? [row.code] : this.rows.filter((r) => r.code > 0).map((r) => r.code);
      const seen = codes.reduce((a, c) => a + counts.seen[c], 0);
      put(row.seen, fmt(seen));
      for (const t of tracks) {
        const caught = codes.reduce((a, c) => a + (counts.caught(t.name, c) ?? 0), 0);
        const td = row.cells.get(t.name);
        put(td, pct(caught, seen));
        if (td.dataset.caught !== String(caught) || td.dataset.seen !== String(seen)) {
          td.title = `${t.title}: caught ${caught} of ${seen}`;
          td.dataset.caught = String(caught);
          td.dataset.seen = String(seen);
          td.classList.toggle("none", seen > 0 && caught === 0);
        }
      }
    }
  }

  /** Names of the attack types seen that no running strategy caught, with their counts. */
  uncaught(tracks) {
    return this.counts.uncaught(tracks.map((t) => t.name))
      .map((code) => [this.data.label_names[code], this.counts.seen[code]]);
  }
}

const put = putText;
