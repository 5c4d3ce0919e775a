// ROC curve with the operating point of the current threshold (a ring, labelled).
import { CanvasView, COLORS, scale } from "./canvas.js";

export class RocChart extends CanvasView {
  /** @param {{fpr: Float32Array, tpr: Float32Array, point: {fpr: number, tpr: number}|null}|null} s */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
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
    ctx.fillText("false positive rate", x(0.5) - 45, y(0) + 28);
    ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.moveTo(x(0), y(0)); ctx.lineTo(x(1), y(1)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.normal;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i < s.fpr.length; i++) ctx.lineTo(x(s.fpr[i]), y(s.tpr[i]));
    ctx.stroke();
    ctx.lineWidth = 1;
    if (s.point) {
      const px = x(s.point.fpr), py = y(s.point.tpr);
      ctx.fillStyle = COLORS.abnormal;
      ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.fill();
      ctx.strokeStyle = COLORS.ink;
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(px, py, 6, 0, 2 * Math.PI); ctx.stroke();
      ctx.lineWidth = 1;
      ctx.fillStyle = COLORS.ink;
      const text = `TPR ${s.point.tpr.toFixed(2)}, FPR ${s.point.fpr.toFixed(2)}`;
      ctx.fillText(text, Math.min(px + 10, x(1) - 110), Math.max(py + 18, y(1) + 12) > y(0) ? py - 10 : py + 18);
    }
    ctx.fillStyle = COLORS.muted;
    ctx.fillText("TPR ↑", 8, pad.t + 20);
  }
}
