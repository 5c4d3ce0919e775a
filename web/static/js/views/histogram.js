// Histogram of anomaly scores, normal vs abnormal, with the threshold as a vertical line.
// Normal bars are solid blue, abnormal bars hatched orange (shape as well as colour).
import { CanvasView, COLORS, alpha, scale } from "./canvas.js";

export class ScoreHistogram extends CanvasView {
  constructor(canvas) {
    super(canvas);
    this.hatch = null;
  }

  pattern(ctx) {
    if (this.hatch) return this.hatch;
    const tile = document.createElement("canvas");
    tile.width = tile.height = 6;
    const t = tile.getContext("2d");
    t.fillStyle = alpha(COLORS.abnormal, 0.25);
    t.fillRect(0, 0, 6, 6);
    t.strokeStyle = COLORS.abnormal;
    t.lineWidth = 1.5;
    t.beginPath(); t.moveTo(0, 6); t.lineTo(6, 0); t.stroke();
    this.hatch = ctx.createPattern(tile, "repeat");
    return this.hatch;
  }

  /** @param {{edges: Float32Array, normal: Int32Array, abnormal: Int32Array, log: boolean,
   *  threshold: number}|null} s */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    // the top band (above the tallest bar) holds the threshold's label, so it never covers a bar
    const pad = { l: 44, r: 10, t: 26, b: 32 };
    const { edges, normal, abnormal, log } = s;
    const tx = log ? Math.log10 : (v) => v;
    const x = scale(tx(edges[0]), tx(edges[edges.length - 1]), pad.l, width - pad.r);
    const px = (v) => x(tx(Math.max(v, log ? edges[0] : -Infinity)));
    let top = 1;
    for (let i = 0; i < normal.length; i++) top = Math.max(top, normal[i], abnormal[i]);
    const y = scale(0, top, height - pad.b, pad.t);
    ctx.fillStyle = COLORS.muted;
    ctx.strokeStyle = COLORS.grid;
    for (const frac of [0, 0.5, 1]) {
      const v = Math.round(top * frac);
      ctx.beginPath(); ctx.moveTo(pad.l, y(v)); ctx.lineTo(width - pad.r, y(v)); ctx.stroke();
      ctx.fillText(String(v), 6, y(v) + 4);
    }
    const ticks = log ? logTicks(edges[0], edges[edges.length - 1]) : linTicks(edges[0], edges[edges.length - 1]);
    for (const t of ticks) {  // centred under the tick, kept inside the canvas
      const label = formatTick(t), w = ctx.measureText(label).width;
      ctx.fillText(label, Math.min(Math.max(px(t) - w / 2, 0), width - w), height - 16);
    }
    ctx.fillText(log ? "anomaly score (log scale)" : "anomaly score", width - pad.r - 140, height - 3);
    for (let i = 0; i < normal.length; i++) {
      const x0 = px(edges[i]) + 0.5, x1 = px(edges[i + 1]) - 0.5;
      ctx.fillStyle = alpha(COLORS.normal, 0.55);
      ctx.fillRect(x0, y(normal[i]), x1 - x0, y(0) - y(normal[i]));
      ctx.fillStyle = this.pattern(ctx);
      ctx.fillRect(x0, y(abnormal[i]), x1 - x0, y(0) - y(abnormal[i]));
      if (abnormal[i] > 0) {
        ctx.strokeStyle = COLORS.abnormal;
        ctx.strokeRect(x0, y(abnormal[i]), x1 - x0, y(0) - y(abnormal[i]));
      }
    }
    this.drawThreshold(ctx, width, height, pad, px, s.threshold, edges);
  }

  /** The threshold line with its label in the top band; beyond the axis, a mark at the edge. */
  drawThreshold(ctx, width, height, pad, px, threshold, edges) {
    const lo = edges[0], hi = edges[edges.length - 1];
    const offScale = threshold > hi ? "above" : threshold < lo ? "below" : "";
    const at = px(Math.min(Math.max(threshold, lo), hi));
    ctx.strokeStyle = COLORS.ink;
    ctx.lineWidth = 2;
    ctx.setLineDash(offScale ? [4, 3] : []);
    ctx.beginPath(); ctx.moveTo(at, pad.t); ctx.lineTo(at, height - pad.b); ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.ink;
    const text = `threshold ${formatTick(threshold)}` +
      (offScale === "above" ? " → off scale" : offScale === "below" ? " ← off scale" : "");
    const w = ctx.measureText(text).width;
    const left = Math.min(Math.max(at - w / 2, 2), width - w - 2);
    const baseline = pad.t - 10;
    ctx.fillText(text, left, baseline);
    if (offScale) {  // an arrowhead on the line's top, pointing off the axis
      const d = offScale === "above" ? 1 : -1;
      ctx.beginPath(); ctx.moveTo(at + 7 * d, pad.t); ctx.lineTo(at, pad.t - 5); ctx.lineTo(at, pad.t + 5);
      ctx.closePath(); ctx.fill();
    }
    this.canvas.dataset.thresholdMark = JSON.stringify({
      value: threshold, offScale, width, barsTop: pad.t,
      label: { left, right: left + w, top: baseline - 10, bottom: baseline + 3 },
    });
  }
}

function logTicks(lo, hi) {
  const out = [];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(10 ** e);
  return out.length ? out : [lo, hi];
}

function linTicks(lo, hi) {
  return [lo, (lo + hi) / 2, hi];
}

function formatTick(v) {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(2));
}
