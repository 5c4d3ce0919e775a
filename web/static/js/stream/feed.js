// Connections: a terminal-like feed of the whole history, newest on top, filtered (feed
// history.js). Virtualised: the table sticks to the top of its scrolling box and a spacer
// under it gives the scroll range; only the visible rows exist, and their cells are rewritten
// (textContent only, and only when the text changes), so playing never adds rows. When the
// rows only moved down (a tick or two), the bottom rows are moved to the top and only they
// are rewritten. In the desktop layout a cell's text is cut to what its column holds (in
// characters of the monospace font) here, so that no cell needs a clip of its own.
// A row opens its connection on click or Enter; ↑/↓ move between rows (one tab stop).
import { filterOf, keptPositions } from "./history.js";
import { formatCount as fmt, putText } from "./text.js";

// Feature columns shown: their header (at most four characters) and its tooltip.
const COLUMNS = [
  ["protocol_type", "prot", "Transport protocol (tcp, udp, icmp)"],
  ["service", "service", "Network service on the destination (http, smtp, private, ...)"],
  ["flag", "flag", "Status of the connection (SF = normal establishment and termination, S0 = no reply, REJ = rejected, ...)"],
  ["duration", "dur", "duration: length of the connection in seconds"],
  ["src_bytes", "src", "src_bytes: data bytes from source to destination"],
  ["dst_bytes", "dst", "dst_bytes: data bytes from destination to source"],
  ["count", "cnt", "count: connections to the same host in the past two seconds"],
  ["srv_count", "srv", "srv_count: connections to the same service in the past two seconds"],
  ["serror_rate", "serr", "serror_rate: share of those same-host connections with SYN errors"],
  ["dst_host_count", "host", "dst_host_count: connections to the same destination host (last 100 connections)"],
];
const DEFAULT_ROW_PX = 18;

const put = putText;

/** `text` cut to `chars` characters, the last one an ellipsis when it was longer. */
export function fit(text, chars) {
  return text.length <= chars ? text : `${text.slice(0, Math.max(0, chars - 1))}…`;
}

/** A number in at most `chars` characters where it can be: exact below 10,000 (two decimals
 * for fractions), then in thousands (k) below a million, then in millions (M); a shorter
 * form (fewer decimals, the next unit) when the longer one does not fit, else "…". */
export function compact(value, chars = Infinity) {
  if (!Number.isFinite(value)) return "?";
  const size = Math.abs(value);
  const k = (digits) => `${(value / 1e3).toFixed(digits)}k`;
  const m = (digits) => `${(value / 1e6).toFixed(digits)}M`;
  let forms;
  if (!Number.isInteger(value)) forms = [value.toFixed(2), value.toFixed(1), value.toFixed(0)];
  else if (size < 1e4) forms = size < 1e3 ? [String(value)] : [String(value), k(1), k(0)];
  else if (size < 1e6) forms = [k(0), m(1), m(0)];
  else forms = [m(1), m(0), `${(value / 1e9).toFixed(1)}G`];
  // Never "0M" for 10,000; a number cut short would mislead: "…" when no form fits.
  return forms.find((f) => f.length <= chars && (f === forms[0] || !/^-?0(\.0)?[kMG]$/.test(f))) ?? "…";
}

/** Characters of the row's font that each of its cells holds, when the row is a grid of fixed
 * tracks (the desktop layout); Infinity for every cell otherwise (a phone's table sizes its
 * columns to their text). */
function cellChars(row) {
  const cells = [...row.cells];
  if (getComputedStyle(row).display !== "grid") return cells.map(() => Infinity);
  const style = getComputedStyle(cells[0]);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = style.font;
  const char = ctx.measureText("0000000000").width / 10 || 1;
  const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return cells.map((cell) => Math.max(1, Math.floor((cell.getBoundingClientRect().width - pad) / char + 0.05)));
}

export class ConnectionFeed {
  /** @param {{wrap, head, body, spacer, count}} els - the scrolling box, header row, tbody,
   * spacer and the "showing" line; @param {{data, onOpen: (p, tr) => void}} options */
  constructor(els, { data, onOpen }) {
    Object.assign(this, els, { data, onOpen });
    this.width = data.feature_names.length;
    this.columns = COLUMNS.map(([name, short, title]) => ({ index: data.feature_names.indexOf(name), name, short, title }));
    this.filter = { show: "all", strategy: "", type: -1 };
    this.key = "";
    this.kept = null;    // Int32Array of kept positions, newest first (null: every position)
    this.keptTo = 0;     // positions [0, keptTo) were tested
    this.rowPx = DEFAULT_ROW_PX;
    this.chars = [];     // characters each cell holds (desktop layout; Infinity elsewhere)
    this.visible = 12;
    this.first = 0;
    this.focusIndex = 0;
    this.view = null;
    this.scrollTop = 0;  // kept from scroll events: reading it while drawing would force a layout
    this.wrap.addEventListener("scroll", () => {
      this.scrollTop = this.wrap.scrollTop;
      if (this.view) this.draw(this.view);
    });
    this.body.addEventListener("click", (event) => this.openFrom(event.target));
    this.body.addEventListener("keydown", (event) => this.key_(event));
  }

