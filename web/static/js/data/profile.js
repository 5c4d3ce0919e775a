// The profile table of the data page: one row per column with its "use" checkbox (the feature
// choice), name, inferred type (and why an identifier-like or constant column starts unticked),
// missing count, range or top values, and a small histogram drawn on a canvas. Everything shown
// comes from Python's profile (table_load's `columns`).
import { CanvasView, COLORS } from "../views/canvas.js";

const TYPE_NOTES = {
  constant: "one value in every row: tells rows apart in nothing, so it starts unticked",
  identifier: "a different value in (almost) every row, like an id: starts unticked",
};

const fmt = (v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toLocaleString("en", { maximumFractionDigits: 4 });
};

/** A tiny bar chart of one column's histogram (numeric bins or top categories). */
class Sparkline extends CanvasView {
  draw(ctx, width, height, histogram) {
    const counts = histogram?.counts ?? [];
    if (!counts.length) return;
    const top = Math.max(...counts, 1);
    const w = width / counts.length;
    ctx.fillStyle = histogram.labels ? COLORS.muted : COLORS.normal;
    counts.forEach((c, i) => {
      const h = c > 0 ? Math.max(1, (c / top) * (height - 2)) : 0;
      ctx.fillRect(i * w + 0.5, height - h, Math.max(1, w - 1), h);
    });
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(0, height - 0.5); ctx.lineTo(width, height - 0.5); ctx.stroke();
  }
}

function histogramLabel(column) {
  const h = column.histogram;
  if (!h?.counts?.length) return `No histogram for ${column.name}`;
  if (h.labels) return `Counts of the top values of ${column.name}: ${h.labels.map((l, i) => `${l} ${h.counts[i]}`).join(", ")}`;
  return `Histogram of ${column.name} in ${h.counts.length} bins from ${fmt(h.edges[0])} to ${fmt(h.edges.at(-1))}`;
}

function summary(column) {
  if (column.type === "numeric" || (column.min !== null && column.min !== undefined)) {
    return `${fmt(column.min)} … ${fmt(column.max)}`;
  }
  const top = (column.top ?? []).slice(0, 3).map(([v, n]) => `${v} (${n.toLocaleString("en")})`);
  const more = column.distinct > top.length ? `, ${column.distinct.toLocaleString("en")} distinct` : "";
  return top.join(", ") + more;
}

export class ProfileTable {
  /** @param {HTMLElement} body the table's tbody  @param {(features: string[]) => void}
   *  onChange called when a use box is ticked or unticked */
  constructor(body, onChange) {
    this.body = body;
    this.onChange = onChange;
    this.sparks = [];
    this.columns = [];
    body.addEventListener("change", () => this.onChange(this.features()));
  }

  /** Whether a column starts ticked: every column but identifier-like and constant ones. */
  static usable(column) {
    return !(column.type in TYPE_NOTES);
  }

  /** @param {object[]} columns table_load's profile  @param {string[]} features ticked names */
  show(columns, features) {
    this.columns = columns;
    const ticked = new Set(features);
    this.sparks = [];
    const rows = columns.map((column, i) => {
      const tr = document.createElement("tr");
      tr.dataset.column = column.name;
      tr.dataset.type = column.type;
      const use = document.createElement("input");
      use.type = "checkbox";
      use.id = `use-${i}`;
      use.value = column.name;
      use.checked = ticked.has(column.name);
      use.setAttribute("aria-label", `Use ${column.name}`);
      const name = document.createElement("label");
      name.htmlFor = use.id;
      name.textContent = column.name;
      const type = document.createElement("span");
      type.className = `type type-${column.type}`;
      type.textContent = column.type;
      const note = TYPE_NOTES[column.type];
      const typeCell = [type];
      if (note) {
        const why = document.createElement("small");
        why.className = "why";
        why.textContent = note;
        typeCell.push(why);
      } else if (column.skewed_positive) {
        const why = document.createElement("small");
        why.className = "why";
        why.textContent = "skewed: log1p before scaling";
        typeCell.push(why);
      }
      const canvas = document.createElement("canvas");
      canvas.className = "spark";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", histogramLabel(column));
      const cells = [[use], [name], typeCell, [column.missing.toLocaleString("en")], [summary(column)], [canvas]];
      for (const [j, content] of cells.entries()) {
        const td = document.createElement(j === 1 ? "th" : "td");
        if (j === 1) td.scope = "row";
        td.append(...content.map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
        tr.append(td);
      }
      this.sparks.push([new Sparkline(canvas), column.histogram]);
      return tr;
    });
    this.body.replaceChildren(...rows);
    this.redraw();
  }

  redraw() {
    for (const [spark, histogram] of this.sparks) spark.update(histogram);
  }

  /** The ticked column names, in table order. */
  features() {
    return [...this.body.querySelectorAll("input[type=checkbox]:checked")].map((b) => b.value);
  }

  /** Tick exactly `names`. */
  setFeatures(names) {
    const set = new Set(names);
    for (const box of this.body.querySelectorAll("input[type=checkbox]")) box.checked = set.has(box.value);
  }
}
