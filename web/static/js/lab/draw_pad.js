// Drawing pad: pointer (mouse, touch, pen) strokes in data units, over axes in data units,
// with the model's view of the drawing (the 140 values, the reconstruction, the error).
// Owns only the stroke being drawn and the keyboard cursor; finished strokes live in the app
// state. Keyboard: ←/→ move a cursor along the time steps, ↑/↓ raise or lower the beat there.
// A run of key edits is one stroke through all 140 time steps (so Undo removes the run); it
// starts from the beat as the model last saw it, or from a flat line. The canvas reports its
// scale in `data-plot` (JSON: the CSS-pixel x of the first and last time step, the y of the
// lowest and highest value, and those values), so that a caller can point at (step, value).
import { CanvasView, COLORS, drawPolyline, scale } from "../views/canvas.js";
import { drawContributionStrip, STRIP_HEIGHT } from "./contribution_strip.js";

export const PAD_RANGE = { lo: -5, hi: 5, n: 140 };
const PAD = { l: 40, r: 12, t: 12, b: 30 + STRIP_HEIGHT + 8 };  // the bottom band holds the strip
// key -> [cursor move, value change]; with Shift the moves are bigger
const KEYS = {
  ArrowLeft: [-1, 0, -10, 0], ArrowRight: [1, 0, 10, 0], Home: [-PAD_RANGE.n, 0], End: [PAD_RANGE.n, 0],
  ArrowUp: [0, 0.1, 0, 1], ArrowDown: [0, -0.1, 0, -1], PageUp: [0, 1], PageDown: [0, -1],
};

export class DrawPad extends CanvasView {
  /** @param {HTMLCanvasElement} canvas
   *  @param {{onChange: (strokes: Float32Array[], final: boolean) => void, cursorLabel: HTMLElement}} options
   *  (cursorLabel: where the keyboard cursor's time step and value are written) */
  constructor(canvas, { onChange, cursorLabel }) {
    super(canvas);
    this.onChange = onChange;
    this.cursorLabel = cursorLabel;
    this.strokes = [];
    this.current = null;   // number[] of x, y pairs while the pointer is down
    this.cursor = Math.floor(PAD_RANGE.n / 2);  // keyboard cursor: a time step
    canvas.addEventListener("keydown", (e) => this.key(e));
    canvas.addEventListener("focus", () => this.redraw());
    canvas.addEventListener("blur", () => this.redraw());
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
  }

