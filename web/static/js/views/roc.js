// ROC curve with the operating point of the current threshold (a ring, labelled).
import { CanvasView, COLORS, drawOperatingPoint, unitSquare } from "./canvas.js";

export class RocChart extends CanvasView {
  /** @param {{fpr: Float32Array, tpr: Float32Array, point: {fpr: number, tpr: number}|null}|null} s */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    const { x, y } = unitSquare(ctx, width, height, "false positive rate", "TPR ↑");
    ctx.strokeStyle = COLORS.grid;
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
      drawOperatingPoint(ctx, px, py);
      const text = `TPR ${s.point.tpr.toFixed(2)}, FPR ${s.point.fpr.toFixed(2)}`;
      ctx.fillText(text, Math.min(px + 10, x(1) - 110), Math.max(py + 18, y(1) + 12) > y(0) ? py - 10 : py + 18);
    }
  }
}
