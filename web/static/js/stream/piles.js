// Visualized: one canvas per strategy, one square per connection, in the piles of
// pile_layout.js (called attacks from the left edge, called normal from the right). Colour and
// shape show the truth: attacks are large dark (vermillion) squares, normal connections small
// light (sky blue) ones. Only new squares are drawn each frame (so these canvases keep their
// pixels between frames, unlike a CanvasView), and the newest square's ring: drawn in the
// canvas, in a margin around the grid, and rubbed out by drawing again the squares under the
// last one (no element moved over the canvas: each cost a layer and a restyle every frame).
// While playing a tick or more per frame, the counts line under the title is rewritten for one
// pile a frame, in turn (the squares are drawn every frame).
import { COLORS } from "../views/canvas.js";
import { cellsAround, pileCell, pileLayout, pileSquareAt } from "./pile_layout.js";
import { putText } from "./text.js";

// The newest square's ring, in CSS px outside its square: a white edge, then the ink band,
// then a gap of one pixel.
const RING = { reach: 4, ink: [3, 1] };

export class PileCanvas {
  constructor(container, track, onOpen) {
    this.track = track;
    this.onOpen = onOpen;
    this.attackAt = new Int32Array(track.n);  // k-th square of each pile -> play position
    this.normalAt = new Int32Array(track.n);
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
    // A click on a square opens its connection; Enter on the focused pile opens the newest.
    this.canvas.tabIndex = 0;
    this.canvas.addEventListener("click", (event) => this.openAt(event.offsetX, event.offsetY));
    this.canvas.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || this.drawn <= 0) return;
      event.preventDefault();
      this.onOpen(this.drawn - 1, this.canvas);
    });
    this.box.append(this.canvas);
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
    this.ringAt = null;  // grid pixel [x, y] of the square ringed now
    this.truth = null;
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const margin = Math.round(RING.reach * dpr);  // room for the ring at the grid's edges
    const widthPx = Math.max(60, Math.floor(this.box.clientWidth * dpr) - 2 * margin);
    const layout = pileLayout(this.track.n, widthPx);
    this.layout = { ...layout, dpr, margin };
    this.canvas.width = layout.width + 2 * margin;
    this.canvas.height = layout.height + 2 * margin;
    this.canvas.style.width = `${this.canvas.width / dpr}px`;
    this.canvas.style.height = `${this.canvas.height / dpr}px`;
    this.ctx = this.canvas.getContext("2d");
    this.drawn = -1;  // force a full redraw
    this.highlighted = -1;
  }

  square(ctx, k, attackSide, truth) {
    const { cell, margin } = this.layout;
    const [gx, gy] = pileCell(this.layout, k, attackSide);
    const [x, y] = [gx + margin, gy + margin];
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

  /** Draw the squares of positions [drawn, tick); `truth` is by play position; `counts`:
   * rewrite the counts line too. Returns true when the counts line shows older counts. */
  update({ tick: shown, truth, counts = true }) {
    const t = this.track;
    const tick = Math.min(shown, t.counted);  // a strategy switched on late draws as it catches up
    if (!this.layout) this.resize();
    const full = this.drawn < 0 || tick < this.drawn || this.threshold !== t.threshold;
    if (full) {
      this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      this.drawn = 0;
      this.nAttack = 0;
      this.nNormal = 0;
      this.threshold = t.threshold;
      this.highlighted = -2;
      this.ringAt = null;
    }
    this.truth = truth;
    for (let p = this.drawn; p < tick; p++) {
      const flagged = t.scores[p] > t.threshold;
      const k = flagged ? this.nAttack++ : this.nNormal++;
      (flagged ? this.attackAt : this.normalAt)[k] = p;
      this.square(this.ctx, k, flagged, truth[p]);
    }
    this.drawn = tick;
    this.highlight(tick);
    const text = t.countsText;
    if (!counts) return this.countsLine.textContent !== text;
    if (putText(this.countsLine, text)) {
      this.canvas.setAttribute("aria-label", `${t.title}: ${this.nAttack} called attack on the left, ${this.nNormal} called normal on the right; ${text}`);
    }
  }

  /** Open the connection of the square at CSS pixel (x, y) of the canvas, if there is one. */
  openAt(x, y) {
    if (!this.layout) return;
    const { cell, dpr, margin } = this.layout;
    const col = Math.floor((x * dpr - margin) / cell);
    const row = Math.floor((y * dpr - margin) / cell);
    const square = pileSquareAt(this.layout, col, row, this.nAttack, this.nNormal);
    if (square) this.onOpen((square.attackSide ? this.attackAt : this.normalAt)[square.k], this.canvas);
  }

  /** Ring the newest square (position tick - 1), rubbing out the last ring first. */
  highlight(tick) {
    const p = tick - 1;
    const key = p < 0 ? -1 : p * 2 + (this.track.flagged(p) ? 1 : 0);
    if (key === this.highlighted) return;
    this.highlighted = key;
    this.unring();
    if (p < 0) return;
    const flagged = this.track.flagged(p);
    this.ringAt = pileCell(this.layout, (flagged ? this.nAttack : this.nNormal) - 1, flagged);
    const { cell, dpr, margin } = this.layout;
    const [x, y] = [this.ringAt[0] + margin, this.ringAt[1] + margin];
    const band = (outside, width, color) => {
      const [o, w] = [Math.round(outside * dpr), Math.max(1, Math.round(width * dpr))];
      this.ctx.strokeStyle = color;
      this.ctx.lineWidth = w;
      this.ctx.strokeRect(x - o + w / 2, y - o + w / 2, cell + 2 * o - w, cell + 2 * o - w);
    };
    band(RING.reach, RING.reach - RING.ink[0], "#fff");
    band(RING.ink[0], RING.ink[0] - RING.ink[1], COLORS.ink);
  }

  /** Clear the last ring's area and draw again the squares under it. */
  unring() {
    if (!this.ringAt) return;
    const { cell, margin } = this.layout;
    const [x, y] = this.ringAt;
    this.ringAt = null;
    this.ctx.clearRect(x, y, cell + 2 * margin, cell + 2 * margin);
    for (const [col, row] of cellsAround(this.layout, x, y, margin)) {
      const square = pileSquareAt(this.layout, col, row, this.nAttack, this.nNormal);
      if (!square) continue;
      const p = (square.attackSide ? this.attackAt : this.normalAt)[square.k];
      this.square(this.ctx, square.k, square.attackSide, this.truth[p]);
    }
  }

  remove() {
    this.root.remove();
  }
}