  setFilter(filter) {
    this.filter = { ...this.filter, ...filter };
    this.key = "";
    this.wrap.scrollTop = 0;
    this.scrollTop = 0;
    if (this.view) this.update(this.view);
  }

  /** Kept positions newest first (every shown position when unfiltered). */
  positions() {
    const { tick } = this.view;
    return this.kept ?? Int32Array.from({ length: tick }, (_, i) => tick - 1 - i);
  }

  /** Measure the row height, the rows that fit and the characters each cell holds (on build
   * and resize only). */
  measure() {
    const row = this.body.rows[0];
    if (row) this.rowPx = row.getBoundingClientRect().height || DEFAULT_ROW_PX;
    const head = this.head.getBoundingClientRect().height || this.rowPx;
    this.visible = Math.max(4, Math.ceil((this.wrap.clientHeight - head) / this.rowPx) + 1);
    this.chars = row ? cellChars(row) : [];
  }

  rebuildHead(tracks) {
    const th = (text, title, className) => {
      const cell = document.createElement("th");
      Object.assign(cell, { scope: "col", textContent: text, title });
      if (className) cell.className = className;
      return cell;
    };
    this.head.replaceChildren(
      th("#", "Position in the stream (tick)"),
      th("truth", "The true label from the KDD file: normal or the attack type"),
      ...this.columns.map((c) => th(c.short, c.title)),
      ...tracks.map((t) => th(t.short, `${t.title}: its verdict (▲ attack / ● normal); ✗ = wrong`, "call")),
    );
    this.body.replaceChildren();
  }

  /** @param {{tracks, tick, order, truth, typeAt, novel}} view */
  update(view) {
    this.view = view;
    const { tracks, tick, filter } = { ...view, filter: this.filter };
    const judged = filter.show !== "all" && filter.show !== "novel";
    const key = [filter.show, filter.strategy, filter.type,
      ...tracks.map((t) => `${t.name}:${t.threshold}${judged ? `:${Math.min(tick, t.scored)}` : ""}`)].join("|");
    const heads = tracks.map((t) => t.name).join(",");
    if (heads !== this.heads) { this.heads = heads; this.rebuildHead(tracks); }
    if (key !== this.key || tick < this.keptTo) {
      this.key = key;
      this.keep = filterOf(filter, view);
      this.kept = filter.show === "all" && filter.type < 0 ? null : keptPositions(this.keep, tick);
      this.keptTo = tick;
    } else if (this.kept && tick > this.keptTo) {
      const add = [];
      for (let p = tick - 1; p >= this.keptTo; p--) if (this.keep(p)) add.push(p);
      if (add.length) {
        const next = new Int32Array(add.length + this.kept.length);
        next.set(add);
        next.set(this.kept, add.length);
        this.kept = next;
      }
    }
    this.keptTo = tick;
    this.draw(view);
  }

  draw(view) {
    const count = this.kept ? this.kept.length : view.tick;
    const spacer = `${Math.max(0, count - this.visible + 2) * this.rowPx}px`;
    if (this.spacer.style.height !== spacer) this.spacer.style.height = spacer;
    this.first = Math.min(Math.floor(this.scrollTop / this.rowPx), Math.max(0, count - 1));
    const shown = Math.max(0, Math.min(this.visible, count - this.first));
    while (this.body.rows.length < shown) {
      this.body.append(this.newRow(view.tracks));
      if (this.body.rows.length === 1) this.measure();
    }
    // Fewer rows (a restart, a narrow filter): the surplus goes (rare; a playing feed only grows).
    while (this.body.rows.length > shown) this.body.rows[this.body.rows.length - 1].remove();
    const at = (i) => (this.kept ? this.kept[this.first + i] : view.tick - 1 - this.first - i);
    this.moveDown(shown, at);
    for (let i = 0; i < shown; i++) this.fill(this.body.rows[i], view, at(i));
    const rows = this.body.rows;
    if (shown && rows[Math.min(this.focusIndex, shown - 1)].tabIndex !== 0) {
      for (const r of rows) r.tabIndex = -1;
      rows[Math.min(this.focusIndex, shown - 1)].tabIndex = 0;
    }
    const text = this.kept ? `${fmt(count)} of ${fmt(view.tick)} connections match` : `${fmt(count)} connections`;
    put(this.count, text);
  }

