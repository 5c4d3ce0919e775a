// An abnormal beat, the model's reconstruction of it, and the mean normal beat: does the
// reconstruction follow the beat, or fall back towards what "normal" looks like?
import { CanvasView, COLORS, drawPolyline, drawValueGrid, fillBetween, scale } from "../views/canvas.js";

export class TendencyChart extends CanvasView {
  /** @param {{beat: Float32Array, reconstruction: Float32Array, meanNormal: Float32Array}|null} s */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    const pad = { l: 36, r: 10, t: 10, b: 24 };
    let lo = Infinity, hi = -Infinity;
    for (const arr of [s.beat, s.reconstruction, s.meanNormal]) {
      for (const v of arr) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    const n = s.beat.length;
    const x = scale(0, n - 1, pad.l, width - pad.r);
    const y = scale(lo, hi, height - pad.b, pad.t);
    drawValueGrid(ctx, y, lo, hi, pad.l, width - pad.r);
    fillBetween(ctx, s.beat, s.reconstruction, x, y, COLORS.error);
    // mean normal beat dotted, the beat solid, its reconstruction dashed
    ctx.lineWidth = 2;
    ctx.strokeStyle = COLORS.normal;
    ctx.setLineDash([2, 3]);
    drawPolyline(ctx, s.meanNormal, x, y);
    ctx.strokeStyle = COLORS.ink;
    ctx.setLineDash([]);
    drawPolyline(ctx, s.beat, x, y);
    ctx.strokeStyle = COLORS.reconstruction;
    ctx.setLineDash([6, 4]);
    drawPolyline(ctx, s.reconstruction, x, y);
    ctx.setLineDash([]);
  }
}