  scales() {
    const { width, height } = this.canvas.getBoundingClientRect();
    return {
      x: scale(0, PAD_RANGE.n - 1, PAD.l, width - PAD.r),
      y: scale(PAD_RANGE.lo, PAD_RANGE.hi, height - PAD.b, PAD.t),
    };
  }

  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    const { x, y } = this.scales();
    // A stroke dragged past the pad's edge stays on it: at the first or last time step and
    // within the visible range, as the keyboard edits are.
    const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
    return [clamp(x.invert(event.clientX - rect.left), 0, PAD_RANGE.n - 1),
            clamp(y.invert(event.clientY - rect.top), PAD_RANGE.lo, PAD_RANGE.hi)];
  }

  all() {
    return this.current ? [...this.strokes, Float32Array.from(this.current)] : this.strokes;
  }

  down(event) {
    if (event.button !== undefined && event.button > 0) return;
    event.preventDefault();
    try { this.canvas.setPointerCapture(event.pointerId); } catch { /* pointer already gone */ }
    this.current = this.point(event);
    this.onChange(this.all(), false);
    this.redraw();
  }

  move(event) {
    if (!this.current) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const e of events.length ? events : [event]) this.current.push(...this.point(e));
    this.onChange(this.all(), false);
    this.redraw();
  }

  up(event) {
    if (!this.current) return;
    if (this.canvas.hasPointerCapture(event.pointerId)) {
      try { this.canvas.releasePointerCapture(event.pointerId); } catch { /* already released */ }
    }
    const strokes = this.all();
    this.current = null;
    this.onChange(strokes, true);
  }

  key(event) {
    const k = KEYS[event.key];
    if (!k || event.altKey || event.ctrlKey || event.metaKey || this.current) return;
    event.preventDefault();
    const [move, change] = event.shiftKey && k.length > 2 ? k.slice(2) : k;
    if (move) {
      this.cursor = Math.min(Math.max(this.cursor + move, 0), PAD_RANGE.n - 1);
      this.redraw();
      return;
    }
    // Edit the run of key edits (the last stroke) if there is one, else start one.
    const last = this.strokes.at(-1);
    const editing = Boolean(last && last.keyboard);
    const run = editing ? Float32Array.from(last) : this.fullStroke(this.values() ?? new Float32Array(PAD_RANGE.n));
    const i = 2 * this.cursor + 1;
    run[i] = Math.min(Math.max(Math.round((run[i] + change) * 100) / 100, PAD_RANGE.lo), PAD_RANGE.hi);
    run.keyboard = true;
    this.strokes = [...(editing ? this.strokes.slice(0, -1) : this.strokes), run];
    this.onChange(this.strokes, true);
    this.redraw();
  }

  /** One stroke through every time step, at `values`. */
  fullStroke(values) {
    const pts = new Float32Array(2 * PAD_RANGE.n);
    values.forEach((v, t) => { pts[2 * t] = t; pts[2 * t + 1] = v; });
    return pts;
  }

  /** The 140 values as they stand: the run of key edits, else the beat the model last saw. */
  values() {
    const last = this.strokes.at(-1);
    if (last && last.keyboard) return last.filter((_, j) => j % 2 === 1);
    return this.data && this.data.result ? this.data.result.beat.data : null;
  }

  describeCursor() {
    const values = this.values();
    const text = `Keyboard cursor: time step ${this.cursor}, value ` +
      (values ? values[this.cursor].toFixed(2) : "not drawn yet");
    if (this.cursorLabel && this.cursorLabel.textContent !== text) this.cursorLabel.textContent = text;
    return values;
  }

  /** @param {{strokes: Float32Array[], result: {beat, reconstruction}|null}} s */
  update(s) {
    if (!this.current) this.strokes = s.strokes;
    super.update(s);
  }

  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    const { x, y } = this.scales();
    this.canvas.dataset.plot = JSON.stringify({
      left: x(0), right: x(PAD_RANGE.n - 1), bottom: y(PAD_RANGE.lo), top: y(PAD_RANGE.hi),
      lo: PAD_RANGE.lo, hi: PAD_RANGE.hi, steps: PAD_RANGE.n,
    });
    ctx.save();
    this.drawAxes(ctx, width, height, x, y);
    if (s.result && s.result.contributions) {
      drawContributionStrip(ctx, s.result.contributions.data, x, height - PAD.b + 6);
    }
    ctx.beginPath(); ctx.rect(PAD.l, PAD.t, width - PAD.l - PAD.r, height - PAD.t - PAD.b); ctx.clip();
    const r = s.result;
    if (r) {
      const beat = r.beat.data, rec = r.reconstruction.data;
      ctx.fillStyle = COLORS.error;
      ctx.beginPath();
      for (let i = 0; i < beat.length; i++) ctx.lineTo(x(i), y(beat[i]));
      for (let i = beat.length - 1; i >= 0; i--) ctx.lineTo(x(i), y(rec[i]));
      ctx.closePath();
      ctx.fill();
    }
    this.drawStrokes(ctx, x, y);
    if (r) {
      // the model's view: the beat solid, its reconstruction dashed
      ctx.lineWidth = 2;
      ctx.strokeStyle = COLORS.ink;
      drawPolyline(ctx, r.beat.data, x, y);
      ctx.strokeStyle = COLORS.reconstruction;
      ctx.setLineDash([6, 4]);
      drawPolyline(ctx, r.reconstruction.data, x, y);
      ctx.setLineDash([]);
    }
    const values = this.describeCursor();
    if (document.activeElement === this.canvas) this.drawCursor(ctx, height, x(this.cursor), values && y(values[this.cursor]));
    ctx.restore();
  }

  drawAxes(ctx, width, height, x, y) {
    ctx.fillStyle = COLORS.muted;
    for (let v = PAD_RANGE.lo; v <= PAD_RANGE.hi; v++) {
      ctx.strokeStyle = v === 0 ? "#c9cfdb" : COLORS.grid;
      ctx.beginPath(); ctx.moveTo(PAD.l, y(v)); ctx.lineTo(width - PAD.r, y(v)); ctx.stroke();
      ctx.fillText(String(v), 12, y(v) + 4);
    }
    const title = width - PAD.r - 70;  // where the axis title starts; ticks stop short of it
    for (let t = 0; t < PAD_RANGE.n && x(t) + 14 < title; t += 20) ctx.fillText(String(t), x(t) - 6, height - 12);
    ctx.fillText("time step →", title, height - 12);
    ctx.fillText("value ↑", PAD.l + 4, PAD.t + 10);
  }

  /** The user's strokes, thick and round; a single point as a dot. */
  drawStrokes(ctx, x, y) {
    ctx.strokeStyle = COLORS.stroke;
    ctx.lineWidth = 5;
    ctx.lineCap = ctx.lineJoin = "round";
    for (const stroke of this.all()) {
      ctx.beginPath();
      for (let i = 0; i < stroke.length; i += 2) ctx.lineTo(x(stroke[i]), y(stroke[i + 1]));
      if (stroke.length === 2) ctx.arc(x(stroke[0]), y(stroke[1]), 2, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  /** The keyboard cursor: a dotted rule at pixel `cx` and a ring at `cy` (null: not drawn yet). */
  drawCursor(ctx, height, cx, cy) {
    ctx.strokeStyle = COLORS.ink;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([2, 3]);
    ctx.beginPath(); ctx.moveTo(cx, PAD.t); ctx.lineTo(cx, height - PAD.b); ctx.stroke();
    ctx.setLineDash([]);
    if (cy !== null) {
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(cx, cy, 6, 0, 2 * Math.PI); ctx.stroke();
    }
  }
}
