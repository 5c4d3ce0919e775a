// Visualized: one canvas per strategy, one square per connection. Connections called attacks
// pile from the left edge, those called normal from the right edge, column by column from the
// outside in; the grid has room for the whole stream from the start (one spare column, so two
// partly filled columns never collide). Colour and shape show the truth: attacks are large dark
// (vermillion) squares, normal connections small light (sky blue) ones. Only new squares are
// drawn each frame; the newest-square highlight is a small element moved over the canvas.
import { COLORS } from "../views/canvas.js";

/** Grid for n squares in a canvas `widthPx` device pixels wide: cell size, columns, rows. */
export function pileLayout(n, widthPx, aspect = 0.5) {
  const target = Math.max(2, Math.floor(Math.sqrt((widthPx * widthPx * aspect) / n)));
  for (let cell = target; cell >= 2; cell--) {
    const cols = Math.floor(widthPx / cell);
    if (cols < 3) continue;
    const rows = Math.ceil(n / (cols - 1));
    return { cell, cols, rows, width: cols * cell, height: rows * cell };
  }
  const cols = Math.max(3, Math.floor(widthPx / 2));
  const rows = Math.ceil(n / (cols - 1));
  return { cell: 2, cols, rows, width: cols * 2, height: rows * 2 };
}

export class PileCanvas {
  constructor(container, track) {
    this.track = track;
    this.root = document.createElement("figure");
    this.root.className = "pile";
    this.root.dataset.name = track.name;
    const caption = document.createElement("figcaption");
    const title = document.createElement("strong");
    title.textContent = track.title;
    this.countsLine = document.createElement("span");
    this.countsLine.className = "pile-counts";
    caption.append(title, this.countsLine);
    this.box = document.createElement("div");
    this.box.className = "pile-box";
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("role", "img");
    this.mark = document.createElement("div");  // newest-square highlight: moved, never redrawn
    this.mark.className = "newest-mark";
    this.mark.setAttribute("aria-hidden", "true");
    this.mark.hidden = true;
    this.box.append(this.canvas, this.mark);
    const sides = document.createElement("div");
    sides.className = "pile-sides";
    sides.setAttribute("aria-hidden", "true");
    const left = document.createElement("span");
    left.textContent = "← called attack";
    const right = document.createElement("span");
    right.textContent = "called normal →";
    sides.append(left, right);
    this.root.append(caption, this.box, sides);
    container.append(this.root);
    this.layout = null;
    this.drawn = 0;
    this.nAttack = 0;
    this.nNormal = 0;
    this.threshold = null;
    this.highlighted = -1;
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const widthPx = Math.max(60, Math.floor(this.box.clientWidth * dpr));
    const layout = pileLayout(this.track.n, widthPx);
    this.layout = { ...layout, dpr };
    this.canvas.width = layout.width;
    this.canvas.height = layout.height;
    this.canvas.style.width = `${layout.width / dpr}px`;
    this.canvas.style.height = `${layout.height / dpr}px`;
    const size = layout.cell / dpr + 6;
    this.mark.style.width = `${size}px`;
    this.mark.style.height = `${size}px`;
    this.ctx = this.canvas.getContext("2d");
    this.drawn = -1;  // force a full redraw
    this.highlighted = -1;
  }

  /** Cell of the k-th square of a pile (k from 0): columns fill bottom-up from the edge in. */
  cell(k, attackSide) {
    const { rows, cols, cell } = this.layout;
    const col = Math.floor(k / rows);
    const row = rows - 1 - (k % rows);
    return [(attackSide ? col : cols - 1 - col) * cell, row * cell];
  }

  square(ctx, k, attackSide, truth) {
    const { cell } = this.layout;
    const [x, y] = this.cell(k, attackSide);
    const gap = cell >= 4 ? 1 : 0;
    if (truth) {
      ctx.fillStyle = COLORS.abnormal;
      ctx.fillRect(x, y, cell - gap, cell - gap);
    } else {
      const inset = cell >= 4 ? Math.max(1, Math.round(cell * 0.22)) : 0;
      const size = Math.max(1, cell - gap - 2 * inset);
      ctx.fillStyle = COLORS.normalLight;
      ctx.fillRect(x + inset, y + inset, size, size);
    }
  }

  update(state) {
    const t = this.track;
    if (!this.layout) this.resize();
    const full = this.drawn < 0 || state.tick < this.drawn || this.threshold !== t.threshold;
    if (full) {
      this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      this.drawn = 0;
      this.nAttack = 0;
      this.nNormal = 0;
      this.threshold = t.threshold;
      this.highlighted = -2;
    }
    for (let p = this.drawn; p < state.tick; p++) {
      const flagged = t.scores[p] > t.threshold;
      const k = flagged ? this.nAttack++ : this.nNormal++;
      this.square(this.ctx, k, flagged, state.truth[p]);
    }
    this.drawn = state.tick;
    this.highlight(state);
    const text = `TP ${t.tp} · FP ${t.fp} · TN ${t.tn} · FN ${t.fn}`;
    if (this.countsLine.textContent !== text) {
      this.countsLine.textContent = text;
      this.canvas.setAttribute("aria-label", `${t.title}: ${this.nAttack} called attack on the left, ${this.nNormal} called normal on the right; ${text}`);
    }
  }

  highlight(state) {
    const p = state.tick - 1;
    const key = p < 0 ? -1 : p * 2 + (this.track.flagged(p) ? 1 : 0);
    if (key === this.highlighted) return;
    this.highlighted = key;
    this.mark.hidden = p < 0;
    if (p < 0) return;
    const flagged = this.track.flagged(p);
    const [x, y] = this.cell((flagged ? this.nAttack : this.nNormal) - 1, flagged);
    const { dpr } = this.layout;
    this.mark.style.transform = `translate(${x / dpr - 3}px, ${y / dpr - 3}px)`;
  }

  remove() {
    this.root.remove();
  }
}

export class Piles {
  constructor(container) {
    this.container = container;
    this.pileByName = new Map();
  }

  update(state) {
    const names = new Set(state.active.map((t) => t.name));
    for (const [name, pile] of this.pileByName) {
      if (!names.has(name)) { pile.remove(); this.pileByName.delete(name); }
    }
    for (const t of state.active) {
      if (!this.pileByName.has(t.name)) this.pileByName.set(t.name, new PileCanvas(this.container, t));
    }
    // Keep the canvases in the setup order.
    const wanted = state.active.map((t) => this.pileByName.get(t.name).root);
    if (wanted.some((el, i) => this.container.children[i] !== el)) this.container.replaceChildren(...wanted);
    for (const t of state.active) this.pileByName.get(t.name).update(state);
  }

  resize() {
    for (const pile of this.pileByName.values()) pile.resize();
  }
}
