// One beat against its reconstruction, with the error filled between them, in data units, and
// (when given) the per-step contributions to the score as a strip under the time axis.
import { CanvasView, COLORS, drawPolyline, drawValueGrid, fillBetween, scale } from "../views/canvas.js";
import { drawContributionStrip, STRIP_HEIGHT } from "./contribution_strip.js";

export class BeatChart extends CanvasView {
  /** @param {{beat: Float32Array, reconstruction: Float32Array, contributions?: Float32Array}|null} s */
  draw(ctx, width, height, s) {
    const strip = s && s.contributions ? STRIP_HEIGHT + 8 : 0;
    const pad = { l: 40, r: 12, t: 12, b: 28 + strip };
    const n = s ? s.beat.length : 140;
    let lo = -4, hi = 3;
    if (s) {
      for (const v of [...s.beat, ...s.reconstruction]) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    const x = scale(0, n - 1, pad.l, width - pad.r);
    const y = scale(lo, hi, height - pad.b, pad.t);
    drawValueGrid(ctx, y, lo, hi, pad.l, width - pad.r);
    const title = width - pad.r - 52;  // where the axis title starts; ticks stop short of it
    for (let t = 0; t < n && x(t) + 14 < title; t += 20) ctx.fillText(String(t), x(t) - 6, height - 10);
    ctx.fillText("time step", title, height - 10);
    if (!s) return;
    if (strip) drawContributionStrip(ctx, s.contributions, x, height - pad.b + 6);
    fillBetween(ctx, s.beat, s.reconstruction, x, y, COLORS.error);
    ctx.lineWidth = 2;
    ctx.strokeStyle = COLORS.ink;
    drawPolyline(ctx, s.beat, x, y);
    ctx.strokeStyle = COLORS.reconstruction;
    ctx.setLineDash([6, 4]);
    drawPolyline(ctx, s.reconstruction, x, y);
    ctx.setLineDash([]);
  }
}
