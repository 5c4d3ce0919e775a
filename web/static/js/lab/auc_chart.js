// AUC per training epoch, with the replay's current epoch marked (a ring and a rule).
import { CanvasView, COLORS, scale } from "../views/canvas.js";

export class AucChart extends CanvasView {
  /** @param {{epoch: Int32Array, auc: Float32Array, current: number}|null} s  (current = index) */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    const pad = { l: 44, r: 12, t: 12, b: 30 };
    const n = s.auc.length;
    let lo = 1;
    for (const v of s.auc) if (Number.isFinite(v)) lo = Math.min(lo, v);
    lo = Math.max(0, Math.floor(lo * 10) / 10);
    const x = scale(0, Math.max(1, n - 1), pad.l, width - pad.r);
    const y = scale(lo, 1, height - pad.b, pad.t);
    ctx.fillStyle = COLORS.muted;
    ctx.strokeStyle = COLORS.grid;
    for (let v = lo; v <= 1.0001; v += (1 - lo) / 4) {
      ctx.beginPath(); ctx.moveTo(pad.l, y(v)); ctx.lineTo(width - pad.r, y(v)); ctx.stroke();
      ctx.fillText(v.toFixed(2), 6, y(v) + 4);
    }
    ctx.fillText("epoch →", (width - pad.l) / 2 + pad.l - 20, height - 4);
    ctx.fillText(`1`, x(0) - 3, height - 14);
    ctx.fillText(String(s.epoch[n - 1]), x(n - 1) - 14, height - 14);
    ctx.strokeStyle = COLORS.normal;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i < n; i++) if (Number.isFinite(s.auc[i])) ctx.lineTo(x(i), y(s.auc[i]));
    ctx.stroke();
    const i = s.current;
    ctx.strokeStyle = COLORS.ink;
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    ctx.beginPath(); ctx.moveTo(x(i), pad.t); ctx.lineTo(x(i), height - pad.b); ctx.stroke();
    ctx.setLineDash([]);
    if (Number.isFinite(s.auc[i])) {
      ctx.fillStyle = COLORS.abnormal;
      ctx.beginPath(); ctx.arc(x(i), y(s.auc[i]), 5, 0, 2 * Math.PI); ctx.fill();
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
}
