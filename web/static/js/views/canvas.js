// Small drawing helpers shared by the renderers: high-DPI sizing and value->pixel scales.

/** Size a canvas's backing store to its CSS box times devicePixelRatio and clear it; returns the
 * 2D context scaled so that drawing uses CSS pixels. */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

export const FONT = "11px system-ui, sans-serif";

/** Base of the canvas renderers: `update(data)` keeps the data this view draws and redraws;
 * `redraw()` (after a resize) sizes the canvas for the screen, clears it, sets the default font
 * and calls the subclass's `draw(ctx, width, height, data)` in CSS pixels. */
export class CanvasView {
  constructor(canvas) {
    this.canvas = canvas;
    this.data = null;
  }

  update(data) {
    this.data = data;
    this.redraw();
  }

  redraw() {
    const { ctx, width, height } = fitCanvas(this.canvas);
    ctx.font = FONT;
    ctx.lineWidth = 1;
    this.draw(ctx, width, height, this.data);
  }

  draw() {
    throw new Error(`${this.constructor.name} does not draw`);
  }
}

/** Linear map from [d0, d1] to [r0, r1]. */
export function scale(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (p) => d0 + (p - r0) / (k || 1);
  return f;
}

/** "#rrggbb" -> "rgba(r, g, b, alpha)". */
export function alpha(hex, a) {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

// The palette lives in app.css (custom properties on :root), the one source of truth for the
// page's colours; the canvases read it from there the first time they draw.
const PALETTE = {
  normal: "--normal", abnormal: "--abnormal", reconstruction: "--recon", ink: "--ink", muted: "--muted",
  grid: "--line", normalLight: "--normal-light", stroke: "--stroke",
};
let palette = null;

function readPalette() {
  const style = getComputedStyle(document.documentElement);
  const out = {};
  for (const [key, name] of Object.entries(PALETTE)) {
    out[key] = style.getPropertyValue(name).trim();
    if (!/^#[0-9a-f]{6}$/i.test(out[key])) throw new Error(`the colour ${name} is missing from app.css`);
  }
  out.error = alpha(out.abnormal, 0.22);
  return out;
}

/** Colours: a colour-blind-safe pair (Okabe-Ito) for normal / abnormal, plus ink. */
export const COLORS = {};
for (const key of [...Object.keys(PALETTE), "error"]) {
  Object.defineProperty(COLORS, key, { enumerable: true, get: () => (palette ??= readPalette())[key] });
}

export function drawPolyline(ctx, values, x, y) {
  ctx.beginPath();
  for (let i = 0; i < values.length; i++) {
    const px = x(i);
    const py = y(values[i]);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
}

/** Horizontal grid lines with their labels at every whole value between lo and hi, across
 * [left, right]; strokes in COLORS.grid, labels in COLORS.muted. */
export function drawValueGrid(ctx, y, lo, hi, left, right) {
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.muted;
  for (let v = Math.ceil(lo); v <= Math.floor(hi); v++) {
    ctx.beginPath(); ctx.moveTo(left, y(v)); ctx.lineTo(right, y(v)); ctx.stroke();
    ctx.fillText(String(v), 8, y(v) + 4);
  }
}

/** Fill the band between two series of the same length (a beat and its reconstruction). */
export function fillBetween(ctx, a, b, x, y, color) {
  ctx.fillStyle = color;
  ctx.beginPath();
  for (let i = 0; i < a.length; i++) ctx.lineTo(x(i), y(a[i]));
  for (let i = b.length - 1; i >= 0; i--) ctx.lineTo(x(i), y(b[i]));
  ctx.closePath();
  ctx.fill();
}

/** The square frame of a curve over [0, 1]² (ROC, precision-recall): grid lines and labels at
 *  0, 0.5 and 1 and the two axis titles. Returns the x and y scales. */
export function unitSquare(ctx, width, height, xTitle, yTitle) {
  const pad = { l: 40, r: 10, t: 10, b: 34 };
  const side = Math.min(width - pad.l - pad.r, height - pad.t - pad.b);
  const x = scale(0, 1, pad.l, pad.l + side);
  const y = scale(0, 1, pad.t + side, pad.t);
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.muted;
  for (const v of [0, 0.5, 1]) {
    ctx.beginPath(); ctx.moveTo(x(0), y(v)); ctx.lineTo(x(1), y(v)); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(x(v), y(0)); ctx.lineTo(x(v), y(1)); ctx.stroke();
    ctx.fillText(String(v), 8, y(v) + 4);
    ctx.fillText(String(v), x(v) - 6, y(0) + 14);
  }
  ctx.fillText(xTitle, x(0.5) - ctx.measureText(xTitle).width / 2, y(0) + 28);
  ctx.fillText(yTitle, 8, pad.t + 20);
  return { x, y };
}

/** The current threshold's point on a curve: a filled ring at (px, py). */
export function drawOperatingPoint(ctx, px, py) {
  ctx.fillStyle = COLORS.abnormal;
  ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.fill();
  ctx.strokeStyle = COLORS.ink;
  ctx.lineWidth = 2;
  ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.stroke();
  ctx.lineWidth = 1;
  ctx.fillStyle = COLORS.ink;
}
