// Drawing pad: pointer (mouse, touch, pen) strokes in data units, over axes in data units,
// with the model's view of the drawing (the 140 values, the reconstruction, the error).
// Owns only the stroke being drawn; finished strokes live in the app state.
import { COLORS, drawPolyline, fitCanvas, scale } from "./canvas.js";

export const PAD_RANGE = { lo: -5, hi: 5, n: 140 };
const PAD = { l: 40, r: 12, t: 12, b: 30 };

export class DrawPad {
  /** @param {HTMLCanvasElement} canvas
   *  @param {{onChange: (strokes: Float32Array[], final: boolean) => void}} handlers */
  constructor(canvas, { onChange }) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.strokes = [];
    this.current = null;   // number[] of x, y pairs while the pointer is down
    this.last = null;
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
    return [x.invert(event.clientX - rect.left), y.invert(event.clientY - rect.top)];
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

  redraw() {
    if (this.last) this.update(this.last);
  }

  /** @param {{strokes: Float32Array[], result: {beat, reconstruction}|null}} s */
  update(s) {
    this.last = s;
    if (!this.current) this.strokes = s.strokes;
    const { ctx, width, height } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    if (width < 10) return;
    const { x, y } = this.scales();
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = COLORS.muted;
    ctx.strokeStyle = COLORS.grid;
    for (let v = PAD_RANGE.lo; v <= PAD_RANGE.hi; v++) {
      ctx.strokeStyle = v === 0 ? "#c9cfdb" : COLORS.grid;
      ctx.beginPath(); ctx.moveTo(PAD.l, y(v)); ctx.lineTo(width - PAD.r, y(v)); ctx.stroke();
      ctx.fillText(String(v), 12, y(v) + 4);
    }
    for (let t = 0; t < PAD_RANGE.n; t += 20) ctx.fillText(String(t), x(t) - 6, height - 12);
    ctx.fillText("time step →", width - PAD.r - 70, height - 12);
    ctx.fillText("value ↑", PAD.l + 4, PAD.t + 10);
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
    ctx.strokeStyle = "#b8bfcc";
    ctx.lineWidth = 5;
    ctx.lineCap = ctx.lineJoin = "round";
    for (const stroke of this.all()) {
      ctx.beginPath();
      for (let i = 0; i < stroke.length; i += 2) ctx.lineTo(x(stroke[i]), y(stroke[i + 1]));
      if (stroke.length === 2) ctx.arc(x(stroke[0]), y(stroke[1]), 2, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (r) {
      ctx.lineWidth = 2;
      ctx.strokeStyle = COLORS.ink;
      drawPolyline(ctx, r.beat.data, x, y);
      ctx.strokeStyle = COLORS.reconstruction;
      ctx.setLineDash([6, 4]);
      drawPolyline(ctx, r.reconstruction.data, x, y);
    }
    ctx.restore();
  }
}
