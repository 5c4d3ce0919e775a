// A strip of per-time-step contributions to the anomaly score under a beat chart: one cell per
// time step, darker where that step's squared reconstruction error adds more to the mean score.
// The numbers come from Python (each beat's contributions sum to its score).
import { COLORS, alpha } from "../views/canvas.js";

export const STRIP_HEIGHT = 10;

/** Draw `values` (Float32Array, one per time step) as a strip from `top`, mapping step i to
 *  pixel `x(i)`; the darkest cell is the largest contribution. */
export function drawContributionStrip(ctx, values, x, top) {
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const half = values.length > 1 ? (x(1) - x(0)) / 2 : 2;
  ctx.fillStyle = alpha(COLORS.grid, 1);
  ctx.fillRect(x(0) - half, top, x(values.length - 1) - x(0) + 2 * half, STRIP_HEIGHT);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] > 0) || max === 0) continue;
    ctx.fillStyle = alpha(COLORS.abnormal, Math.min(1, 0.08 + 0.92 * (values[i] / max)));
    ctx.fillRect(x(i) - half, top, 2 * half + 0.5, STRIP_HEIGHT);
  }
}
