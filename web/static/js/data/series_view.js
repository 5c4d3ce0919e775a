// The time-series view of the data page: the whole series (min and max per pixel column when
// there are more samples than pixels), one band per detector with the spans of the windows it
// flagged (also shaded lightly over the series), and the label as a strip when there is one.
// Zoom with the wheel, a pinch or the buttons; pan by dragging or with the arrow keys; Home or
// the reset button shows everything again. The data is table_series's reply.
import { CanvasView, COLORS, alpha, scale } from "../views/canvas.js";

const BAND = 14;      // height of one detector's band, CSS px
const AXIS = 18;      // x-axis labels
const LEFT = 56;      // room for the band names and y labels
const MIN_SPAN = 10;  // the narrowest view, in samples
const LINE_COLORS = ["ink", "normal", "reconstruction", "muted"];

/** Values of channel `c` of a (n, k) array given as {shape, data} or as nested lists. */
function channel(values, c) {
  if (values.shape) {
    const [n, k] = values.shape.length === 1 ? [values.shape[0], 1] : values.shape;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = values.data[i * k + c];
    return out;
  }
  return Float64Array.from(values, (row) => (Array.isArray(row) ? row[c] : row));
}

function flat(array) {
  if (!array) return null;
  return array.data ?? array;
}

export class SeriesView extends CanvasView {
  /** @param {HTMLCanvasElement} canvas  @param {(text: string) => void} onRange told the
   *  visible range after every redraw */
  constructor(canvas, onRange = () => {}) {
    super(canvas);
    this.onRange = onRange;
    this.view = [0, 1];
    this.pointers = new Map();
    this.wire();
  }

  /** @param {{values, names: string[], spans: Object<string, number[][]>, labels,
   *  titles: Object<string, string>}} series */
  show(series) {
    const k = series.values.shape ? (series.values.shape[1] ?? 1) : (series.values[0]?.length ?? 1);
    const channels = Array.from({ length: k }, (_, c) => channel(series.values, c));
    let lo = Infinity;
    let hi = -Infinity;
    for (const ch of channels) for (const v of ch) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    const n = channels[0]?.length ?? 0;
    this.view = [0, n];
    this.update({ ...series, channels, n, lo, hi, labels: flat(series.labels) });
  }

  get n() {
    return this.data?.n ?? 0;
  }

  /** Show samples [x0, x1), kept inside the series and at least MIN_SPAN wide. */
  setView(x0, x1) {
    const n = this.n;
    if (!n) return;
    let width = Math.min(n, Math.max(Math.min(MIN_SPAN, n), x1 - x0));
    let start = Math.max(0, Math.min(n - width, x0));
    if (!Number.isFinite(start)) start = 0;
    if (!Number.isFinite(width)) width = n;
    this.view = [start, start + width];
    this.redraw();
  }

  zoom(factor, at = (this.view[0] + this.view[1]) / 2) {
    const [x0, x1] = this.view;
    this.setView(at - (at - x0) / factor, at + (x1 - at) / factor);
  }

  pan(samples) {
    this.setView(this.view[0] + samples, this.view[1] + samples);
  }

  reset() {
    this.setView(0, this.n);
  }

  /** The sample under a client x coordinate. */
  sampleAt(clientX) {
    const { left, width } = this.canvas.getBoundingClientRect();
    const [x0, x1] = this.view;
    return x0 + ((clientX - left - LEFT) / Math.max(1, width - LEFT - 8)) * (x1 - x0);
  }