  /** When the rows' connections only moved down by k rows (k < shown: a tick or two played),
   * move the bottom k rows to the top, so that only they are rewritten. Not while a row has the
   * focus (moving it would lose the focus). */
  moveDown(shown, at) {
    const rows = this.body.rows;
    if (!shown || !rows[0].dataset.position || this.body.contains(document.activeElement)) return;
    const top = Number(rows[0].dataset.position) - 1;
    let k = 1;
    while (k < shown && at(k) !== top) k++;
    if (k >= shown || Number(rows[shown - k - 1].dataset.position) - 1 !== at(shown - 1)) return;
    this.body.prepend(...[...rows].slice(shown - k, shown));
  }

  newRow(tracks) {
    const tr = document.createElement("tr");
    tr.tabIndex = this.body.rows.length === this.focusIndex ? 0 : -1;
    const n = 2 + this.columns.length + tracks.length;
    tr.cells_ = Array.from({ length: n }, () => tr.appendChild(document.createElement("td")));
    tr.cells_[0].className = "pos";
    tr.cells_[1].className = "truth";
    tracks.forEach((t, i) => { tr.cells_[2 + this.columns.length + i].dataset.strategy = t.name; });
    return tr;
  }

  fill(tr, { tracks, order }, p) {
    const { data } = this;
    const r = order[p];
    const attack = data.anomaly.data[r] === 1;
    const cells = tr.cells_;
    const cls = attack ? "attack" : "normal";
    if (tr.className !== cls) tr.className = cls;
    if (tr.dataset.position !== String(p + 1)) tr.dataset.position = String(p + 1);
    if (tr.dataset.row !== String(r)) tr.dataset.row = String(r);  // its table row (a new order moves it)
    const chars = (i) => this.chars[i] ?? Infinity;
    put(cells[0], fit(String(p + 1), chars(0)));
    put(cells[1], fit(`${attack ? "▲" : "●"} ${data.label_names[data.label.data[r]]}`, chars(1)));
    this.columns.forEach((c, j) => {
      const v = data.features.data[r * this.width + c.index];
      const vocab = data.vocabularies[c.name];
      put(cells[2 + j], vocab ? fit(vocab[v] ?? String(v), chars(2 + j)) : compact(v, chars(2 + j)));
    });
    tracks.forEach((t, i) => {
      const cell = cells[2 + this.columns.length + i];
      if (p >= t.scored) {  // switched on late: its verdict comes with its scores
        if (put(cell, "…")) { cell.className = "call"; cell.title = `${t.title}: being scored`; }
        return;
      }
      const flagged = t.flagged(p);
      const wrong = flagged !== attack;
      if (put(cell, `${flagged ? "▲" : "●"}${wrong ? "✗" : ""}`)) {
        cell.className = `call ${flagged ? "attack" : "normal"}${wrong ? " wrong" : ""}`;
        cell.title = `${t.title}: ${flagged ? "attack" : "normal"}${wrong ? " (wrong)" : " (right)"}`;
      }
    });
  }

  openFrom(target) {
    const tr = target instanceof Element ? target.closest("tr") : null;
    if (!tr || !tr.dataset.position) return;
    this.onOpen(Number(tr.dataset.position) - 1, tr);
  }

  /** Enter opens the focused row; ↑/↓ move focus between rows, scrolling at the ends. */
  key_(event) {
    const tr = event.target instanceof Element ? event.target.closest("tr") : null;
    if (!tr) return;
    if (event.key === "Enter") { event.preventDefault(); this.openFrom(tr); return; }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    const rows = [...this.body.rows];
    let i = rows.indexOf(tr) + (event.key === "ArrowDown" ? 1 : -1);
    if (i < 0 || i >= rows.length) {
      this.wrap.scrollTop += (event.key === "ArrowDown" ? 1 : -1) * this.rowPx;
      this.scrollTop = this.wrap.scrollTop;
      if (this.view) this.draw(this.view);
      i = Math.max(0, Math.min(rows.length - 1, i));
    }
    for (const r of this.body.rows) r.tabIndex = -1;
    rows[i].tabIndex = 0;
    this.focusIndex = i;
    rows[i].focus({ preventScroll: true });
  }
}