export class Piles {
  /** @param {HTMLElement} container; @param {(p: number, opener: HTMLElement) => void} onOpen -
   * a square (or a pile's newest, by Enter) was chosen */
  constructor(container, onOpen) {
    this.container = container;
    this.onOpen = onOpen;
    this.pileByName = new Map();
    this.nextCounts = 0;  // while spread, the pile whose counts line the next frame rewrites
  }

  /** One pile per running track, in the setup order, drawn up to `tick`; with `spread`, one
   * pile's counts line a frame. Returns true when a counts line shows older counts. */
  update({ tracks, tick, truth, spread = false }) {
    const names = new Set(tracks.map((t) => t.name));
    for (const [name, pile] of this.pileByName) {
      if (!names.has(name)) { pile.remove(); this.pileByName.delete(name); }
    }
    for (const t of tracks) {
      if (!this.pileByName.has(t.name)) this.pileByName.set(t.name, new PileCanvas(this.container, t, this.onOpen));
    }
    // Keep the canvases in the setup order.
    const wanted = tracks.map((t) => this.pileByName.get(t.name).root);
    if (wanted.some((el, i) => this.container.children[i] !== el)) this.container.replaceChildren(...wanted);
    const turn = this.nextCounts % Math.max(1, tracks.length);
    this.nextCounts = turn + 1;
    let stale = false;
    tracks.forEach((t, i) => {
      stale = this.pileByName.get(t.name).update({ tick, truth, counts: !spread || i === turn }) || stale;
    });
    return stale;
  }

  resize() {
    for (const pile of this.pileByName.values()) pile.resize();
  }
}
