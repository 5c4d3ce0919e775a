// Precision-recall curve with the operating point of the current threshold (a ring, labelled)
// and the chance level (the share of anomalies) as a dashed line.
import { CanvasView, COLORS, drawOperatingPoint, unitSquare } from "./canvas.js";

export class PrChart extends CanvasView {
  /** @param {{precision: ArrayLike<number>, recall: ArrayLike<number>, base: number|null,
   *  point: {precision: number|null, recall: number|null}|null}|null} s — the curve's points
   *  (Python's precision_recall_curve, recall monotonic either way); `base` = share of anomalies (a random ranking's
   *  precision); `point` = the current threshold's precision and recall. */
  draw(ctx, width, height, s) {
    if (!s || width < 10) return;
    const { x, y } = unitSquare(ctx, width, height, "recall", "precision ↑");
    ctx.strokeStyle = COLORS.grid;
    if (typeof s.base === "number" && Number.isFinite(s.base)) {
      ctx.setLineDash([4, 4]);
      ctx.beginPath(); ctx.moveTo(x(0), y(s.base)); ctx.lineTo(x(1), y(s.base)); ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = COLORS.normal;
    ctx.lineWidth = 2;
    ctx.beginPath();
    // a step curve in increasing recall: precision P_n holds over (R_(n-1), R_n], the area
    // average precision sums (the curve may come in either order)
    const n = s.recall.length;
    const up = n < 2 || s.recall[0] <= s.recall[n - 1];
    const at = (i) => (up ? i : n - 1 - i);
    for (let i = 0; i < n; i++) {
      const r = s.recall[at(i)], p = s.precision[at(i)];
      if (i > 0) ctx.lineTo(x(s.recall[at(i - 1)]), y(p));
      ctx.lineTo(x(r), y(p));
    }
    ctx.stroke();
    ctx.lineWidth = 1;
    this.drawPoint(ctx, x, y, s.point);
  }

  drawPoint(ctx, x, y, point) {
    if (!point || typeof point.recall !== "number" || typeof point.precision !== "number") return;
    const px = x(point.recall), py = y(point.precision);
    drawOperatingPoint(ctx, px, py);
    const text = `P ${point.precision.toFixed(2)}, R ${point.recall.toFixed(2)}`;
    const below = py + 18 < y(0) - 4;
    ctx.fillText(text, Math.max(x(0), Math.min(px - 40, x(1) - 90)), below ? py + 18 : py - 10);
  }
}