  wire() {
    const c = this.canvas;
    c.addEventListener("wheel", (e) => {
      if (!this.n) return;
      e.preventDefault();
      this.zoom(e.deltaY < 0 ? 1.25 : 0.8, this.sampleAt(e.clientX));
    }, { passive: false });
    c.addEventListener("pointerdown", (e) => {
      this.pointers.set(e.pointerId, e.clientX);
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => this.pointerMoved(e));
    for (const type of ["pointerup", "pointercancel"]) c.addEventListener(type, (e) => this.pointers.delete(e.pointerId));
    c.addEventListener("keydown", (e) => this.key(e));
  }

  pointerMoved(e) {
    if (!this.pointers.has(e.pointerId) || !this.n) return;
    const before = new Map(this.pointers);
    this.pointers.set(e.pointerId, e.clientX);
    const { width } = this.canvas.getBoundingClientRect();
    const perPixel = (this.view[1] - this.view[0]) / Math.max(1, width - LEFT - 8);
    if (this.pointers.size === 1) {
      this.pan(-(e.clientX - before.get(e.pointerId)) * perPixel);
    } else if (this.pointers.size === 2) {  // pinch: zoom by the change of the fingers' distance
      const [a, b] = [...before.values()];
      const [a2, b2] = [...this.pointers.values()];
      const d0 = Math.abs(a - b);
      const d1 = Math.abs(a2 - b2);
      if (d0 > 4 && d1 > 4) this.zoom(d1 / d0, this.sampleAt((a2 + b2) / 2));
    }
  }

  key(e) {
    const step = Math.max(1, (this.view[1] - this.view[0]) * 0.1);
    const actions = {
      ArrowLeft: () => this.pan(-step), ArrowRight: () => this.pan(step),
      "+": () => this.zoom(1.25), "=": () => this.zoom(1.25), "-": () => this.zoom(0.8),
      Home: () => this.reset(),
    };
    if (!actions[e.key]) return;
    e.preventDefault();
    actions[e.key]();
  }

  draw(ctx, width, height, data) {
    if (!data || !data.n) return;
    const kinds = Object.keys(data.spans ?? {});
    const strips = kinds.length + (data.labels ? 1 : 0);
    const plotBottom = height - AXIS - strips * BAND - 4;
    const [x0, x1] = this.view;
    const x = scale(x0, x1, LEFT, width - 8);
    const y = scale(data.lo, data.hi, plotBottom, 6);
    this.drawSpans(ctx, data, kinds, x, plotBottom);
    data.channels.forEach((values, c) => {
      ctx.strokeStyle = COLORS[LINE_COLORS[c % LINE_COLORS.length]];
      this.drawChannel(ctx, values, x, y, width);
    });
    this.drawAxes(ctx, data, x, y, width, height, plotBottom);
    const first = Math.floor(x0);
    const last = Math.ceil(x1) - 1;
    this.canvas.dataset.view = `${first}:${last + 1}`;
    this.onRange(`Showing positions ${first.toLocaleString("en")} to ${last.toLocaleString("en")} of ${data.n.toLocaleString("en")}.`);
  }

  /** The series as a polyline, or as one min-max bar per pixel column when samples are dense. */
  drawChannel(ctx, values, x, y, width) {
    const [x0, x1] = this.view;
    const i0 = Math.max(0, Math.floor(x0));
    const i1 = Math.min(values.length, Math.ceil(x1) + 1);
    const columns = Math.max(1, Math.round(width - LEFT - 8));
    ctx.beginPath();
    if (i1 - i0 <= columns * 2) {
      for (let i = i0; i < i1; i++) (i === i0 ? ctx.moveTo : ctx.lineTo).call(ctx, x(i), y(values[i]));
    } else {
      const perColumn = (i1 - i0) / columns;
      for (let p = 0; p < columns; p++) {
        let lo = Infinity;
        let hi = -Infinity;
        const end = Math.min(i1, Math.floor(i0 + (p + 1) * perColumn));
        for (let i = Math.floor(i0 + p * perColumn); i < end; i++) {
          const v = values[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (lo > hi) continue;
        const px = LEFT + p + 0.5;
        ctx.moveTo(px, y(hi));
        ctx.lineTo(px, y(lo) + 0.5);
      }
    }
    ctx.stroke();
  }

  drawSpans(ctx, data, kinds, x, plotBottom) {
    const clipLeft = LEFT;
    const clipRight = x(this.view[1]);
    const paint = (start, end, top, h) => {
      const a = Math.max(clipLeft, x(start));
      const b = Math.min(clipRight, x(end));
      if (b > a) ctx.fillRect(a, top, Math.max(1, b - a), h);
    };
    kinds.forEach((kind, r) => {
      const top = plotBottom + 4 + r * BAND;
      ctx.fillStyle = alpha(COLORS.abnormal, 0.12);
      for (const [s, e] of data.spans[kind]) paint(s, e, 6, plotBottom - 6);
      ctx.fillStyle = COLORS.abnormal;
      for (const [s, e] of data.spans[kind]) paint(s, e, top + 2, BAND - 4);
      ctx.fillStyle = COLORS.ink;
      ctx.fillText(data.titles?.[kind] ?? kind, 4, top + BAND - 3);
    });
    if (data.labels) {
      const top = plotBottom + 4 + kinds.length * BAND;
      ctx.fillStyle = COLORS.ink;
      ctx.fillText("label", 4, top + BAND - 3);
      ctx.fillStyle = COLORS.muted;
      const [x0, x1] = this.view;
      let start = -1;
      for (let i = Math.max(0, Math.floor(x0)); i <= Math.min(data.n, Math.ceil(x1)); i++) {
        const on = i < data.n && data.labels[i] > 0;
        if (on && start < 0) start = i;
        if (!on && start >= 0) { paint(start, i, top + 2, BAND - 4); start = -1; }
      }
    }
  }

  drawAxes(ctx, data, x, y, width, height, plotBottom) {
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.muted;
    ctx.beginPath(); ctx.moveTo(LEFT, plotBottom + 0.5); ctx.lineTo(width - 8, plotBottom + 0.5); ctx.stroke();
    for (const v of [data.lo, (data.lo + data.hi) / 2, data.hi]) ctx.fillText(Number(v.toPrecision(3)).toString(), 4, y(v) + 4);
    const [x0, x1] = this.view;
    const ticks = Math.max(1, Math.min(5, Math.floor((width - LEFT) / 90)));
    for (let t = 0; t <= ticks; t++) {
      const i = Math.round(x0 + ((x1 - x0) * t) / ticks);
      const text = i.toLocaleString("en");
      const px = Math.min(width - 8 - ctx.measureText(text).width, Math.max(LEFT, x(i) - ctx.measureText(text).width / 2));
      ctx.fillText(text, px, height - 5);
    }
  }
}
