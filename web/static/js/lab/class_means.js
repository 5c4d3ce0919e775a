// The five ECG5000 classes as small multiples: each class's mean beat, with name and counts.
import { CanvasView, COLORS, drawPolyline, scale } from "../views/canvas.js";

export class ClassMeans extends CanvasView {
  /** @param {{means: Float32Array, width: number, names: Object<string,string>,
   *  train: Int32Array, test: Int32Array}|null} s */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    const k = 5, cw = width / k;
    let lo = Infinity, hi = -Infinity;
    for (const v of s.means) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const pad = (hi - lo) * 0.08 || 1;
    const y = scale(lo - pad, hi + pad, height - 40, 30);
    for (let c = 0; c < k; c++) {
      ctx.save();
      ctx.translate(c * cw, 0);
      ctx.fillStyle = "#fbfcfe";
      ctx.fillRect(3, 3, cw - 6, height - 6);
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath(); ctx.moveTo(8, y(0)); ctx.lineTo(cw - 8, y(0)); ctx.stroke();
      ctx.fillStyle = COLORS.ink;
      ctx.fillText(`${c + 1} · ${s.names[c + 1]}`.slice(0, Math.floor(cw / 6)), 8, 18);
      // class 1 (normal) solid, the abnormal classes dashed
      ctx.strokeStyle = c === 0 ? COLORS.normal : COLORS.abnormal;
      ctx.lineWidth = 1.6;
      if (c > 0) ctx.setLineDash([5, 2]);
      drawPolyline(ctx, s.means.subarray(c * s.width, (c + 1) * s.width), scale(0, s.width - 1, 8, cw - 8), y);
      ctx.setLineDash([]);
      ctx.fillStyle = COLORS.muted;
      ctx.fillText(`train ${s.train[c]} · test ${s.test[c]}`, 8, height - 14);
      ctx.restore();
    }
  }
}
