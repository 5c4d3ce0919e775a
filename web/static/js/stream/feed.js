// Connections: a terminal-like feed of the stream, newest row on top: ROWS fixed rows whose
// cells are rewritten (textContent only, and only when the text changes).

const ROWS = 24;

// Feature columns shown, with the tooltip text of their header.
const COLUMNS = [
  ["protocol_type", "proto", "Transport protocol (tcp, udp, icmp)"],
  ["service", "service", "Network service on the destination (http, smtp, private, ...)"],
  ["flag", "flag", "Status of the connection (SF = normal establishment and termination, S0 = no reply, REJ = rejected, ...)"],
  ["duration", "dur", "duration: length of the connection in seconds"],
  ["src_bytes", "src B", "src_bytes: data bytes from source to destination"],
  ["dst_bytes", "dst B", "dst_bytes: data bytes from destination to source"],
  ["count", "count", "count: connections to the same host in the past two seconds"],
  ["srv_count", "srv", "srv_count: connections to the same service in the past two seconds"],
  ["serror_rate", "serr", "serror_rate: share of those same-host connections with SYN errors"],
  ["dst_host_count", "host cnt", "dst_host_count: connections to the same destination host (last 100 connections)"],
];

/** What the feed's columns depend on: the running tracks and their thresholds. */
const tracksKey = (tracks) => tracks.map((t) => `${t.name}:${t.threshold}`).join("|");

/** Set a cell's text if it differs; true when written. */
function put(cell, text) {
  if (cell.textContent === text) return false;
  cell.textContent = text;
  return true;
}

function compact(value) {
  if (!Number.isFinite(value)) return "?";
  if (Number.isInteger(value)) {
    if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
    if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
    return String(value);
  }
  return value.toFixed(2);
}

export class ConnectionFeed {
  constructor(head, body, { data }) {
    this.head = head;
    this.body = body;
    this.data = data;
    this.width = data.feature_names.length;
    this.columns = COLUMNS.map(([name, short, title]) => ({ index: data.feature_names.indexOf(name), name, short, title }));
    this.shown = 0;       // rows drawn up to this tick
    this.tracksKey = "";
  }

  /** Rebuild the header for the running tracks and redraw the newest rows. */
  rebuild(view) {
    const cells = [
      this.th("#", "Position in the stream (tick)"),
      this.th("truth", "The true label from the KDD file: normal or the attack type"),
      ...this.columns.map((c) => this.th(c.short, c.title)),
      ...view.tracks.map((t) => {
        const th = this.th(t.short, `${t.title}: its verdict (▲ attack / ● normal); ✗ = wrong`);
        th.className = "call";
        return th;
      }),
    ];
    this.head.replaceChildren(...cells);
    this.tracksKey = tracksKey(view.tracks);
    this.body.replaceChildren();
    this.shown = Math.max(0, view.tick - ROWS);
    this.update(view);
  }

  th(text, title) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    th.title = title;
    return th;
  }

  /** Show the newest rows up to `tick`: `order` maps play positions to stream rows, `tracks`
   * are the running strategies (one verdict column each). */
  update(view) {
    const { tracks, tick } = view;
    if (tracksKey(tracks) !== this.tracksKey || tick < this.shown) return this.rebuild(view);
    if (tick === this.shown) return;
    // Fixed rows, top = newest: only cells whose text changes are written, and no row is
    // moved or created once the feed is full (moving rows would rebuild their layout).
    const count = Math.min(ROWS, tick);
    while (this.body.rows.length < count) this.body.append(this.newRow(tracks));
    for (let i = 0; i < count; i++) this.fill(this.body.rows[i], view, tick - 1 - i);
    this.shown = tick;
  }

  newRow(tracks) {
    const tr = document.createElement("tr");
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
    tr.dataset.position = String(p + 1);
    put(cells[0], String(p + 1));
    put(cells[1], `${attack ? "▲" : "●"} ${data.label_names[data.label.data[r]]}`);
    this.columns.forEach((c, j) => {
      const v = data.features.data[r * this.width + c.index];
      const vocab = data.vocabularies[c.name];
      put(cells[2 + j], vocab ? (vocab[v] ?? String(v)) : compact(v));
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
}
